"""Compiled sentence split and word scan (numba): the first pass's normalize and hash, without Python per word.

``_scan`` is ``stages.normalize.sentence_words`` over code points, given the
kept paragraphs (``kernels.linescan``): the sentence split, the trimming of
sentences, the word pattern and the word fixes, writing the words as UTF-8
(one space between words) with a 64-bit hash of each.  ``_sentence_sets`` then
sorts each sentence's distinct stem hashes.  The character properties come
from ``text.tables``, Python's own predicates copied into tables, so the
kernels answer as Python does.

The reference these kernels are tested against is the Python first pass,
``stages.normalize`` with ``stages.shingle`` (``tests/stages/test_sketch.py``);
``stages.sketch`` wires them.
"""

from __future__ import annotations

import numba
import numpy as np

from dedup.kernels.counting import squeeze_sorted
from dedup.text.tables import ALNUM, ALPHA1, CLOSED, CLOSER, DEC, DIGIT, END, JUNK, LET, LOWER, MARK, SPACE


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


@numba.njit(cache=True, nogil=True, inline="always")
def _words(cp: np.ndarray, s: int, e: int, flags: np.ndarray, buf: np.ndarray, pos: int,
           first: bool, hashes: np.ndarray, starts: np.ndarray, n_words: int) -> tuple[int, int]:
    """``normalize``'s words of a folded sentence (``cp[s:e]``, code points of ``fold(text[a:b])``), fixed,
    written to ``buf`` at ``pos`` as UTF-8 with a space before each (but the text's very first), their
    ``_word_hash`` and start to ``hashes`` and ``starts`` from ``n_words`` on; (position after them, word count)."""
    count = 0
    x = s
    while x < e:
        c = cp[x]
        f = flags[c]
        if f & (DEC | LET) == 0:
            x += 1
            continue
        y = x
        kind = f & DEC
        while y < e and flags[cp[y]] & (DEC if kind else LET | MARK):  # \d+ or letters with their marks
            y += 1
        while y + 1 < e:  # (?:[.,]\d+)* or (?:'[^\W\d_]+)*
            sep = cp[y]
            if kind and (sep == 46 or sep == 44) and flags[cp[y + 1]] & DEC:
                y += 1
                while y < e and flags[cp[y]] & DEC:
                    y += 1
            elif not kind and sep == 39 and flags[cp[y + 1]] & LET:
                y += 1
                while y < e and flags[cp[y]] & (LET | MARK):
                    y += 1
            else:
                break
        if not (first and count == 0):
            buf[pos] = 32
            pos += 1
        at = pos
        if flags[c] & DIGIT:  # _fix_word: a number (or a word that starts with a digit) loses its commas
            for z in range(x, y):
                if cp[z] != 44:
                    pos = _put(buf, pos, cp[z])
        else:  # a final 's, then every apostrophe, dropped
            stop = y - 2 if y - x >= 2 and cp[y - 2] == 39 and cp[y - 1] == 115 else y
            for z in range(x, stop):
                if cp[z] != 39:
                    pos = _put(buf, pos, cp[z])
        hashes[n_words + count] = _word_hash(buf, at, pos)
        starts[n_words + count] = at
        count += 1
        x = y
    return pos, count


@numba.njit(cache=True, nogil=True)
def any_of(cp: np.ndarray, table: np.ndarray) -> bool:  # pragma: no cover - compiled
    """Is any code point of ``cp`` marked in ``table`` (a BMP-sized bool array)?  The reference is
    ``any(table[c] for c in cp if c < len(table))``."""
    n = len(table)
    for c in cp:  # noqa: SIM110 - a loop numba compiles; any() over a generator it does not
        if c < n and table[c]:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _scan(cp: np.ndarray, paras: np.ndarray, flags: np.ndarray, expanded: np.ndarray, forms: np.ndarray,
          table: np.ndarray, lengths: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``normalize.sentence_words`` over code points, given its paragraphs: (sentence spans, their byte
    ranges in ``buf``, their word counts, ``buf``: every word, fixed, as UTF-8 with one space between
    words, the words' hashes and their starts in ``buf``)."""
    n = len(cp)
    spans = np.empty((n + 1, 2), dtype=np.int64)
    ranges = np.empty((n + 1, 2), dtype=np.int64)
    counts = np.empty(n + 1, dtype=np.int64)
    longest = forms.shape[1] * n + 1  # a sentence's folded form, character by character (text.tables.expansions)
    folded = np.empty(longest, dtype=np.int32)
    buf = np.empty(4 * longest, dtype=np.uint8)
    hashes = np.empty(longest, dtype=np.uint64)
    starts = np.empty(longest, dtype=np.int64)
    k = 0
    pos = np.int64(0)  # np.int64, not 0: a literal 0 would make numba compile _words once per literal/non-literal
    n_words = np.int64(0)  # mix of its arguments while it types this loop (three compilations instead of one)
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
            elif flags[cp[i]] & (END | CLOSED):  # _SENT_END: end marks, then closing quotes or brackets,
                mark = flags[cp[i]] & (END | CLOSED)  # then white space (for CLOSED: only after closers)
                j = i
                while j < end and flags[cp[j]] & mark:
                    j += 1
                m_end = j
                while m_end < end and flags[cp[m_end]] & CLOSER:
                    m_end += 1
                if (mark == END or m_end > j) and not (m_end < end and flags[cp[m_end]] & SPACE):
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
                m = np.int64(0)
                for x in range(a, b):
                    for t in range(expanded[cp[x]]):
                        folded[m] = forms[cp[x], t]
                        m += 1
                pos, words = _words(folded, np.int64(0), m, flags, buf, pos, k == 0, hashes, starts, n_words)
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
    terms = flat[:at].copy()  # np.unique(flat[:at]), without compiling np.unique
    return flat[:at].copy(), lengths, terms[:squeeze_sorted(terms)]
