"""Where the run keeps its corpus: flat arrays per document, without a Python object per document.

Like datasketch's storage layer, this holds data and knows nothing of the
stages: ``CSR`` rows of hashes, ``Sentences`` (each document's sentences as
hashes), ``RowSubset`` and ``SortedIndex`` (lookups without a per-row object),
``gather``/``take`` (one array from many parts, the parts freed as they are
copied), and ``LRU``, the small cache of values made on demand per document.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Generic, TypeVar

import numpy as np

K = TypeVar("K")
V = TypeVar("V")

CACHE_DOCS = 2048  # documents (as profiles) kept per process


class LRU(Generic[K, V]):
    """The last ``size`` values made, by key: ``get(key, make)`` returns the kept value or makes and keeps it."""

    __slots__ = ("_items", "size")

    def __init__(self, size: int = CACHE_DOCS) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[], V]) -> V:
        value = self._items.get(key)
        if value is None:
            value = self._items[key] = make()
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return value


class CSR:
    """Variable-length rows of one numpy array: row k is ``flat[offsets[k]:offsets[k + 1]]``."""

    __slots__ = ("flat", "offsets")

    def __init__(self, flat: np.ndarray, offsets: np.ndarray) -> None:
        self.flat, self.offsets = flat, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, k: int) -> np.ndarray:
        return self.flat[self.offsets[k]:self.offsets[k + 1]]

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @classmethod
    def concat(cls, parts: Sequence[tuple[np.ndarray, np.ndarray]], dtype: type) -> CSR:
        """Join (flat, lengths) parts, rows in order."""
        lengths = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        flat = np.concatenate([p[0] for p in parts]).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
        return cls(flat, np.concatenate(([0], np.cumsum(lengths, dtype=np.int64))))

    def take(self, rows: np.ndarray, block: int = 1 << 16) -> CSR:
        """A CSR of the given rows, in that order (gathered in blocks to bound the index arrays)."""
        lengths = self.lengths()[rows]
        offsets = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
        flat = np.empty(int(offsets[-1]), dtype=self.flat.dtype)
        for b in range(0, len(rows), block):
            r, ln = rows[b:b + block], lengths[b:b + block]
            start = self.offsets[r]
            idx = np.repeat(start - offsets[b:b + len(r)], ln) + np.arange(offsets[b], offsets[b + len(r)])
            flat[offsets[b]:offsets[b + len(r)]] = self.flat[idx]
        return CSR(flat, offsets)


class SortedIndex(Mapping[str, int]):
    """Id -> its place in a sorted list of ids, by binary search (a dict of a million ids takes ~100 MB)."""

    __slots__ = ("_ids",)

    def __init__(self, ids: Sequence[str]) -> None:
        self._ids = ids

    def __getitem__(self, key: str) -> int:
        k = bisect_left(self._ids, key)
        if k == len(self._ids) or self._ids[k] != key:
            raise KeyError(key)
        return k

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class RowSubset:
    """Some rows of a 2-d array, looked up by their row numbers in the whole one (which need not be held)."""

    __slots__ = ("rows", "values")

    def __init__(self, rows: np.ndarray, values: np.ndarray) -> None:
        """``values[i]`` is row ``rows[i]`` of the whole; ``rows`` sorted and distinct (binary search)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) != len(values) or (len(rows) > 1 and not bool(np.all(rows[1:] > rows[:-1]))):
            raise ValueError("rows must be sorted, distinct and one per row of values")
        self.rows, self.values = rows, values

    @classmethod
    def of(cls, whole: np.ndarray, rows: np.ndarray) -> RowSubset:
        """The given rows of ``whole`` (in any order, repeats allowed), copied."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        return cls(rows, whole[rows])

    def __getitem__(self, k: int) -> np.ndarray:
        at = int(np.searchsorted(self.rows, k))
        if at == len(self.rows) or self.rows[at] != k:
            raise KeyError(f"row {k} is not among the {len(self.rows)} kept")
        return self.values[at]

    def __len__(self) -> int:
        return len(self.rows)

    def narrow(self, rows: np.ndarray) -> RowSubset:
        """Fewer of these rows, as a subset of its own (this one can then be freed)."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        at = np.searchsorted(self.rows, rows)
        missing = (at == len(self.rows)) | (self.rows[np.minimum(at, max(len(self.rows) - 1, 0))] != rows) \
            if len(self.rows) else np.ones(len(rows), bool)
        if missing.any():
            raise KeyError(f"row {int(rows[np.argmax(missing)])} is not among the {len(self.rows)} kept")
        return RowSubset(rows, self.values[at])


