"""Shingle and signatures stages, checked bit for bit against datasketch and xxhash."""

from __future__ import annotations

import numpy as np
import pytest
import xxhash
from conftest import make_doc
from datasketch import MinHash

from dedup.normalize import normalize
from dedup.shingle import hash_shingles, shingle_hashes, shingle_tokens, shingles
from dedup.signatures import EMPTY, estimate_jaccard, fmix32, sign, signatures

PERMS = (64, 128, 256)
SEEDS = (1, 20240207)


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
