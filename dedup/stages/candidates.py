"""Candidates stage: LSH banding over the signature matrix, with crowded buckets split (LSH Forest style).

A band is ``rows`` consecutive signature values, and two documents share a
bucket when all ``rows`` values of a band are equal, as in datasketch's
``MinHashLSH``: with no crowded bucket and the (bands, rows) that
``MinHashLSH`` picks for a threshold (``lsh_params``), the pairs are exactly
``MinHashLSH.query``'s (tested).  It
is done over all documents at once (sort each band's keys, cut the order into
runs of equal keys, emit the pairs in compiled code) instead of one
dictionary insert per document and band.

With 1-row bands (the default: 256 bands of one value each) two documents
share a bucket of a band with probability equal to their Jaccard, so a copy
with little overlap (a short article taken from a long wire story) is still
proposed; but on a large corpus many unrelated articles of one topic share
some band by chance, and kept as they are such pairs grow with the square of
the corpus.  So a bucket of more than ``max_bucket`` documents is split by the
next signature value of each member (the next band's value), and again, up
to ``split`` times (LSH Forest, Bawa et al. 2005): rows grow only where
buckets are crowded, and a band proposes at most about ``N * max_bucket / 2``
pairs.  A bucket still crowded after the last split (identical or
boilerplate-only texts) links its members to its first member only.  Copies
agree on most values, so they stay together through the splits; chance
neighbours do not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from dedup.kernels.lsh import _bucket_codes, _containment, fresh_buckets


@lru_cache(maxsize=32)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that datasketch's MinHashLSH picks (equal weights on both errors)."""
    from datasketch.lsh import (
        _optimal_param,  # datasketch takes 0.6 s to import; only this needs it
    )

    b, r = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(b), int(r)


@dataclass(frozen=True)
class Banding:
    """How signatures are cut into LSH bands, and how crowded buckets are split."""

    bands: int
    rows: int
    max_bucket: int = 10**9  # a bucket over this is split (or, after the last split, linked as a star)
    split: int = 0  # times a crowded bucket is split by one more signature value

    def describe(self) -> str:
        text = f"{self.bands} bands x {self.rows} row(s)"
        return text + (f", buckets over {self.max_bucket} split by up to {self.split} more value(s)"
                       if self.split else f", buckets over {self.max_bucket} linked as stars")


