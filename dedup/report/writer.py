"""Report stage: turn a :class:`~dedup.types.RunResult` into files.

Output directory layout::

    OUT/clusters.json      every multi-member cluster, with evidence and diffs (written last)
    OUT/documents.jsonl    one line per input: clustered, singleton or skipped
    OUT/documents.parquet  the same rows as columns, with each member's relation and score (dedup.report.tables)
    OUT/pairs.parquet      every verified pair, accepted or not, with its figures (dedup.report.tables)
    OUT/clusters/<id>.md   one human-readable page per multi-member cluster
    OUT/report.html        one self-contained page to browse the clusters (dedup.report.html)

``clusters.json``, ``documents.jsonl`` and the two Parquet files depend only on the run's inputs and
parameters: no timings, no absolute paths, no run dates, sorted keys, so the
same result gives byte-identical files (their JSON is built in ``dedup.report.payload``).
All functions here are pure except :func:`write_report`, and none of them prints.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from dedup.config import Config
from dedup.errors import PipelineError
from dedup.report import html as html_report
from dedup.report import tables
from dedup.report.markdown import cluster_filename, render_cluster
from dedup.report.payload import (
    SCHEMA_NAMES,
    SCHEMA_VERSION,
    JsonStream,
    cluster_json,
    clustered_ids,
    clusters_payload,
    dumps,
    json_body,
    load_schema,
    payload_head,
    validate,
)
from dedup.runtime.pool import parallel_iter
from dedup.storage.atomic import atomic_file, replace_dir, write_atomic
from dedup.storage.packed import heads
from dedup.types import Cluster, DocInfo, RunResult, Skipped

__all__ = [
    "SCHEMA_NAMES",
    "SCHEMA_VERSION",
    "ReportError",
    "clusters_json",
    "clusters_payload",
    "documents_lines",
    "format_summary",
    "load_schema",
    "markdown_files",
    "validate",
    "write_report",
]

CLUSTERS_JSON = "clusters.json"
DOCUMENTS_JSONL = "documents.jsonl"
CLUSTERS_DIR = "clusters"
REPORT_HTML = "report.html"
DOCUMENTS_PARQUET = tables.DOCUMENTS_PARQUET
PAIRS_PARQUET = tables.PAIRS_PARQUET


class ReportError(PipelineError):
    """The report could not be written; the message is one line for the user."""


def clusters_json(result: RunResult, config: Config, input_root: str) -> Iterator[bytes]:
    """``clusters.json``'s bytes (``dumps(clusters_payload(...))``), a cluster at a time, rendered on
    ``config.workers`` processes: the whole payload of a large run is never held in memory."""
    stream = JsonStream(dumps({**payload_head(result, config, input_root), "clusters": []}))
    for _, _, body, _ in _rendered(result, config.workers, pages=False):
        yield stream.piece(body)
    yield stream.end()


def documents_lines(result: RunResult) -> list[dict[str, Any]]:
    """The ``documents.jsonl`` rows: one per input, sorted by id (documents before skipped on a tie)."""
    return list(_document_rows(result))


def _document_rows(result: RunResult) -> Iterator[dict[str, Any]]:
    """``documents_lines``, a row at a time."""
    where: dict[str, tuple[str, bool]] = {}
    for h in heads(result.clusters):
        for m in h.members:
            where[m] = (h.id, m == h.canonical)
    order = heapq.merge(((d.id, 0, k) for k, d in enumerate(result.documents)),  # both are sorted by id
                        ((s.id, 1, k) for k, s in enumerate(result.skipped)))
    for _, kind, k in order:
        if kind == 0:
            d = result.documents[k]
            cluster_id, is_canonical = where.get(d.id, (None, False))
            yield {
                "id": d.id,
                "status": "clustered" if cluster_id is not None else "singleton",
                "cluster": cluster_id,
                "canonical": is_canonical,
                "reason": None,
                "detail": None,
                "path": d.path,
                "encoding": d.encoding,
                "title": d.title,
                "date": d.date,
                "language": d.language,
                "language_reason": d.language_reason,
            }
        else:
            yield _skipped_row(result.skipped[k])


def _skipped_row(s: Skipped) -> dict[str, Any]:
    return {
        "id": s.id,
        "status": "skipped",
        "cluster": None,
        "canonical": False,
        "reason": s.reason,
        "detail": s.detail,
        "path": s.path,
        "encoding": None,
        "title": None,
        "date": None,
        "language": None,
        "language_reason": None,
    }


def markdown_files(result: RunResult, workers: int = 1) -> dict[str, str]:
    """File name -> Markdown text, one page per multi-member cluster (rendered on ``workers`` processes)."""
    return {name: page.decode("utf-8") for name, page, _, _ in _rendered(result, workers, bodies=False)}


def _page_names(result: RunResult) -> list[str]:
    found = heads(result.clusters)
    names = [cluster_filename(h.id) for h in found]
    if len(set(names)) < len(names):
        seen: dict[str, str] = {}
        for h, name in zip(found, names, strict=True):
            if name in seen:
                raise ValueError(f"clusters {seen[name]!r} and {h.id!r} map to the same file name {name!r}")
            seen[name] = h.id
    return names


def _rendered(result: RunResult, workers: int, pages: bool = True, bodies: bool = True,
              facts: bool = False) -> Iterator[tuple[str, bytes, bytes, list[tables.MemberFact]]]:
    """(file name, UTF-8 Markdown page, ``clusters.json`` body, ``tables.member_facts``) per cluster, in
    order, rendered a chunk at a time on ``workers`` processes (b"" or [] for what is not asked for).
    Packed clusters go to the workers as bytes and are unpacked there, once for all three."""
    docs = {d.id: d for d in result.documents}
    names = iter(_page_names(result))
    for part in parallel_iter(_render_chunk, result.clusters, (docs, pages, bodies, facts), workers,
                              chunk=PAGES_PER_TASK, cost=5):
        for page, body, member_facts in part:
            yield next(names), page, body, member_facts


PAGES_PER_TASK = 200


def _render_chunk(clusters: Sequence[Cluster], ctx: tuple[dict[str, DocInfo], bool, bool, bool],
                  ) -> list[tuple[bytes, bytes, list[tables.MemberFact]]]:
    docs, pages, bodies, facts = ctx
    return [(render_cluster(c, docs).encode("utf-8") if pages else b"", json_body(c, docs) if bodies else b"",
             tables.member_facts(c) if facts else []) for c in clusters]


# ---------------------------------------------------------------- writing


def write_report(result: RunResult, config: Config, out_dir: Path, input_root: str) -> list[Path]:
    """Write every report file into ``out_dir`` atomically; return the paths written.

    Order: ``documents.jsonl``, the ``clusters/`` pages (swapped in as a whole,
    so no page of an earlier run remains), ``documents.parquet`` and
    ``pairs.parquet`` (``dedup.report.tables``; the members' figures are gathered
    as the pages are rendered, so each cluster is unpacked once), ``report.html``,
    then ``clusters.json`` last, so a reader never sees a ``clusters.json`` whose
    pages or tables are missing.
    Each file is written as it is made (a large run's payload is never held
    whole); the result is checked first, so a bad one leaves the old output intact.
    Raises :class:`ReportError` when ``out_dir`` cannot be created or written.
    """
    out_dir = Path(out_dir)
    _check(result)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"cannot write to {out_dir}: it is a file, not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        write_atomic(out_dir / DOCUMENTS_JSONL, (orjson.dumps(r, option=orjson.OPT_SORT_KEYS) + b"\n"
                                                 for r in _document_rows(result)))
        written.append(out_dir / DOCUMENTS_JSONL)
        stream = JsonStream(dumps({**payload_head(result, config, input_root), "clusters": []}))
        with atomic_file(out_dir / CLUSTERS_JSON) as json_file:  # in place when the block ends

            facts: dict[str, tables.MemberFact] = {}

            def pages() -> Iterator[tuple[str, bytes]]:  # each cluster rendered once, for its page, JSON and row
                for name, page, body, member_facts in _rendered(result, config.workers, pages=config.pages,
                                                                facts=True):
                    json_file.write(stream.piece(body))
                    facts.update((f[0], f) for f in member_facts)
                    if config.pages:
                        yield name, page

            written += replace_dir(out_dir / CLUSTERS_DIR, pages())
            if not config.pages:  # no pages asked for: none of an earlier run's either
                (out_dir / CLUSTERS_DIR).rmdir()
            tables.write_documents(out_dir / DOCUMENTS_PARQUET, result, config, input_root, facts)
            tables.write_pairs(out_dir / PAIRS_PARQUET, result, config, input_root)
            written += [out_dir / DOCUMENTS_PARQUET, out_dir / PAIRS_PARQUET]
            write_atomic(out_dir / REPORT_HTML, _html(result, config, input_root).encode("utf-8"))
            written.append(out_dir / REPORT_HTML)
            json_file.write(stream.end())
        written.append(out_dir / CLUSTERS_JSON)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ReportError(f"cannot write to {out_dir}: {reason}") from exc
    return written


def _check(result: RunResult) -> None:
    """Raise ValueError, before anything is written, for a result the files cannot be made from."""
    ids = {d.id for d in result.documents}
    for h in heads(result.clusters):
        if h.members.count(h.canonical) != 1:
            raise ValueError(f"cluster {h.id}: canonical {h.canonical!r} is not exactly one of its members")
        for m in h.members:
            if m not in ids:
                raise ValueError(f"cluster {h.id}: member {m!r} is not among the run's documents")
    _page_names(result)


def _html(result: RunResult, config: Config, input_root: str) -> str:
    """``report.html``: the page needs every cluster's size, but the members of only those it shows
    (only those are unpacked)."""
    docs = {d.id: d for d in result.documents}
    found = heads(result.clusters)
    shown = set(sorted(range(len(found)), key=lambda k: (-len(found[k].members), found[k].id))[:html_report.MAX_CLUSTERS])
    payload = {**payload_head(result, config, input_root),
               "clusters": [cluster_json(result.clusters[k], docs) if k in shown else {"id": h.id, "size": len(h.members)}
                            for k, h in enumerate(found)]}
    skipped = [_skipped_row(x) for x in sorted(result.skipped, key=lambda x: x.id)]  # documents.jsonl's order
    return html_report.render(payload, result.texts, skipped)


# ---------------------------------------------------------------- summary


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _languages(documents: Sequence[DocInfo], shown: int = 8) -> str:
    """The compared documents per language, most first ("none": no language), the first ``shown`` of them."""
    counts = Counter(d.language or "none" for d in documents)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    more = f", {len(ranked) - shown} more" if len(ranked) > shown else ""
    return ", ".join(f"{code} {n}" for code, n in ranked[:shown]) + more if ranked else "none compared"


def format_summary(result: RunResult, out_dir: Path, pages: bool = True) -> str:
    """The short plain-text summary of a run for the terminal (no trailing newline)."""
    out_dir = Path(out_dir)
    n_docs, n_skipped = len(result.documents), len(result.skipped)
    clustered = len(clustered_ids(result))
    singletons = n_docs - clustered
    accepted = sum(1 for e in result.edges if e.accepted)
    rejected = len(result.edges) - accepted
    n_clusters = len(result.clusters)

    lines = [f"dedup: {_plural(n_docs + n_skipped, 'input')} -> {_plural(n_docs, 'document')}, {n_skipped} skipped"]
    if n_skipped:
        by_reason = Counter(s.reason for s in result.skipped)
        detail = ", ".join(f"{reason} {n}" for reason, n in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"  {'skipped':<17} {detail}")
    lines.append(f"  {'languages':<17} {_languages(result.documents)}")
    slow = result.meta.get("python_path")
    if isinstance(slow, dict) and slow:
        by_script = ", ".join(f"{script} {n}" for script, n in slow.items())
        lines.append(f"  {'python path':<17} {_plural(sum(slow.values()), 'document')} ({by_script}) read by the "
                     "Python stages, several times slower per article than the compiled pass")
    lines.append(f"  {'clusters':<17} {n_clusters} ({_plural(clustered, 'document')}), singletons {singletons}")
    if result.clusters:
        largest = max(heads(result.clusters), key=lambda h: len(h.members))  # first on a tie
        lines.append(f"  {'largest cluster':<17} {_plural(len(largest.members), 'document')}, canonical {largest.canonical}")
        kept = n_clusters + singletons
        lines.append(f"  {'kept':<17} {_plural(kept, 'document')}, {clustered - n_clusters} set aside as copies")
    pairs = f"{result.candidate_pairs} proposed by LSH"
    lsh = result.meta.get("lsh")
    if lsh:
        pairs += f" ({lsh['collisions']} met in buckets, {lsh['screened_out']} of them screened out)"
    pairs += f"; {accepted} verified as copies"
    if rejected:
        pairs += f", {rejected} rejected"
    lines.append(f"  {'candidate pairs':<17} {pairs}")
    lines.append(f"  {'time':<17} {result.seconds:.2f} s")
    engine = result.meta.get("engine")
    if isinstance(engine, dict):
        moved = engine["stages"].values()
        lines.append(f"  {'engine':<17} {engine['name']}: {sum(t['tasks'] for t in moved)} tasks, "
                     f"{sum(t['sent'] for t in moved) / 1e6:,.1f} MB sent to them, "
                     f"{sum(t['received'] for t in moved) / 1e6:,.1f} MB back")
    lines.append(
        f"  {'output':<17} {out_dir / CLUSTERS_JSON}, {out_dir / DOCUMENTS_JSONL}, "
        + (f"{out_dir / CLUSTERS_DIR}/ ({_plural(n_clusters, 'file')}), " if pages else "") + f"{out_dir / REPORT_HTML}, "
        f"{out_dir / DOCUMENTS_PARQUET}, {out_dir / PAIRS_PARQUET}"
    )
    return "\n".join(lines)
