"""Adding a corpus in batches gives the clusters one run over all of it gives, within the documented bound.

The bound (``dedup.index.ids``): each cluster a batch run finds lies within one
index cluster, and an index cluster that is not exactly a batch cluster has
been reported, in some addition, as ``kept_together`` (under its id or one
merged into it).  Cluster ids never change but by merging, and a document
once clustered is never left alone by an addition.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from index_helpers import members

from dedup import Config, run
from dedup.index import Index

CONFIG = Config(jobs=1)
BATCH: dict[str, set[frozenset[str]]] = {}


def batch_clusters(records: list[dict]) -> set[frozenset[str]]:
    if "all" not in BATCH:
        BATCH["all"] = members(run(records, CONFIG).clusters)
    return BATCH["all"]


@settings(deadline=None, max_examples=12, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(1, 79), min_size=1, max_size=3, unique=True), seed=st.randoms())
def test_batches_give_the_batch_clusters_within_the_bound(records, cuts, seed) -> None:
    order = list(records)
    seed.shuffle(order)
    bounds = [0, *sorted(cuts), len(order)]
    want = batch_clusters(records)
    with tempfile.TemporaryDirectory() as tmp, Index.open(Path(tmp) / "ix.db", {"jobs": 1}) as ix:
        kept: set[str] = set()
        clustered: dict[str, str] = {}
        for a, b in itertools.pairwise(bounds):
            change = ix.add(order[a:b])
            kept |= {e["cluster"] for e in change.events if e["event"] == "kept_together"}
            merged = {old: e["cluster"] for e in change.events if e["event"] == "merged" for old in e["merged"]}
            kept = {merged.get(c, c) for c in kept}
            now = {m: r["cluster"] for r in ix.clusters() for m in ix.cluster(r["cluster"])["members"]}
            for doc, cid in clustered.items():  # ids kept, or merged; nobody left alone
                assert now.get(doc) == merged.get(cid, cid)
            clustered = now
        got = {c.id: frozenset(m.id for m in c.members) for c in ix.result().clusters}
    for cluster in want:
        assert any(cluster <= g for g in got.values()), sorted(cluster)
    for cid, g in got.items():
        assert g in want or cid in kept, (cid, sorted(g))


def test_one_batch_is_the_batch_run(records) -> None:
    with tempfile.TemporaryDirectory() as tmp, Index.open(Path(tmp) / "ix.db", {"jobs": 1}) as ix:
        change = ix.add(records)
        assert "kept_together" not in {e["event"] for e in change.events}
        assert members(ix.result().clusters) == batch_clusters(records)
