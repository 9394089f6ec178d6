"""Shingle and signatures stages, checked bit for bit against datasketch and xxhash."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest
import xxhash
from conftest import make_doc
from datasketch import MinHash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.stages.normalize import normalize
from dedup.stages.shingle import (
    drop_common,
    hash_shingles,
    keep_uncommon,
    shingle_hashes,
    shingle_tokens,
    shingles,
)
from dedup.stages.signatures import (
    EMPTY,
    csr,
    estimate_jaccard,
    fmix32,
    sign,
    sign_csr,
    sign_rows,
    signatures,
)

PERMS = (64, 128, 256)
SEEDS = (1, 20240207)


@pytest.fixture(autouse=True)
def _threaded_kernel_for_small_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests sign a few hundred documents: let threads > 1 use the threaded kernel all the same."""
    import dedup.stages.signatures
    monkeypatch.setattr(dedup.stages.signatures, "PARALLEL_ROWS", 0)


def datasketch_row(hashes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """datasketch's own MinHash of these uint32 hashes, one update() each."""
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda x: x)
    for h in hashes:
        m.update(int(h))
    return m.hashvalues


def random_sets(rng: np.random.Generator) -> list[np.ndarray]:
    """Random distinct uint32 hash sets of varied sizes, including structured (consecutive) values."""
    sizes = [1, 2, 3, 17, 100, 513, 40]
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)) for n in sizes]
    sets.append(np.arange(1000, 1300, dtype=np.uint32))  # consecutive values
    sets.append(np.array([0, 0xFFFFFFFF], dtype=np.uint32))  # the extremes
    return sets


@pytest.mark.parametrize("num_perm", PERMS)
@pytest.mark.parametrize("seed", SEEDS)
def test_sign_equals_datasketch_on_random_sets(num_perm: int, seed: int, rng) -> None:
    sets = random_sets(rng)
    rows = sign(sets, num_perm, seed)
    assert rows.shape == (len(sets), num_perm) and rows.dtype == np.uint32
    for hashes, row in zip(sets, rows):
        np.testing.assert_array_equal(row, datasketch_row(hashes, num_perm, seed))


@pytest.mark.parametrize("num_perm", PERMS)
@pytest.mark.parametrize("seed", SEEDS)
def test_sign_equals_datasketch_on_seed_documents(num_perm: int, seed: int, seed_norms) -> None:
    hash_sets = [shingle_hashes(nd, size) for nd in seed_norms.values() for size in (1, 3)]
    rows = sign(hash_sets, num_perm, seed)
    for hashes, row in zip(hash_sets, rows):
        assert len(hashes) > 50
        np.testing.assert_array_equal(row, datasketch_row(hashes, num_perm, seed))


def test_seed_changes_the_signature(seed_norms) -> None:
    h = [shingle_hashes(seed_norms["000"], 1)]
    assert not np.array_equal(sign(h, 128, 1), sign(h, 128, 2))


def test_empty_set_signature_is_all_ones_like_datasketch(rng) -> None:
    empty = np.empty(0, dtype=np.uint32)
    rows = sign([empty, random_sets(rng)[4], empty], 128, 1)
    assert (rows[0] == EMPTY).all() and (rows[2] == EMPTY).all()
    assert int(EMPTY) == 0xFFFFFFFF
    np.testing.assert_array_equal(rows[0], MinHash(num_perm=128, seed=1).hashvalues)
    assert not (rows[1] == EMPTY).all()
    assert (sign([], 64, 1).shape) == (0, 64)
    assert (sign([empty], 64, 1) == 0xFFFFFFFF).all()


def test_many_documents_cross_block_boundaries(rng) -> None:
    """Enough shingles to span several internal blocks: every row still equals datasketch's."""
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32))
            for n in rng.integers(0, 40_000, size=24)]
    sets[5] = np.empty(0, dtype=np.uint32)
    rows = sign(sets, 16, 3)
    for k in (0, 5, 11, 23):
        m = MinHash(num_perm=16, seed=3, hashfunc=lambda x: x)
        m.update_batch(sets[k].tolist())
        np.testing.assert_array_equal(rows[k], m.hashvalues)


