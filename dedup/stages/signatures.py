"""Signatures stage: MinHash signatures computed by a compiled (numba) kernel.

The signatures are bit-for-bit those of ``datasketch.MinHash(num_perm, seed)``
(its default ``affine32`` scheme) updated with the same 32-bit shingle hashes:
the permutations are taken from datasketch itself, and the arithmetic is its
own -- the MurmurHash3 32-bit finalizer, then ``a * h + b mod 2**32``, then
the minimum per permutation -- run by one compiled loop over all documents
instead of one ``update()`` per shingle.

Documents are handed over in CSR form: ``flat`` holds every document's
distinct hashes one after the other, and document ``i`` is
``flat[offsets[i]:offsets[i + 1]]``.  ``csr()`` builds that form from a list of
per-document arrays.

The kernels are compiled on first use and cached on disk (``cache=True``:
``__pycache__`` beside this file, or numba's user-wide cache directory when
that is not writable, or ``NUMBA_CACHE_DIR``).  ``threads=1`` runs a plain
serial kernel that never starts numba's thread pool, so it is safe in the
parent and in the children of a ``fork`` process pool alike; ``threads`` > 1
in a child forked after the parent started the pool falls back to it too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

import numba
import numba.np.ufunc.parallel
import numpy as np

from dedup.kernels.minhash import _fill_table, _sign_parallel, _sign_serial
from dedup.stages.shingle import (
    KEEP_AT_LEAST,  # one rule for signatures and containment
)
from dedup.types import Signatures

PARALLEL_ROWS = 2000  # fewer documents are signed by the serial kernel whatever ``threads`` says
EMPTY = np.uint32(0xFFFFFFFF)  # datasketch's initial value: the signature of an empty set


def _pool_started() -> bool:
    """Whether numba's thread pool has been started in this process (or in the one it was forked from)."""
    return bool(getattr(numba.np.ufunc.parallel, "_is_initialized", True))


# A process forked from one whose numba thread pool was running must not use
# that pool: with the GNU OpenMP layer (numba's default where libgomp is found)
# the child is aborted ("fork() called from a process already using GNU
# OpenMP").  Such a child signs with the serial kernel: the same result.
_INHERITED_POOL = False


def _after_fork_in_child() -> None:
    global _INHERITED_POOL
    _INHERITED_POOL = _INHERITED_POOL or _pool_started()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's own (a, b) parameters of its ``affine32`` scheme for ``num_perm`` and ``seed``.

    Drawn as ``MinHash._init_permutations`` draws them (odd ``a``, then ``b``, from
    ``RandomState(seed)``), so that a run need not import datasketch (0.6 s);
    ``tests/stages/test_signatures.py`` checks them against ``MinHash(...).permutations``.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.flags.writeable = b.flags.writeable = False  # shared by every caller through the cache
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch pre-mixes every input with it)."""
    h = h.astype(np.uint32, copy=True)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


# --- compiled kernels -------------------------------------------------------------------------

def _common_table(common: np.ndarray | None) -> tuple[np.ndarray, np.uint32, np.uint32]:
    """``(table, shift, empty)`` for ``_is_common``: a hash table of the common hashes, at most 1/4 full.

    ``empty`` is the smallest uint32 that is not common.  No common hashes: an empty table.
    """
    common = np.unique(common) if common is not None else np.empty(0, dtype=np.uint32)
    if len(common) == 0:
        return np.empty(0, dtype=np.uint32), np.uint32(32), np.uint32(0)
    below = np.flatnonzero(common != np.arange(len(common), dtype=np.uint64))  # common[i] == i up to there
    empty = np.uint32(below[0] if len(below) else len(common))
    bits = max(4, int(4 * len(common) - 1).bit_length())  # 2**bits >= 4 * len(common)
    table = np.full(1 << bits, empty, dtype=np.uint32)
    _fill_table(common, table, np.uint32(32 - bits), empty)
    return table, np.uint32(32 - bits), empty


# --- public API -------------------------------------------------------------------------------

def csr(hash_sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The CSR form of per-document hash arrays: ``(flat uint32, offsets int64 of length n + 1)``."""
    offsets = np.zeros(len(hash_sets) + 1, dtype=np.int64)
    if not hash_sets:
        return np.empty(0, dtype=np.uint32), offsets
    np.cumsum(np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=len(hash_sets)), out=offsets[1:])
    flat = np.concatenate([np.asarray(h).ravel() for h in hash_sets]).astype(np.uint32, copy=False)
    return flat, offsets


