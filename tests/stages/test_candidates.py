"""Candidates stage: LSH banding checked against datasketch's MinHashLSH, bucket splitting against a plain rule."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from datasketch.lsh import _optimal_param
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.stages.candidates import (
    Banding,
    LshStats,
    band_keys,
    band_task,
    banding,
    candidate_pairs,
    estimated_containment,
    lsh_params,
)
from dedup.stages.shingle import shingle_hashes
from dedup.stages.signatures import sign


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
    _n, num_perm = values.shape
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    mh = [MinHash(num_perm=num_perm, hashvalues=row, scheme="affine32") for row in values]
    for i, m in enumerate(mh):
        lsh.insert(i, m)
    return {(min(i, j), max(i, j)) for i, m in enumerate(mh) for j in lsh.query(m) if j != i}


@pytest.mark.parametrize("threshold", [0.15, 0.3, 0.5, 0.8])
@pytest.mark.parametrize("num_perm", [64, 128])
def test_pairs_equal_datasketch_minhashlsh(threshold: float, num_perm: int, rng) -> None:
    values = sign(family_sets(rng), num_perm, 1)
    got = candidate_pairs(values, Banding(*lsh_params(threshold, num_perm)))
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
        got = {tuple(p) for p in candidate_pairs(values, Banding(*lsh_params(threshold, 128), 200)).tolist()}
        assert got == datasketch_pairs(values, threshold)
    # the copies of the wire story are candidates at the default threshold
    low = {tuple(p) for p in candidate_pairs(values, banding(256 if values.shape[1] >= 256 else 128, 1, 10, 2)).tolist()}
    assert {(0, 1), (0, 2), (1, 2)} <= low


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.15, 128), (0.3, 64), (0.5, 128), (0.8, 256), (0.7, 32)])
def test_lsh_params_equal_datasketch(threshold: float, num_perm: int) -> None:
    b, r = lsh_params(threshold, num_perm)
    assert (b, r) == _optimal_param(threshold, num_perm, 0.5, 0.5)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    assert (b, r) == (lsh.b, lsh.r)
    assert b * r <= num_perm


@pytest.mark.parametrize("split", [0, 2])
def test_large_bucket_becomes_a_star(rng, split: int) -> None:
    """n identical signatures in one bucket over max_bucket: n-1 pairs to the first, not n(n-1)/2."""
    row = sign([np.unique(rng.integers(0, 2**32, size=200, dtype=np.uint64).astype(np.uint32))], 128, 1)[0]
    others = sign([np.unique(rng.integers(0, 2**32, size=200, dtype=np.uint64).astype(np.uint32))
                   for _ in range(5)], 128, 1)
    n = 30
    # interleave: the identical rows are not contiguous, so the star must start at the smallest index
    values = np.vstack([others[:2], np.tile(row, (n, 1)), others[2:]])
    same = list(range(2, 2 + n))
    bands, rows = lsh_params(0.5, 128)
    stats = LshStats()
    got = {tuple(p) for p in candidate_pairs(values, Banding(bands, rows, 10, split), stats=stats).tolist()}
    assert got == {(2, j) for j in same[1:]}  # identical rows stay together through every split
    assert len(got) == n - 1
    assert stats.star_buckets == bands and stats.split_buckets == bands * split
    full = {tuple(p) for p in candidate_pairs(values, Banding(bands, rows, 10_000)).tolist()}
    assert full == {(i, j) for i in same for j in same if i < j}
    assert len(full) == n * (n - 1) // 2


def test_bucket_at_the_limit_is_complete(rng) -> None:
    row = sign([np.arange(50, dtype=np.uint32)], 64, 1)[0]
    values = np.tile(row, (5, 1))
    assert len(candidate_pairs(values, Banding(*lsh_params(0.5, 64), 5))) == 10  # size == max_bucket: all pairs
    assert len(candidate_pairs(values, Banding(*lsh_params(0.5, 64), 4))) == 4  # size > max_bucket: a star


def test_fewer_than_two_documents() -> None:
    assert candidate_pairs(np.zeros((0, 64), dtype=np.uint32), banding(64, 1, 10, 2)).shape == (0, 2)
    assert candidate_pairs(np.zeros((1, 64), dtype=np.uint32), banding(64, 1, 10, 2)).shape == (0, 2)


def test_unrelated_documents_are_not_paired(rng) -> None:
    sets = [np.unique(rng.integers(0, 2**32, size=300, dtype=np.uint64).astype(np.uint32)) for _ in range(20)]
    assert len(candidate_pairs(sign(sets, 128, 1), Banding(*lsh_params(0.5, 128)))) == 0
    assert len(candidate_pairs(sign(sets, 256, 1), banding(256, 1, 10, 2))) == 0


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


# ---------------------------------------------------------------- more rows, and crowded buckets split


def brute_pairs(values: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Pairs whose signatures agree on every row of at least one band."""
    n = len(values)
    return {(i, j) for i in range(n) for j in range(i + 1, n)
            if any(np.array_equal(values[i, b * rows:(b + 1) * rows], values[j, b * rows:(b + 1) * rows])
                   for b in range(bands))}


