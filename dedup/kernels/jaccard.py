"""Set-overlap kernels (numba) for the boilerplate stage: Jaccard between sorted rows, and the rest of a document.

The reference is the Python set arithmetic they replace (``len(a & b) / len(a | b)``),
checked in ``tests/stages/test_boilerplate.py``.
"""

from __future__ import annotations

import numba
import numpy as np

from dedup.kernels.counting import squeeze_sorted


@numba.njit(cache=True, nogil=True)
def _jaccards(flat: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Jaccard of every pair of rows (sorted distinct values; two empty rows: 1.0), pairs in
    ``itertools.combinations`` order."""
    n = len(offsets) - 1
    out = np.empty(n * (n - 1) // 2, dtype=np.float64)
    p = 0
    for a in range(n):
        for b in range(a + 1, n):
            i, i_end, j, j_end = offsets[a], offsets[a + 1], offsets[b], offsets[b + 1]
            both = 0
            while i < i_end and j < j_end:
                if flat[i] == flat[j]:
                    both += 1
                    i += 1
                    j += 1
                elif flat[i] < flat[j]:
                    i += 1
                else:
                    j += 1
            union = (offsets[a + 1] - offsets[a]) + (offsets[b + 1] - offsets[b]) - both
            out[p] = both / union if union else 1.0
            p += 1
    return out


@numba.njit(cache=True, nogil=True)
def _rest(flat: np.ndarray, lengths: np.ndarray, fps: np.ndarray, shared: np.ndarray, min_tokens: int) -> np.ndarray:
    """The distinct stem hashes, sorted, of the sentences with at least ``min_tokens`` of them whose
    fingerprint is not in ``shared`` (sorted)."""
    out = np.empty(len(flat), dtype=flat.dtype)
    n = 0
    at = 0
    for s in range(len(lengths)):
        size = lengths[s]
        if size >= min_tokens:
            x = np.searchsorted(shared, fps[s])
            if x == len(shared) or shared[x] != fps[s]:
                for x in range(size):  # a loop, not a slice assignment (numba's broadcast checks: 2.3 s to compile)
                    out[n + x] = flat[at + x]
                n += size
        at += size
    out = out[:n]  # np.unique(out[:n]), without compiling np.unique
    return out[:squeeze_sorted(out)]
