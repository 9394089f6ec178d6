"""A run's results kept compact: clusters as compressed pickles, verified pairs as columns.

A cluster with its evidence and word-level diffs is about a hundred small
objects, so a million documents' clusters would take gigabytes as objects
(docs/performance.md has the sizes).  ``PackedClusters`` keeps each as zlib-compressed
pickle bytes, plus a light ``ClusterHead`` (id, canonical,
member ids) for everything that needs no diffs: counts, file names, the
``documents.jsonl`` rows.  It is a ``Sequence[Cluster]``: indexing or iterating
gives ``Cluster`` objects, unpacked as they are asked for, and a slice is
another ``PackedClusters``, so handing a slice to a worker process sends bytes,
which the worker unpacks itself.

``EdgeTable`` does the same for the verified pairs (900,000 of them at a
million documents): numpy columns of their figures, ``Edge`` objects made when
one is read.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from dedup.types import RELATIONS, Cluster, ClusterHead, Edge, Evidence

LEVEL = 1  # zlib level: higher levels save little on pickles of diffs and cost more time


def pack(cluster: Cluster) -> tuple[ClusterHead, bytes]:
    """A cluster's head, and its bytes for ``PackedClusters``."""
    return head(cluster), zlib.compress(pickle.dumps(cluster, protocol=pickle.HIGHEST_PROTOCOL), LEVEL)


def unpack(data: bytes) -> Cluster:
    cluster = pickle.loads(zlib.decompress(data))
    if not isinstance(cluster, Cluster):
        raise TypeError(f"packed bytes hold a {type(cluster).__name__}, not a Cluster")
    return cluster


def head(cluster: Cluster) -> ClusterHead:
    return ClusterHead(cluster.id, cluster.canonical, tuple(m.id for m in cluster.members))


def heads(clusters: Sequence[Cluster]) -> Sequence[ClusterHead]:
    """Each cluster's head: read from a ``PackedClusters`` without unpacking, made from the objects otherwise."""
    if isinstance(clusters, PackedClusters):
        return clusters.heads
    return [head(c) for c in clusters]


