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

On a large corpus the threshold's bands would pair many documents by chance:
with 2 rows per band, two unrelated articles that share a few per cent of their
content stems collide in some band often enough that the pairs grow with the
square of the corpus.  ``banding`` therefore estimates, from a seeded sample
of random pairs, how many chance pairs per document each choice of rows
would propose, and takes the fewest rows (from the threshold's own) that
stay within ``lsh_budget``.  Small corpora keep datasketch's banding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch.lsh import _optimal_param


@lru_cache(maxsize=32)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch's MinHashLSH picks (equal weights on both errors)."""
    b, r = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(b), int(r)


SAMPLE_PAIRS = 200_000  # random pairs sampled to estimate chance collisions
MAX_ROWS = 8


@dataclass(frozen=True)
class Banding:
    """How signatures are cut into LSH bands, and the chance pairs per document it is expected to propose."""

    bands: int
    rows: int
    chance_per_doc: float

    def describe(self) -> str:
        return f"{self.bands} bands x {self.rows} rows, about {self.chance_per_doc:.1f} chance pair(s) per document"


def banding(values: np.ndarray, threshold: float, budget: float, copy_like: float, seed: int) -> Banding:
    """The threshold's (bands, rows), with more rows if it would propose over ``budget`` chance pairs per document.

    Chance pairs are estimated from a seeded sample of random document pairs:
    a pair whose estimated Jaccard ``s`` is below ``copy_like`` collides in some
    band with probability ``1 - (1 - s**r)**b``; per document that is
    ``(N - 1) / 2`` times the mean over the sample.  Depends only on the
    signatures (documents in id order) and ``seed``.
    """
    n, num_perm = values.shape
    b0, r0 = lsh_params(threshold, num_perm)
    if n < 3:
        return Banding(b0, r0, 0.0)
    rng = np.random.default_rng(seed)
    m = min(SAMPLE_PAIRS, n * (n - 1) // 2)
    i, j = rng.integers(0, n, m), rng.integers(0, n, m)
    i, j = i[i != j], j[i != j]
    s = np.empty(len(i), dtype=np.float64)
    for k in range(0, len(i), 1 << 15):
        s[k:k + (1 << 15)] = np.count_nonzero(values[i[k:k + (1 << 15)]] == values[j[k:k + (1 << 15)]], axis=1)
    s /= num_perm
    s[s >= copy_like] = 0.0  # likely copies: what LSH is for, not chance
    chance = Banding(b0, r0, 0.0)
    for rows in range(r0, MAX_ROWS + 1):
        bands = b0 if rows == r0 else num_perm // rows
        per_doc = (n - 1) / 2 * float(np.mean(1.0 - (1.0 - s ** rows) ** bands)) if len(s) else 0.0
        chance = Banding(bands, rows, per_doc)
        if per_doc <= budget:
            break
    return chance


def band_keys(values: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One 64-bit key per document for one band (equal rows give equal keys)."""
    part = np.ascontiguousarray(values[:, band * rows:(band + 1) * rows])
    if rows == 1:
        return part[:, 0].astype(np.int64)
    if rows == 2:  # two 32-bit values pack into one 64-bit key: exact
        return part.view(np.int64).ravel()
    # More rows: a 64-bit mix of the values (splitmix64 steps).  Unequal rows share a key
    # with probability about 2**-64 per pair; the verifier checks every pair anyway.
    key = np.zeros(len(part), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(rows):
            key = (key ^ part[:, c].astype(np.uint64)) + np.uint64(0x9E3779B97F4A7C15)
            key = (key ^ (key >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            key = (key ^ (key >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            key ^= key >> np.uint64(31)
    return key.view(np.int64)


def candidate_pairs(values: np.ndarray, threshold: float, max_bucket: int = 200,
                    shape: Banding | None = None, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Index pairs (i, j), i < j, sharing at least one LSH band; shape (k, 2), sorted.

    ``shape`` defaults to datasketch's banding for ``threshold``.
    """
    n, num_perm = values.shape
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    bands, rows = (shape.bands, shape.rows) if shape else lsh_params(threshold, num_perm)
    found: list[np.ndarray] = []
    for band in range(bands):
        keys = band_keys(values, band, rows)
        found.append(_bucket_pairs(keys, max_bucket))
        if progress:
            progress(band + 1, bands)
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
