"""LSH kernels (numba): the pairs of the buckets of one band, screened by their MinHash-estimated containment.

The reference is datasketch's ``MinHashLSH.query``: with no crowded bucket the
pairs are exactly its pairs (``tests/stages/test_candidates.py``).
``stages.candidates`` sorts each band's keys and cuts them into runs; these
kernels emit the pairs of the runs.
"""

from __future__ import annotations

import numba
import numpy as np

from dedup.kernels.sorting import sort_inplace


@numba.njit(cache=True, nogil=True)
def _bucket_codes(in_order, starts, runs, max_bucket, last, values, sizes, screen, fresh):  # pragma: no cover
    """Pair codes i * n + j (i < j) of the runs of equal keys that pass the screen.

    A run over ``max_bucket`` is left for the next split, or when ``last`` linked
    as a star to its first member.  ``fresh`` (one flag per document, or empty):
    only pairs with at least one flagged document are kept.  Returns the codes,
    the pairs met, and the number of runs over ``max_bucket``.
    """
    some = len(fresh) > 0
    n = values.shape[0]
    count = 0
    crowded = 0
    for k in range(len(starts)):
        s = runs[k]
        if s < 2:
            continue
        if s <= max_bucket:
            count += s * (s - 1) // 2
        else:
            crowded += 1
            if last:
                count += s - 1
    out = np.empty(count, dtype=np.int64)
    p = 0
    for k in range(len(starts)):
        s = runs[k]
        if s < 2 or (s > max_bucket and not last):
            continue
        m = in_order[starts[k]:starts[k] + s].copy()  # np.sort without numba's quicksort (compile time)
        sort_inplace(m)
        star = s > max_bucket
        for a in range(1 if star else s):
            for b in range(a + 1, s):
                i, j = m[a], m[b]
                if some and not (fresh[i] or fresh[j]):
                    continue
                if screen < 0.0 or _estimate(values, sizes, i, j) >= screen:
                    out[p] = i * n + j
                    p += 1
    return out[:p].copy(), count, crowded


@numba.njit(cache=True, nogil=True, inline="always")
def _estimate(values, sizes, i, j):  # pragma: no cover - compiled
    m = values.shape[1]
    same = 0
    for c in range(m):
        same += values[i, c] == values[j, c]
    jac = same / m
    a, b = sizes[i], sizes[j]
    return jac * (a + b) / (1.0 + jac) / max(min(a, b), 1.0)


@numba.njit(cache=True, nogil=True)
def _containment(pairs, values, sizes):  # pragma: no cover - compiled
    out = np.empty(len(pairs), dtype=np.float64)
    for k in range(len(pairs)):
        out[k] = _estimate(values, sizes, pairs[k, 0], pairs[k, 1])
    return out


@numba.njit(cache=True, nogil=True)
def fresh_buckets(keys, members, fresh):  # pragma: no cover - compiled
    """The members whose key is the key of a fresh member, each with its bucket: (members, keys, bucket,
    size of each bucket).  ``members[i]`` has key ``keys[i]``; ``fresh`` flags documents.  Buckets are
    numbered in the order their first fresh member comes; the selection keeps the members' order.

    One pass puts the fresh members' keys in an open-addressing table, one more looks every key up:
    the buckets a band's fresh documents fall in, found whole without sorting the band."""
    n = len(members)
    n_fresh = 0
    for i in range(n):
        n_fresh += fresh[members[i]]
    bits = 4
    while (1 << bits) < 2 * n_fresh:
        bits += 1
    mask = np.uint64((1 << bits) - 1)
    table = np.empty(1 << bits, dtype=np.int64)
    slots = np.full(1 << bits, -1, dtype=np.int64)
    n_buckets = 0
    for i in range(n):
        if not fresh[members[i]]:
            continue
        k = keys[i]
        h = (np.uint64(k) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)
        while slots[h] != -1 and table[h] != k:
            h = (h + np.uint64(1)) & mask
        if slots[h] == -1:
            table[h] = k
            slots[h] = n_buckets
            n_buckets += 1
    bucket = np.empty(n, dtype=np.int64)
    kept = 0
    for i in range(n):
        k = keys[i]
        h = (np.uint64(k) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)
        b = -1
        while slots[h] != -1:
            if table[h] == k:
                b = slots[h]
                break
            h = (h + np.uint64(1)) & mask
        bucket[i] = b
        kept += b >= 0
    out_members = np.empty(kept, dtype=np.int64)
    out_keys = np.empty(kept, dtype=np.int64)
    out_bucket = np.empty(kept, dtype=np.int64)
    size = np.zeros(n_buckets, dtype=np.int64)
    p = 0
    for i in range(n):
        b = bucket[i]
        if b >= 0:
            out_members[p] = members[i]
            out_keys[p] = keys[i]
            out_bucket[p] = b
            size[b] += 1
            p += 1
    return out_members, out_keys, out_bucket, size
