"""The ``clusters.json`` payload: each cluster, member and diff as JSON-ready data, and its schemas.

``clusters_payload`` is the whole object; ``report.write_report`` writes the
same bytes a cluster at a time (``JsonStream`` and ``json_body``).  The format
is versioned (``SCHEMA_VERSION``) and described by the JSON Schemas in
``dedup/report/schema/``, which ``validate`` checks a payload or a ``documents.jsonl``
row against.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import fields
from importlib import resources
from typing import Any

import orjson

from dedup._version import __version__
from dedup.config import Config
from dedup.storage.packed import heads
from dedup.types import (
    Cluster,
    DiffItem,
    DocInfo,
    Evidence,
    Member,
    RunResult,
    VariantDiff,
)

SCHEMA_VERSION = "2.2"
# Options the parameters of clusters.json (schema 2.2) do not list: each document's language is in
# documents.jsonl and documents.parquet, and the Parquet tables' metadata lists every option.
UNLISTED = ("language", "language_field")
SCHEMA_NAMES = ("clusters", "documents")
_DIGITS = 4


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


def ordered_members(cluster: Cluster) -> list[Member]:
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
    out["equivalent"] = m.evidence.equivalent if m.evidence is not None else None
    out["similarity"] = _similarity(m.evidence) if m.evidence is not None else None
    out["diff"] = _diff(m.diff) if m.diff is not None else None
    return out


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def clustered_ids(result: RunResult) -> set[str]:
    return {m for h in heads(result.clusters) for m in h.members}


# ---------------------------------------------------------------- payloads


def clusters_payload(result: RunResult, config: Config, input_root: str) -> dict[str, Any]:
    """The ``clusters.json`` object (see ``dedup/report/schema/clusters.schema.json``)."""
    docs = {d.id: d for d in result.documents}
    return {**payload_head(result, config, input_root), "clusters": [cluster_json(c, docs) for c in result.clusters]}


def payload_head(result: RunResult, config: Config, input_root: str) -> dict[str, Any]:
    """``clusters_payload`` without its clusters."""
    clustered = len(clustered_ids(result))
    accepted = sum(1 for e in result.edges if e.accepted)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "dedup", "version": __version__},
        "input": str(input_root),
        "parameters": {k: v for k, v in config.to_dict().items() if k not in UNLISTED},
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


def cluster_json(c: Cluster, docs: dict[str, DocInfo]) -> dict[str, Any]:
    return {
        "id": c.id,
        "size": len(c.members),
        "canonical": c.canonical,
        "canonical_reason": c.canonical_reason,
        "members": [_member(m, c, docs) for m in ordered_members(c)],
    }


class JsonStream:
    """The pieces of ``clusters.json``: its head (the payload with no clusters) split around the cluster
    bodies, which go two levels deep in the ``clusters`` list."""

    EMPTY = b'{\n  "clusters": [],\n'  # sorted keys: "clusters" comes first

    def __init__(self, head: bytes) -> None:
        assert head.startswith(self.EMPTY)
        self.head, self.count = head, 0

    def piece(self, body: bytes) -> bytes:
        self.count += 1
        return (b'{\n  "clusters": [\n    ' if self.count == 1 else b",\n    ") + body

    def end(self) -> bytes:
        return self.head if self.count == 0 else b"\n  ],\n" + self.head[len(self.EMPTY):]


def json_body(c: Cluster, docs: dict[str, DocInfo]) -> bytes:
    return orjson.dumps(cluster_json(c, docs), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).replace(
        b"\n", b"\n    ")


# ---------------------------------------------------------------- schemas


def load_schema(name: str = "clusters") -> dict[str, Any]:
    """The JSON Schema ``dedup/report/schema/<name>.schema.json`` (``clusters`` or ``documents``)."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}: choose one of {', '.join(SCHEMA_NAMES)}")
    text = resources.files("dedup.report").joinpath("schema", f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _jsonschema() -> Any:
    """jsonschema, which only ``validate`` needs (the ``validate`` extra); a clear message where it is missing."""
    try:
        import jsonschema
    except ImportError:
        raise ImportError("dedup.validate needs jsonschema: pip install 'dedup[validate]' "
                          "(or pip install jsonschema)") from None
    return jsonschema


@functools.cache
def _validator(name: str) -> Any:
    jsonschema = _jsonschema()
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(payload: dict[str, Any], name: str = "clusters") -> None:
    """Validate ``payload`` (the clusters.json object, or one documents.jsonl row) against its JSON Schema.

    Raises ``jsonschema.ValidationError`` for the most relevant error.  Needs
    the ``validate`` extra (``pip install 'dedup[validate]'``).
    """
    error = _jsonschema().exceptions.best_match(_validator(name).iter_errors(payload))
    if error is not None:
        raise error
