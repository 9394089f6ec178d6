"""Compiled sentence split and word scan (numba): the first pass's normalize and hash, without Python per word.

``sketch_text(text)`` returns what ``shingle.hash_sentences(normalize.sentence_words(text))``
returns, as arrays, several times faster.  Only the paragraph rules (regular
expressions over lines) stay in Python; the sentence split, the trimming of
sentences, the word pattern and the word fixes of ``normalize`` run in one
kernel over the text's code points.  Python's own character predicates
(``isspace``, ``isalnum``, ``islower``, ``isdecimal``, ``isdigit``, ``casefold``)
are copied into tables once, so the kernel answers as Python does.

The kernel writes the normalized words as UTF-8, one space between words;
word fingerprints, the words key and the stems' hashes are taken from those
bytes with the same functions as before (``xxh3_64``; a memo of stem hashes
keyed by the word's bytes).  A text the kernel does not cover (one whose
folded form is not NFKC-normalized or does not casefold character for
character, or one with characters beyond the Basic Multilingual Plane) goes
through the Python path; both paths give equal results (tested).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import numba
import numpy as np
import xxhash

from dedup.normalize import (
    _ABBREV,
    _ANY_RULE,
    _CONTROL,
    _FOLD_CHARS,
    _fold_chars,
    classify_line,
    sentence_words,
    stem,
)
from dedup.shingle import hash_sentences, token_hash
from dedup.vocab import MISSING, Vocabulary

# character properties, one bit each, of the character itself
SPACE, ALNUM, LOWER, ALPHA1, DEC, LET, DIGIT, JUNK, CLOSER, END, CTRL, BREAK, BULLET, FINAL = (1 << i for i in range(14))
BMP = 1 << 16


class TextSketch(NamedTuple):
    """A document's sentences as the first pass keeps them."""

    spans: np.ndarray  # (sentences, 2) int64: start and end in the text
    tokens: np.ndarray  # uint32: per sentence its sorted distinct stem hashes, one after another
    lengths: np.ndarray  # int64: how many of ``tokens`` each sentence has
    prints: np.ndarray  # uint64: per sentence the fingerprint of its words
    word_count: int
    key: int  # the words key (``shingle.words_key``)
    terms: np.ndarray  # uint32: the document's distinct stem hashes, sorted


@cache
def tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(flags, low, abbreviations, their lengths): Python's answers for every BMP character."""
    chars = [chr(c) for c in range(BMP)]

    def where(test: Callable[[str], bool]) -> np.ndarray:
        return np.fromiter(map(test, chars), dtype=np.bool_, count=BMP)

    lower = [c.lower() for c in chars]
    alnum, decimal = where(str.isalnum), where(str.isdecimal)
    flags = np.zeros(BMP, dtype=np.uint16)
    for bit, mask in ((SPACE, where(str.isspace)), (ALNUM, alnum), (LOWER, where(str.islower)),
                      (ALPHA1, np.fromiter((len(c) == 1 and c.isalpha() for c in lower), dtype=np.bool_, count=BMP)),
                      (DEC, decimal), (LET, alnum & ~decimal), (DIGIT, where(str.isdigit)),
                      (CTRL, where(lambda c: c < "\x80" and _CONTROL.match(c) is not None)),
                      (BREAK, np.fromiter((len(f"a{c}a".splitlines()) > 1 for c in chars), dtype=np.bool_, count=BMP))):
        flags[mask] |= bit  # ("_" is not alphanumeric, so LET is [^\W\d_])
    flags[list(range(32)) + [ord(" "), ord("<")]] |= JUNK  # normalize._trim
    flags[[ord(c) for c in "\"'”’)]"]] |= CLOSER  # normalize._SENT_END
    flags[[ord(c) for c in ".!?"]] |= END
    flags[[ord(c) for c in "•*+-"]] |= BULLET  # a line starting so opens a paragraph
    flags[[ord(c) for c in "<.!?:\"”'"]] |= FINAL  # a line ending so closes its paragraph (normalize._closes)
    folds = dict(_FOLD_CHARS)
    low = np.array([ord(f) if len(f := folds.get(c, c).casefold()) == 1 else -1 for c in chars], dtype=np.int32)
    abbrev = sorted(_ABBREV)
    width = max(map(len, abbrev))
    table = np.zeros((len(abbrev), width), dtype=np.int32)
    for r, a in enumerate(abbrev):
        table[r, :len(a)] = [ord(c) for c in a]
    return flags, low, table, np.array([len(a) for a in abbrev], dtype=np.int64)


