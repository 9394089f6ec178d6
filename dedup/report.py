"""Report stage: turn a :class:`~dedup.types.RunResult` into files.

Output directory layout::

    OUT/clusters.json      every multi-member cluster, with evidence and diffs (written last)
    OUT/documents.jsonl    one line per input: clustered, singleton or skipped
    OUT/clusters/<id>.md   one human-readable page per multi-member cluster
    OUT/report.html        one self-contained page to browse the clusters (dedup.html_report)

``clusters.json`` and ``documents.jsonl`` depend only on the run's inputs and
parameters: no timings, no absolute paths, no run dates, sorted keys, so the
same result gives byte-identical files.  All functions here are pure except
:func:`write_report`, and none of them prints.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import orjson

from dedup import __version__, html_report
from dedup.atomic import replace_dir, write_atomic
from dedup.config import Config
from dedup.markdown import cluster_filename, render_cluster
from dedup.parallel import parallel_iter
from dedup.types import (
    Cluster,
    DiffItem,
    DocInfo,
    Evidence,
    Member,
    RunResult,
    Skipped,
    VariantDiff,
)

__all__ = [
    "SCHEMA_VERSION",
    "SCHEMA_NAMES",
    "ReportError",
    "clusters_json",
    "clusters_payload",
    "documents_lines",
    "markdown_files",
    "write_report",
    "format_summary",
    "load_schema",
    "validate",
]

SCHEMA_VERSION = "2.0"
SCHEMA_NAMES = ("clusters", "documents")
CLUSTERS_JSON = "clusters.json"
DOCUMENTS_JSONL = "documents.jsonl"
CLUSTERS_DIR = "clusters"
REPORT_HTML = "report.html"
_DIGITS = 4


class ReportError(Exception):
    """The report could not be written; the message is one line for the user."""


# ---------------------------------------------------------------- helpers


def _r(x: float | None) -> float | None:
    """Round a float for output (4 decimals); plain ``float`` even for numpy scalars."""
    return None if x is None else round(float(x), _DIGITS)


def _doc_fields(doc: DocInfo) -> dict[str, Any]:
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "url": doc.url,
        "encoding": doc.encoding,
        "chars": doc.chars,
    }


def _similarity(ev: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(ev):
        if f.name == "relation":
            continue
        value = getattr(ev, f.name)
        out[f.name] = int(value) if f.name == "aligned_sentences" else _r(value)
    return out


def _item(it: DiffItem) -> dict[str, Any]:
    out: dict[str, Any] = {"text": it.text, "start": int(it.start), "end": int(it.end)}
    if it.kind == "changed":
        out.update(
            canonical_text=it.canonical_text,
            canonical_start=None if it.canonical_start is None else int(it.canonical_start),
            canonical_end=None if it.canonical_end is None else int(it.canonical_end),
            similarity=_r(it.similarity),
            words=[[w.op, w.text] for w in it.words],
        )
    return out


def _diff(diff: VariantDiff) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    for it in diff.items:
        groups[it.kind].append(_item(it))
    return {"unique_share": _r(diff.unique_share), "kept_share": _r(diff.kept_share), **groups}


def _ordered_members(cluster: Cluster) -> list[Member]:
    """Canonical first, the others in the order given."""
    canon = [m for m in cluster.members if m.id == cluster.canonical]
    if len(canon) != 1:
        raise ValueError(f"cluster {cluster.id}: canonical {cluster.canonical!r} is not exactly one of its members")
    return canon + [m for m in cluster.members if m.id != cluster.canonical]


def _member(m: Member, cluster: Cluster, docs: dict[str, DocInfo]) -> dict[str, Any]:
    doc = docs.get(m.id)
    if doc is None:
        raise ValueError(f"cluster {cluster.id}: member {m.id!r} is not among the run's documents")
    out = _doc_fields(doc)
    if m.id == cluster.canonical:
        out["canonical"] = True
        return out
    out["canonical"] = False
    out["reason"] = m.reason or None
    out["relation"] = m.evidence.relation if m.evidence is not None else None
    out["similarity"] = _similarity(m.evidence) if m.evidence is not None else None
    out["diff"] = _diff(m.diff) if m.diff is not None else None
    return out


def _dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def _clustered_ids(result: RunResult) -> set[str]:
    return {m.id for c in result.clusters for m in c.members}


# ---------------------------------------------------------------- payloads


def clusters_payload(result: RunResult, config: Config, input_root: str) -> dict[str, Any]:
    """The ``clusters.json`` object (see ``dedup/schema/clusters.schema.json``)."""
    docs = {d.id: d for d in result.documents}
    return {**_payload_head(result, config, input_root), "clusters": [_cluster(c, docs) for c in result.clusters]}


def _payload_head(result: RunResult, config: Config, input_root: str) -> dict[str, Any]:
    """``clusters_payload`` without its clusters."""
    clustered = len(_clustered_ids(result))
    accepted = sum(1 for e in result.edges if e.accepted)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "dedup", "version": __version__},
        "input": str(input_root),
        "parameters": config.to_dict(),
        "counts": {
            "inputs": len(result.documents) + len(result.skipped),
            "documents": len(result.documents),
            "skipped": len(result.skipped),
            "clusters": len(result.clusters),
            "clustered": clustered,
            "singletons": len(result.documents) - clustered,
            "candidate_pairs": int(result.candidate_pairs),
            "verified_pairs": accepted,
            "rejected_pairs": len(result.edges) - accepted,
        },
        "skipped_by_reason": dict(Counter(s.reason for s in result.skipped)),
        **({"lsh": dict(result.meta["lsh"])} if "lsh" in result.meta else {}),
        "stages": [
            {"stage": s.stage, "in": int(s.docs_in), "out": int(s.docs_out), "note": s.note}
            for s in result.stages
        ],
    }


def _cluster(c: Cluster, docs: dict[str, DocInfo]) -> dict[str, Any]:
    return {
        "id": c.id,
        "size": len(c.members),
        "canonical": c.canonical,
        "canonical_reason": c.canonical_reason,
        "members": [_member(m, c, docs) for m in _ordered_members(c)],
    }


def clusters_json(result: RunResult, config: Config, input_root: str) -> Iterator[bytes]:
    """``clusters.json``'s bytes (``_dumps(clusters_payload(...))``), a cluster at a time: the
    whole payload of a large run is never held in memory."""
    docs = {d.id: d for d in result.documents}
    head = _dumps({**_payload_head(result, config, input_root), "clusters": []})
    empty = b'{\n  "clusters": [],\n'  # sorted keys: "clusters" comes first
    if not result.clusters:
        yield head
        return
    assert head.startswith(empty)
    yield b'{\n  "clusters": [\n'
    for k, c in enumerate(result.clusters):
        body = orjson.dumps(_cluster(c, docs), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
        yield (b",\n    " if k else b"    ") + body.replace(b"\n", b"\n    ")  # two levels deeper
    yield b"\n  ],\n" + head[len(empty):]


def documents_lines(result: RunResult) -> list[dict[str, Any]]:
    """The ``documents.jsonl`` rows: one per input, sorted by id (documents before skipped on a tie)."""
    return list(_document_rows(result))


def _document_rows(result: RunResult) -> Iterator[dict[str, Any]]:
    """``documents_lines``, a row at a time."""
    where: dict[str, tuple[str, bool]] = {}
    for c in result.clusters:
        for m in c.members:
            where[m.id] = (c.id, m.id == c.canonical)
    order = sorted([(d.id, 0, k) for k, d in enumerate(result.documents)]
                   + [(s.id, 1, k) for k, s in enumerate(result.skipped)])
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
    }


def markdown_files(result: RunResult, workers: int = 1) -> dict[str, str]:
    """File name -> Markdown text, one page per multi-member cluster (rendered on ``workers`` processes)."""
    return {name: page.decode("utf-8") for name, page in _pages(result, workers)}


def _page_names(result: RunResult) -> list[str]:
    names = [cluster_filename(c.id) for c in result.clusters]
    if len(set(names)) < len(names):
        seen: dict[str, str] = {}
        for c, name in zip(result.clusters, names, strict=True):
            if name in seen:
                raise ValueError(f"clusters {seen[name]!r} and {c.id!r} map to the same file name {name!r}")
            seen[name] = c.id
    return names


def _pages(result: RunResult, workers: int) -> Iterator[tuple[str, bytes]]:
    """(file name, UTF-8 Markdown) per cluster, rendered a chunk at a time on ``workers`` processes."""
    docs = {d.id: d for d in result.documents}
    names = iter(_page_names(result))
    for part in parallel_iter(_render_chunk, result.clusters, docs, workers, chunk=PAGES_PER_TASK, cost=5):
        for page in part:
            yield next(names), page


PAGES_PER_TASK = 200


def _render_chunk(clusters: list[Cluster], docs: dict[str, DocInfo]) -> list[bytes]:
    return [render_cluster(c, docs).encode("utf-8") for c in clusters]


# ---------------------------------------------------------------- writing


def write_report(result: RunResult, config: Config, out_dir: Path, input_root: str) -> list[Path]:
    """Write every report file into ``out_dir`` atomically; return the paths written.

    Order: ``documents.jsonl``, the ``clusters/`` pages (swapped in as a whole,
    so no page of an earlier run remains), ``report.html``, then ``clusters.json``
    last, so a reader never sees a ``clusters.json`` whose pages are missing.
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
        written += replace_dir(out_dir / CLUSTERS_DIR, _pages(result, config.workers))
        write_atomic(out_dir / REPORT_HTML, _html(result, config, input_root).encode("utf-8"))
        written.append(out_dir / REPORT_HTML)
        write_atomic(out_dir / CLUSTERS_JSON, clusters_json(result, config, input_root))
        written.append(out_dir / CLUSTERS_JSON)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ReportError(f"cannot write to {out_dir}: {reason}") from exc
    return written