class Sentences:
    """Every document's sentences as hashes (``DocSketch``), in flat arrays; document k's are rows doc[k]:doc[k+1]."""

    __slots__ = ("doc", "keys", "prints", "spans", "tokens", "words")

    def __init__(self, tokens: CSR, prints: np.ndarray, doc: np.ndarray, words: np.ndarray, keys: np.ndarray,
                 spans: np.ndarray) -> None:
        if len(tokens.offsets) and tokens.offsets[-1] < 2**32:  # one offset per sentence: half the memory
            tokens = CSR(tokens.flat, tokens.offsets.astype(np.uint32))
        self.tokens, self.prints, self.doc, self.words, self.keys = tokens, prints, doc, words, keys
        self.spans = spans  # (sentences, 2) uint32: each sentence's (start, end) in its document's text

    def arrays(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Document k's sentences as (stem hashes one sentence after another, the count of each's, fingerprints)."""
        tokens, offsets, prints = self.rows(k)
        return tokens, np.diff(offsets), prints

    def rows(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Document k's sentences as (stem hashes one sentence after another, int64 offsets of each
        sentence's from 0, fingerprints)."""
        lo, hi = int(self.doc[k]), int(self.doc[k + 1])
        off = self.tokens.offsets[lo:hi + 1].astype(np.int64)
        start = int(off[0]) if len(off) else 0
        return self.tokens.flat[start:int(off[-1]) if len(off) else 0], off - start, self.prints[lo:hi]



def increasing(rows: np.ndarray, n: int) -> bool:
    """Row numbers strictly increasing, within 0..n-1."""
    return bool(len(rows) == 0 or (rows[0] >= 0 and rows[-1] < n and np.all(rows[1:] > rows[:-1])))


class _Picker:
    """Increasing row numbers over the concatenation of parts, handed out part by part."""

    def __init__(self, rows: np.ndarray | None) -> None:
        self.rows, self.at, self.base = rows, 0, 0

    def next(self, size: int) -> np.ndarray | None:
        """The rows within the next ``size`` rows, local to them; None for all of them."""
        if self.rows is None:
            return None
        end = int(np.searchsorted(self.rows, self.base + size, side="left"))
        local = self.rows[self.at:end] - self.base
        self.at, self.base = end, self.base + size
        return None if len(local) == size else local


def gather(parts: list[tuple[np.ndarray, np.ndarray]], dtype: type, rows: np.ndarray | None) -> CSR:
    """``rows`` (None: all) of the CSR the (flat, lengths) parts make, in that order; the parts list is emptied.

    Rows in increasing order (the usual case: files are read in id order) are copied part by
    part into one array, each part freed once copied, so the corpus's rows are never held twice."""
    lengths = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    if rows is not None and not increasing(rows, len(lengths)):
        joined = CSR.concat(parts, dtype)
        parts.clear()
        return joined.take(rows)
    offsets = np.concatenate(([0], np.cumsum(lengths if rows is None else lengths[rows], dtype=np.int64)))
    flat = np.empty(int(offsets[-1]), dtype=dtype)
    picker, at = _Picker(rows), 0
    parts.reverse()
    while parts:
        part_flat, part_lengths = parts.pop()
        local = picker.next(len(part_lengths))
        if local is not None:
            part_offsets = np.concatenate(([0], np.cumsum(part_lengths, dtype=np.int64)))
            part_flat = CSR(part_flat, part_offsets).take(local).flat
        flat[at:at + len(part_flat)] = part_flat
        at += len(part_flat)
    return CSR(flat, offsets)


def take(parts: list[np.ndarray], dtype: type, rows: np.ndarray | None, width: int = 1) -> np.ndarray:
    """``rows`` (None: all) of the parts joined along their first axis (each part ``width`` wide when 2-d);
    the parts list is emptied as in ``gather``."""
    n = sum(len(p) for p in parts)
    shape = (n if rows is None else len(rows),) + (() if width == 1 else (width,))
    if rows is not None and not increasing(rows, n):
        joined = np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(shape, dtype)
        parts.clear()
        return joined[rows]
    out = np.empty(shape, dtype=dtype)
    picker, at = _Picker(rows), 0
    parts.reverse()
    while parts:
        part = parts.pop()
        local = picker.next(len(part))
        if local is not None:
            part = part[local]
        out[at:at + len(part)] = part
        at += len(part)
    return out
