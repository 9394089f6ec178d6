"""Normalize stage: strip non-article lines, split the body into sentences.

Nothing is rewritten in place: the stage returns sentences as spans of the
original ``Document.text`` (so diffs quote the original), each with its
normalized words (for shingles) and content-word stems (for alignment).
Every line it drops is recorded with the rule that fired, like ftfy's
explanations.

This is the Python reference of the first pass: the compiled path
(``stages.sketch``) must give what this module and ``stages.shingle`` give,
and is tested against them.  The rules themselves are data in ``text.rules``.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from dedup.stages.words import _WORD, _fix_word, _fold_chars, _unspaced_text, pairs_of_unspaced, words_of
from dedup.text.rules import ABBREVIATIONS as _ABBREV
from dedup.text.rules import CONTROL as _CONTROL
from dedup.text.rules import LINE_RULES as _RULES
from dedup.text.rules import SENTENCE_CLOSERS as _CLOSERS
from dedup.text.rules import SENTENCE_ENDS as _ENDS
from dedup.text.rules import SENTENCE_ENDS_CLOSED as _ENDS_CLOSED
from dedup.types import Document, Dropped, NormalizedDoc, Sentence

if TYPE_CHECKING:  # pragma: no cover
    from dedup.stages.language import Language

_LINE = re.compile(r"[^\n]*\n?")

# ------------------------------------------------------------ sentence split
_LEADING = re.compile(r"^[\W_\x00-\x1f]+")  # quotes, brackets, control characters before a word
# An end mark, then closing quotes or brackets, then white space; or a closed end mark (。！？) alone, or
# with closers and white space (a quote closed inside a sentence, 「…。」と, goes on).
_SENT_END = re.compile(f"[{re.escape(_ENDS)}]+[{re.escape(_CLOSERS)}]*(?=\\s)"
                       f"|[{re.escape(_ENDS_CLOSED)}]++(?:[{re.escape(_CLOSERS)}]++(?=\\s)|(?![{re.escape(_CLOSERS)}]))")
_JUNK = frozenset(" \t\n\r<" + "".join(chr(c) for c in range(32)))


class WordMemo(dict[str, object]):
    """A memo of a function of one word, for a corpus's vocabulary; emptied when it grows past ``limit`` words."""

    def __init__(self, fn: Callable[[str], object], limit: int = 1 << 21) -> None:
        super().__init__()
        self.fn, self.limit = fn, limit

    def __missing__(self, word: str) -> object:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = self.fn(word)
        return value


def stem(word: str, key: str | None = "en") -> str | None:
    """The word's stem in language ``key`` (``language.Language.key``: English unless told), or None for one of
    its stopwords; with the neutral treatment (None) the word itself."""
    from dedup.stages.language import treatment

    t = treatment(key)
    if word in t.stopwords:
        return None
    return word if t.stem is None else t.stem(word)


_STEMS: dict[str | None, WordMemo] = {}  # one memo per language: a stem never leaks into another language


def content_stems(words: Iterable[str], key: str | None = "en") -> tuple[str, ...]:
    """Stems of the words that carry content (stopwords removed), in language ``key``."""
    memo = _STEMS.get(key)
    if memo is None:
        memo = _STEMS[key] = WordMemo(lambda w: stem(w, key))
    stems = [memo[w] for w in words]
    return tuple(st for st in stems if st is not None)  # type: ignore[misc]


# All rules in one alternation, tried in order at the line start: one match call per line.
_ANY_RULE = re.compile("|".join(f"(?P<{name}>{'(?i:' + p.pattern + ')' if p.flags & re.I else p.pattern})"
                                for name, p in _RULES))


def classify_line(line: str) -> str | None:
    """The rule that drops this line, or None to keep it."""
    s = _CONTROL.sub("", line).strip().rstrip("<").strip()
    if not s:
        return None
    m = _ANY_RULE.match(s)
    return m.lastgroup if m else None


def _paragraphs(text: str) -> tuple[list[tuple[int, int]], list[Dropped]]:
    """Kept paragraphs as (start, end) spans, and the dropped lines."""
    paras: list[tuple[int, int]] = []
    dropped: list[Dropped] = []
    cur: tuple[int, int] | None = None
    pos = 0
    for m in _LINE.finditer(text):
        line = m.group()
        if not line:
            break
        start, end = pos, pos + len(line.rstrip("\n"))
        pos += len(line)
        rule = classify_line(line)
        body = _CONTROL.sub("", line).strip()
        if rule is not None:
            dropped.append(Dropped(start, end, rule))
            cur = _flush(paras, cur)
            continue
        if not body or body == "<":
            cur = _flush(paras, cur)
            continue
        # a control character or a bullet at the line start opens a paragraph (wire copy)
        opens = bool(_CONTROL.match(line)) or line.lstrip()[:1] in "•*+-"
        if cur is not None and (opens or _closes(text[cur[0]:cur[1]])):
            cur = _flush(paras, cur)
        cur = (cur[0], end) if cur else (start, end)
    _flush(paras, cur)
    return paras, dropped


