"""Python's character predicates as tables, for the compiled first pass (``kernels.textscan``, ``kernels.linescan``).

One bit per property of each character of the Basic Multilingual Plane, taken
from Python itself (``str.isspace``, ``isalnum``, ``islower``, ``isdecimal``,
``isdigit``, ``splitlines``, ``text.rules.CONTROL``), and each character's
folded lower-case form (``normalize``'s quote and dash folding, then
``casefold``; -1 where that is not one character).  Built once per process
(about 0.1 s) and inherited by forked workers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import numpy as np

from dedup.text.rules import ABBREVIATIONS as _ABBREV
from dedup.text.rules import CONTROL as _CONTROL
from dedup.text.rules import FOLD_CHARS as _FOLD_CHARS
from dedup.text.rules import RULE_PREFIXES, SENTENCE_CLOSERS, SENTENCE_ENDS, SENTENCE_ENDS_CLOSED, UNSPACED

# character properties, one bit each, of the character itself
(SPACE, ALNUM, LOWER, ALPHA1, DEC, LET, DIGIT, JUNK, CLOSER, END, CTRL, BREAK, BULLET,
 FINAL, CLOSED, MARK) = (1 << i for i in range(16))
BMP = 1 << 16


@cache
def tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(flags, abbreviations, their lengths): Python's answers for every BMP character."""
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
    flags[[ord(c) for c in SENTENCE_CLOSERS]] |= CLOSER  # normalize._SENT_END
    flags[[ord(c) for c in SENTENCE_ENDS]] |= END  # ... before white space
    flags[[ord(c) for c in SENTENCE_ENDS_CLOSED]] |= CLOSED  # ... anywhere
    flags[where(lambda c: unicodedata.category(c).startswith("M"))] |= MARK  # inside a word (stages.words._WORD)
    flags[[ord(c) for c in "•*+-"]] |= BULLET  # a line starting so opens a paragraph
    flags[[ord(c) for c in "<:\"”'" + SENTENCE_ENDS + SENTENCE_ENDS_CLOSED]] |= FINAL  # a line ending so closes
    # its paragraph (normalize._closes)
    return (flags, *word_table(sorted(_ABBREV)))


def word_table(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """ASCII words as a table the kernels compare with: (code points, one row a word, zero-padded; lengths)."""
    table = np.zeros((len(words), max(map(len, words))), dtype=np.int32)
    for r, w in enumerate(words):
        table[r, :len(w)] = [ord(c) for c in w]
    return table, np.array([len(w) for w in words], dtype=np.int64)


@cache
def rule_prefixes() -> tuple[np.ndarray, np.ndarray]:
    """``text.rules.RULE_PREFIXES`` as a ``word_table``."""
    return word_table(list(RULE_PREFIXES))


WIDEST = 4  # the longest folded form a character may have for the kernels to cover it
_JAMO = ((0x1100, 0x1200), (0xA960, 0xA980), (0xD7B0, 0xD800))  # Hangul jamo compose with their neighbours


class Expansions(NamedTuple):
    """Each BMP character's folded form as ``stages.words.fold`` gives it, character by character."""

    length: np.ndarray  # int8: how many code points; -1 where the kernels do not cover the character
    codes: np.ndarray  # int32 (BMP, WIDEST): the code points
    unnormalized: re.Pattern[str]  # covered characters that are not NFKC-normal ("…", "½", "ﬁ", "™")
    marks: re.Pattern[str]  # combining marks: with an unnormalized character, the text takes the Python path


@cache
def expansions() -> Expansions:
    """``fold``'s result per character: quote and dash folding, NFKC, then ``casefold``.

    ``fold`` works on a whole sentence, but per character it gives the same text
    when the rest of the sentence is NFKC-normal and has no combining mark (nothing
    can compose with an expansion's characters): ``stages.sketch.sketch_text`` checks that.
    A character is left uncovered (-1) when its form is longer than WIDEST, holds a
    combining mark, a Hangul jamo or a character beyond the BMP.
    """
    folds = dict(_FOLD_CHARS)
    length = np.full(BMP, -1, dtype=np.int8)
    codes = np.zeros((BMP, WIDEST), dtype=np.int32)
    unnormalized, marks = [], []
    for c in range(BMP):
        ch = chr(c)
        if unicodedata.category(ch).startswith("M"):
            marks.append(ch)
        if 0xD800 <= c < 0xE000:  # a lone surrogate: itself (never part of a word)
            length[c], codes[c, 0] = 1, c
            continue
        folded = folds.get(ch, ch)
        normal = unicodedata.is_normalized("NFKC", folded)
        nfkc = folded if normal else unicodedata.normalize("NFKC", folded)
        if not normal and any(unicodedata.category(d).startswith("M") or ord(d) >= BMP
                              or any(lo <= ord(d) < hi for lo, hi in _JAMO) for d in nfkc):
            continue
        form = nfkc.casefold()
        if len(form) > WIDEST or any(ord(d) >= BMP for d in form):
            continue
        length[c] = len(form)
        codes[c, :len(form)] = [ord(d) for d in form]
        if not normal:
            unnormalized.append(ch)
    return Expansions(length, codes, _char_class(unnormalized), _char_class(marks))


def _char_class(chars: list[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(ch) for ch in chars) + "]")


@cache
def unspaced() -> np.ndarray:
    """Per BMP character (bool): is its folded form (``expansions``) one of ``text.rules.UNSPACED``'s
    scripts written without spaces, or does it hold one?  Such texts take the Python path."""
    ex = expansions()
    run = re.compile(f"[{UNSPACED}]")
    inside = np.fromiter((run.match(chr(c)) is not None for c in range(BMP)), dtype=np.bool_, count=BMP)
    table = inside.copy()
    for c in np.flatnonzero(ex.length > 0).tolist():
        table[c] |= bool(inside[ex.codes[c, :ex.length[c]]].any())
    return table

