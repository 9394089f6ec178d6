"""Signature lookup kernels (numba): which documents share MinHash values with one query signature.

The reference is a scan, ``(values == query).sum(axis=1)``: ``shared`` gives
the same counts for the documents where they are above zero, by a binary
search per value in each column's sort order (``column_order``), so a query
costs a few hundred searches and the matching rows instead of a pass over the
whole matrix (``tests/kernels/test_lookup.py``).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, parallel=True)
def column_order(values: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """For each column c of ``values`` (n, p), the rows in order of ``values[:, c]`` (uint32, (p, n))."""
    n, p = values.shape
    order = np.empty((p, n), dtype=np.uint32)
    for c in numba.prange(p):
        order[c] = np.argsort(values[:, c], kind="mergesort").astype(np.uint32)
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
def shared(values: np.ndarray, order: np.ndarray, query: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """(rows, counts): the rows of ``values`` sharing at least one column's value with ``query``, sorted,
    and in how many columns each does."""
    p = values.shape[1]
    total = 0
    lows = np.empty(p, dtype=np.int64)
    highs = np.empty(p, dtype=np.int64)
    for c in range(p):
        lows[c] = _lower(values, order, c, query[c], False)
        highs[c] = _lower(values, order, c, query[c], True)
        total += highs[c] - lows[c]
    hits = np.empty(total, dtype=np.uint32)
    at = 0
    for c in range(p):
        for k in range(lows[c], highs[c]):
            hits[at] = order[c, k]
            at += 1
    hits.sort()
    rows = np.empty(total, dtype=np.int64)
    counts = np.empty(total, dtype=np.int64)
    m = 0
    for k in range(total):
        if m and rows[m - 1] == hits[k]:
            counts[m - 1] += 1
        else:
            rows[m] = hits[k]
            counts[m] = 1
            m += 1
    return rows[:m].copy(), counts[:m].copy()
