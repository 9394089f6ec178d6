"""LSH kernels (numba): the pairs of the buckets of one band, screened by their MinHash-estimated containment.

The reference is datasketch's ``MinHashLSH.query``: with no crowded bucket the
pairs are exactly its pairs (``tests/stages/test_candidates.py``).
``stages.candidates`` sorts each band's keys and cuts them into runs; these
kernels emit the pairs of the runs.  For an index's addition, ``fresh_band``
finds the buckets its new documents are in without sorting the band.
"""

from __future__ import annotations

import numba
import numpy as np

from dedup.kernels.sorting import sort_inplace


@numba.njit(cache=True, nogil=True)
def _bucket_codes(in_order, starts, runs, max_bucket, last, values, sizes, screen):  # pragma: no cover
    """Pair codes i * n + j (i < j) of the runs of equal keys that pass the screen.

    A run over ``max_bucket`` is left for the next split, or when ``last`` linked
    as a star to its first member.  Returns the codes, the pairs met, and the
    number of runs over ``max_bucket``.
    """
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
def columns_of(values, cols):  # pragma: no cover - compiled
    """Signature columns ``cols`` of ``values`` (one row per document), one contiguous row per column:
    read 64 documents at a time, so that each document's cache line is read once for all of them."""
    n = values.shape[0]
    out = np.empty((len(cols), n), dtype=values.dtype)
    for lo in range(0, n, 64):
        hi = min(n, lo + 64)
        for c in range(len(cols)):
            col = cols[c]
            for i in range(lo, hi):
                out[c, i] = values[i, col]
    return out


@numba.njit(cache=True, nogil=True, inline="always")
def _splitmix(k):  # pragma: no cover - compiled
    k = k + np.uint64(0x9E3779B97F4A7C15)
    k = (k ^ (k >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    k = (k ^ (k >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return k ^ (k >> np.uint64(31))


@numba.njit(cache=True, nogil=True, inline="always")
def _split_key(key, value):  # pragma: no cover - compiled
    """``stages.candidates._mix`` of one key and one value."""
    return np.int64(_splitmix(_splitmix(np.uint64(key)) ^ np.uint64(value)))


@numba.njit(cache=True, nogil=True, inline="always")
def _slot(table, used, key, bits):  # pragma: no cover - compiled
    """Where ``key`` is, or would go, in an open-addressing table of ``1 << bits`` slots."""
    mask = np.uint64((1 << bits) - 1)
    h = (np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)
    while used[h] and table[h] != key:
        h = (h + np.uint64(1)) & mask
    return h


@numba.njit(cache=True, nogil=True)
def fresh_band(keys, columns, cols, fresh_rows, fresh, max_bucket, values, sizes, screen):  # pragma: no cover
    """The screened pair codes of one band that have a fresh document, found in two passes over the band.

    ``keys``: each document's key of the band; ``columns``: signature columns, one row each
    (``columns_of``); ``cols``: the row of ``columns`` each split mixes in (``stages.candidates._mix``),
    so a document's key at split level L folds in ``columns[cols[:L]]``; ``values``: the signatures,
    one row per document, for the screen;
    ``fresh_rows``: the fresh documents, ascending.  A bucket at level L is the documents of one
    level-L key; those of one key at a level share its key at every level before it, so counting
    every document's keys gives each bucket's size as the sorting path does among the members of
    crowded buckets only.  A fresh document's bucket is the first on its way down with at most
    ``max_bucket`` members, or the last level's (linked as a star when crowded).

    The first pass counts the documents of each fresh key, level by level, and goes down only while
    the key is a fresh one's; the second collects the members of the buckets fresh documents stop
    in, in document order.  Returns (codes, pairs met, buckets split, buckets linked as stars), as
    ``_bucket_codes`` counts them for those buckets."""
    n = len(keys)
    levels = len(cols) + 1
    n_fresh = len(fresh_rows)
    bits = 4
    while (1 << bits) < 2 * n_fresh:
        bits += 1
    width = 1 << bits  # slots per level; level L's are [L * width, (L + 1) * width)
    table = np.zeros(levels * width, dtype=np.int64)
    used = np.zeros(levels * width, dtype=np.bool_)
    count = np.zeros(levels * width, dtype=np.int64)
    fresh_slots = np.empty((n_fresh, levels), dtype=np.int64)
    for f in range(n_fresh):
        i = fresh_rows[f]
        key = keys[i]
        for level in range(levels):
            if level > 0:
                key = _split_key(key, columns[cols[level - 1], i])
            h = level * width + _slot(table[level * width:], used[level * width:], key, bits)
            used[h] = True
            table[h] = key
            fresh_slots[f, level] = h
    path = np.full((levels, n), -1, dtype=np.int32)  # each document's slot at each level it gets to
    for level in range(levels):  # pass one, a level at a time: the size of every bucket a fresh one is in
        base = level * width
        t, u = table[base:base + width], used[base:base + width]
        col = cols[level - 1] if level > 0 else 0
        for i in range(n):
            if level == 0:
                key = keys[i]
            else:
                if path[level - 1, i] < 0:
                    continue
                key = _split_key(table[path[level - 1, i]], columns[col, i])
            h = _slot(t, u, key, bits)
            if u[h]:
                path[level, i] = base + h
                count[base + h] += 1
    # the bucket each fresh document stops in; buckets numbered as their first fresh document comes
    bucket_of = np.full(levels * width, -1, dtype=np.int64)
    split_seen = np.zeros(levels * width, dtype=np.bool_)
    n_buckets = 0
    split = 0
    sizes_of = np.empty(n_fresh, dtype=np.int64)
    for f in range(n_fresh):
        for level in range(levels):
            h = fresh_slots[f, level]
            if count[h] <= max_bucket or level == levels - 1:
                if bucket_of[h] < 0:
                    bucket_of[h] = n_buckets
                    sizes_of[n_buckets] = count[h]
                    n_buckets += 1
                break
            if not split_seen[h]:
                split_seen[h] = True
                split += 1
    starts = np.zeros(n_buckets + 1, dtype=np.int64)
    for b in range(n_buckets):
        starts[b + 1] = starts[b] + sizes_of[b]
    members = np.empty(starts[n_buckets], dtype=np.int64)
    fill = starts[:n_buckets].copy()
    for i in range(n):  # pass two: the members of those buckets, in document order
        for level in range(levels):
            h = path[level, i]
            if h < 0:
                break
            b = bucket_of[h]
            if b >= 0:
                members[fill[b]] = i
                fill[b] += 1
                break
    met = 0
    stars = 0
    for b in range(n_buckets):
        s = sizes_of[b]
        stars += s > max_bucket
        met += s - 1 if s > max_bucket else s * (s - 1) // 2
    out = np.empty(met, dtype=np.int64)
    p = 0
    for b in range(n_buckets):
        m = members[starts[b]:starts[b + 1]]
        s = len(m)
        for a in range(1 if s > max_bucket else s):
            for c in range(a + 1, s):
                i, j = m[a], m[c]
                if not (fresh[i] or fresh[j]):
                    continue
                if screen < 0.0 or _estimate(values, sizes, i, j) >= screen:
                    out[p] = i * n + j
                    p += 1
    return out[:p].copy(), met, split, stars
