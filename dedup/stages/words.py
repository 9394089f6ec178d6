"""Words of a text: folding, the word pattern, and the runs of scripts written without spaces.

``words_of`` is what every stage calls a text's words: folded (quotes and
dashes to ASCII, NFKC, case), numbers without thousands separators,
apostrophes and a final 's dropped, and each run of a script written without
spaces read as ``stages.segment`` says.  Language-free, so that both the
normalize stage and the language stage (which folds stopword lists as words
are folded) build on it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from dedup.stages.segment import words as segment_words
from dedup.text.rules import FOLD_CHARS as _FOLD_CHARS
from dedup.text.rules import UNSPACED as _UNSPACED

# A word: a number, or letters with the combining marks among them (the vowel signs of Devanagari, Thai,
# Hebrew points, Arabic harakat are marks, not letters, and must not cut a word).
_MARKS = "".join(re.escape(chr(c)) for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M"))
_LETTERS = f"[^\\W\\d_](?:[^\\W\\d_]|[{_MARKS}])*"
_WORD = re.compile(f"\\d+(?:[.,]\\d+)*|{_LETTERS}(?:['’]{_LETTERS})*")
_POSSESSIVE = re.compile(r"'s$")


def _fold_chars(text: str) -> str:
    """Quotes and dashes to their ASCII forms, one character for one (``str.replace`` is many times
    faster than ``str.translate`` with a table)."""
    for a, b in _FOLD_CHARS:
        if a in text:
            text = text.replace(a, b)
    return text


def fold(text: str) -> str:
    """Unicode NFKC, quote and dash folding, lower case."""
    return unicodedata.normalize("NFKC", _fold_chars(text)).casefold()


def _fix_word(w: str) -> str:
    if w[0].isdigit():
        return w.replace(",", "")
    return _POSSESSIVE.sub("", w).replace("'", "")


UNSPACED_RUN = re.compile(f"[{_UNSPACED}]+")  # text.rules.UNSPACED, in folded words


@cache
def _unspaced_text() -> re.Pattern[str]:
    """``UNSPACED_RUN``'s characters in a text before folding: those characters, and the ones that fold
    into them (CJK radicals, squared and enclosed forms); a text without any has no run once folded.
    Built on first use (a pass over the BMP), not when the module is imported."""
    return re.compile("[" + _UNSPACED + "".join(
        re.escape(chr(c)) for c in range(0x10000) if not 0xD800 <= c < 0xE000
        and not UNSPACED_RUN.match(chr(c)) and UNSPACED_RUN.search(fold(chr(c)))) + "]")


def words_of(text: str, segment: str = "pairs") -> list[str]:
    """Normalized words: folded, numbers without thousands separators, apostrophes and a final 's dropped;
    runs of a script written without spaces as ``segment`` reads them (``pairs_of_unspaced``)."""
    folded = fold(text)
    words = _WORD.findall(folded)
    if "'" in folded or "," in folded:  # only then can a word need fixing (most sentences skip the loop)
        words = [_fix_word(w) if ("'" in w or "," in w) else w for w in words]
    return pairs_of_unspaced(words, segment) if UNSPACED_RUN.search(folded) else words


def pairs_of_unspaced(words: list[str], segment: str = "pairs") -> list[str]:
    """Each run of ``text.rules.UNSPACED`` characters in the words as its overlapping character pairs (a run
    of one as itself), or with ``segment="words"`` as a segmenter's words (``stages.segment``); the rest of
    a word around a run stays a word.  Applied twice, pairs are the same."""
    out: list[str] = []
    for w in words:
        at = 0
        for m in UNSPACED_RUN.finditer(w):
            if m.start() > at:
                out.append(w[at:m.start()])
            out += segment_words(m.group(), segment)
            at = m.end()
        if at == 0:
            out.append(w)
        elif at < len(w):
            out.append(w[at:])
    return out
