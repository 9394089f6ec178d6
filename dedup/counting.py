"""``np.unique(flat, return_counts=True)`` for a large array, in bounded memory; and per-row frequencies.

The first pass counts in how many documents each stem occurs (each document's
stems are distinct, so that is how often each value occurs in the corpus's
flat array).  ``np.unique`` sorts a copy of the whole array and keeps a mask
and an index array beside it: at a million documents, 210 million values,
about 2.5 GB at once.  Counting block by block and merging the counts keeps
the extra memory to a block's worth and the vocabulary's, at the same speed.
"""

from __future__ import annotations

import numba
import numpy as np

BLOCK = 1 << 23  # values counted at a time
ROWS = 1 << 14  # rows whose distinct values are counted at a time (row_frequencies)


def value_counts(flat: np.ndarray, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``flat``, sorted, and how often each occurs (int64): ``np.unique``'s answer."""
    if block < 1:
        raise ValueError(f"block must be >= 1, not {block}")
    values, counts = np.unique(flat[:block], return_counts=True)
    for b in range(block, len(flat), block):
        v, c = np.unique(flat[b:b + block], return_counts=True)
        values, counts = _merge(values, counts, v, c)
    return values, counts.astype(np.int64, copy=False)


def row_frequencies(flat: np.ndarray, offsets: np.ndarray, rows: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    """In how many rows ``flat[offsets[i]:offsets[i + 1]]`` each value occurs, counting it once per row:
    ``value_counts`` of the rows made distinct, a block of ``rows`` rows at a time (the distinct rows
    of a whole corpus are never held at once)."""
    if rows < 1:
        raise ValueError(f"rows must be >= 1, not {rows}")
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    values, counts = np.zeros(0, flat.dtype), np.zeros(0, np.int64)
    for lo in range(0, len(offsets) - 1, rows):
        v, c = np.unique(_distinct_rows(flat, offsets, lo, min(lo + rows, len(offsets) - 1)), return_counts=True)
        values, counts = _merge(values, counts, v, c)
    return values, counts.astype(np.int64, copy=False)


@numba.njit(cache=True, nogil=True)
def _distinct_rows(flat, offsets, lo, hi):  # pragma: no cover - compiled
    """Rows lo..hi-1, each made distinct (sorted), one after another: each row is copied, sorted in
    place and its repeats squeezed out (no allocation per row)."""
    out = np.empty(offsets[hi] - offsets[lo], dtype=flat.dtype)
    at = 0
    for i in range(lo, hi):
        n = offsets[i + 1] - offsets[i]
        if n == 0:
            continue
        row = out[at:at + n]
        row[:] = flat[offsets[i]:offsets[i + 1]]
        row.sort()
        k = 1
        for j in range(1, n):
            if row[j] != row[k - 1]:
                row[k] = row[j]
                k += 1
        at += k
    return out[:at]


def _merge(va: np.ndarray, ca: np.ndarray, vb: np.ndarray, cb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted (distinct values, counts) tables as one: b's counts added where a has the value, b's
    other values inserted in order (no sort of the whole table)."""
    at = np.searchsorted(va, vb)
    known = at < len(va)
    known[known] = va[at[known]] == vb[known]
    counts = ca.astype(np.int64, copy=True)
    np.add.at(counts, at[known], cb[known])
    new = ~known
    return np.insert(va, at[new], vb[new]), np.insert(counts, at[new], cb[new])
