"""Signatures stage: MinHash signatures computed in bulk with numpy.

The signatures are bit-for-bit those of ``datasketch.MinHash(num_perm, seed)``
(its default ``affine32`` scheme) updated with the same 32-bit shingle hashes:
the permutations are taken from datasketch itself, and the arithmetic is its
own -- the MurmurHash3 32-bit finalizer, then ``a * h + b mod 2**32``, then
the minimum per permutation -- applied to a whole batch of documents at once
instead of one ``update()`` per shingle.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from dedup.types import Signatures

EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's initial value: the signature of an empty set
_CHUNK = 1 << 18  # shingles per block: bounds the temporary (chunk x num_perm) matrix


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own (a, b) permutation parameters for ``num_perm`` and ``seed``."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch pre-mixes every input with it)."""
    h = h.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def sign(hash_sets: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures, one row per document, from each document's shingle hashes."""
    a, b = permutations(num_perm, seed)
    out = np.full((len(hash_sets), num_perm), EMPTY, dtype=np.uint32)
    lengths = np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=len(hash_sets))
    nonempty = np.flatnonzero(lengths)
    if len(nonempty) == 0:
        return out
    # Walk the documents in blocks of about _CHUNK shingles each.
    block: list[int] = []
    size = 0
    for i in nonempty:
        block.append(int(i))
        size += int(lengths[i])
        if size >= _CHUNK:
            _sign_block(hash_sets, block, lengths, a, b, out)
            block, size = [], 0
    if block:
        _sign_block(hash_sets, block, lengths, a, b, out)
    return out


def _sign_block(hash_sets, block, lengths, a, b, out) -> None:
    hv = fmix32(np.concatenate([hash_sets[i] for i in block]))
    phv = hv[:, None] * a[None, :]  # wraps modulo 2**32, as datasketch's uint32 arithmetic does
    phv += b[None, :]
    starts = np.concatenate(([0], np.cumsum(lengths[block])[:-1]))
    out[block] = np.minimum.reduceat(phv, starts, axis=0)


def signatures(ids: Sequence[str], hash_sets: Sequence[np.ndarray], num_perm: int, seed: int) -> Signatures:
    values = sign(hash_sets, num_perm, seed)
    counts = np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=len(hash_sets))
    return Signatures(tuple(ids), values, counts)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """The MinHash estimate of Jaccard: the share of equal signature values."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)