@pytest.mark.parametrize("block", [1, 7, 50])
def test_rows_signed_in_blocks_as_tasks_equal_one_call(rng, block: int) -> None:
    sets = [rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32) for n in rng.integers(0, 300, size=50)]
    flat, offsets = csr(sets)
    common = np.unique(flat[:40])
    whole, counts = sign_csr(flat, offsets, 64, 1, common, distinct=False)
    rows = np.arange(50, dtype=np.int64)
    parts = [sign_rows(rows[k:k + block], (flat, offsets, 64, 1, common, False))[0] for k in range(0, 50, block)]
    np.testing.assert_array_equal(np.concatenate([v for v, _ in parts]), whole)
    np.testing.assert_array_equal(np.concatenate([c for _, c in parts]), counts)


def test_fmix32_known_values() -> None:
    # MurmurHash3 fmix32: 0 -> 0; known reference outputs for 1 and 0xFFFFFFFF
    out = fmix32(np.array([0, 1, 0xFFFFFFFF], dtype=np.uint32))
    assert out.tolist() == [0, 0x514E28B7, 0x81F16F39]


@pytest.mark.parametrize("size", [1, 2, 3])
def test_shingle_hashes_match_datasketch_with_xxh32(size: int, seed_norms) -> None:
    for nd in seed_norms.values():
        items = shingles(nd, size)
        assert len(items) == len(set(items)) and all(isinstance(b, bytes) for b in items)
        toks = shingle_tokens(nd)
        assert items[0] == " ".join(toks[:size]).encode()
        hashes = hash_shingles(items)
        assert hashes.dtype == np.uint32
        assert hashes.tolist() == sorted({xxhash.xxh32_intdigest(b) for b in items})
        m = MinHash(num_perm=128, seed=1, hashfunc=xxhash.xxh32_intdigest)
        for b in items:
            m.update(b)
        np.testing.assert_array_equal(sign([hashes], 128, 1)[0], m.hashvalues)


def test_shingles_of_short_and_empty_documents() -> None:
    nd = normalize(make_doc("Ceasefire talks resumed.\n"))
    assert shingle_tokens(nd) == ["ceasefir", "talk", "resum"]
    assert shingles(nd, 5) == [b"ceasefir talk resum"]  # shorter than the size: one shingle of all
    assert shingles(nd, 2) == [b"ceasefir talk", b"talk resum"]
    assert shingles(normalize(make_doc("")), 3) == []
    assert len(hash_shingles([])) == 0


def test_shingles_are_distinct_in_first_seen_order() -> None:
    nd = normalize(make_doc("Gaza talks. Cairo talks. Gaza talks resumed.\n"))
    assert shingles(nd, 1) == [b"gaza", b"talk", b"cairo", b"resum"]


def test_shingles_ignore_function_words_and_case() -> None:
    a = normalize(make_doc("The Hamas offer was a response to an earlier proposal.\n"))
    b = normalize(make_doc("HAMAS OFFER: response to earlier proposal!\n"))
    assert shingles(a, 2) == shingles(b, 2)


def test_signatures_and_estimate(seed_norms) -> None:
    ids = list(seed_norms)
    hashes = [shingle_hashes(nd, 1) for nd in seed_norms.values()]
    sig = signatures(ids, hashes, 128, 1)
    assert sig.ids == tuple(ids)
    assert sig.shingle_counts.tolist() == [len(h) for h in hashes]
    assert estimate_jaccard(sig.values[0], sig.values[0]) == 1.0
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            a = MinHash(num_perm=128, seed=1, hashvalues=sig.values[i], scheme="affine32")
            b = MinHash(num_perm=128, seed=1, hashvalues=sig.values[j], scheme="affine32")
            assert estimate_jaccard(sig.values[i], sig.values[j]) == pytest.approx(a.jaccard(b), abs=1e-12)


