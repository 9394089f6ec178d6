"""Signature lookup kernels (numba): which documents share MinHash values with one query signature.

The reference is a scan, ``(values == query).sum(axis=1)``: ``shared`` gives
the same counts for the documents where they are above zero (and whose
estimated containment passes a screen), by a binary search per value in each
column's sort order (``column_order``), so a query costs a few hundred
searches and the matching rows instead of a pass over the whole matrix
(``tests/kernels/test_lookup.py``).
"""

from __future__ import annotations

import numba
import numpy as np


def column_order(values: np.ndarray) -> np.ndarray:
    """For each column c of ``values`` (n, p), the rows in order of ``values[:, c]``, ties by row (uint32, (p, n)).

    Each column is sorted as one array of 64-bit keys, value above row: numpy's sort of plain integers
    is many times faster than an argsort (about 70 ms a column of a million rows)."""
    n, p = values.shape
    if n >= 1 << 32:
        raise ValueError(f"{n} rows: row numbers must fit in 32 bits")
    order = np.empty((p, n), dtype=np.uint32)
    rows = np.arange(n, dtype=np.uint64)
    low = np.uint64(0xFFFFFFFF)
    for c in range(p):
        keys = (values[:, c].astype(np.uint64) << np.uint64(32)) | rows
        keys.sort()
        order[c] = keys & low
    return order


@numba.njit(cache=True, nogil=True, inline="always")
def _lower(values: np.ndarray, order: np.ndarray, c: int, v: np.uint32, upper: bool) -> int:  # pragma: no cover
    lo, hi = 0, order.shape[1]
    while lo < hi:
        mid = (lo + hi) // 2
        x = values[order[c, mid], c]
        if x < v or (upper and x == v):
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True, nogil=True)
def shared(values: np.ndarray, order: np.ndarray, query: np.ndarray, sizes: np.ndarray, query_size: float,
           min_containment: float) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """(rows, counts): the rows of ``values`` sharing at least one column's value with ``query``, sorted,
    and in how many columns each does; only the rows whose containment estimated from that count passes
    ``min_containment`` (the LSH screen: ``j (a + b) / (1 + j) / min(a, b)``, j the share of columns
    shared, a and b the shingle counts ``query_size`` and ``sizes[row]``).

    A query of a large index meets a good share of its rows in some column, so the meetings are counted
    in one array over the rows (each column's range of equal values read in order) rather than gathered
    and sorted: the cost is the meetings and one pass over the counts."""
    n, p = values.shape
    counts = np.zeros(n, dtype=np.uint16)
    for c in range(p):
        lo = _lower(values, order, c, query[c], False)
        hi = _lower(values, order, c, query[c], True)
        for k in range(lo, hi):
            counts[order[c, k]] += 1
    kept = 0
    for r in range(n):  # the screen, once per met row: a row that fails it is not met
        if counts[r]:
            if _passes(counts[r], p, query_size, sizes[r], min_containment):
                kept += 1
            else:
                counts[r] = 0
    rows = np.empty(kept, dtype=np.int64)
    out = np.empty(kept, dtype=np.int64)
    m = 0
    for r in range(n):
        if counts[r]:
            rows[m] = r
            out[m] = counts[r]
            m += 1
    return rows, out


@numba.njit(cache=True, nogil=True, inline="always")
def _passes(count: int, p: int, a: float, size: float, min_containment: float) -> bool:  # pragma: no cover
    j = count / p
    b = float(size)
    return j * (a + b) / (1 + j) / max(min(a, b), 1.0) >= min_containment
