"""The pipeline: the only place that wires the stages together.

    ingest -> normalize -> shingle -> signatures -> candidates -> verify
           -> cluster -> canonical -> diff -> (report)

``run()`` returns a :class:`RunResult`; ``run_to_dir()`` also writes the
report.  Every stage counts the documents it takes in and hands on.  The
parallel stages run on the engine the config names (``runtime.engine``: this
machine's processes, or Ray tasks); the output does not depend on which.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dedup.config import Config
from dedup.errors import PipelineError
from dedup.pipeline.corpus import Corpus, TextStore
from dedup.pipeline.docstore import StoreError
from dedup.pipeline.firstpass import prepare
from dedup.pipeline.precompile import start_late
from dedup.pipeline.sources import RECORDS, Source, materialize
from dedup.report.writer import write_report
from dedup.runtime.engine import Engine, collect, open_engine
from dedup.stages import canonical as canonical_stage
from dedup.stages.candidates import BandInput, LshStats, band_task, banding, candidate_pairs
from dedup.stages.cluster import Group, cluster, cluster_id
from dedup.stages.diff import diff_refs
from dedup.stages.signatures import sign_csr, sign_rows
from dedup.stages.verify import align, assess, screened, verify_pair
from dedup.stages.weights import Profile, TermWeights
from dedup.storage.arrays import RowSubset
from dedup.storage.packed import EdgeColumns, EdgeTable, PackedClusters, pack
from dedup.types import (
    Cluster,
    ClusterHead,
    DocInfo,
    Edge,
    Evidence,
    Member,
    Progress,
    RunResult,
    SentenceRef,
    Signatures,
    Skipped,
    StageCount,
    VariantDiff,
)

GROUPS_PER_TASK = 50  # clusters a worker diffs per task
SIGN_ROWS = 20_000  # documents a task signs, on an engine that signs in tasks (the local one uses threads)
BANDS_PER_TASK = 16  # LSH bands a task sorts, on such an engine

Regroup = Callable[[list[Group]], list[Group]]  # the clusters as found -> the clusters to write (an index's)


def _noop(stage: str, done: int, total: int, /, **detail: object) -> None:
    return None


def run(source: Source, config: Config | None = None, progress: Progress | None = None) -> RunResult:
    """Run every stage on ``source``: a folder or a file, an iterable of dicts, or a pyarrow Table."""
    config = config or Config()
    progress = progress or _noop
    t_run = time.perf_counter()  # a Ray cluster's start counts in the run's time
    src = materialize(source)
    engine = _engine(config)
    try:
        result = _run(src.root, config, progress, engine, t_run)
    except StoreError as err:
        raise PipelineError(str(err)) from None
    finally:
        engine.close()
    if src.folder is not None:
        result.texts.keep(src.folder)  # the records' shard lives as long as the result reads texts from it
    return result


def _engine(config: Config) -> Engine:
    return open_engine(config.engine, config.workers, config.partitions, config.ray_address)


def _run(root: str | os.PathLike, config: Config, progress: Progress, engine: Engine, t_run: float) -> RunResult:
    late = start_late()  # a first run: the later stages' kernels compile in another process meanwhile
    try:
        corpus = prepare(root, config, progress, engine)
    finally:
        late.wait()
    return compare(corpus, config, progress, root=root, t_run=t_run, engine=engine)


def compare(corpus: Corpus, config: Config, progress: Progress | None = None, regroup: Regroup | None = None,
            root: str | os.PathLike = "input", t_run: float | None = None, engine: Engine | None = None) -> RunResult:
    """Every stage after the first pass, on ``corpus``: signatures, candidates, verify, cluster, canonical, diff.

    ``regroup``, when given, turns the clusters found into the ones written (an index keeps
    earlier clusters together and gives them their ids); by default they are written as found.
    ``engine`` runs the stages' tasks (by default the one ``config`` names, opened and closed here)."""
    if engine is None:
        engine = _engine(config)
        try:
            return compare(corpus, config, progress, regroup, root, t_run, engine)
        finally:
            engine.close()
    progress = progress or _noop
    t_run = time.perf_counter() if t_run is None else t_run
    stages = first_stages(corpus, root)
    judged = judge(corpus, config, progress, engine)
    stages += judged.stages
    t0 = time.perf_counter()
    ids = [d.id for d in corpus.infos]
    groups = cluster(ids, judged.edges.accepted_edges())
    found = len(groups)
    if regroup is not None:
        groups = regroup(groups)
    clustered = sum(len(g.members) for g in groups)
    kept = f" (as {len(groups)} kept by the index)" if len(groups) != found else ""
    stages.append(StageCount("cluster", len(ids), clustered, time.perf_counter() - t0,
                             f"{found} cluster(s){kept}; {len(ids) - clustered} singleton(s)"))
    return finish(corpus, config, groups, judged.edges, stages, progress, engine, t_run, judged.involved,
                  judged.candidates, judged.meta)