# --- the compiled kernel: sign_csr ---------------------------------------------------------------

def kernel_sets(rng: np.random.Generator) -> list[np.ndarray]:
    """random_sets plus empty documents (first, inside, last) and more one-hash documents."""
    empty = np.empty(0, dtype=np.uint32)
    sets = random_sets(rng)
    return [empty, *sets[:3], empty, empty, np.array([7], dtype=np.uint32), *sets[3:], empty]


@pytest.mark.parametrize("num_perm", PERMS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("threads", [1, 2])
def test_sign_csr_equals_datasketch_one_update_at_a_time(num_perm: int, seed: int, threads: int, rng) -> None:
    sets = kernel_sets(rng)
    flat, offsets = csr(sets)
    assert flat.dtype == np.uint32 and offsets.dtype == np.int64 and len(offsets) == len(sets) + 1
    rows, counts = sign_csr(flat, offsets, num_perm, seed, threads=threads)
    assert rows.shape == (len(sets), num_perm) and rows.dtype == np.uint32
    assert counts.dtype == np.int64 and counts.tolist() == [len(h) for h in sets]
    for hashes, row in zip(sets, rows):
        np.testing.assert_array_equal(row, datasketch_row(hashes, num_perm, seed))
    assert (rows[0] == EMPTY).all() and (rows[-1] == EMPTY).all()


def test_sign_csr_edge_inputs(rng) -> None:
    rows, counts = sign_csr(np.empty(0, dtype=np.uint32), np.zeros(1, dtype=np.int64), 64, 1)
    assert rows.shape == (0, 64) and counts.shape == (0,)
    rows, counts = sign_csr(np.empty(0, dtype=np.uint32), np.zeros(4, dtype=np.int64), 64, 1, threads=2)
    assert (rows == EMPTY).all() and counts.tolist() == [0, 0, 0]
    # A CSR view that does not start at 0, offsets of another integer type, read-only input:
    sets = random_sets(rng)
    flat, offsets = csr(sets)
    flat.flags.writeable = False
    part, _ = sign_csr(flat, offsets[2:5].astype(np.int32), 128, 1)
    np.testing.assert_array_equal(part, sign(sets[2:4], 128, 1))
    # threads above numba's thread count are capped, not an error
    np.testing.assert_array_equal(sign_csr(flat, offsets, 128, 1, threads=64)[0], sign(sets, 128, 1))


def test_sign_csr_rejects_bad_input() -> None:
    flat = np.arange(10, dtype=np.uint32)
    with pytest.raises(TypeError):
        sign_csr(flat.astype(np.int64), np.array([0, 10]), 64, 1)
    with pytest.raises(TypeError):
        sign_csr(flat, np.array([0, 10]), 64, 1, common=np.array([1, 2], dtype=np.int64))
    for offsets in ([0, 11], [0, 6, 5, 10], [-1, 10], []):
        with pytest.raises(ValueError):
            sign_csr(flat, np.array(offsets, dtype=np.int64), 64, 1)
    with pytest.raises(ValueError):
        sign_csr(flat, np.array([0, 10]), 64, 1, threads=0)
    with pytest.raises(ValueError):
        sign_csr(flat, np.array([0, 10]), 64, 1, keep_at_least=-1)
    for rows in ([1], [-1], [[0]]):
        with pytest.raises(ValueError, match="rows must be"):
            sign_csr(flat, np.array([0, 10]), 64, 1, rows=np.array(rows))


def drop_rule(hash_sets: list[np.ndarray], common: np.ndarray, keep_at_least: int) -> list[np.ndarray]:
    """The inner rule of shingle.drop_common, for a given set of common hashes."""
    out = []
    for h in hash_sets:
        kept = h[~np.isin(h, common)]
        out.append(kept if len(kept) >= keep_at_least else h)
    return out


def test_common_exclusion_keep_at_least_fallback() -> None:
    common = np.array([10, 20, 30], dtype=np.uint32)
    sets = [np.array(h, dtype=np.uint32) for h in (
        [10, 20, 30, 1, 2, 3],         # 3 left < 5: keeps all 6
        [10, 20, 30, 1, 2, 3, 4, 5],   # 5 left: signed from those 5
        [10, 20, 30],                  # all common: keeps all 3
        [1, 2, 3, 4, 5, 6],            # nothing common
        [20],                          # one hash, common
        [],
    )]
    flat, offsets = csr(sets)
    rows, counts = sign_csr(flat, offsets, 128, 1, common=common)
    assert counts.tolist() == [6, 5, 3, 6, 1, 0]
    np.testing.assert_array_equal(rows, sign(drop_rule(sets, common, 5), 128, 1))
    np.testing.assert_array_equal(rows[1], datasketch_row(np.arange(1, 6), 128, 1))
    # keep_at_least=0: an all-common document is signed from nothing (the empty signature)
    rows, counts = sign_csr(flat, offsets, 128, 1, common=common, keep_at_least=0)
    assert counts.tolist() == [3, 5, 0, 6, 0, 0] and (rows[2] == EMPTY).all() and (rows[4] == EMPTY).all()
    # keep_at_least=1 (drop_common's rule, verbatim): one common hash alone stays
    rows, counts = sign_csr(flat, offsets, 128, 1, common=common[::-1].copy(), keep_at_least=1)
    assert counts.tolist() == [3, 5, 3, 6, 1, 0]
    np.testing.assert_array_equal(rows, sign(drop_rule(sets, common, 1), 128, 1))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("keep_at_least", [0, 5, 40])
def test_common_exclusion_equals_drop_common_then_sign(seed: int, keep_at_least: int, rng) -> None:
    """A corpus with a skewed vocabulary: drop_common + sign == the kernel's own exclusion."""
    vocab = np.unique(rng.integers(0, 2**32, size=3000, dtype=np.uint64).astype(np.uint32))
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    sets = [np.unique(rng.choice(vocab, size=n, p=weights / weights.sum()))
            for n in rng.integers(0, 120, size=300)]
    sets[7] = np.empty(0, dtype=np.uint32)
    max_share, min_docs = 0.05, 5
    dropped = drop_common(sets, max_share, min_docs, keep_at_least)
    limit = max(min_docs, int(max_share * len(sets)))  # drop_common's own threshold
    values, counts = np.unique(np.concatenate(sets), return_counts=True)
    common = values[counts > limit]
    assert 10 < len(common) < len(values)
    flat, offsets = csr(sets)
    for threads in (1, 2):
        rows, used = sign_csr(flat, offsets, 128, seed, common=common, keep_at_least=keep_at_least, threads=threads)
        np.testing.assert_array_equal(rows, sign(dropped, 128, seed))
        assert used.tolist() == [len(h) for h in dropped]
    assert any(len(d) < len(h) for d, h in zip(dropped, sets))


hash_values = st.integers(0, 2**32 - 1)


@settings(deadline=None, max_examples=80)
@given(hashes=st.sets(st.one_of(st.integers(0, 40), hash_values), max_size=30),
       common=st.lists(st.one_of(st.integers(0, 40), hash_values), max_size=25),
       keep_at_least=st.integers(0, 8))
def test_keep_uncommon_is_the_isin_rule_for_common_in_any_order(hashes, common, keep_at_least) -> None:
    h = np.array(sorted(hashes), dtype=np.uint32)
    c = np.array(common, dtype=np.uint32)
    want = drop_rule([h], c, keep_at_least)[0]
    for order in (c, np.sort(c)):
        np.testing.assert_array_equal(keep_uncommon(h, order, keep_at_least), want)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(sets=st.lists(st.sets(st.one_of(st.integers(0, 40), hash_values), max_size=30), max_size=12),
       common=st.sets(st.one_of(st.integers(0, 40), hash_values), max_size=25),
       keep_at_least=st.integers(0, 8),
       num_perm=st.sampled_from(PERMS), seed=st.sampled_from(SEEDS))
def test_sign_csr_property(sets, common, keep_at_least, num_perm, seed) -> None:
    """Any documents, any common set: the rule of drop_common, then datasketch's MinHash; any thread count."""
    arrays = [np.array(sorted(h), dtype=np.uint32) for h in sets]
    common_arr = np.array(list(common), dtype=np.uint32)  # in no particular order
    flat, offsets = csr(arrays)
    expected = drop_rule(arrays, common_arr, keep_at_least)
    rows1, used1 = sign_csr(flat, offsets, num_perm, seed, common=common_arr, keep_at_least=keep_at_least)
    rows2, used2 = sign_csr(flat, offsets, num_perm, seed, common=common_arr, keep_at_least=keep_at_least, threads=2)
    np.testing.assert_array_equal(rows1, rows2)
    np.testing.assert_array_equal(used1, used2)
    assert used1.tolist() == [len(h) for h in expected]
    for hashes, row in zip(expected, rows1):
        np.testing.assert_array_equal(row, datasketch_row(hashes, num_perm, seed))
    # Rows with repeats (distinct=False) sign as their distinct values; rows= signs only those, in order.
    doubled, doubled_offsets = csr([np.concatenate((h[::-1], h[: len(h) // 2])) for h in arrays])
    rows3, used3 = sign_csr(doubled, doubled_offsets, num_perm, seed, common=common_arr,
                            keep_at_least=keep_at_least, threads=2, distinct=False)
    np.testing.assert_array_equal(rows3, rows1)
    np.testing.assert_array_equal(used3, used1)
    some = np.arange(len(arrays))[::-2]
    rows4, used4 = sign_csr(flat, offsets, num_perm, seed, common=common_arr, keep_at_least=keep_at_least,
                            rows=some)
    np.testing.assert_array_equal(rows4, rows1[some])
    np.testing.assert_array_equal(used4, used1[some])


def test_threads_give_identical_arrays(rng) -> None:
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32))
            for n in rng.integers(0, 400, size=2000)]
    flat, offsets = csr(sets)
    common = np.unique(flat[rng.integers(0, len(flat), size=500)])
    for c in (None, common):
        r1, n1 = sign_csr(flat, offsets, 128, 1, common=c, threads=1)
        r2, n2 = sign_csr(flat, offsets, 128, 1, common=c, threads=2)
        np.testing.assert_array_equal(r1, r2)
        np.testing.assert_array_equal(n1, n2)


def _sign_in_child(args):
    flat, offsets, threads = args
    return sign_csr(flat, offsets, 128, 1, threads=threads)[0]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform")
def test_kernel_before_and_after_a_fork_pool(rng) -> None:
    """The parent signs (with numba's thread pool started), forks a pool whose workers sign, and signs again."""
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32))
            for n in rng.integers(0, 300, size=200)]
    flat, offsets = csr(sets)
    before = sign_csr(flat, offsets, 128, 1, threads=2)[0]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map_async(_sign_in_child, [(flat, offsets, 1), (flat, offsets, 2)] * 2).get(timeout=60)
    for r in results:
        np.testing.assert_array_equal(r, before)
    np.testing.assert_array_equal(sign_csr(flat, offsets, 128, 1, threads=2)[0], before)
    np.testing.assert_array_equal(sign_csr(flat, offsets, 128, 1, threads=1)[0], before)


@pytest.mark.parametrize(("num_perm", "seed"), [(16, 0), (128, 1), (256, 1), (300, 4_000_000_000)])
def test_permutations_are_datasketchs(num_perm: int, seed: int) -> None:
    from datasketch import MinHash

    from dedup.stages.signatures import permutations

    a, b = permutations(num_perm, seed)
    da, db = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, da) and np.array_equal(b, db)
