"""Sorts written as plain loops (numba), for the kernels' small arrays.

numba's own ``np.sort`` and ``np.argsort(kind="mergesort")`` are generic, recursive
implementations that take long to compile for each key type, and a first run
compiles every one the kernels call; these compile in a fraction of that.  The
arrays the kernels sort are short (a document's stems, a bucket's members, a
pair's sentences), where an insertion sort of runs and bottom-up merges are as
quick as any.

The references are ``np.sort`` and ``np.argsort(kind="stable")``: a stable sort's
order is unique, so the result is the same permutation (``tests/kernels/test_sorting.py``).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def argsort_stable(keys):  # pragma: no cover - compiled
    """``np.argsort(keys, kind="stable")`` of a 1-d array: bottom-up merge sort of the positions (NaN last)."""
    n = len(keys)
    idx = np.arange(n)
    if n < 2:
        return idx
    tmp = np.empty(n, dtype=np.int64)
    width = 1
    while width < n:
        lo = 0
        while lo < n - width:
            mid = lo + width
            hi = min(mid + width, n)
            i, j, o = lo, mid, lo
            while i < mid and j < hi:
                a, b = keys[idx[i]], keys[idx[j]]
                if b < a or (a != a and b == b):  # take the right one only when strictly smaller
                    tmp[o] = idx[j]
                    j += 1
                else:
                    tmp[o] = idx[i]
                    i += 1
                o += 1
            while i < mid:
                tmp[o] = idx[i]
                i += 1
                o += 1
            while j < hi:
                tmp[o] = idx[j]
                j += 1
                o += 1
            for x in range(lo, hi):
                idx[x] = tmp[x]
            lo = hi
        width *= 2
    return idx


@numba.njit(cache=True, nogil=True)
def sort_inplace(a):  # pragma: no cover - compiled
    """``a.sort()`` of a 1-d array (NaN last): insertion sort of runs of 16, then bottom-up merges."""
    n = len(a)
    run = 16
    for lo in range(0, n, run):
        hi = min(lo + run, n)
        for i in range(lo + 1, hi):
            v = a[i]
            j = i
            while j > lo and (v < a[j - 1] or (a[j - 1] != a[j - 1] and v == v)):
                a[j] = a[j - 1]
                j -= 1
            a[j] = v
    if n <= run:
        return
    src = a
    dst = np.empty_like(a)
    width = run
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j, o = lo, mid, lo
            while i < mid and j < hi:
                x, y = src[i], src[j]
                if y < x or (x != x and y == y):
                    dst[o] = y
                    j += 1
                else:
                    dst[o] = x
                    i += 1
                o += 1
            while i < mid:
                dst[o] = src[i]
                i += 1
                o += 1
            while j < hi:
                dst[o] = src[j]
                j += 1
                o += 1
        src, dst = dst, src
        width *= 2
    if src is not a:
        for x in range(n):
            a[x] = src[x]
