"""Python's character predicates as tables, for the compiled first pass (``textscan``, ``linescan``).

One bit per property of each character of the Basic Multilingual Plane, taken
from Python itself (``str.isspace``, ``isalnum``, ``islower``, ``isdecimal``,
``isdigit``, ``splitlines``, ``normalize._CONTROL``), and each character's
folded lower-case form (``normalize``'s quote and dash folding, then
``casefold``; -1 where that is not one character).  Built once per process
(about 0.1 s) and inherited by forked workers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

import numpy as np

from dedup.normalize import _ABBREV, _CONTROL, _FOLD_CHARS

# character properties, one bit each, of the character itself
(SPACE, ALNUM, LOWER, ALPHA1, DEC, LET, DIGIT, JUNK, CLOSER, END, CTRL, BREAK, BULLET,
 FINAL) = (1 << i for i in range(14))
BMP = 1 << 16


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


@cache
def separators() -> re.Pattern[str]:
    """The characters that are not NFKC-normal but whose NFKC form only separates words ("…" -> "...",
    the ideographic space -> " "): neither it nor the character's own folded form has a letter, a
    digit, an apostrophe, a comma, a lone full stop or a combining mark.  In a text whose other
    characters are NFKC-normal, such a character gives the words that folding would give, so the
    kernels cover the text."""
    _, low, _, _ = tables()
    keep = []
    for c in range(BMP):
        ch = chr(c)
        if 0xD800 <= c < 0xE000 or unicodedata.is_normalized("NFKC", ch) or low[c] < 0:
            continue
        expansion = unicodedata.normalize("NFKC", ch)
        dots = len(expansion) >= 2 and set(expansion) == {"."}  # a run of full stops cannot join two numbers
        if any(d.isalnum() or d in "'’," or (d == "." and not dots) for d in expansion):
            continue
        if any(unicodedata.category(d).startswith("M") for d in ch + expansion):
            continue  # a combining mark could compose with the letter before it
        own = chr(low[c])
        if own.isalnum() or own in "'’,.":
            continue
        keep.append(ch)
    return re.compile("[" + "".join(re.escape(ch) for ch in keep) + "]")
