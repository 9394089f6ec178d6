"""The pipeline: the only place that wires the stages together.

    ingest -> normalize -> shingle -> signatures -> candidates -> verify
           -> cluster -> canonical -> diff -> (report)

``run()`` returns a :class:`RunResult`; ``run_to_dir()`` also writes the
report.  Every stage counts the documents it takes in and hands on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from dedup import canonical as canonical_stage
from dedup.boilerplate import find_boilerplate
from dedup.candidates import candidate_pairs, estimated_containment
from dedup.cluster import Group, cluster, cluster_id
from dedup.config import Config
from dedup.diff import diff
from dedup.ingest import ingest
from dedup.normalize import normalize
from dedup.parallel import parallel_map
from dedup.report import write_report
from dedup.shingle import drop_common, shingle_hashes
from dedup.signatures import signatures
from dedup.types import (
    Cluster,
    Document,
    Edge,
    Member,
    NormalizedDoc,
    RunResult,
    Signatures,
    Skipped,
    StageCount,
)
from dedup.verify import evidence, verify_pair
from dedup.weights import TermWeights

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class PipelineError(Exception):
    """A run cannot go on (nothing to compare, ...); the message is one line."""


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _verify_chunk(chunk: list[tuple[int, int]], ctx: tuple) -> list[Edge]:
    norms, hashes, sigs, config, weights = ctx
    return [verify_pair(norms[i], norms[j], hashes[i], hashes[j], sigs[i], sigs[j], config, weights)
            for i, j in chunk]


def normalize_docs(docs: list[Document], config: Config, progress: Progress = _noop
                   ) -> tuple[list[Document], list[NormalizedDoc], list[Skipped]]:
    """Normalize every document; those with too little article body are skipped as too short."""
    kept: list[Document] = []
    norms: list[NormalizedDoc] = []
    too_short: list[Skipped] = []
    for k, d in enumerate(docs):
        nd = normalize(d)
        if nd.word_count < config.min_words:
            too_short.append(Skipped(d.id, d.path, "too_short",
                                     f"{d.path}: {nd.word_count} words of article body after normalization; "
                                     f"at least {config.min_words} needed (--min-words)"))
        else:
            kept.append(d)
            norms.append(nd)
        if k % 500 == 0:
            progress("normalize", k, len(docs))
    return kept, norms, too_short


def corpus_hashes(norms: list[NormalizedDoc], config: Config) -> list[np.ndarray]:
    """Each document's shingle hashes, with the corpus-common ones left out."""
    return drop_common([shingle_hashes(nd, config.shingle_size) for nd in norms],
                       config.common_share, config.common_min_docs)


def corpus_weights(norms: list[NormalizedDoc], config: Config) -> TermWeights:
    """Term weights over the corpus, with its boilerplate sentences found."""
    return TermWeights.from_docs(norms, find_boilerplate(norms, config.boilerplate_min_docs))