@pytest.mark.parametrize("rows", [3, 4, 5])
def test_pairs_with_more_rows_are_the_bands_that_agree(rows: int, rng) -> None:
    values = sign(family_sets(rng), 128, 1)
    got = {tuple(p) for p in candidate_pairs(values, Banding(128 // rows, rows)).tolist()}
    assert got == brute_pairs(values, 128 // rows, rows)
    assert got, "families share bands"


def forest_rule(values: np.ndarray, shape: Banding) -> tuple[set[tuple[int, int]], int]:
    """The splitting rule written plainly: per band, group by the band's values; a group over
    max_bucket is regrouped by the next value, up to ``split`` times, then linked as a star."""
    width = values.shape[1]
    pairs: set[tuple[int, int]] = set()
    met = 0

    def visit(members: list[int], band: int, level: int) -> None:
        nonlocal met
        if len(members) < 2:
            return
        if len(members) <= shape.max_bucket:
            met += len(members) * (len(members) - 1) // 2
            pairs.update((a, b) for k, a in enumerate(members) for b in members[k + 1:])
        elif level == shape.split:
            met += len(members) - 1
            pairs.update((members[0], b) for b in members[1:])
        else:
            col = (band * shape.rows + shape.rows + level) % width
            groups: dict[int, list[int]] = {}
            for m in members:
                groups.setdefault(int(values[m, col]), []).append(m)
            for g in groups.values():
                visit(g, band, level + 1)

    for band in range(shape.bands):
        groups: dict[tuple[int, ...], list[int]] = {}
        for i in range(len(values)):
            groups.setdefault(tuple(values[i, band * shape.rows:(band + 1) * shape.rows].tolist()), []).append(i)
        for g in groups.values():
            visit(g, band, 0)
    return pairs, met


@given(st.integers(2, 60), st.integers(1, 3), st.integers(2, 6), st.integers(0, 3), st.integers(1, 4),
       st.integers(0, 2**32 - 1))
@settings(max_examples=80, deadline=None)
def test_crowded_buckets_split_as_the_plain_rule_says(n: int, rows: int, max_bucket: int, split: int,
                                                       alphabet: int, seed: int) -> None:
    values = np.random.default_rng(seed).integers(0, alphabet + 1, size=(n, 12), dtype=np.int64).astype(np.uint32)
    shape = Banding(12 // rows, rows, max_bucket, split)
    stats = LshStats()
    got = {tuple(p) for p in candidate_pairs(values, shape, stats=stats).tolist()}
    expected, met = forest_rule(values, shape)
    assert got == expected
    assert stats.collisions == met and stats.screened_out == 0


def test_splitting_keeps_copies_and_drops_most_chance_neighbours(rng) -> None:
    """300 unrelated documents that all share a few frequent words (crowded 1-row buckets), and 5 families of
    near-copies: with splits, the copies are still paired, and far fewer chance pairs are proposed."""
    common = rng.integers(0, 2**32, size=12, dtype=np.uint64).astype(np.uint32)
    sets = [np.unique(np.concatenate([common, rng.integers(0, 2**32, size=40, dtype=np.uint64).astype(np.uint32)]))
            for _ in range(300)]
    families = []
    for _ in range(5):
        base = rng.integers(0, 2**32, size=200, dtype=np.uint64).astype(np.uint32)
        start = len(sets)
        sets += [np.unique(base[rng.random(200) < 0.85]) for _ in range(3)]
        families += [(start, start + 1), (start, start + 2), (start + 1, start + 2)]
    values = sign(sets, 256, 1)
    flat = {tuple(p) for p in candidate_pairs(values, Banding(256, 1)).tolist()}
    stats = LshStats()
    split = {tuple(p) for p in candidate_pairs(values, banding(256, 1, 10, 2), stats=stats).tolist()}
    assert set(families) <= split
    assert stats.split_buckets > 0
    assert len(split) < len(flat) / 5


def test_the_screen_keeps_the_pairs_whose_estimate_reaches_it(rng) -> None:
    sets = family_sets(rng)
    values = sign(sets, 128, 1)
    sizes = np.array([len(s) for s in sets])
    shape = banding(128, 1, 10, 2)
    every = candidate_pairs(values, shape)
    stats = LshStats()
    kept = candidate_pairs(values, shape, sizes, 0.4, stats=stats)
    expected = every[estimated_containment(every, values, sizes) >= 0.4]
    assert np.array_equal(kept, expected)
    assert 0 < len(kept) < len(every) and stats.screened_out > 0


def test_threads_give_the_same_pairs_and_counts(rng) -> None:
    sets = family_sets(rng)
    values = sign(sets, 128, 1)
    sizes = np.array([len(s) for s in sets])
    shape = banding(128, 1, 4, 2)
    one, two = LshStats(), LshStats()
    a = candidate_pairs(values, shape, sizes, 0.2, stats=one)
    b = candidate_pairs(values, shape, sizes, 0.2, stats=two, threads=3)
    assert np.array_equal(a, b) and one == two and one.split_buckets > 0


@pytest.mark.parametrize("per_task", [1, 5, 16])
def test_bands_run_as_tasks_give_the_same_pairs_and_counts(rng, per_task: int) -> None:
    sets = family_sets(rng)
    values = sign(sets, 128, 1)
    sizes = np.array([len(s) for s in sets])
    shape = banding(128, 1, 4, 2)
    tasks: list[list[int]] = []

    def bands_by(bands, ctx):  # as an engine runs them: consecutive groups, results in band order
        for k in range(0, len(bands), per_task):
            tasks.append(bands[k:k + per_task])
            yield from band_task(bands[k:k + per_task], ctx)

    one, two = LshStats(), LshStats()
    a = candidate_pairs(values, shape, sizes, 0.2, stats=one)
    b = candidate_pairs(values, shape, sizes, 0.2, stats=two, bands_by=bands_by)
    assert np.array_equal(a, b) and one == two and len(a)
    assert len(tasks) == -(-shape.bands // per_task)


@pytest.mark.parametrize("seed", range(4))
def test_one_row_bands_over_the_whole_32_bit_range_split_as_the_plain_rule_says(seed: int) -> None:
    """1-row bands sort (value, document) packed in 64 bits: values at both ends of the 32-bit range."""
    rng = np.random.default_rng(seed)
    values = rng.choice(np.array([0, 1, 2**31, 2**32 - 2, 2**32 - 1], dtype=np.uint32), size=(80, 12))
    shape = Banding(12, 1, 4, 2)
    stats = LshStats()
    got = {tuple(p) for p in candidate_pairs(values, shape, stats=stats).tolist()}
    expected, met = forest_rule(values, shape)
    assert got == expected and stats.collisions == met and stats.split_buckets > 0


@pytest.mark.parametrize(("max_bucket", "split", "share", "rows"),
                         [(10, 2, 0.05, 1), (10**9, 0, 0.05, 1), (5, 0, 0.3, 1), (4, 3, 0.01, 1), (6, 2, 0.05, 2),
                          (3, 2, 0.1, 3), (10, 2, 1.0, 1)])
def test_fresh_documents_get_exactly_the_pairs_with_one_of_them(max_bucket, split, share, rows) -> None:
    rng = np.random.default_rng(max_bucket + split + rows)
    n = 3000
    top = 40 if rows == 1 else 4  # few values: crowded buckets in every band
    values = rng.integers(0, top, size=(n, 66)).astype(np.uint32)  # 66: the last bands' splits wrap around
    sizes = rng.integers(5, 100, n).astype(np.float64)
    shape = banding(66, rows, max_bucket, split)
    fresh = rng.random(n) < share
    every_stats, fresh_stats = LshStats(), LshStats()
    every = candidate_pairs(values, shape, sizes, 0.1, stats=every_stats)
    got = candidate_pairs(values, shape, sizes, 0.1, fresh=fresh, threads=2, stats=fresh_stats)
    assert np.array_equal(got, every[fresh[every[:, 0]] | fresh[every[:, 1]]])
    assert (fresh_stats.split_buckets > 0) == (split > 0 and max_bucket < 100)
    if share == 1.0:  # every bucket holds a fresh document: the bands met what the full ones met
        assert fresh_stats == every_stats
    assert len(candidate_pairs(values, shape, sizes, 0.1, fresh=np.zeros(n, dtype=bool))) == 0
