"""dedup.storage.packed: clusters kept as compressed pickles, and pairs kept as columns, behave as the sequences they hold."""

from __future__ import annotations

import pickle
import zlib

import pytest

from dedup.stages import verify
from dedup.storage.packed import (
    EdgeColumns,
    EdgeTable,
    PackedClusters,
    head,
    heads,
    pack,
    unpack,
)
from dedup.types import (
    RELATIONS,
    Cluster,
    ClusterHead,
    DiffItem,
    Edge,
    Evidence,
    Member,
    VariantDiff,
    WordOp,
)


def _cluster(i: int) -> Cluster:
    diff = VariantDiff((DiffItem("changed", f"sentence {i} changed", 0, 20, "sentence changed", 30, 46, 0.8,
                                 (WordOp("equal", "sentence"), WordOp("insert", str(i)))),), 0.25, 0.9)
    return Cluster(f"c-{i:04d}", f"b{i}.txt", "covers the most",
                   (Member(f"b{i}.txt", True), Member(f"a{i}.txt", False, None, diff, "verified copy")))


CLUSTERS = tuple(_cluster(i) for i in range(7))


def test_a_packed_cluster_unpacks_equal_with_its_head() -> None:
    h, data = pack(CLUSTERS[3])
    assert h == ClusterHead("c-0003", "b3.txt", ("b3.txt", "a3.txt")) == head(CLUSTERS[3])
    assert unpack(data) == CLUSTERS[3]
    with pytest.raises(TypeError, match="not a Cluster"):
        unpack(zlib.compress(pickle.dumps(["not", "a", "cluster"])))


def test_packed_clusters_are_the_sequence_they_hold() -> None:
    packed = PackedClusters.of(CLUSTERS)
    assert len(packed) == 7 and list(packed) == list(CLUSTERS) and packed[2] == CLUSTERS[2] and packed[-1] == CLUSTERS[6]
    assert packed == CLUSTERS and packed == CLUSTERS and packed != CLUSTERS[:6] and packed != CLUSTERS[::-1]
    part = packed[2:5]
    assert isinstance(part, PackedClusters) and list(part) == list(CLUSTERS[2:5]) and part.heads == packed.heads[2:5]
    assert heads(packed) == packed.heads == tuple(head(c) for c in CLUSTERS) and list(heads(CLUSTERS)) == list(packed.heads)
    assert pickle.loads(pickle.dumps(part)) == part  # what a worker process receives
    assert PackedClusters() == () and not PackedClusters()
    assert packed.nbytes() == sum(len(pack(c)[1]) for c in CLUSTERS) and "7 clusters" in repr(packed)
    with pytest.raises(IndexError):
        packed[7]
    with pytest.raises(TypeError):
        hash(packed)


def _edge(a: str, b: str, score: float, relation: str, accepted: bool) -> Edge:
    ev = Evidence(0.5, 0.25, 0.75, 0.6, 4, score, 0.4, 1.0, score, relation)
    return Edge(a, b, ev, accepted, f"coverage {score:.2f}" if accepted else "too little")


def test_an_edge_table_gives_back_the_edges_it_was_made_from() -> None:
    ids = ["a", "b", "c", "d", "e"]
    pairs = [(0, 1), (0, 2), (1, 3), (3, 4)]
    edges = [_edge(ids[i], ids[j], 0.1 * (i + j), RELATIONS[(i + j) % len(RELATIONS)], (i + j) % 2 == 1)
             for i, j in pairs]
    table = EdgeTable(ids, [EdgeColumns.of(pairs[:3], edges[:3]), EdgeColumns.of(pairs[3:], edges[3:])])
    assert len(table) == 4 and list(table) == edges and table == edges and table[1] == edges[1]
    assert table[1:3] == edges[1:3] and table.accepted_edges() == [e for e in edges if e.accepted]
    assert table.linked().tolist() == [0, 1, 3, 4] and "4 pairs, 2 accepted" in repr(table)
    assert isinstance(table[0].evidence.aligned_sentences, int)
    assert pickle.loads(pickle.dumps(table)) == table  # a RunResult pickles whole
    empty = EdgeTable(ids)
    assert len(empty) == 0 and list(empty) == [] and empty.accepted_edges() == [] and empty.linked().tolist() == []


def test_every_relation_verify_gives_has_a_column_code() -> None:
    given = {verify.relation(identical, n, a, b, sim) for identical in (True, False) for n in (0, 3)
             for a in (0.5, 0.85, 0.95) for b in (0.5, 0.85, 0.95) for sim in (0.5, 0.9)}
    assert given == set(RELATIONS)
