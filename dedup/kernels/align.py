"""Compiled sentence alignment (numba): the inner loop of the verify and diff stages.

Both documents come as flat arrays (see ``weights.Profile``): each sentence's
distinct content-stem hashes, sorted, one weight per hash, the number of
stems that count (0 for a boilerplate sentence) and their total weight.
Every sum runs in one fixed order (sentence order, then hash order), so the
figures do not depend on the process, the platform's hash seed or ``--jobs``.
"""

from __future__ import annotations

import numba
import numpy as np

from dedup.kernels.sorting import argsort_stable, sort_inplace


@numba.njit(cache=True, nogil=True)
def sentence_mass(offsets: np.ndarray, weights: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per sentence, the sum of its weights in hash order (0 where ``sizes`` is 0: boilerplate)."""
    n = len(offsets) - 1
    out = np.zeros(n, dtype=np.float64)
    for s in range(n):
        if sizes[s] == 0:
            continue
        m = 0.0
        for p in range(offsets[s], offsets[s + 1]):
            m += weights[p]
        out[s] = m
    return out


@numba.njit(cache=True, nogil=True)
def align_sentences(ta: np.ndarray, oa: np.ndarray, wa: np.ndarray, za: np.ndarray, ma: np.ndarray,
                    tb: np.ndarray, ob: np.ndarray, zb: np.ndarray, mb: np.ndarray,
                    threshold: float, min_tokens: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-to-one alignment of A's and B's sentences by weighted Dice, best first; (i, j, sim) sorted by i.

    ``t*`` hashes, ``o*`` sentence offsets, ``wa`` A's weights (B's are not
    needed: a shared hash weighs the same on both sides), ``z*`` sizes, ``m*``
    masses.  Only sentences with at least ``min_tokens`` stems take part;
    ties in similarity go to the smaller i, then the smaller j.
    """
    na, nb = len(oa) - 1, len(ob) - 1
    count = 0
    for j in range(nb):
        if zb[j] >= min_tokens:
            count += ob[j + 1] - ob[j]
    keys = np.empty(count, dtype=np.uint32)
    owner = np.empty(count, dtype=np.int64)
    q = 0
    for j in range(nb):
        if zb[j] >= min_tokens:
            for p in range(ob[j], ob[j + 1]):
                keys[q] = tb[p]
                owner[q] = j
                q += 1
    order = argsort_stable(keys)  # stable: equal hashes keep j ascending
    keys = keys[order]
    owner = owner[order]

    shared = np.zeros(nb, dtype=np.float64)
    seen = np.zeros(nb, dtype=np.bool_)
    touched = np.empty(nb, dtype=np.int64)
    cap = 16
    si = np.empty(cap, dtype=np.int64)
    sj = np.empty(cap, dtype=np.int64)
    ss = np.empty(cap, dtype=np.float64)
    n_scored = 0
    for i in range(na):
        if za[i] < min_tokens:
            continue
        nt = 0
        for p in range(oa[i], oa[i + 1]):
            t = ta[p]
            w = wa[p]
            k = np.searchsorted(keys, t)
            while k < count and keys[k] == t:
                j = owner[k]
                if not seen[j]:
                    seen[j] = True
                    touched[nt] = j
                    nt += 1
                shared[j] += w
                k += 1
        hits = touched[:nt].copy()
        sort_inplace(hits)
        for j in hits:
            sim = 2.0 * shared[j] / (ma[i] + mb[j])
            if sim >= threshold:
                if n_scored == cap:
                    cap *= 2
                    si2 = np.empty(cap, dtype=np.int64)
                    sj2 = np.empty(cap, dtype=np.int64)
                    ss2 = np.empty(cap, dtype=np.float64)
                    for x in range(n_scored):  # loops, not slice assignments (numba's broadcast checks: 2.3 s)
                        si2[x] = si[x]
                        sj2[x] = sj[x]
                        ss2[x] = ss[x]
                    si, sj, ss = si2, sj2, ss2
                si[n_scored] = i
                sj[n_scored] = j
                ss[n_scored] = sim
                n_scored += 1
            shared[j] = 0.0
            seen[j] = False
    best = argsort_stable(-ss[:n_scored])  # stable: ties stay in (i, j) order
    used_a = np.zeros(na, dtype=np.bool_)
    used_b = np.zeros(nb, dtype=np.bool_)
    oi = np.empty(min(na, nb), dtype=np.int64)
    oj = np.empty(min(na, nb), dtype=np.int64)
    os_ = np.empty(min(na, nb), dtype=np.float64)
    n_out = 0
    for r in best:
        i, j = si[r], sj[r]
        if not used_a[i] and not used_b[j]:
            used_a[i] = True
            used_b[j] = True
            oi[n_out] = i
            oj[n_out] = j
            os_[n_out] = ss[r]
            n_out += 1
    by_i = argsort_stable(oi[:n_out])  # the i are distinct: the one order there is
    return oi[:n_out][by_i], oj[:n_out][by_i], os_[:n_out][by_i]


@numba.njit(cache=True, nogil=True)
def matching_blocks(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()`` for int64 arrays.

    Rows (i, j, size), sorted, adjacent blocks merged, ending with (len(a), len(b), 0).  The same
    recursion as difflib: the longest common run of the range (ties to the smallest i, then j),
    then the ranges left and right of it.
    """
    la, lb = len(a), len(b)
    cap = min(la, lb) + 1
    found = np.empty((cap, 3), dtype=np.int64)
    nf = 0
    stack = np.empty((2 * cap + 2, 4), dtype=np.int64)
    stack[0, 0], stack[0, 1], stack[0, 2], stack[0, 3] = 0, la, 0, lb
    top = 1
    prev = np.zeros(lb + 1, dtype=np.int64)
    cur = np.zeros(lb + 1, dtype=np.int64)
    while top:
        top -= 1
        alo, ahi, blo, bhi = stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3]
        besti, bestj, best = alo, blo, 0
        prev[:] = 0  # prev[j - blo + 1]: length of the common run ending at a[i - 1], b[j]
        for i in range(alo, ahi):
            cur[0] = 0
            for j in range(blo, bhi):
                if a[i] == b[j]:
                    k = prev[j - blo] + 1
                    cur[j - blo + 1] = k
                    if k > best:
                        besti, bestj, best = i - k + 1, j - k + 1, k
                else:
                    cur[j - blo + 1] = 0
            prev, cur = cur, prev
        if best:
            found[nf, 0], found[nf, 1], found[nf, 2] = besti, bestj, best
            nf += 1
            if alo < besti and blo < bestj:
                stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3] = alo, besti, blo, bestj
                top += 1
            if besti + best < ahi and bestj + best < bhi:
                stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3] = besti + best, ahi, bestj + best, bhi
                top += 1
    # the blocks' i are distinct, so there is one order; sorted on a C-contiguous copy (one specialization)
    found = found[:nf][argsort_stable(found[:nf, 0].copy())]
    out = np.empty((nf + 1, 3), dtype=np.int64)
    n = 0
    i1 = j1 = k1 = 0
    for r in range(nf):
        i2, j2, k2 = found[r, 0], found[r, 1], found[r, 2]
        if i1 + k1 == i2 and j1 + k1 == j2:
            k1 += k2
        else:
            if k1:
                out[n, 0], out[n, 1], out[n, 2] = i1, j1, k1
                n += 1
            i1, j1, k1 = i2, j2, k2
    if k1:
        out[n, 0], out[n, 1], out[n, 2] = i1, j1, k1
        n += 1
    out[n, 0], out[n, 1], out[n, 2] = la, lb, 0
    return out[:n + 1].copy()