class PackedClusters(Sequence[Cluster]):
    """Clusters as packed bytes, in the order given (the pipeline gives them sorted by id)."""

    __slots__ = ("_blobs", "heads")

    def __init__(self, packed: Iterable[tuple[ClusterHead, bytes]] = ()) -> None:
        pairs = list(packed)
        self.heads: tuple[ClusterHead, ...] = tuple(h for h, _ in pairs)
        self._blobs: tuple[bytes, ...] = tuple(b for _, b in pairs)

    @classmethod
    def of(cls, clusters: Iterable[Cluster]) -> PackedClusters:
        return cls(pack(c) for c in clusters)

    def __len__(self) -> int:
        return len(self._blobs)

    @overload
    def __getitem__(self, k: int) -> Cluster: ...
    @overload
    def __getitem__(self, k: slice) -> PackedClusters: ...

    def __getitem__(self, k: int | slice) -> Cluster | PackedClusters:
        if isinstance(k, slice):
            return PackedClusters(zip(self.heads[k], self._blobs[k], strict=True))
        return unpack(self._blobs[k])

    def __iter__(self) -> Iterator[Cluster]:
        for data in self._blobs:
            yield unpack(data)

    def nbytes(self) -> int:
        """Bytes held by the packed clusters (heads not counted)."""
        return sum(len(b) for b in self._blobs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedClusters):
            return (self.heads == other.heads and self._blobs == other._blobs) or list(self) == list(other)
        return _same_items(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedClusters({len(self)} clusters, {self.nbytes():,} bytes)"

    def __reduce__(self) -> tuple[type, tuple[list[tuple[ClusterHead, bytes]]]]:
        return PackedClusters, (list(zip(self.heads, self._blobs, strict=True)),)


def evidence(f: Sequence[float], relation: int) -> Evidence:
    """An ``Evidence`` from its numbers in ``_FIGURES`` order and its relation's index in ``RELATIONS``."""
    return Evidence(f[0], f[1], f[2], f[3], int(f[4]), f[5], f[6], f[7], f[8], RELATIONS[relation])


_FIGURES = ("minhash_jaccard", "jaccard", "containment_ab", "containment_ba", "aligned_sentences", "coverage_a",
            "coverage_b", "order", "score")


@dataclass(frozen=True, slots=True)
class EdgeColumns:
    """Verified pairs as columns: what a verify worker hands back for its chunk of candidate pairs."""

    pairs: np.ndarray  # (n, 2) int64: document numbers (k-th by id), a < b
    figures: np.ndarray  # (n, 9) float64: the Evidence numbers, in _FIGURES order
    relations: np.ndarray  # (n,) uint8: index into RELATIONS
    accepted: np.ndarray  # (n,) bool
    reasons: list[str]  # one per pair

    @classmethod
    def of(cls, pairs: Sequence[tuple[int, int]], edges: Sequence[Edge]) -> EdgeColumns:
        figures = np.array([[getattr(e.evidence, f) for f in _FIGURES] for e in edges], dtype=np.float64)
        return cls(np.array(pairs, dtype=np.int64).reshape(-1, 2), figures.reshape(-1, len(_FIGURES)),
                   np.array([RELATIONS.index(e.evidence.relation) for e in edges], dtype=np.uint8),
                   np.array([e.accepted for e in edges], dtype=bool), [e.reason for e in edges])


class EdgeTable(Sequence[Edge]):
    """Every verified pair, as columns (about 90 bytes a pair against 500 as objects); indexing or
    iterating gives ``Edge`` objects, made as they are asked for.  Order: by (a, b) document number,
    which is (a, b) by id."""

    __slots__ = ("_reason_of", "_reasons", "accepted", "figures", "ids", "pairs", "relations")

    def __init__(self, ids: Sequence[str], parts: Iterable[EdgeColumns] = ()) -> None:
        parts = list(parts)
        self.ids = ids
        self.pairs = np.concatenate([p.pairs for p in parts]) if parts else np.zeros((0, 2), np.int64)
        self.figures = np.concatenate([p.figures for p in parts]) if parts else np.zeros((0, len(_FIGURES)))
        self.relations = np.concatenate([p.relations for p in parts]) if parts else np.zeros(0, np.uint8)
        self.accepted = np.concatenate([p.accepted for p in parts]) if parts else np.zeros(0, bool)
        table: dict[str, int] = {}  # the reasons repeat ("coverage 0.07 below 0.10"): each kept once
        self._reason_of = np.array([table.setdefault(r, len(table)) for p in parts for r in p.reasons],
                                   dtype=np.int32)
        self._reasons = list(table)

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, k: int) -> Edge:  # type: ignore[override]
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]  # type: ignore[return-value]
        i, j = self.pairs[k].tolist()
        return Edge(self.ids[i], self.ids[j], evidence(self.figures[k].tolist(), int(self.relations[k])),
                    bool(self.accepted[k]), self.reason(k))

    def reason(self, k: int) -> str:
        """Pair k's reason, without making its ``Edge``."""
        return self._reasons[self._reason_of[k]]

    def __iter__(self) -> Iterator[Edge]:
        for k in range(len(self)):
            yield self[k]

    def accepted_edges(self) -> list[Edge]:
        return [self[k] for k in np.flatnonzero(self.accepted).tolist()]

    def linked(self) -> np.ndarray:
        """Document numbers with at least one accepted pair, sorted."""
        return np.unique(self.pairs[self.accepted])

    def __eq__(self, other: object) -> bool:
        return _same_items(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EdgeTable({len(self)} pairs, {int(self.accepted.sum())} accepted)"


def _same_items(seq: Sequence[object], other: object) -> bool:
    """Equal to any sequence (a tuple, a list) holding equal items in the same order; NotImplemented
    for anything else (a str or bytes is not a sequence of clusters or pairs)."""
    if isinstance(other, Sequence) and not isinstance(other, str | bytes):
        return len(seq) == len(other) and all(a == b for a, b in zip(seq, other, strict=True))
    return NotImplemented  # type: ignore[return-value]