def banding(num_perm: int, rows: int, max_bucket: int, split: int) -> Banding:
    """``num_perm // rows`` bands of ``rows`` values."""
    return Banding(num_perm // rows, rows, max_bucket, split)


def band_keys(values: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One 64-bit key per document for one band (equal rows give equal keys)."""
    part = np.ascontiguousarray(values[:, band * rows:(band + 1) * rows])
    if rows == 1:
        return part[:, 0].astype(np.int64)
    if rows == 2:  # two 32-bit values pack into one 64-bit key: exact
        return part.view(np.int64).ravel()
    # More rows: a 64-bit mix of the values.  Unequal rows share a key with
    # probability about 2**-64 per pair; the verifier checks every pair anyway.
    key = np.zeros(len(part), dtype=np.int64)
    for c in range(rows):
        key = _mix(key, part[:, c])
    return key


def _mix(key: np.ndarray, value: np.ndarray) -> np.ndarray:
    """A 64-bit key folded with one more 32-bit value: splitmix64 of (splitmix64 of the key) xor the value.

    The key is mixed before the value goes in, so that (key, value) pairs that
    differ do not meet by chance (a raw 1-row key xor its next value would).
    """
    return _splitmix(_splitmix(key.view(np.uint64)) ^ value.astype(np.uint64)).view(np.int64)


def _splitmix(k: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        k = k + np.uint64(0x9E3779B97F4A7C15)
        k = (k ^ (k >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        k = (k ^ (k >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return k ^ (k >> np.uint64(31))


@dataclass
class LshStats:
    """What the bands did: pairs met in buckets, those the screen dropped, buckets split or linked as stars."""

    collisions: int = 0  # pair-bucket meetings, a pair counted once per band whose bucket it shares
    screened_out: int = 0  # of those, meetings whose estimated containment is under the screen
    split_buckets: int = 0
    star_buckets: int = 0


BandInput = tuple[np.ndarray, Banding, np.ndarray, float, np.ndarray | None]  # signatures, banding, sizes,
# screen, fresh
BandMap = Callable[[list[int], BandInput], Iterator[tuple[np.ndarray, LshStats]]]  # bands -> each band's result


def band_task(bands: list[int], ctx: BandInput) -> list[tuple[np.ndarray, LshStats]]:
    """The screened pair codes of each of ``bands``, as a task (an engine's): bands are independent."""
    values, shape, sizes, screen, fresh = ctx
    return [_band_pairs(values, shape, band, sizes, screen, fresh) for band in bands]


def candidate_pairs(values: np.ndarray, shape: Banding, sizes: np.ndarray | None = None, screen: float = 0.0,
                    progress: Callable[[int, int], None] | None = None,
                    stats: LshStats | None = None, threads: int = 1, bands_by: BandMap | None = None,
                    fresh: np.ndarray | None = None) -> np.ndarray:
    """Index pairs (i, j), i < j, sharing a bucket of some band; shape (k, 2), sorted, distinct.

    A crowded bucket of band b is split by signature value ``b * rows + rows + level``
    (modulo the signature's length) at split ``level``: the values that follow the band's own.

    With ``sizes`` (each document's number of shingles), a pair is kept only if
    its MinHash-estimated containment (``estimated_containment``) is at least
    ``screen``, checked as the pair is met, so memory holds only the pairs kept.
    ``threads`` > 1 works on that many bands at once (the sorts and the kernel
    release the GIL); the result does not depend on it.  ``bands_by``, when given,
    runs the bands elsewhere (``band_task`` on an engine), each band's result in band order.

    ``fresh`` (one bool per document): only the pairs with at least one fresh document, exactly
    those of the pairs found without it (an index's addition: the pairs its new documents bring).
    A band then sorts only the documents whose bucket holds a fresh one, so the cost of the
    bands follows the fresh documents' neighbours, not the corpus (but for one pass over its keys).
    """
    n = len(values)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    stats = stats if stats is not None else LshStats()
    doc_sizes = (sizes if sizes is not None else np.ones(n)).astype(np.float64)
    screen = screen if sizes is not None else -1.0
    if fresh is not None:
        fresh = np.ascontiguousarray(fresh, dtype=np.bool_)
        if not fresh.any():
            return np.empty((0, 2), dtype=np.int64)

    def one(band: int) -> tuple[np.ndarray, LshStats]:
        return _band_pairs(values, shape, band, doc_sizes, screen, fresh)

    found: list[np.ndarray] = []
    pool = ThreadPoolExecutor(threads) if threads > 1 and bands_by is None else None
    try:
        if bands_by is not None:
            bands: Iterator[tuple[np.ndarray, LshStats]] = bands_by(list(range(shape.bands)),
                                                                    (values, shape, doc_sizes, screen, fresh))
        else:
            bands = pool.map(one, range(shape.bands)) if pool else map(one, range(shape.bands))
        for band, (codes, band_stats) in enumerate(bands):
            found.append(codes)
            for f in fields(LshStats):
                setattr(stats, f.name, getattr(stats, f.name) + getattr(band_stats, f.name))
            if len(found) >= 16:  # keep memory bounded: fold what the bands found so far (each band's
                # screened codes grow with the corpus, and the fold copies and sorts them)
                found = [_distinct(np.concatenate(found))]
            if progress:
                progress(band + 1, shape.bands)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    codes = _distinct(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    return np.stack([codes // n, codes % n], axis=1) if len(codes) else np.empty((0, 2), dtype=np.int64)


def _band_pairs(values: np.ndarray, shape: Banding, band: int, sizes: np.ndarray, screen: float,
                fresh: np.ndarray | None = None) -> tuple[np.ndarray, LshStats]:
    """The screened pair codes of one band, splitting its crowded buckets; with ``fresh``, only the
    pairs with a fresh document, from the buckets that hold one (each such bucket whole)."""
    if fresh is not None:
        return _fresh_band_pairs(values, shape, band, sizes, screen, fresh)
    n, width = values.shape
    stats = LshStats()
    found: list[np.ndarray] = []
    keys = band_keys(values, band, shape.rows)
    members = np.arange(n, dtype=np.int64)
    flags = np.zeros(0, dtype=np.bool_)
    for level in range(shape.split + 1):
        last = level == shape.split
        if level == 0 and shape.rows == 1 and n <= 1 << 32:
            # 1-row keys are 32-bit values: one plain sort of (key, document) packed in 64 bits gives the
            # stable order by key (ties by document), without a stable argsort and two gathers
            packed = (keys.astype(np.uint64) << np.uint64(32)) | members.astype(np.uint64)
            packed.sort()
            sorted_keys = (packed >> np.uint64(32)).astype(np.int64)
            in_order = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
            del packed
        else:
            order = np.argsort(keys, kind="stable")
            sorted_keys, in_order = keys[order], members[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
        runs = np.diff(np.append(starts, len(sorted_keys)))
        codes, met, crowded = _bucket_codes(in_order, starts, runs, shape.max_bucket, last, values, sizes, screen,
                                            flags)  # no flags: every pair
        found.append(codes)
        stats.collisions += met
        stats.screened_out += met - len(codes)
        if last or crowded == 0:
            stats.star_buckets += crowded if last else 0
            break
        stats.split_buckets += crowded
        big = np.repeat(runs > shape.max_bucket, runs)  # per sorted position: in a crowded bucket
        members = in_order[big]
        keys = _mix(sorted_keys[big], values[members, (band * shape.rows + shape.rows + level) % width])
    return (np.concatenate(found) if len(found) > 1 else found[0]), stats


def _fresh_band_pairs(values: np.ndarray, shape: Banding, band: int, sizes: np.ndarray, screen: float,
                      fresh: np.ndarray) -> tuple[np.ndarray, LshStats]:
    """``_band_pairs`` for the pairs with a fresh document, without sorting the band.

    At each split level only the buckets that hold a fresh document matter, and
    each is found whole by looking every member's key up among the fresh
    documents' keys; their sizes are counted, not sorted.  The small buckets
    are sorted (at most ``max_bucket`` members per fresh document) and paired;
    the crowded ones go on to the next split as the full band sends them, or,
    after the last, are linked as stars: the same pairs as ``_band_pairs``,
    less those of two documents that are not fresh."""
    n, width = values.shape
    stats = LshStats()
    found: list[np.ndarray] = []
    keys = band_keys(values, band, shape.rows)
    members = np.arange(n, dtype=np.int64)  # ascending, and kept so by every selection
    for level in range(shape.split + 1):
        last = level == shape.split
        members, keys, at, size = fresh_buckets(keys, members, fresh)
        paired = np.ones(len(at), dtype=np.bool_) if last else size[at] <= shape.max_bucket
        order = np.argsort((at[paired].astype(np.uint64) << np.uint64(32)) | members[paired].astype(np.uint64))
        in_order = members[paired][order]
        runs = size if last else size[size <= shape.max_bucket]  # in bucket order, as sorted
        starts = np.concatenate(([0], np.cumsum(runs[:-1]))).astype(np.int64) if len(runs) else runs
        codes, met, crowded = _bucket_codes(in_order, starts, runs.astype(np.int64), shape.max_bucket, last, values,
                                            sizes, screen, fresh)
        found.append(codes)
        stats.collisions += met
        stats.screened_out += met - len(codes)
        big = ~paired
        if last or not big.any():
            stats.star_buckets += crowded if last else 0
            break
        stats.split_buckets += int((size > shape.max_bucket).sum())
        members = members[big]
        keys = _mix(keys[big], values[members, (band * shape.rows + shape.rows + level) % width])
    return (np.concatenate(found) if len(found) > 1 else found[0]), stats


def _distinct(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by sorting: numpy's hash-based ``unique`` is far slower on these)."""
    codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes


def estimated_containment(pairs: np.ndarray, values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """For each pair, the MinHash estimate of the larger containment (the smaller set's share in the other).

    From the estimated Jaccard J and the set sizes: |A & B| = J (|A| + |B|) / (1 + J).
    """
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.float64)
    return _containment(np.ascontiguousarray(pairs, dtype=np.int64), values, sizes.astype(np.float64))


