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
    order = np.argsort(keys, kind="mergesort")  # stable: equal hashes keep j ascending
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
        hits = np.sort(touched[:nt])
        for j in hits:
            sim = 2.0 * shared[j] / (ma[i] + mb[j])
            if sim >= threshold:
                if n_scored == cap:
                    cap *= 2
                    si2 = np.empty(cap, dtype=np.int64)
                    sj2 = np.empty(cap, dtype=np.int64)
                    ss2 = np.empty(cap, dtype=np.float64)
                    si2[:n_scored] = si[:n_scored]
                    sj2[:n_scored] = sj[:n_scored]
                    ss2[:n_scored] = ss[:n_scored]
                    si, sj, ss = si2, sj2, ss2
                si[n_scored] = i
                sj[n_scored] = j
                ss[n_scored] = sim
                n_scored += 1
            shared[j] = 0.0
            seen[j] = False
    best = np.argsort(-ss[:n_scored], kind="mergesort")  # stable: ties stay in (i, j) order
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
    by_i = np.argsort(oi[:n_out])
    return oi[:n_out][by_i], oj[:n_out][by_i], os_[:n_out][by_i]