@numba.njit(cache=True, nogil=True, inline="always")
def _abbreviation(cp: np.ndarray, a: int, b: int, table: np.ndarray, lengths: np.ndarray) -> bool:
    """Is ``cp[a:b].lower()`` one of the abbreviations (all ASCII)?"""
    for r in range(len(lengths)):
        if lengths[r] != b - a:
            continue
        same = True
        for x in range(a, b):
            c = cp[x]
            if 65 <= c <= 90:
                c += 32
            if c != table[r, x - a]:
                same = False
                break
        if same:
            return True
    return False


@numba.njit(cache=True, nogil=True, inline="always")
def _put(buf: np.ndarray, pos: int, c: int) -> int:
    """UTF-8 of one BMP code point at ``buf[pos]``; the position after it."""
    if c < 0x80:
        buf[pos] = c
        return pos + 1
    if c < 0x800:
        buf[pos] = 0xC0 | (c >> 6)
        buf[pos + 1] = 0x80 | (c & 0x3F)
        return pos + 2
    buf[pos] = 0xE0 | (c >> 12)
    buf[pos + 1] = 0x80 | ((c >> 6) & 0x3F)
    buf[pos + 2] = 0x80 | (c & 0x3F)
    return pos + 3


@numba.njit(cache=True, nogil=True, inline="always")
def _word_hash(buf: np.ndarray, a: int, b: int) -> np.uint64:
    """A 64-bit hash of ``buf[a:b]`` (FNV-1a, then splitmix64's finalizer), never 0: the vocabulary's key."""
    h = np.uint64(0xCBF29CE484222325)
    for x in range(a, b):
        h = (h ^ np.uint64(buf[x])) * np.uint64(0x100000001B3)
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    h = h ^ (h >> np.uint64(31))
    return h if h != np.uint64(0) else np.uint64(1)


@numba.njit(cache=True, nogil=True)
def _words(cp: np.ndarray, s: int, e: int, flags: np.ndarray, low: np.ndarray, buf: np.ndarray, pos: int,
           first: bool, hashes: np.ndarray, starts: np.ndarray, n_words: int) -> tuple[int, int]:
    """``normalize``'s words of ``fold(text[s:e])``, fixed, written to ``buf`` at ``pos`` as UTF-8 with a space
    before each (but the text's very first), their ``_word_hash`` and start to ``hashes`` and ``starts`` from
    ``n_words`` on;
    (position after them, word count)."""
    count = 0
    x = s
    while x < e:
        c = low[cp[x]]
        f = flags[c]
        if f & (DEC | LET) == 0:
            x += 1
            continue
        y = x
        kind = f & DEC
        while y < e and flags[low[cp[y]]] & (DEC if kind else LET):  # \d+ or [^\W\d_]+
            y += 1
        while y + 1 < e:  # (?:[.,]\d+)* or (?:'[^\W\d_]+)*
            sep = low[cp[y]]
            if kind and (sep == 46 or sep == 44) and flags[low[cp[y + 1]]] & DEC:
                y += 1
                while y < e and flags[low[cp[y]]] & DEC:
                    y += 1
            elif not kind and sep == 39 and flags[low[cp[y + 1]]] & LET:
                y += 1
                while y < e and flags[low[cp[y]]] & LET:
                    y += 1
            else:
                break
        if not (first and count == 0):
            buf[pos] = 32
            pos += 1
        at = pos
        if flags[c] & DIGIT:  # _fix_word: a number (or a word that starts with a digit) loses its commas
            for z in range(x, y):
                if low[cp[z]] != 44:
                    pos = _put(buf, pos, low[cp[z]])
        else:  # a final 's, then every apostrophe, dropped
            stop = y - 2 if y - x >= 2 and low[cp[y - 2]] == 39 and low[cp[y - 1]] == 115 else y
            for z in range(x, stop):
                if low[cp[z]] != 39:
                    pos = _put(buf, pos, low[cp[z]])
        hashes[n_words + count] = _word_hash(buf, at, pos)
        starts[n_words + count] = at
        count += 1
        x = y
    return pos, count


