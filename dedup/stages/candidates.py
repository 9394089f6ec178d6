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

from dedup.kernels.lsh import _bucket_codes, _containment, columns_of, fresh_band


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


FRESH_BLOCK = 16  # bands whose signature columns ``fresh_bands`` copies out at once

BandInput = tuple[np.ndarray, Banding, np.ndarray, float, np.ndarray | None]  # signatures, banding, sizes,
# screen, fresh
BandMap = Callable[[list[int], BandInput], Iterator[tuple[np.ndarray, LshStats]]]  # bands -> each band's result


def band_task(bands: list[int], ctx: BandInput) -> list[tuple[np.ndarray, LshStats]]:
    """The screened pair codes of each of ``bands``, as a task (an engine's): bands are independent."""
    values, shape, sizes, screen, fresh = ctx
    if fresh is not None:
        return fresh_bands(values, shape, bands, sizes, screen, fresh)
    return [_band_pairs(values, shape, band, sizes, screen) for band in bands]


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
    A band then sorts nothing: two compiled passes over its keys count and collect the buckets a
    fresh document is in.
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

    step = FRESH_BLOCK if fresh is not None else 1  # bands one call works on
    groups = [list(range(b, min(b + step, shape.bands))) for b in range(0, shape.bands, step)]

    def some(bands: list[int]) -> list[tuple[np.ndarray, LshStats]]:
        return band_task(bands, (values, shape, doc_sizes, screen, fresh))

    found: list[np.ndarray] = []
    pool = ThreadPoolExecutor(threads) if threads > 1 and bands_by is None else None
    try:
        if bands_by is not None:
            bands: Iterator[tuple[np.ndarray, LshStats]] = bands_by(list(range(shape.bands)),
                                                                    (values, shape, doc_sizes, screen, fresh))
        else:
            bands = (r for part in (pool.map(some, groups) if pool else map(some, groups)) for r in part)
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


def _band_pairs(values: np.ndarray, shape: Banding, band: int, sizes: np.ndarray, screen: float
                ) -> tuple[np.ndarray, LshStats]:
    """The screened pair codes of one band, splitting its crowded buckets."""
    n, width = values.shape
    stats = LshStats()
    found: list[np.ndarray] = []
    keys = band_keys(values, band, shape.rows)
    members = np.arange(n, dtype=np.int64)
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
        codes, met, crowded = _bucket_codes(in_order, starts, runs, shape.max_bucket, last, values, sizes, screen)
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


def fresh_bands(values: np.ndarray, shape: Banding, bands: list[int], sizes: np.ndarray, screen: float,
                fresh: np.ndarray) -> list[tuple[np.ndarray, LshStats]]:
    """``_band_pairs`` of each of ``bands`` for the pairs with a fresh document, without sorting a band:
    the same pairs, less those of two documents that are not fresh (``kernels.lsh.fresh_band``: two
    passes over a band's keys count and then collect only the buckets a fresh document is in).

    The signature columns of ``FRESH_BLOCK`` bands at a time (their own and those their splits mix
    in) are first copied out as contiguous rows, so that the passes read them in order."""
    width = values.shape[1]
    rows = shape.rows
    fresh_rows = np.flatnonzero(fresh).astype(np.int64)
    out = []
    for lo in range(0, len(bands), FRESH_BLOCK):
        block = bands[lo:lo + FRESH_BLOCK]
        own = {b: list(range(b * rows, (b + 1) * rows)) for b in block}
        split = {b: [(b * rows + rows + level) % width for level in range(shape.split)] for b in block}
        needed = sorted({c for b in block for c in own[b] + split[b]})
        at = {c: k for k, c in enumerate(needed)}
        columns = columns_of(values, np.array(needed, dtype=np.int64))
        for b in block:
            keys = band_keys(columns[[at[c] for c in own[b]]].T, 0, rows)
            codes, met, splits, stars = fresh_band(keys, columns, np.array([at[c] for c in split[b]], dtype=np.int64),
                                                   fresh_rows, fresh, shape.max_bucket, values, sizes, screen)
            out.append((codes, LshStats(met, met - len(codes), splits, stars)))
    return out


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


