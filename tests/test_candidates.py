"""Candidates stage: LSH banding, checked against datasketch's MinHashLSH."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from datasketch.lsh import _optimal_param

from dedup.candidates import Banding, band_keys, banding, candidate_pairs, lsh_params
from dedup.shingle import shingle_hashes
from dedup.signatures import sign


def family_sets(rng: np.random.Generator, n_families: int = 8, per_family: int = 6) -> list[np.ndarray]:
    """Hash sets in families: each member keeps a random share (30-100%) of its family's base set
    and adds its own elements, so pairwise Jaccard spreads from near 0 to 1."""
    out = []
    for _ in range(n_families):
        base = np.unique(rng.integers(0, 2**32, size=300, dtype=np.uint64).astype(np.uint32))
        for _ in range(per_family):
            keep = base[rng.random(len(base)) < rng.uniform(0.3, 1.0)]
            extra = rng.integers(0, 2**32, size=int(rng.integers(0, 120)), dtype=np.uint64).astype(np.uint32)
            out.append(np.unique(np.concatenate([keep, extra])))
    out.append(out[0].copy())  # an exact duplicate
    return out


def datasketch_pairs(values: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    n, num_perm = values.shape
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    mh = [MinHash(num_perm=num_perm, hashvalues=row, scheme="affine32") for row in values]
    for i, m in enumerate(mh):
        lsh.insert(i, m)
    return {(min(i, j), max(i, j)) for i, m in enumerate(mh) for j in lsh.query(m) if j != i}


@pytest.mark.parametrize("threshold", [0.15, 0.3, 0.5, 0.8])
@pytest.mark.parametrize("num_perm", [64, 128])
def test_pairs_equal_datasketch_minhashlsh(threshold: float, num_perm: int, rng) -> None:
    values = sign(family_sets(rng), num_perm, 1)
    got = candidate_pairs(values, threshold, max_bucket=10_000)
    assert got.dtype.kind == "i" and got.shape[1] == 2
    pairs = [tuple(p) for p in got.tolist()]
    assert pairs == sorted(set(pairs))  # sorted, no repeats
    assert all(i < j for i, j in pairs)
    expected = datasketch_pairs(values, threshold)
    assert set(pairs) == expected
    assert expected  # the check is not vacuous
    assert len(expected) < len(values) * (len(values) - 1) // 2


def test_pairs_equal_datasketch_on_seed_documents(seed_norms) -> None:
    values = sign([shingle_hashes(nd, 1) for nd in seed_norms.values()], 128, 1)
    for threshold in (0.15, 0.5):
        got = {tuple(p) for p in candidate_pairs(values, threshold, 200).tolist()}
        assert got == datasketch_pairs(values, threshold)
    # the copies of the wire story are candidates at the default threshold
    low = {tuple(p) for p in candidate_pairs(values, 0.15, 200).tolist()}
    assert {(0, 1), (0, 2), (1, 2)} <= low


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.15, 128), (0.3, 64), (0.5, 128), (0.8, 256), (0.7, 32)])
def test_lsh_params_equal_datasketch(threshold: float, num_perm: int) -> None:
    b, r = lsh_params(threshold, num_perm)
    assert (b, r) == _optimal_param(threshold, num_perm, 0.5, 0.5)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    assert (b, r) == (lsh.b, lsh.r)
    assert b * r <= num_perm


def test_large_bucket_becomes_a_star(rng) -> None:
    """n identical signatures in one bucket over max_bucket: n-1 pairs to the first, not n(n-1)/2."""
    row = sign([np.unique(rng.integers(0, 2**32, size=200, dtype=np.uint64).astype(np.uint32))], 128, 1)[0]
    others = sign([np.unique(rng.integers(0, 2**32, size=200, dtype=np.uint64).astype(np.uint32))
                   for _ in range(5)], 128, 1)
    n = 30
    # interleave: the identical rows are not contiguous, so the star must start at the smallest index
    values = np.vstack([others[:2], np.tile(row, (n, 1)), others[2:]])
    same = list(range(2, 2 + n))
    got = {tuple(p) for p in candidate_pairs(values, 0.5, max_bucket=10).tolist()}
    assert got == {(2, j) for j in same[1:]}
    assert len(got) == n - 1
    full = {tuple(p) for p in candidate_pairs(values, 0.5, max_bucket=10_000).tolist()}
    assert full == {(i, j) for i in same for j in same if i < j}
    assert len(full) == n * (n - 1) // 2


def test_bucket_at_the_limit_is_complete(rng) -> None:
    row = sign([np.arange(50, dtype=np.uint32)], 64, 1)[0]
    values = np.tile(row, (5, 1))
    assert len(candidate_pairs(values, 0.5, max_bucket=5)) == 10  # size == max_bucket: all pairs
    assert len(candidate_pairs(values, 0.5, max_bucket=4)) == 4  # size > max_bucket: a star


def test_fewer_than_two_documents() -> None:
    assert candidate_pairs(np.zeros((0, 64), dtype=np.uint32), 0.5).shape == (0, 2)
    assert candidate_pairs(np.zeros((1, 64), dtype=np.uint32), 0.5).shape == (0, 2)


def test_unrelated_documents_are_not_paired(rng) -> None:
    sets = [np.unique(rng.integers(0, 2**32, size=300, dtype=np.uint64).astype(np.uint32)) for _ in range(20)]
    assert len(candidate_pairs(sign(sets, 128, 1), 0.5)) == 0


def test_band_keys_equal_iff_band_rows_equal(rng) -> None:
    values = rng.integers(0, 4, size=(40, 8), dtype=np.uint64).astype(np.uint32)
    for band in range(4):
        keys = band_keys(values, band, 2)
        part = values[:, band * 2:(band + 1) * 2]
        for i in range(40):
            for j in range(40):
                assert (keys[i] == keys[j]) == bool((part[i] == part[j]).all())


def test_estimated_containment_tracks_exact_containment() -> None:
    """The vectorized screen's estimate stays near the exact containment of the smaller set."""
    from dedup.candidates import estimated_containment
    from dedup.signatures import sign

    rng = np.random.default_rng(42)
    sets, pairs, exact = [], [], []
    for k in range(60):
        base = np.unique(rng.integers(0, 2**32, size=int(rng.integers(50, 400)), dtype=np.uint64).astype(np.uint32))
        keep = base[rng.random(len(base)) < rng.uniform(0.0, 1.0)]
        extra = rng.integers(0, 2**32, size=int(rng.integers(0, 300)), dtype=np.uint64).astype(np.uint32)
        other = np.unique(np.concatenate([keep, extra]))
        sets += [base, other]
        pairs.append((2 * k, 2 * k + 1))
        inter = len(np.intersect1d(base, other))
        exact.append(inter / min(len(base), len(other)))
    values = sign(sets, 128, 1)
    sizes = np.array([len(s) for s in sets])
    est = estimated_containment(np.array(pairs), values, sizes)
    err = np.abs(est - np.array(exact))
    assert np.median(err) < 0.06  # (the estimate is loosest when one set is much smaller than the other)
    # the pipeline screens at half of min_containment: no pair at or above it is lost here
    assert not np.any((np.array(exact) >= 0.3) & (est < 0.15))


