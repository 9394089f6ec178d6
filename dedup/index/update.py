"""What one change does to the index's clusters: judged incrementally (the default) or all again.

``increment`` judges only the pairs the new documents bring (``runner.judge``
with the new documents flagged: exactly the pairs, and the verdicts, a batch
run over the whole corpus as it now is gives them), then cuts clusters again
only where something changed (``edges.scope``), and keeps every other cluster
as it is.  ``recompare`` compares the whole corpus again, as ``dedup run``
would, and replaces every stored pair: the corpus statistics (term weights,
boilerplate, common shingles) then judge old pairs too.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

import numpy as np

from dedup.config import Config
from dedup.index import edges
from dedup.index.ids import Known, Plan, regroup
from dedup.pipeline.corpus import Corpus
from dedup.pipeline.runner import compare, judge
from dedup.stages import canonical as canonical_stage
from dedup.stages.cluster import cluster
from dedup.storage.packed import EdgeTable, heads
from dedup.types import ClusterHead, Progress, StageCount


@dataclass
class Update:
    """The clusters a change writes, and what they replace."""

    plan: Plan
    tops: list[tuple[ClusterHead, str]]  # the clusters to write, with their canonical's reason
    now: dict[str, str]  # document -> cluster, for every document in ``tops``
    replaced: set[str] | None  # earlier clusters whose rows are rewritten; None: all of them
    scope: set[str] | None  # documents whose membership is rewritten; None: all
    stages: list[StageCount]
    pairs: EdgeTable | None  # the pairs judged (their accepted ones are stored)


def recompare(corpus: Corpus, config: Config, known: Known, progress: Progress | None, label: str) -> Update:
    """The whole corpus compared again (``runner.compare``), the clusters kept together with ``known``."""
    found: list[Plan] = []

    def keep(groups: list) -> list:
        found.append(regroup(groups, known, corpus.index))
        return found[0].groups

    result = compare(corpus, config, progress, keep, root=label)
    tops = [(h, result.clusters[k].canonical_reason) for k, h in enumerate(heads(result.clusters))]
    now = {m: h.id for h, _ in tops for m in h.members}
    stages = [s for s in result.stages if s.stage not in ("ingest", "normalize", "shingle")]
    return Update(found[0], tops, now, None, None, stages, result.edges)  # type: ignore[arg-type]


def increment(con: sqlite3.Connection, corpus: Corpus, config: Config, known: Known, fresh: list[str],
              lost: set[str], lost_clusters: set[str], progress: Progress | None) -> Update:
    """The pairs ``fresh``'s documents bring judged, and the clusters cut again where they or a removal
    (``lost``: documents that lost a stored pair; ``lost_clusters``: clusters that lost a member) reach."""
    stages: list[StageCount] = []
    table: EdgeTable | None = None
    new_edges = []
    if fresh:
        every = len(fresh) == len(corpus.infos)  # a new index: every pair is new
        mask = None
        if not every:
            mask = np.zeros(len(corpus.infos), dtype=np.bool_)
            mask[[corpus.index[d] for d in fresh]] = True
        judged = judge(corpus, config, progress, fresh=mask)
        table, stages = judged.edges, judged.stages
        new_edges = table.accepted_edges()
    t0 = time.perf_counter()
    seeds = set(fresh) | lost | {m for m, c in known.members.items() if c in lost_clusters}
    docs, scoped = edges.scope(con, seeds, new_edges, known)
    found = cluster(sorted(docs), scoped)
    sub = Known({d: c for d, c in known.members.items() if d in docs}, known.born)
    plan = regroup(found, sub, corpus.index)
    before = set(sub.members.values())
    plan.dissolved = sorted(set(plan.dissolved) | (lost_clusters - before))  # no member left at all
    tops = []
    for g in plan.groups:
        infos = {m: corpus.infos[corpus.index[m]] for m in g.members}
        canon, reason = canonical_stage.head(g, infos, config.canonical)
        tops.append((ClusterHead(g.name, canon, g.members), reason))
    now = {m: h.id for h, _ in tops for m in h.members}
    clustered = len(now)
    stages.append(StageCount("cluster", len(docs), clustered, time.perf_counter() - t0,
                             f"{len(found)} cluster(s) cut again among {len(docs)} document(s) that new or "
                             f"removed pairs reach; the other clusters are kept as they are"))
    return Update(plan, tops, now, before | lost_clusters, docs, stages, table)
