"""Compiled line view (numba): the paragraph rules of ``normalize._paragraphs`` over code points.

``_lines`` says of each line what the paragraph rules need (blank, opens or
closes a paragraph, the span the line rules look at); the line rules, regular
expressions, run in Python (``stages.sketch.sketch_text``); ``_paragraph_spans``
then gives the kept paragraphs.  Equal to ``normalize._paragraphs`` (tested
through ``stages.sketch``, in ``tests/stages/test_sketch.py``).
"""

from __future__ import annotations

import numba
import numpy as np

from dedup.text.tables import BREAK, BULLET, CTRL, DEC, FINAL, LET, SPACE

BLANK, OPENS, CLOSES, RULED = 1, 2, 4, 8  # what a line is to the paragraph rules; RULED: a line rule may match


@numba.njit(cache=True, nogil=True, inline="always")
def _may_rule(cp: np.ndarray, a: int, b: int, flags: np.ndarray, prefixes: np.ndarray, lengths: np.ndarray) -> bool:
    """False only when no line rule can match the stripped line ``cp[a:b]`` (see ``text.rules.RULE_PREFIXES``):
    it starts with an ASCII letter but not with a rule's first word, and it ends neither like a photo credit
    nor with a digit, nor holds a '|'.  Anything else goes to the rules."""
    if a >= b:
        return False
    if cp[a] >= 128 or not flags[cp[a]] & LET:
        return True
    for r in range(len(lengths)):
        if b - a < lengths[r]:
            continue
        same = True
        for x in range(lengths[r]):
            c = cp[a + x]
            if c >= 128:  # case-insensitive matching pairs some non-ASCII letters with ASCII ones
                return True
            if 65 <= c <= 90:
                c += 32
            if c != prefixes[r, x]:
                same = False
                break
        if same:
            return True
    t = b  # photo_credit's "... (Reuters)", then white space and a full stop
    if cp[t - 1] == 46:
        t -= 1
    while t > a and flags[cp[t - 1]] & SPACE:
        t -= 1
    if t > a and cp[t - 1] == 41:
        return True
    if flags[cp[b - 1]] & DEC:  # dateline: "May 3, 2024"
        return True
    for x in range(a, b):  # noqa: SIM110 - a loop, as numba compiles it
        if cp[x] == 124:  # dateline: "May 3, 2024 | 10:15"
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _lines(cp: np.ndarray, flags: np.ndarray, expanded: np.ndarray, prefixes: np.ndarray, lengths: np.ndarray
           ) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray]:
    """``normalize._paragraphs``'s view of each line (the text split at '\\n', a final empty piece left out):
    (whether the kernels cover the text; per line its span without the '\\n', the span of ``classify_line``'s
    stripped line ((-1, -1) when a control character inside it leaves that to Python), BLANK | OPENS | CLOSES
    | RULED; ``prefixes`` and ``lengths``: ``text.tables.rule_prefixes()``)."""
    n = len(cp)
    for x in range(n):  # covered: every character in the BMP, with a folded form (``text.tables.expansions``)
        if cp[x] >= 65536 or expanded[cp[x]] < 0:
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
        if inner or _may_rule(cp, a, rb, flags, prefixes, lengths):
            kinds[k] |= RULED
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