_CLOSING = ("<", ":", '"', "”", "'", *_ENDS, *_ENDS_CLOSED)


def _closes(paragraph: str) -> bool:
    """A line ending like this ends its paragraph even without a blank line."""
    tail = paragraph.rstrip()
    return tail.endswith(_CLOSING) or len(tail.splitlines()[-1]) < 40


def _flush(paras: list[tuple[int, int]], cur: tuple[int, int] | None) -> None:
    if cur is not None:
        paras.append(cur)
    return None


def _split_sentences(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Sentence spans inside one paragraph."""
    s = start
    for m in _SENT_END.finditer(text, start, end):
        cut = m.end()
        before = _LEADING.sub("", text[s:m.start() + 1].rsplit(None, 1)[-1]).rstrip(".").lower() \
            if m.group()[0] == "." else ""
        if before in _ABBREV or (len(before) == 1 and before.isalpha()):
            continue
        nxt = text[cut:end].lstrip()[:1]
        if nxt and (nxt.islower() or nxt in ",;"):
            continue
        yield s, cut
        s = cut
    if s < end:
        yield s, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past white space, control characters and wire '<' line ends."""
    while start < end and text[start] in _JUNK:
        start += 1
    while end > start and text[end - 1] in _JUNK:
        end -= 1
    return start, end


_ASCII_WORD = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+(?:'[a-z]+)*")  # _WORD, for lower-case ASCII text


_EDGE = string.punctuation  # ASCII punctuation, stripped from the ends of a white-space token


def _words_in(low: str, word: re.Pattern[str]) -> list[str]:
    """``word.findall(low)``, faster: a white-space token that is letters or digits once its edge punctuation
    is stripped is one word; only the others (it's, 1,200, U.S.) go through the pattern."""
    out: list[str] = []
    for tok in low.split():
        core = tok.strip(_EDGE)
        if core.isalpha() or core.isdecimal():
            out.append(core)
        elif core:
            out += word.findall(core)
    return out


def _fold_in_place(text: str) -> tuple[str | None, re.Pattern[str]]:
    """``fold`` of the whole text when it keeps every character in place (then ``fold(text[s:e])`` is
    its ``[s:e]``), with the word pattern to use on it; (None, _WORD) when it does not."""
    folded = _fold_chars(text)
    if folded.isascii():
        return folded.lower(), _ASCII_WORD
    if unicodedata.is_normalized("NFKC", folded):
        low = folded.casefold()
        if len(low) == len(folded):  # no character folded to two or more
            return low, _WORD
    return None, _WORD


def sentence_words(text: str, segment: str = "pairs") -> tuple[list[tuple[int, int]], list[list[str]], list[Dropped]]:
    """The body's sentences as (start, end) spans of ``text`` with their normalized words, and the dropped lines
    (``segment``: how runs of a script written without spaces are read, ``stages.segment``).

    Sentences without words are left out.  This is the part of ``normalize``
    that the first pass needs: it makes no ``Sentence`` objects and no stems.
    """
    paras, dropped = _paragraphs(text)
    spans: list[tuple[int, int]] = []
    words: list[list[str]] = []
    low, word = _fold_in_place(text)
    unspaced = not text.isascii() and _unspaced_text().search(text) is not None
    for p_start, p_end in paras:
        for s, e in _split_sentences(text, p_start, p_end):
            s, e = _trim(text, s, e)
            if s >= e:
                continue
            if low is not None:
                ws = _words_in(low[s:e], word)
                if low.find("'", s, e) >= 0 or low.find(",", s, e) >= 0:
                    ws = [_fix_word(w) if ("'" in w or "," in w) else w for w in ws]
                if unspaced:  # words_of, below, reads them as pairs itself
                    ws = pairs_of_unspaced(ws, segment)
            else:
                ws = words_of(_CONTROL.sub(" ", text[s:e]).replace("<\n", "\n"), segment)
            if ws:
                spans.append((s, e))
                words.append(ws)
    return spans, words, dropped


def normalize(doc: Document, language: Language | str = "en", segment: str = "pairs") -> NormalizedDoc:
    """Split a document into sentences of its article body, with the content stems of its language.

    ``language`` is the document's (``language.Language``), or what ``--language`` says (``config.language``:
    ``auto``, ``none`` or a code), which ``doc.language`` (its record's field) overrides as in the first pass;
    ``segment`` is ``config.segment`` (``stages.segment``)."""
    from dedup.stages.language import Language, choose

    spans, words, dropped = sentence_words(doc.text, segment)
    lang = language if isinstance(language, Language) else choose(doc.text, spans, doc.language, language)
    sentences = tuple(Sentence(s, e, doc.text[s:e], content_stems(ws, lang.key), tuple(ws))
                      for (s, e), ws in zip(spans, words, strict=True))
    return NormalizedDoc(doc.id, sentences, tuple(dropped), lang.code, lang.reason)