def run(root: str | os.PathLike, config: Config | None = None, progress: Progress | None = None) -> RunResult:
    """Run every stage on the files under ``root``."""
    config = config or Config()
    progress = progress or _noop
    stages: list[StageCount] = []
    t_run = time.perf_counter()

    def count(stage: str, n_in: int, n_out: int, t0: float, note: str = "") -> None:
        stages.append(StageCount(stage, n_in, n_out, time.perf_counter() - t0, note))

    t0 = time.perf_counter()
    docs, skipped = ingest(root, config)
    count("ingest", len(docs) + len(skipped), len(docs), t0, f"{len(skipped)} input(s) skipped with a reason")

    t0 = time.perf_counter()
    kept, norms, too_short = normalize_docs(docs, config, progress)
    skipped.extend(too_short)
    count("normalize", len(docs), len(kept), t0, f"{len(docs) - len(kept)} too short after normalization")
    if not kept:
        raise PipelineError(f"{root}: nothing to compare: {len(skipped)} input(s), all skipped "
                            f"({_reasons(skipped)})")

    t0 = time.perf_counter()
    hashes = corpus_hashes(norms, config)
    count("shingle", len(norms), len(norms), t0)
    t0 = time.perf_counter()
    sigs = signatures([d.id for d in kept], hashes, config.num_perm, config.seed)
    count("signatures", len(norms), len(norms), t0)

    t0 = time.perf_counter()
    proposed = candidate_pairs(sigs.values, config.lsh_threshold, config.max_bucket)
    # Screen: a pair whose MinHash-estimated containment is under half the exact
    # check's threshold cannot pass it; skip it before any per-pair Python work.
    pairs = proposed[estimated_containment(proposed, sigs.values, sigs.shingle_counts) >= config.min_containment / 2]
    in_pairs = len(np.unique(pairs)) if len(pairs) else 0
    count("candidates", len(kept), in_pairs, t0,
          f"{len(proposed)} candidate pair(s) from LSH; {len(proposed) - len(pairs)} screened out by "
          f"estimated containment below {config.min_containment / 2:.2f}")

    t0 = time.perf_counter()
    weights = corpus_weights(norms, config)
    ctx = (norms, hashes, sigs.values, config, weights)
    edges = parallel_map(_verify_chunk, pairs.tolist(), ctx, config.workers,
                         lambda done, total: progress("verify", done, total))
    accepted = [e for e in edges if e.accepted]
    linked = {x for e in accepted for x in (e.a, e.b)}
    count("verify", in_pairs, len(linked), t0, f"{len(accepted)} of {len(edges)} pair(s) verified as copies; "
          f"{len(weights.boilerplate)} boilerplate sentence(s) discounted")

    t0 = time.perf_counter()
    groups = cluster([d.id for d in kept], accepted)
    clustered = sum(len(g.members) for g in groups)
    count("cluster", len(kept), clustered, t0, f"{len(groups)} cluster(s); {len(kept) - clustered} singleton(s)")

    t0 = time.perf_counter()
    by_id = {d.id: d for d in kept}
    norm_by_id = {nd.id: nd for nd in norms}
    row = {doc_id: k for k, doc_id in enumerate(sigs.ids)}
    clusters = [_finish(g, by_id, norm_by_id, row, hashes, sigs, config, weights) for g in groups]
    count("canonical+diff", clustered, clustered, t0, f"{clustered - len(clusters)} variant(s) diffed")

    return RunResult(
        documents=tuple(sorted(kept, key=lambda d: d.id)),
        skipped=tuple(sorted(skipped, key=lambda s: s.id)),
        clusters=tuple(sorted(clusters, key=lambda c: c.id)),
        edges=tuple(sorted(edges, key=lambda e: (e.a, e.b))),
        stages=tuple(stages),
        candidate_pairs=len(proposed),
        seconds=time.perf_counter() - t_run,
    )


def _finish(group: Group, docs: dict[str, Document], norms: dict[str, NormalizedDoc], row: dict[str, int],
            hashes: list[np.ndarray], sigs: Signatures, config: Config, weights: TermWeights) -> Cluster:
    """Choose the canonical, then figure and diff every variant against it."""
    canon, reason = canonical_stage.choose(group, docs, norms, config.canonical)
    c = row[canon]
    members = [Member(canon, True)]
    for m in group.members:
        if m == canon:
            continue
        k = row[m]
        ev = evidence(norms[m], norms[canon], hashes[k], hashes[c], sigs.values[k], sigs.values[c], config, weights)
        why = f"verified copy of {group.centre}: {group.joined[m]}" if m in group.joined \
            else "centre of the cluster: the other members are verified copies of it"
        members.append(Member(m, False, ev, diff(norms[m], norms[canon], config.sentence_similarity, weights), why))
    if canon != group.centre:
        reason += f"; members joined through {group.centre}"
    return Cluster(cluster_id(group.members), canon, reason, tuple(members))


def _reasons(skipped: list[Skipped]) -> str:
    counts: dict[str, int] = {}
    for s in skipped:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    return ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))


def run_to_dir(root: str | os.PathLike, out_dir: str | os.PathLike, config: Config | None = None,
               progress: Progress | None = None) -> tuple[RunResult, list[Path]]:
    """Run the pipeline and write the report files into ``out_dir``."""
    config = config or Config()
    result = run(root, config, progress)
    paths = write_report(result, config, Path(out_dir), str(root))
    return result, paths