def first_stages(corpus: Corpus, root: str | os.PathLike = "input") -> list[StageCount]:
    """The first pass's stage counts (ingest, normalize, shingle); a corpus with no document is refused."""
    n, short = len(corpus.infos), corpus.too_short
    ingested = n + short
    stages = [StageCount("ingest", ingested + len(corpus.skipped) - short, ingested, corpus.seconds["ingest"],
                         f"{len(corpus.skipped) - short} input(s) skipped with a reason"),
              StageCount("normalize", ingested, n, corpus.seconds["normalize"],
                         f"{short} too short after normalization" + python_path_note(corpus.python_path))]
    if not n:
        raise PipelineError(f"{root}: nothing to compare: {len(corpus.skipped)} input(s), all skipped "
                            f"({_reasons(corpus.skipped)})")
    stages.append(StageCount("shingle", n, n, corpus.seconds["shingle"],
                             "hashed in normalize's compiled pass; its time is counted there"))
    return stages


@dataclass
class Judged:
    """What signatures, candidates and verify give: every candidate pair with its verdict."""

    edges: EdgeTable  # in candidate order: (a, b) by document number, which is by id
    involved: RowSubset  # the signatures of the documents in some pair
    candidates: int
    stages: list[StageCount]
    meta: dict[str, object]


def judge(corpus: Corpus, config: Config, progress: Progress | None = None, engine: Engine | None = None,
          fresh: np.ndarray | None = None) -> Judged:
    """Sign every document, propose pairs by LSH, verify each.  ``fresh`` (one bool per document): only the
    pairs with a fresh document, exactly those of the pairs found without it (an index's addition)."""
    if engine is None:
        engine = _engine(config)
        try:
            return judge(corpus, config, progress, engine, fresh)
        finally:
            engine.close()
    progress = progress or _noop
    stages: list[StageCount] = []

    def count(stage: str, n_in: int, n_out: int, seconds: float, note: str = "") -> None:
        stages.append(StageCount(stage, n_in, n_out, seconds, note))

    n = len(corpus.infos)
    t0 = time.perf_counter()
    progress("signatures", 0, n)
    values, sizes = _sign(corpus, config, engine)
    ids = [d.id for d in corpus.infos]
    sigs = Signatures(tuple(ids), values, sizes)
    count("signatures", n, n, time.perf_counter() - t0)

    t0 = time.perf_counter()
    lsh = LshStats()
    shape = banding(config.num_perm, config.lsh_rows, config.max_bucket, config.lsh_split)
    # Screen: a pair whose MinHash-estimated containment is well under min_containment is unlikely to
    # pass the exact check; it is dropped as LSH meets it, before any per-pair Python work.
    screen = config.lsh_screen * config.min_containment
    pairs = candidate_pairs(sigs.values, shape, sigs.shingle_counts, screen,
                            lambda done, total: progress("candidates (LSH bands)", done, total), lsh,
                            threads=config.workers, bands_by=_bands_by(engine) if engine.remote else None,
                            fresh=fresh)
    rows = np.unique(pairs)
    del sigs, values  # verify reads only the candidates' signatures: made again once all are freed
    involved = RowSubset(rows, _sign(corpus, config, engine, rows)[0])
    in_pairs = len(rows)
    among = f" with one of {int(fresh.sum())} new document(s)" if fresh is not None else ""
    count("candidates", n, in_pairs, time.perf_counter() - t0,
          f"{len(pairs)} candidate pair(s){among}: {shape.describe()} met {lsh.collisions} pair(s) in buckets "
          f"({lsh.split_buckets} bucket(s) split, {lsh.star_buckets} linked as stars), of which "
          f"{lsh.screened_out} had an estimated containment below {screen:.2f}")

    t0 = time.perf_counter()
    progress("verify", 0, len(pairs))
    corpus.warm()
    edges = EdgeTable(ids, collect(engine.map(_verify_chunk, pairs, (corpus, involved, config), "verify",
                                              lambda done, total: progress("verify", done, total))))
    count("verify", in_pairs, len(edges.linked()), time.perf_counter() - t0,
          f"{int(edges.accepted.sum())} of {len(edges)} pair(s) verified as copies; "
          f"{len(corpus.weights.boilerplate)} boilerplate sentence(s) discounted")
    meta: dict[str, object] = {"lsh": {"bands": shape.bands, "rows": shape.rows, "collisions": lsh.collisions,
                                       "screened_out": lsh.screened_out, "split_buckets": lsh.split_buckets,
                                       "star_buckets": lsh.star_buckets}}
    return Judged(edges, involved, len(pairs), stages, meta)


