"""Adding a corpus in batches gives what batch runs over its prefixes give, exactly.

An addition judges the pairs its documents bring under the statistics of the
index as it then is: so the pairs the index keeps are, for each addition, the
accepted pairs of one ``run`` over every document added so far that have a
document of that addition.  Its clusters are those pairs cut into clusters and
kept together with the earlier ones (``ids.regroup``) addition by addition,
over the whole corpus (the index cuts again only what an addition reaches: the
test holds that this is the same).  Cluster ids never change but by merging,
and a document once clustered is never left alone by an addition.
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from index_helpers import members

from dedup import Config, run
from dedup.index import Index
from dedup.index.ids import Known, regroup
from dedup.stages.cluster import cluster

CONFIG = Config(jobs=1)
RUNS: dict[frozenset[str], list] = {}


def accepted(records: list[dict]) -> list:
    """The accepted pairs of one run over ``records`` (kept: the same prefixes come back)."""
    key = frozenset(r["id"] for r in records)
    if key not in RUNS:
        RUNS[key] = [e for e in run(records, CONFIG).edges if e.accepted]
    return RUNS[key]


@settings(deadline=None, max_examples=10, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(1, 79), min_size=1, max_size=3, unique=True), seed=st.randoms())
def test_batches_give_what_runs_over_the_prefixes_give(records, cuts, seed) -> None:
    order = list(records)
    seed.shuffle(order)
    bounds = [0, *sorted(cuts), len(order)]
    kept_pairs: dict[tuple[str, str], object] = {}
    known = Known({}, {})
    with tempfile.TemporaryDirectory() as tmp, Index.open(Path(tmp) / "ix.db", {"jobs": 1}) as ix:
        clustered: dict[str, str] = {}
        for batch, (a, b) in enumerate(itertools.pairwise(bounds), 1):
            change = ix.add(order[a:b], recompare=False)
            new = {r["id"] for r in order[a:b]}
            kept_pairs |= {(e.a, e.b): e for e in accepted(order[:b]) if e.a in new or e.b in new}
            stored = {(x, y) for x, y in sqlite3.connect(ix.path).execute("SELECT a, b FROM edges")}
            assert stored == set(kept_pairs)
            # the reference: every pair kept so far cut into clusters over the whole corpus, then regrouped
            ids = sorted(r["id"] for r in order[:b])
            plan = regroup(cluster(ids, [kept_pairs[k] for k in sorted(kept_pairs)]), known, set(ids))
            want = {g.name: set(g.members) for g in plan.groups}
            now = {m: r["cluster"] for r in ix.clusters() for m in ix.cluster(r["cluster"])["members"]}
            got: dict[str, set[str]] = {}
            for m, c in now.items():
                got.setdefault(c, set()).add(m)
            assert got == want
            merged = {old: e["cluster"] for e in change.events if e["event"] == "merged" for old in e["merged"]}
            for doc, cid in clustered.items():  # ids kept, or merged; nobody left alone
                assert now.get(doc) == merged.get(cid, cid)
            clustered = now
            known = Known(dict(now), {**known.born, **{c: batch for c in want if c not in known.born}})
        exported = {c.id: {m.id for m in c.members} for c in ix.result().clusters}
        assert exported == want  # export writes the clusters the index holds


def test_one_batch_is_the_batch_run(records) -> None:
    with tempfile.TemporaryDirectory() as tmp, Index.open(Path(tmp) / "ix.db", {"jobs": 1}) as ix:
        change = ix.add(records)
        assert "kept_together" not in {e["event"] for e in change.events}
        assert members(ix.result().clusters) == members(run(records, CONFIG).clusters)


def stored_pairs(ix: Index) -> set[tuple[str, str]]:
    return {(x, y) for x, y in sqlite3.connect(ix.path).execute("SELECT a, b FROM edges")}


def test_recompare_judges_every_pair_again_as_one_run(records) -> None:
    order = sorted(records, key=lambda r: r["id"][::-1])
    with tempfile.TemporaryDirectory() as tmp, Index.open(Path(tmp) / "ix.db", {"jobs": 1}) as ix:
        ix.add(order[:70])
        ix.add(order[70:], recompare=True)
        assert stored_pairs(ix) == {(e.a, e.b) for e in accepted(records)}


def test_by_default_the_index_is_compared_again_once_it_has_grown_by_a_quarter(records) -> None:
    order = sorted(records, key=lambda r: r["id"][::-1])

    def brought(prefix: int, start: int) -> set[tuple[str, str]]:
        new = {r["id"] for r in order[start:prefix]}
        return {(e.a, e.b) for e in accepted(order[:prefix]) if e.a in new or e.b in new}

    with tempfile.TemporaryDirectory() as tmp, Index.open(Path(tmp) / "ix.db", {"jobs": 1}) as ix:
        ix.add(order[:40])
        ix.add(order[40:48])  # 8 added since 40 were compared: only the pairs the new ones bring
        assert stored_pairs(ix) == brought(40, 0) | brought(48, 40)
        ix.add(order[48:56])  # 16 added since: at least a quarter of 40, so every pair is judged again
        assert stored_pairs(ix) == brought(56, 0)
        ix.add(order[56:66])  # 10 since the 56 compared: under 14
        assert stored_pairs(ix) == brought(56, 0) | brought(66, 56)