def sign_csr(flat: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int,
             common: np.ndarray | None = None, keep_at_least: int = KEEP_AT_LEAST,
             threads: int = 1, distinct: bool = True, rows: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of the documents ``flat[offsets[i]:offsets[i + 1]]``.

    ``flat`` is uint32 (each document's distinct hashes), ``offsets`` is
    non-decreasing, of length n + 1, within ``flat``.  ``common`` (uint32, in
    any order) lists corpus-common hashes to leave out of every document that
    keeps at least ``keep_at_least`` hashes without them (``shingle.drop_common``'s
    rule); ``None`` or empty leaves all in.
    ``distinct=False``: a row may hold a value more than once (the first pass
    signs each document's sentence stems, which repeat across sentences); each
    counts once, as if the row were ``np.unique``'d first.
    ``rows``: sign only these documents (row numbers), in that order; the result has a row
    for each (a run signs again the few it needs after LSH, once the others are freed).
    ``threads`` > 1 splits the documents over that many numba threads (at
    most ``numba.config.NUMBA_NUM_THREADS``; one in a process forked after
    numba's thread pool started); the result does not depend on it.

    Returns ``(signatures, counts)``: an (n, num_perm) uint32 array, a row per
    document (all 0xFFFFFFFF for a document with no hashes, as datasketch's
    empty MinHash), and an (n,) int64 array of the number of hashes each
    signature was made from.
    """
    flat = np.asarray(flat)
    if flat.dtype != np.uint32 or flat.ndim != 1:
        raise TypeError(f"flat must be a 1-d uint32 array, not {flat.ndim}-d {flat.dtype}")
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    if offsets.ndim != 1 or len(offsets) == 0:
        raise ValueError("offsets must be a 1-d array of length n + 1")
    if offsets[0] < 0 or offsets[-1] > len(flat) or (np.diff(offsets) < 0).any():
        raise ValueError(f"offsets must be non-decreasing within [0, {len(flat)}]")
    if common is not None:
        common = np.asarray(common)
        if common.dtype != np.uint32 or common.ndim != 1:
            raise TypeError(f"common must be a 1-d uint32 array, not {common.ndim}-d {common.dtype}")
    if keep_at_least < 0:
        raise ValueError(f"keep_at_least must be >= 0, not {keep_at_least}")
    if threads < 1:
        raise ValueError(f"threads must be >= 1, not {threads}")
    flat = np.ascontiguousarray(flat)
    a, b = permutations(num_perm, seed)
    if rows is None:
        rows = np.arange(len(offsets) - 1, dtype=np.int64)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    if rows.ndim != 1 or (len(rows) and (rows.min() < 0 or rows.max() >= len(offsets) - 1)):
        raise ValueError(f"rows must be a 1-d array of row numbers below {len(offsets) - 1}")
    n = len(rows)
    out = np.full((n, num_perm), EMPTY, dtype=np.uint32)
    counts = np.zeros(n, dtype=np.int64)
    if n == 0:
        return out, counts
    table, shift, empty = _common_table(common)
    args = (flat, offsets, rows, table, shift, empty, np.int64(keep_at_least), a, b, out, counts, bool(distinct))
    threads = min(int(threads), numba.config.NUMBA_NUM_THREADS, n)
    if n < PARALLEL_ROWS:  # too few to gain from threads; nor need the threaded kernel be compiled (2.5 s)
        threads = 1
    if threads == 1 or _INHERITED_POOL:
        _sign_serial(*args)  # never starts numba's thread pool
    else:
        before = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            _sign_parallel(*args)
        finally:
            numba.set_num_threads(before)
    return out, counts


SignInput = tuple[np.ndarray, np.ndarray, int, int, np.ndarray, bool]  # flat, offsets, num_perm, seed, common, distinct


def sign_rows(rows: np.ndarray, ctx: SignInput) -> list[tuple[np.ndarray, np.ndarray]]:
    """``sign_csr`` of documents ``rows`` as one task (an engine's, on one thread): [(signatures, counts)]."""
    flat, offsets, num_perm, seed, common, distinct = ctx
    return [sign_csr(flat, offsets, num_perm, seed, common, distinct=distinct, rows=rows)]


def sign(hash_sets: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures, one row per document, from each document's shingle hashes."""
    return sign_csr(*csr(hash_sets), num_perm, seed)[0]


def signatures(ids: Sequence[str], hash_sets: Sequence[np.ndarray], num_perm: int, seed: int) -> Signatures:
    """The signatures stage: every document's signature and shingle count, in the order of ``ids``."""
    values, counts = sign_csr(*csr(hash_sets), num_perm, seed)
    return Signatures(tuple(ids), values, counts)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """The MinHash estimate of Jaccard: the share of equal signature values."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)