def finish(corpus: Corpus, config: Config, groups: list[Group], edges: Sequence[Edge], stages: list[StageCount],
           progress: Progress | None = None, engine: Engine | None = None, t_run: float | None = None,
           involved: RowSubset | None = None, candidates: int | None = None,
           meta: dict[str, object] | None = None) -> RunResult:
    """The canonical and every variant's diff of each of ``groups``, and the run's result.

    ``involved`` holds the signatures of at least every member (by default they are made here)."""
    if engine is None:
        engine = _engine(config)
        try:
            return finish(corpus, config, groups, edges, stages, progress, engine, t_run, involved, candidates,
                          meta)
        finally:
            engine.close()
    progress = progress or _noop
    t_run = time.perf_counter() if t_run is None else t_run
    index = corpus.index
    members = sorted(m for g in groups for m in g.members)
    rows = np.unique(np.array([index[m] for m in members], dtype=np.int64))
    # only the members' signatures from here
    involved = involved.narrow(rows) if involved is not None else RowSubset(rows, _sign(corpus, config, engine, rows)[0])
    clustered = len(members)
    t0 = time.perf_counter()
    packed = collect(engine.map(_finish_chunk, groups, (corpus, involved, config), "canonical+diff",
                                lambda done, total: progress("diff", done, total), chunk=GROUPS_PER_TASK, cost=40))
    clusters = PackedClusters(sorted(packed, key=lambda p: p[0].id))  # packed by the workers, not unpacked here
    del packed
    stages = [*stages, StageCount("canonical+diff", clustered, clustered, time.perf_counter() - t0,
                                  f"{clustered - len(clusters)} variant(s) diffed")]
    return RunResult(
        documents=tuple(corpus.infos),
        skipped=tuple(corpus.skipped),
        clusters=clusters,
        edges=edges,
        stages=tuple(stages),
        candidate_pairs=len(edges) if candidates is None else candidates,
        seconds=time.perf_counter() - t_run,
        texts=StoredTexts(corpus.store, {m: index[m] for m in members}),
        meta={**({"python_path": dict(corpus.python_path)} if corpus.python_path else {}), **(meta or {}),
              **({"engine": {"name": engine.name, "stages": {k: t.as_dict() for k, t in engine.traffic.items()}}}
                 if engine.remote else {})},
    )


