"""Candidates stage: LSH banding over the signature matrix.

The banding is datasketch's ``MinHashLSH``: the same (bands, rows) from its
``_optimal_param`` for the threshold and number of permutations, and two
documents are paired when all ``rows`` values of any band are equal -- the
test suite checks the pairs against ``MinHashLSH.query``.  It is done with
numpy over all documents at once (sort each band, cut it into runs of equal
keys) instead of one dictionary insert per document and band.

A bucket larger than ``max_bucket`` (a block of identical or boilerplate-only
texts) links each of its members to its first member only, so one huge bucket
cannot make candidate generation quadratic.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch.lsh import _optimal_param


@lru_cache(maxsize=32)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch's MinHashLSH picks (equal weights on both errors)."""
    b, r = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(b), int(r)


def band_keys(values: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One 64-bit key per document for one band (exact: equal keys <=> equal rows)."""
    part = np.ascontiguousarray(values[:, band * rows:(band + 1) * rows])
    if rows == 1:
        return part[:, 0].astype(np.int64)
    if rows == 2:  # two 32-bit values pack into one 64-bit key
        return part.view(np.int64).ravel()
    return np.unique(part, axis=0, return_inverse=True)[1].ravel().astype(np.int64)


def candidate_pairs(values: np.ndarray, threshold: float, max_bucket: int = 200) -> np.ndarray:
    """Index pairs (i, j), i < j, sharing at least one LSH band; shape (k, 2), sorted."""
    n, num_perm = values.shape
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    bands, rows = lsh_params(threshold, num_perm)
    found: list[np.ndarray] = []
    for band in range(bands):
        keys = band_keys(values, band, rows)
        found.append(_bucket_pairs(keys, max_bucket))
    codes = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    return np.stack([codes // n, codes % n], axis=1) if len(codes) else np.empty((0, 2), dtype=np.int64)


def _bucket_pairs(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pair codes i * n + j for the documents sharing a key."""
    n = len(keys)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    cuts = np.flatnonzero(np.diff(sorted_keys)) + 1
    starts = np.concatenate(([0], cuts))
    sizes = np.diff(np.concatenate((starts, [n])))
    out: list[np.ndarray] = []
    for s, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        members = np.sort(order[s:s + size])
        if size > max_bucket:
            i = np.full(size - 1, members[0])
            j = members[1:]
        else:
            i, j = np.triu_indices(size, k=1)
            i, j = members[i], members[j]
        out.append(i * n + j)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def estimated_containment(pairs: np.ndarray, values: np.ndarray, sizes: np.ndarray, chunk: int = 1 << 16
                          ) -> np.ndarray:
    """For each pair, the MinHash estimate of the larger containment (the smaller set's share in the other).

    From the estimated Jaccard J and the set sizes: |A & B| = J (|A| + |B|) / (1 + J).
    Vectorized over all pairs, in chunks, so a million candidate pairs cost well under a second.
    """
    out = np.empty(len(pairs), dtype=np.float64)
    for k in range(0, len(pairs), chunk):
        i, j = pairs[k:k + chunk, 0], pairs[k:k + chunk, 1]
        jac = np.count_nonzero(values[i] == values[j], axis=1) / values.shape[1]
        a, b = sizes[i].astype(np.float64), sizes[j].astype(np.float64)
        inter = jac * (a + b) / (1.0 + jac)
        out[k:k + chunk] = inter / np.maximum(np.minimum(a, b), 1.0)
    return out