BLANK, OPENS, CLOSES = 1, 2, 4  # what a line is to the paragraph rules


@numba.njit(cache=True, nogil=True)
def _lines(cp: np.ndarray, flags: np.ndarray, low: np.ndarray) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray]:
    """``normalize._paragraphs``'s view of each line (the text split at '\\n', a final empty piece left out):
    (whether the kernels cover the text; per line its span without the '\\n', the span of ``classify_line``'s
    stripped line ((-1, -1) when a control character inside it leaves that to Python), BLANK | OPENS | CLOSES)."""
    n = len(cp)
    for x in range(n):  # covered: every character in the tables, and casefolded to one character
        if cp[x] >= 65536 or low[cp[x]] < 0:
            return False, np.empty((0, 2), dtype=np.int64), np.empty((0, 2), dtype=np.int64), np.empty(0, np.uint8)
    total = 1
    for x in range(n):
        if cp[x] == 10:
            total += 1
    spans = np.empty((total, 2), dtype=np.int64)
    rules = np.empty((total, 2), dtype=np.int64)
    kinds = np.zeros(total, dtype=np.uint8)
    k = 0
    start = 0
    while start < n:
        end = start
        while end < n and cp[end] != 10:
            end += 1
        a, b, body = start, end, 0  # classify_line: control characters out, white space stripped
        while a < b and flags[cp[a]] & (CTRL | SPACE):
            a += 1
        while b > a and flags[cp[b - 1]] & (CTRL | SPACE):
            b -= 1
        inner = False
        for x in range(a, b):
            if flags[cp[x]] & CTRL:
                inner = True
            elif not flags[cp[x]] & SPACE:
                body += 1
        if body == 0 or (body == 1 and cp[a] == 60):  # nothing but white space, control characters, one '<'
            kinds[k] |= BLANK
        rb = b  # then '<' line ends and white space stripped off the end
        while rb > a and cp[rb - 1] == 60:
            rb -= 1
        while rb > a and flags[cp[rb - 1]] & SPACE:
            rb -= 1
        rules[k, 0], rules[k, 1] = (-1, -1) if inner else (a, rb)
        f = start
        while f < end and flags[cp[f]] & SPACE:
            f += 1
        if start < end and (flags[cp[start]] & CTRL or (f < end and flags[cp[f]] & BULLET)):
            kinds[k] |= OPENS
        t = end  # normalize._closes of the line
        while t > start and flags[cp[t - 1]] & SPACE:
            t -= 1
        seg = t
        while seg > start and not flags[cp[seg - 1]] & BREAK:
            seg -= 1
        if t > start and (flags[cp[t - 1]] & FINAL or t - seg < 40):
            kinds[k] |= CLOSES
        spans[k, 0], spans[k, 1] = start, end
        k += 1
        start = end + 1
    return True, spans[:k].copy(), rules[:k].copy(), kinds[:k].copy()