def _check(result: RunResult) -> None:
    """Raise ValueError, before anything is written, for a result the files cannot be made from."""
    ids = {d.id for d in result.documents}
    for c in result.clusters:
        _ordered_members(c)
        for m in c.members:
            if m.id not in ids:
                raise ValueError(f"cluster {c.id}: member {m.id!r} is not among the run's documents")
    _page_names(result)


def _html(result: RunResult, config: Config, input_root: str) -> str:
    """``report.html``: the page needs every cluster's size, but the members of only those it shows."""
    docs = {d.id: d for d in result.documents}
    shown = {c.id for c in sorted(result.clusters, key=lambda c: (-len(c.members), c.id))[:html_report.MAX_CLUSTERS]}
    payload = {**_payload_head(result, config, input_root),
               "clusters": [_cluster(c, docs) if c.id in shown else {"id": c.id, "size": len(c.members)}
                            for c in result.clusters]}
    skipped = [_skipped_row(x) for x in sorted(result.skipped, key=lambda x: x.id)]  # documents.jsonl's order
    return html_report.render(payload, result.texts, skipped)


# ---------------------------------------------------------------- summary


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def format_summary(result: RunResult, out_dir: Path) -> str:
    """The short plain-text summary of a run for the terminal (no trailing newline)."""
    out_dir = Path(out_dir)
    n_docs, n_skipped = len(result.documents), len(result.skipped)
    clustered = len(_clustered_ids(result))
    singletons = n_docs - clustered
    accepted = sum(1 for e in result.edges if e.accepted)
    rejected = len(result.edges) - accepted
    n_clusters = len(result.clusters)

    lines = [f"dedup: {_plural(n_docs + n_skipped, 'input')} -> {_plural(n_docs, 'document')}, {n_skipped} skipped"]
    if n_skipped:
        by_reason = Counter(s.reason for s in result.skipped)
        detail = ", ".join(f"{reason} {n}" for reason, n in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"  {'skipped':<17} {detail}")
    lines.append(f"  {'clusters':<17} {n_clusters} ({_plural(clustered, 'document')}), singletons {singletons}")
    if result.clusters:
        largest = max(result.clusters, key=lambda c: len(c.members))  # first on a tie
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
    lines.append(
        f"  {'output':<17} {out_dir / CLUSTERS_JSON}, {out_dir / DOCUMENTS_JSONL}, "
        f"{out_dir / CLUSTERS_DIR}/ ({_plural(n_clusters, 'file')}), {out_dir / REPORT_HTML}"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- schemas


def load_schema(name: str = "clusters") -> dict[str, Any]:
    """The JSON Schema ``dedup/schema/<name>.schema.json`` (``clusters`` or ``documents``)."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}: choose one of {', '.join(SCHEMA_NAMES)}")
    text = resources.files("dedup").joinpath("schema", f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.lru_cache(maxsize=None)
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(payload: dict[str, Any], name: str = "clusters") -> None:
    """Validate ``payload`` (the clusters.json object, or one documents.jsonl row).

    Raises :class:`jsonschema.ValidationError` for the most relevant error.
    """
    error = jsonschema.exceptions.best_match(_validator(name).iter_errors(payload))
    if error is not None:
        raise error