def _sign(corpus: Corpus, config: Config, engine: Engine, rows: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """(signatures, shingles each was made from) of every document, or of documents ``rows``.

    On this machine one threaded call signs them all; on an engine that moves data, tasks sign
    blocks of documents and the blocks are put together in order (the same arrays)."""
    flat, offsets, distinct = corpus.signed()
    if not engine.remote:
        return sign_csr(flat, offsets, config.num_perm, config.seed, corpus.common, threads=config.workers,
                        distinct=distinct, rows=rows)
    rows = np.arange(len(offsets) - 1, dtype=np.int64) if rows is None else rows
    parts = collect(engine.map(sign_rows, rows, (flat, offsets, config.num_perm, config.seed, corpus.common, distinct),
                               "signatures", chunk=SIGN_ROWS))
    if not parts:
        return np.zeros((0, config.num_perm), dtype=np.uint32), np.zeros(0, dtype=np.int64)
    return np.concatenate([v for v, _ in parts]), np.concatenate([c for _, c in parts])


def _bands_by(engine: Engine) -> Callable[[list[int], BandInput], Iterator[tuple[np.ndarray, LshStats]]]:
    """LSH's bands as tasks on ``engine``, their results in band order."""
    def run(bands: list[int], ctx: BandInput) -> Iterator[tuple[np.ndarray, LshStats]]:
        for part in engine.map(band_task, bands, ctx, "candidates", chunk=BANDS_PER_TASK):
            yield from part
    return run


def _verify_chunk(chunk: np.ndarray, ctx: tuple[Corpus, RowSubset, Config]) -> list[EdgeColumns]:
    corpus, values, config = ctx
    pairs = chunk.tolist()
    return [EdgeColumns.of(pairs, [verify_pair(corpus.deferred(i), corpus.deferred(j), corpus.hashes(i),
                                               corpus.hashes(j), values[i], values[j], config, corpus.weights)
                                   for i, j in pairs])]


def _finish_chunk(groups: list[Group], ctx: tuple[Corpus, RowSubset, Config]) -> list[tuple[ClusterHead, bytes]]:
    corpus, values, config = ctx
    return [pack(_finish(g, corpus, corpus.index, values, config)) for g in groups]


def _finish(group: Group, corpus: Corpus, index: Mapping[str, int], values: RowSubset, config: Config) -> Cluster:
    """Choose the canonical, then figure and diff every variant against it."""
    infos = {m: corpus.infos[index[m]] for m in group.members}
    canon, reason = canonical_stage.head(group, infos, config.canonical)
    derived = canonical_stage.derivation(group, infos)
    c = index[canon]
    weights = corpus.weights
    canon_refs = corpus.sentence_refs(c)
    members = [Member(canon, True, derived_from=derived[canon][0], derived_reason=derived[canon][1])]
    for m in group.members:
        if m == canon:
            continue
        k = index[m]
        ev, diff = figure_variant(corpus.profile(k), corpus.profile(c), corpus.hashes(k), corpus.hashes(c),
                                  values[k], values[c], corpus.sentence_refs(k), canon_refs, config, weights)
        why = group.reasons.get(m) or (f"verified copy of {group.centre}: {group.joined[m]}" if m in group.joined
                                       else "centre of the cluster: the other members are verified copies of it")
        members.append(Member(m, False, ev, diff, why, *derived[m]))
    return Cluster(group.name or cluster_id(group.members), canon, reason, tuple(members))


def figure_variant(pm: Profile, pc: Profile, hm: np.ndarray, hc: np.ndarray, sm: np.ndarray, sc: np.ndarray,
                   refs_m: list[SentenceRef], refs_c: list[SentenceRef], config: Config,
                   weights: TermWeights) -> tuple[Evidence, VariantDiff]:
    """A variant's figures against its canonical, and what it has of its own (its diff)."""
    ev, pairs = assess(pm, pc, hm, hc, sm, sc, config, weights)
    if screened(ev, config):  # not aligned for the verdict; the diff still needs the alignment
        pairs = align(pm, pc, config.sentence_similarity, weights)
    return ev, diff_refs(refs_m, refs_c, pairs)


class StoredTexts(Mapping[str, str]):
    """The texts of the clustered documents, read from disk when asked for (the report shows a few hundred)."""

    def __init__(self, store: TextStore, index: dict[str, int]) -> None:
        self._store, self._index = store, index
        self._kept: object = None

    def keep(self, folder: object) -> None:
        """Hold ``folder`` (where the texts are read from) for as long as these texts are."""
        self._kept = folder

    def __getitem__(self, doc_id: str) -> str:
        return self._store.text(self._index[doc_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def python_path_note(python_path: Mapping[str, int]) -> str:
    """The normalize stage's note on the documents the first pass's Python stages read, by script ("" if none):
    texts in scripts written without spaces (Han, kana, Thai...) and the few the kernels do not cover."""
    if not python_path:
        return ""
    return (f"; {sum(python_path.values())} document(s) ({', '.join(python_path)}) took the Python path, "
            "several times slower per article than the compiled one")


def _reasons(skipped: list[Skipped]) -> str:
    counts: dict[str, int] = {}
    for s in skipped:
        counts[s.reason] = counts.get(s.reason, 0) + 1
    return ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))


def run_to_dir(source: Source, out_dir: str | os.PathLike, config: Config | None = None,
               progress: Progress | None = None) -> tuple[RunResult, list[Path]]:
    """Run the pipeline on ``source`` (as ``run`` takes it) and write the report files into ``out_dir``."""
    config = config or Config()
    result = run(source, config, progress)
    label = str(source) if isinstance(source, (str, os.PathLike)) else RECORDS
    try:
        paths = write_report(result, config, Path(out_dir), label)
    except StoreError as err:
        raise PipelineError(str(err)) from None
    return result, paths


__all__ = ["DocInfo", "PipelineError", "StoredTexts", "run", "run_to_dir"]