@numba.njit(cache=True, nogil=True)
def _paragraph_spans(spans: np.ndarray, kinds: np.ndarray, dropped: np.ndarray) -> np.ndarray:
    """``normalize._paragraphs``'s kept paragraphs, from ``_lines`` and the lines a rule drops."""
    out = np.empty((len(spans) + 1, 2), dtype=np.int64)
    k = 0
    cur = False  # a paragraph is open (out[k])
    closes = False  # ... and its last line closes it
    for i in range(len(spans)):
        skip = dropped[i] or kinds[i] & BLANK
        if cur and (skip or kinds[i] & OPENS or closes):
            k += 1
            cur = False
        if skip:
            continue
        if not cur:
            cur = True
            out[k, 0] = spans[i, 0]
        out[k, 1] = spans[i, 1]
        closes = kinds[i] & CLOSES != 0
    if cur:
        k += 1
    return out[:k].copy()


@numba.njit(cache=True, nogil=True)
def _scan(cp: np.ndarray, paras: np.ndarray, flags: np.ndarray, low: np.ndarray, table: np.ndarray,
          lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``normalize.sentence_words`` over code points, given its paragraphs: (sentence spans, their byte ranges in ``buf``,
    their word counts, ``buf``: every word, fixed, as UTF-8 with one space between words, the words' hashes and
    their starts in ``buf``)."""
    n = len(cp)
    spans = np.empty((n + 1, 2), dtype=np.int64)
    ranges = np.empty((n + 1, 2), dtype=np.int64)
    counts = np.empty(n + 1, dtype=np.int64)
    buf = np.empty(4 * n + 1, dtype=np.uint8)
    hashes = np.empty(n + 1, dtype=np.uint64)
    starts = np.empty(n + 1, dtype=np.int64)
    k = 0
    pos = 0
    n_words = 0
    for p in range(len(paras)):
        start, end = paras[p, 0], paras[p, 1]
        s = start
        i = start
        while i <= end:
            cut = -1
            if i == end:  # the paragraph's last sentence
                if s >= end:
                    break
                cut = end
            elif flags[cp[i]] & END:  # _SENT_END: [.!?]+ then closing quotes or brackets, before white space
                j = i
                while j < end and flags[cp[j]] & END:
                    j += 1
                m_end = j
                while m_end < end and flags[cp[m_end]] & CLOSER:
                    m_end += 1
                if not (m_end < end and flags[cp[m_end]] & SPACE):
                    i += 1
                    continue
                cut = m_end
                if cp[i] == 46:  # after an abbreviation or an initial, the sentence goes on
                    t = i
                    while t > s and not flags[cp[t - 1]] & SPACE:
                        t -= 1
                    while t <= i and not flags[cp[t]] & ALNUM:
                        t += 1
                    b = i + 1
                    while b > t and cp[b - 1] == 46:
                        b -= 1
                    if (b - t == 1 and flags[cp[t]] & ALPHA1) or _abbreviation(cp, t, b, table, lengths):
                        cut = -1
                if cut >= 0:  # ... and before a lower-case letter, a comma or a semicolon
                    q = m_end
                    while q < end and flags[cp[q]] & SPACE:
                        q += 1
                    if q < end and (flags[cp[q]] & LOWER or cp[q] == 44 or cp[q] == 59):
                        cut = -1
                i = m_end
                if cut < 0:
                    continue
            else:
                i += 1
                continue
            a, b = s, cut  # normalize._trim
            while a < b and flags[cp[a]] & JUNK:
                a += 1
            while b > a and flags[cp[b - 1]] & JUNK:
                b -= 1
            s = cut
            if a < b:
                before = pos
                pos, words = _words(cp, a, b, flags, low, buf, pos, k == 0, hashes, starts, n_words)
                if words:
                    spans[k, 0], spans[k, 1] = a, b
                    ranges[k, 0], ranges[k, 1] = before + (1 if k else 0), pos
                    counts[k] = words
                    n_words += words
                    k += 1
                else:
                    pos = before
            if i == end:
                break
    return (spans[:k].copy(), ranges[:k].copy(), counts[:k].copy(), buf[:pos].copy(), hashes[:n_words].copy(),
            starts[:n_words].copy())


@numba.njit(cache=True, nogil=True)
def _sentence_sets(hashes: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sentence (``counts`` words each), its distinct stem hashes sorted, stopwords (-1) left out; and the
    document's distinct stem hashes, sorted."""
    flat = np.empty(len(hashes), dtype=np.uint32)
    lengths = np.zeros(len(counts), dtype=np.int64)
    at = 0
    w = 0
    for s in range(len(counts)):
        start = at
        for h in hashes[w:w + counts[s]]:  # insertion into the sentence's sorted distinct run (sentences are short)
            if h < 0:
                continue
            x = at
            while x > start and flat[x - 1] > h:
                x -= 1
            if x > start and flat[x - 1] == h:
                continue
            for y in range(at, x, -1):
                flat[y] = flat[y - 1]
            flat[x] = h
            at += 1
        w += counts[s]
        lengths[s] = at - start
    return flat[:at].copy(), lengths, np.unique(flat[:at])


def _stem_hash(word: bytes) -> int:
    st = stem(word.decode())
    return -1 if st is None else token_hash(st)


_VOCAB = Vocabulary()  # a word's hash -> its stem's xxh32, -1 for a stopword


def warm() -> None:
    """Build the tables and load the kernels now (before worker processes fork, so that they inherit them)."""
    sketch_text("Warm up the kernels.\nBy Jo Smith\n")


def sketch_text(text: str) -> TextSketch:
    """The document's sentences as hashes: ``hash_sentences(sentence_words(text))``, as arrays."""
    folded = _fold_chars(text)
    if not (folded.isascii() or unicodedata.is_normalized("NFKC", folded)):
        return _python_sketch(text)
    flags, low, table, lengths = tables()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    covered, lines, rules, kinds = _lines(cp, flags, low)
    if not covered:
        return _python_sketch(text)
    dropped = np.zeros(len(lines), dtype=np.bool_)
    for i, (a, b) in enumerate(rules.tolist()):  # the line rules are regular expressions: Python's
        if a < 0:
            dropped[i] = classify_line(text[lines[i, 0]:lines[i, 1]]) is not None
        elif a < b:
            dropped[i] = _ANY_RULE.match(text[a:b]) is not None
    spans, ranges, counts, buf, word_hashes, starts = _scan(cp, _paragraph_spans(lines, kinds, dropped), flags, low,
                                                    table, lengths)
    data = buf.tobytes()
    stems, missing = _VOCAB.lookup(word_hashes)
    if missing:
        new = np.flatnonzero(stems == MISSING)
        ends = np.append(starts[1:] - 1, len(data))
        stems[new] = [_stem_hash(data[a:b]) for a, b in zip(starts[new].tolist(), ends[new].tolist(), strict=True)]
        _VOCAB.insert(word_hashes[new], stems[new])
    flat, lengths, terms = _sentence_sets(stems, counts)
    xxh = xxhash.xxh3_64_intdigest
    prints = np.fromiter((xxh(data[a:b]) for a, b in ranges.tolist()), dtype=np.uint64, count=len(ranges))
    return TextSketch(spans, flat, lengths, prints, len(word_hashes), xxh(data.replace(b" ", b"\x1f")), terms)


def _python_sketch(text: str) -> TextSketch:
    spans, words, _ = sentence_words(text)
    toks, prints, word_count, key = hash_sentences(words)
    lengths = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
    flat = np.fromiter((h for t in toks for h in t), dtype=np.uint32, count=int(lengths.sum()))
    return TextSketch(np.array(spans, dtype=np.int64).reshape(-1, 2), flat, lengths,
                      np.array(prints, dtype=np.uint64), word_count, key, np.unique(flat))
