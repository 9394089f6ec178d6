"""MinHash kernels (numba): fold hashes into signatures, leaving corpus-common hashes out.

The arithmetic is datasketch's own for ``MinHash(num_perm, seed)`` (its
``affine32`` scheme): the MurmurHash3 32-bit finalizer, then
``a * h + b mod 2**32``, then the minimum per permutation.  The reference
these kernels are tested against is datasketch itself: ``tests/stages/test_signatures.py``
checks the signatures bit for bit against ``datasketch.MinHash.update``.
``stages.signatures`` checks the arguments and picks the serial or the
threaded kernel.
"""

from __future__ import annotations

import numba
import numpy as np

from dedup.kernels.counting import squeeze_sorted


@numba.njit(cache=True, nogil=True, inline="always")
def _fmix(h):
    h ^= h >> np.uint32(16)
    h = np.uint32(h * np.uint32(0x85EBCA6B))
    h ^= h >> np.uint32(13)
    h = np.uint32(h * np.uint32(0xC2B2AE35))
    h ^= h >> np.uint32(16)
    return h


@numba.njit(cache=True, nogil=True, inline="always")
def _slot(h, shift):
    return np.int64(np.uint32(h * np.uint32(0x9E3779B1)) >> shift)  # multiplicative (Fibonacci) hashing


@numba.njit(cache=True, nogil=True, inline="always")
def _is_common(table, shift, empty, h):
    """Whether ``h`` is one of the common hashes in ``table`` (open addressing, linear probing).

    ``empty`` marks a free slot; it is a value that is not common, so that an
    ``h`` equal to it is (rightly) never found.
    """
    mask = table.shape[0] - 1
    i = _slot(h, shift)
    v = table[i]
    while v != empty:
        if v == h:
            return True
        i = (i + 1) & mask
        v = table[i]
    return False


@numba.njit(cache=True, nogil=True)
def _fill_table(common, table, shift, empty):
    mask = table.shape[0] - 1
    for h in common:
        i = _slot(h, shift)
        while table[i] != empty and table[i] != h:
            i = (i + 1) & mask
        table[i] = h


@numba.njit(cache=True, nogil=True, inline="always")
def _fold(x, a, b, row):
    """Fold one hash into the signature ``row``: ``row = min(row, a * fmix32(x) + b)`` (mod 2**32)."""
    x = _fmix(x)
    for k in range(a.shape[0]):  # the hot loop: vectorized by LLVM (uint32 multiply, add, min)
        row[k] = min(row[k], np.uint32(a[k] * x + b[k]))


@numba.njit(cache=True, nogil=True, inline="always")
def _sign_doc(hashes, table, shift, empty, keep_at_least, a, b, row):
    """Sign one document into ``row`` (all ``EMPTY`` on entry); returns how many hashes it used.

    Hashes found in the common ``table`` are left out, unless fewer than
    ``keep_at_least`` would remain: then the document keeps all of its own
    (``drop_common``'s rule).  No table (length 0): every hash is used.
    """
    n = hashes.shape[0]
    if table.shape[0] == 0:
        for j in range(n):
            _fold(hashes[j], a, b, row)
        return n
    kept = 0
    for j in range(n):
        if not _is_common(table, shift, empty, hashes[j]):
            _fold(hashes[j], a, b, row)
            kept += 1
    if kept >= keep_at_least or kept == n:
        return kept
    row[:] = np.uint32(0xFFFFFFFF)  # too few left: start again with all of them (rare: short documents)
    for j in range(n):
        _fold(hashes[j], a, b, row)
    return n


@numba.njit(cache=True, nogil=True, inline="always")
def _row(flat, offsets, i, distinct):
    row = flat[offsets[i]:offsets[i + 1]]
    if distinct or len(row) < 2:
        return row
    out = row.copy()  # a row with repeats: each value once (sorted, repeats squeezed out in place)
    return out[:squeeze_sorted(out)]


@numba.njit(cache=True, nogil=True)
def _sign_serial(flat, offsets, rows, table, shift, empty, keep_at_least, a, b, out, counts, distinct):
    for r in range(rows.shape[0]):
        counts[r] = _sign_doc(_row(flat, offsets, rows[r], distinct), table, shift, empty, keep_at_least, a, b,
                              out[r])


@numba.njit(cache=True, nogil=True, parallel=True)
def _sign_parallel(flat, offsets, rows, table, shift, empty, keep_at_least, a, b, out, counts, distinct):
    for r in numba.prange(rows.shape[0]):
        counts[r] = _sign_doc(_row(flat, offsets, rows[r], distinct), table, shift, empty, keep_at_least, a, b,
                              out[r])