# ---------------------------------------------------------------- size-aware banding


def brute_pairs(values: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Pairs whose signatures agree on every row of at least one band."""
    n = len(values)
    return {(i, j) for i in range(n) for j in range(i + 1, n)
            if any(np.array_equal(values[i, b * rows:(b + 1) * rows], values[j, b * rows:(b + 1) * rows])
                   for b in range(bands))}


@pytest.mark.parametrize("rows", [3, 4, 5])
def test_pairs_with_more_rows_are_the_bands_that_agree(rows: int, rng) -> None:
    values = sign(family_sets(rng), 128, 1)
    shape = Banding(128 // rows, rows, 0.0)
    got = {tuple(p) for p in candidate_pairs(values, 0.1, 10_000, shape).tolist()}
    assert got == brute_pairs(values, 128 // rows, rows)
    assert got, "families share bands"


def test_small_or_varied_corpora_keep_the_thresholds_banding(rng) -> None:
    values = sign(family_sets(rng), 128, 1)
    shape = banding(values, 0.1, budget=20.0, copy_like=0.15, seed=1)
    assert (shape.bands, shape.rows) == lsh_params(0.1, 128)


def test_a_corpus_of_look_alikes_gets_more_rows_and_fewer_chance_pairs(rng) -> None:
    # 400 documents drawing 60 words each from one 600-word vocabulary: every pair shares
    # a few per cent of its words by chance, as one-topic text does.
    vocab = rng.integers(0, 2**32, size=600, dtype=np.uint64).astype(np.uint32)
    sets = [np.unique(rng.choice(vocab, 60, replace=False)) for _ in range(400)]
    values = sign(sets, 128, 1)
    wide = banding(values, 0.1, budget=1e9, copy_like=0.15, seed=1)
    tight = banding(values, 0.1, budget=2.0, copy_like=0.15, seed=1)
    assert (wide.bands, wide.rows) == lsh_params(0.1, 128)
    assert tight.rows > wide.rows and tight.chance_per_doc <= 2.0 < wide.chance_per_doc
    n_wide = len(candidate_pairs(values, 0.1, 200, wide))
    n_tight = len(candidate_pairs(values, 0.1, 200, tight))
    assert n_tight < n_wide
    # the estimate is of the right size: within a factor of 3 of the pairs actually proposed
    assert n_wide / len(sets) / 3 <= wide.chance_per_doc <= 3 * n_wide / len(sets)
    assert banding(values, 0.1, 2.0, 0.15, seed=1) == tight  # seeded: the same every time
