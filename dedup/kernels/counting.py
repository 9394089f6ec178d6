"""Counting values in large arrays in bounded memory: ``value_counts`` (``np.unique`` with counts)
and ``row_frequencies`` (in how many rows each value occurs).

The first pass counts in how many documents each stem occurs, from the
documents' sentence stems (which repeat across a document's sentences).
``np.unique`` over a whole corpus's stems sorts a copy of all of them and
keeps a mask and an index array beside it, several times the stems' own size
at once.  Counting a block of rows at a time and merging the counts
keeps the extra memory to a block's worth and the vocabulary's.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from dedup.kernels.sorting import sort_inplace

BLOCK = 1 << 23  # values counted at a time
ROWS = 1 << 14  # rows whose distinct values are counted at a time (row_frequencies)


def value_counts(flat: np.ndarray, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``flat``, sorted, and how often each occurs (int64): ``np.unique``'s answer."""
    if block < 1:
        raise ValueError(f"block must be >= 1, not {block}")
    values, counts = np.unique(flat[:block], return_counts=True)
    for b in range(block, len(flat), block):
        v, c = np.unique(flat[b:b + block], return_counts=True)
        values, counts = merge_counts(values, counts, v, c)
    return values, counts.astype(np.int64, copy=False)


def row_frequencies(flat: np.ndarray, offsets: np.ndarray, rows: int = ROWS, threads: int = 1
                    ) -> tuple[np.ndarray, np.ndarray]:
    """In how many rows ``flat[offsets[i]:offsets[i + 1]]`` each value occurs, counting it once per row:
    ``value_counts`` of the rows made distinct, a block of ``rows`` rows at a time (the distinct rows
    of a whole corpus are never held at once).  With ``threads`` > 1 that many blocks are counted at
    once (the compiled kernel and numpy's sort release the GIL); the merge stays in order."""
    if rows < 1:
        raise ValueError(f"rows must be >= 1, not {rows}")
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    n = len(offsets) - 1

    def count(lo: int) -> tuple[np.ndarray, np.ndarray]:
        return np.unique(_distinct_rows(flat, offsets, lo, min(lo + rows, n)), return_counts=True)

    values, counts = np.zeros(0, flat.dtype), np.zeros(0, np.int64)
    starts = range(0, n, rows)
    if threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(threads) as pool:
            for lo in range(0, len(starts), threads):  # a round of blocks at a time: memory for `threads` blocks
                for v, c in pool.map(count, starts[lo:lo + threads]):
                    values, counts = merge_counts(values, counts, v, c)
    else:
        for lo in starts:
            values, counts = merge_counts(values, counts, *count(lo))
    return values, counts.astype(np.int64, copy=False)


@numba.njit(cache=True, nogil=True, inline="always")
def squeeze_sorted(row):  # pragma: no cover - compiled
    """Sort ``row`` in place and squeeze its repeats to the front; how many distinct values it holds."""
    sort_inplace(row)  # not row.sort(): numba's quicksort costs about a second to compile per dtype
    k = 1 if len(row) else 0
    for j in range(1, len(row)):
        if row[j] != row[k - 1]:
            row[k] = row[j]
            k += 1
    return k


@numba.njit(cache=True, nogil=True)
def _distinct_rows(flat, offsets, lo, hi):  # pragma: no cover - compiled
    """Rows lo..hi-1, each made distinct (sorted), one after another (each copied, then squeezed in place)."""
    out = np.empty(offsets[hi] - offsets[lo], dtype=flat.dtype)
    at = 0
    for i in range(lo, hi):
        n = offsets[i + 1] - offsets[i]
        row = out[at:at + n]
        for x in range(n):  # not row[:] = flat[...]: that slice assignment compiles numba's broadcast checks (2.4 s)
            row[x] = flat[offsets[i] + x]
        at += squeeze_sorted(row)
    return out[:at]


def merge_counts(va: np.ndarray, ca: np.ndarray, vb: np.ndarray, cb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted (distinct values, counts) tables as one: b's counts added where a has the value, b's
    other values inserted in order (no sort of the whole table)."""
    at = np.searchsorted(va, vb)
    known = at < len(va)
    known[known] = va[at[known]] == vb[known]
    counts = ca.astype(np.int64, copy=True)
    counts[at[known]] += cb[known]  # distinct positions: b's values are distinct
    new = ~known
    return np.insert(va, at[new], vb[new]), np.insert(counts, at[new], cb[new])
