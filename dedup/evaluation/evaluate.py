"""Score a run against gold labels: metrics, the worst errors, and a min-coverage sweep.

Labels map a document id to a gold group: a JSONL or CSV file (``load_labels``)
or a field of the input JSON/JSONL records themselves (``labels_from_records``).
``evaluate(result, labels, config)`` returns the JSON-ready payload of
``eval.json``; the figures come from :mod:`dedup.evaluation.metrics`.

What is scored: the run's inputs (compared documents and skipped ones) that
carry a label.  Skipped inputs were never compared, so they count as
singletons.  Inputs without a label are counted and left out.

The sweep re-decides the run's verified candidate edges (``RunResult.edges``)
at each ``min_coverage`` with :func:`dedup.stages.verify.decide` and re-clusters them
with :func:`dedup.stages.cluster.cluster`; nothing is re-verified, so a pair that LSH
never proposed stays apart at every threshold.
"""

from __future__ import annotations

import csv
import gzip
import heapq
import io
import os
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import Any

import orjson

from dedup._version import __version__
from dedup.config import Config
from dedup.evaluation.metrics import PRF, Scores, scores
from dedup.stages.cluster import Group, cluster, cluster_id
from dedup.stages.verify import decide
from dedup.types import Edge, Evidence, RunResult

DEFAULT_THRESHOLDS: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(1, 20))  # 0.05 .. 0.95
SWEEP_NOTE = ("the sweep re-decides the verified candidate edges at each min_coverage without re-running "
              "verification; pairs that were never LSH candidates cannot be recovered by it (at most joined "
              "through a shared cluster centre)")


class LabelError(Exception):
    """The labels cannot be read or match nothing; the message is one line naming the file (and line)."""


@dataclass(frozen=True, slots=True)
class Labels:
    """Gold groups by document id, with the other fields of each label record."""

    groups: dict[str, str]
    source: str  # where they came from, for the report
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> other fields of its record


# ---------------------------------------------------------------------------------------- labels


def _label_value(value: object, what: str, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        shown = "missing" if value is None else f"{value!r} is not a non-empty string or whole number"
        raise LabelError(f"{where}: {what} {shown}")
    return str(value)


def _add(labels: dict[str, str], lines: dict[str, int], doc_id: str, group: str, line: int, where: str) -> None:
    if doc_id in labels and labels[doc_id] != group:
        raise LabelError(f"{where}: id {doc_id!r} has group {group!r} here but {labels[doc_id]!r} "
                         f"on line {lines[doc_id]}")
    labels[doc_id] = group
    lines.setdefault(doc_id, line)


def load_labels(path: str | os.PathLike, id_field: str = "id", group_field: str = "group") -> Labels:
    """Read a labels file: JSONL (one object per line) or CSV with a header (``.csv``).

    Each record needs ``id_field`` and ``group_field``; other fields are kept in
    ``Labels.extra``.  Raises :class:`LabelError` naming the file and line.
    """
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except FileNotFoundError:
        raise LabelError(f"{name}: labels file not found") from None
    except OSError as err:
        raise LabelError(f"{name}: cannot read labels file: {err.strerror or err}") from None
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise LabelError(f"{name}: not a valid gzip file: {err}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise LabelError(f"{name} line {line}: not UTF-8 text") from None
    stem = name.removesuffix(".gz")
    labels: dict[str, str] = {}
    lines: dict[str, int] = {}
    extra: dict[str, dict[str, Any]] = {}
    if stem.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        for col, opt in ((id_field, "--labels-id-field"), (group_field, "--group-field")):
            if col not in header:
                raise LabelError(f"{name} line 1: no {col!r} column (columns: {', '.join(header) or 'none'}); "
                                 f"name the column with {opt}")
        try:
            for row in reader:
                where = f"{name} line {reader.line_num}"
                if None in row:
                    raise LabelError(f"{where}: more values than the header has columns")
                doc_id = _label_value(row[id_field] or None, f"{id_field!r}", where)
                group = _label_value(row[group_field] or None, f"{group_field!r}", where)
                _add(labels, lines, doc_id, group, reader.line_num, where)
                extra[doc_id] = {k: v for k, v in row.items() if k not in (id_field, group_field)}
        except csv.Error as err:
            raise LabelError(f"{name} line {reader.line_num}: not valid CSV: {err}") from None
    else:
        for n, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            where = f"{name} line {n}"
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError as err:
                raise LabelError(f"{where}: not valid JSON ({err}); expected one object per line "
                                 "(JSONL) or a .csv file") from None
            if not isinstance(rec, dict):
                raise LabelError(f"{where}: expected a JSON object, got {type(rec).__name__}")
            hint = f" (name the fields with --labels-id-field/--group-field; this record has: {', '.join(rec)})"
            if id_field not in rec or group_field not in rec:
                missing = id_field if id_field not in rec else group_field
                raise LabelError(f"{where}: no {missing!r} field{hint}")
            doc_id = _label_value(rec[id_field], f"{id_field!r}", where)
            group = _label_value(rec[group_field], f"{group_field!r}", where)
            _add(labels, lines, doc_id, group, n, where)
            extra[doc_id] = {k: v for k, v in rec.items() if k not in (id_field, group_field)}
    if not labels:
        raise LabelError(f"{name}: no labels in the file")
    return Labels(labels, name, extra)


_JSON_EXTS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _decode(data: bytes) -> str:
    """As the ingest stage decodes: UTF-16 with a BOM, UTF-8 (with or without BOM), cp1252, Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _json_files(root: str) -> list[tuple[str, str]]:
    """(relative path, full path) of the JSON/JSONL files ingest reads, in ingest's order."""
    if not os.path.isdir(root):
        return [(os.path.basename(root), root)]
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in filenames:
            if not f.startswith("."):
                full = os.path.join(dirpath, f)
                found.append((os.path.relpath(full, root).replace(os.sep, "/"), full))
    return sorted(found)


def labels_from_records(root: str | os.PathLike, label_field: str, max_file_mb: float = 20.0) -> Labels:
    """Gold groups read from ``label_field`` of the input's JSON/JSONL records.

    Record ids are formed as the ingest stage forms them: the record's ``id``
    when it is unique (and the record has a string ``text``), else
    ``path#N`` (N: line of a .jsonl file, 1-based index in a .json list).
    Records without the field are unlabelled; other files carry no labels.
    """
    root = os.fspath(root)
    items: list[tuple[str, str | None, object]] = []  # (fallback id, explicit id, label value)
    for rel, full in _json_files(root):
        name = rel.lower()
        ext = os.path.splitext(name.removesuffix(".gz"))[1]
        if ext not in _JSON_EXTS:
            continue
        try:
            if os.path.getsize(full) > max_file_mb * 1024 * 1024:
                continue
            data = Path(full).read_bytes()
            text = _decode(gzip.decompress(data) if name.endswith(".gz") else data)
        except (OSError, EOFError):
            continue  # ingest skips it as unreadable; no labels from it
        records: list[tuple[int, object]] = []
        if _JSON_EXTS[ext] == "json":
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                continue
            records = list(enumerate(value if isinstance(value, list) else [value], 1))
        else:
            for n, line in enumerate(text.split("\n"), 1):
                if line.strip():
                    try:
                        records.append((n, orjson.loads(line)))
                    except orjson.JSONDecodeError:
                        records.append((n, None))
        for n, rec in records:
            explicit = None
            label = rec.get(label_field) if isinstance(rec, dict) else None
            if isinstance(rec, dict) and isinstance(rec.get("text"), str):
                rid = rec.get("id")
                if isinstance(rid, (str, int)) and not isinstance(rid, bool) and str(rid):
                    explicit = str(rid)
            items.append((f"{rel}#{n}", explicit, label))
    owner = {fallback for fallback, explicit, _ in items if explicit is None}
    groups: dict[str, str] = {}
    for fallback, explicit, label in items:
        doc_id = fallback
        if explicit is not None:
            if explicit not in owner:
                doc_id = explicit
            else:
                while doc_id in owner:
                    doc_id += "~"
            owner.add(doc_id)
        if label is not None and not isinstance(label, (bool, dict, list)) and str(label).strip():
            groups[doc_id] = str(label)
    if not groups:
        raise LabelError(f"{root}: no JSON/JSONL input record has a {label_field!r} field to read labels from")
    return Labels(groups, f"field {label_field!r} of the input records")


# ---------------------------------------------------------------------------------------- sweep


def predicted(ids: Sequence[str], groups: Sequence[Group]) -> dict[str, str]:
    """Document id -> predicted cluster key (a cluster id; ``=id`` for a singleton)."""
    pred = {i: "=" + i for i in ids}
    for g in groups:
        key = cluster_id(g.members)
        for m in g.members:
            pred[m] = key
    return pred


def redecide(edges: Sequence[Edge], config: Config, min_coverage: float) -> list[Edge]:
    """The edges accepted at ``min_coverage``, decided afresh from their evidence (not re-verified)."""
    cfg = replace(config, min_coverage=min_coverage)
    out = []
    for e in edges:
        ok, why = decide(e.evidence, cfg)
        if ok:
            out.append(e if e.accepted and e.reason == why else replace(e, accepted=True, reason=why))
    return out


def sweep(result: RunResult, gold: Mapping[str, str], config: Config,
          thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> list[dict[str, Any]]:
    """Pairwise P/R/F1 and ARI over the labelled documents at each ``min_coverage``."""
    ids = [d.id for d in result.documents]
    scored = sorted(gold)
    points = []
    for t in sorted(set(thresholds) | {config.min_coverage}):
        accepted = redecide(result.edges, config, t)
        groups = cluster(ids, accepted)
        pred_all = predicted([*ids, *(s.id for s in result.skipped)], groups)
        s = scores({i: pred_all[i] for i in scored}, gold)
        points.append({"min_coverage": t, "current": t == config.min_coverage,
                       "precision": s.pairwise.precision, "recall": s.pairwise.recall, "f1": s.pairwise.f1,
                       "ari": s.ari, "accepted_edges": len(accepted), "clusters": len(groups)})
    return points


# ---------------------------------------------------------------------------------------- evaluate


class _Run:
    """Lookups over one run for the error listings."""

    def __init__(self, result: RunResult, groups: Sequence[Group]) -> None:
        self.edges: dict[tuple[str, str], Edge] = {(e.a, e.b): e for e in result.edges}
        self.skipped = {s.id: s for s in result.skipped}
        self.centre = {m: g.centre for g in groups for m in g.members}

    def edge(self, a: str, b: str) -> Edge | None:
        return self.edges.get((a, b) if a < b else (b, a))

    def link(self, m: str) -> float:
        """Score of the edge that joined ``m`` to its centre (1.0 for the centre)."""
        c = self.centre[m]
        e = self.edge(m, c)
        return 1.0 if c == m or e is None else e.evidence.score


def _r(x: float) -> float:
    return round(x, 6)


def _ev(ev: Evidence) -> dict[str, Any]:
    return {"minhash_jaccard": _r(ev.minhash_jaccard), "jaccard": _r(ev.jaccard),
            "containment_ab": _r(ev.containment_ab), "containment_ba": _r(ev.containment_ba),
            "aligned_sentences": ev.aligned_sentences, "coverage_a": _r(ev.coverage_a),
            "coverage_b": _r(ev.coverage_b), "order": _r(ev.order), "score": _r(ev.score),
            "relation": ev.relation}


def _prf(p: PRF) -> dict[str, float]:
    return {"precision": _r(p.precision), "recall": _r(p.recall), "f1": _r(p.f1)}


def _false_merges(groups: Sequence[Group], gold: Mapping[str, str], run: _Run
                  ) -> Iterator[tuple[float, str, str, str]]:
    """(rank score, a, b, cluster id) for every labelled pair in one cluster with different groups."""
    for g in groups:
        members = [m for m in g.members if m in gold]
        if len({gold[m] for m in members}) < 2:
            continue
        cid = cluster_id(g.members)
        for a, b in combinations(members, 2):
            if gold[a] != gold[b]:
                e = run.edge(a, b)
                yield (e.evidence.score if e else min(run.link(a), run.link(b))), a, b, cid


def _with_extra(row: dict[str, Any], labels: Labels) -> dict[str, Any]:
    """The other fields of the two label records, when the labels file has any."""
    for side in ("a", "b"):
        if labels.extra.get(row[side]):
            row[f"label_{side}"] = labels.extra[row[side]]
    return row


def _merge_row(a: str, b: str, cid: str, gold: Mapping[str, str], run: _Run) -> dict[str, Any]:
    e, centre = run.edge(a, b), run.centre[a]
    row: dict[str, Any] = {"a": a, "b": b, "group_a": gold[a], "group_b": gold[b], "cluster": cid,
                           "centre": centre, "evidence": _ev(e.evidence) if e else None,
                           "edge_reason": e.reason if e else None}
    joined = (f"joined through {centre} (links: {a} {run.link(a):.2f}, {b} {run.link(b):.2f})"
              if centre not in (a, b) else "")
    if e is not None and e.accepted:
        row["why"] = f"verified copy: {e.reason}"
    elif e is not None:
        row["why"] = f"edge rejected ({e.reason}); {joined}"
    else:
        row["why"] = joined
    return row


def _cluster_key(key: str) -> str | None:
    """A predicted key as shown: the cluster id, or None for a singleton."""
    return None if key.startswith("=") else key


def _miss_row(a: str, b: str, pred: Mapping[str, str], gold: Mapping[str, str], run: _Run) -> dict[str, Any]:
    e = run.edge(a, b)
    row: dict[str, Any] = {"a": a, "b": b, "group": gold[a], "cluster_a": _cluster_key(pred[a]),
                           "cluster_b": _cluster_key(pred[b]), "evidence": _ev(e.evidence) if e else None,
                           "edge_reason": e.reason if e else None}
    if e is not None and e.accepted:
        row["why"] = (f"verified copy ({e.reason}), but cut apart by star clustering: centres "
                      f"{run.centre.get(a, a)} and {run.centre.get(b, b)}")
    elif e is not None:
        row["why"] = f"candidate rejected: {e.reason}"
    else:
        skipped = [x for x in (a, b) if x in run.skipped]
        row["why"] = ("; ".join(f"{x} skipped by the pipeline ({run.skipped[x].reason})" for x in skipped)
                      if skipped else "not an LSH candidate")
    return row


def evaluate(result: RunResult, labels: Labels, config: Config, input_root: str, show: int = 10,
             thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> dict[str, Any]:
    """The eval.json payload: metrics, counts, impure clusters, worst false merges and misses, sweep."""
    inputs = [d.id for d in result.documents] + [s.id for s in result.skipped]
    gold = {i: labels.groups[i] for i in sorted(inputs) if i in labels.groups}
    if not gold:
        some_label = min(labels.groups) if labels.groups else "none"
        some_doc = min(inputs) if inputs else "none"
        raise LabelError(f"{labels.source}: none of its {len(labels.groups)} label id(s) is a document id of "
                         f"this run (labels look like {some_label!r}, documents like {some_doc!r})")
    groups = cluster([d.id for d in result.documents], [e for e in result.edges if e.accepted])
    pred_all = predicted(inputs, groups)
    pred = {i: pred_all[i] for i in gold}
    s: Scores = scores(pred, gold)
    run = _Run(result, groups)

    impure = []
    for g in groups:
        counts = Counter(gold[m] for m in g.members if m in gold)
        if len(counts) > 1:
            n = sum(counts.values())
            wrong = (n * n - sum(k * k for k in counts.values())) // 2
            impure.append({"cluster": cluster_id(g.members), "size": len(g.members), "labelled": n,
                           "centre": g.centre, "false_merge_pairs": wrong,
                           "groups": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10])})
    impure.sort(key=lambda c: (-c["false_merge_pairs"], c["cluster"]))

    worst_merges = heapq.nsmallest(show, _false_merges(groups, gold, run), key=lambda r: (r[0], r[1], r[2]))

    # Misses with a candidate edge, highest score first; then pairs LSH never proposed.
    edge_misses = sorted(((e.evidence.score, e.a, e.b) for e in result.edges
                          if e.a in gold and e.b in gold and gold[e.a] == gold[e.b] and pred[e.a] != pred[e.b]),
                         key=lambda r: (-r[0], r[1], r[2]))
    gold_pairs_with_edge = sum(1 for e in result.edges if e.a in gold and e.b in gold and gold[e.a] == gold[e.b])
    misses = [_with_extra(_miss_row(a, b, pred, gold, run), labels) for _, a, b in edge_misses[:show]]
    by_group: dict[str, list[str]] = defaultdict(list)
    for i, grp in gold.items():
        by_group[grp].append(i)
    if len(misses) < show:
        for grp in sorted(by_group):
            for a, b in combinations(by_group[grp], 2):
                if pred[a] != pred[b] and run.edge(a, b) is None:
                    misses.append(_with_extra(_miss_row(a, b, pred, gold, run), labels))
                    if len(misses) >= show:
                        break
            if len(misses) >= show:
                break

    skipped_labelled = sum(1 for i in gold if i in run.skipped)
    pairs = s.pairs
    points = sweep(result, gold, config, thresholds)
    notes = [
        f"{len(inputs) - len(gold)} input(s) without a label are not scored",
        f"{skipped_labelled} labelled input(s) skipped by the pipeline are scored as singletons",
        SWEEP_NOTE + f" ({pairs.together_gold - gold_pairs_with_edge} of the {pairs.together_gold} gold pairs "
                     "were never candidates)",
    ]
    return {
        "tool": {"name": "dedup", "version": __version__},
        "input": input_root,
        "labels": labels.source,
        "parameters": config.to_dict(),
        "counts": {
            "inputs": len(inputs), "labelled": len(gold), "unlabelled": len(inputs) - len(gold),
            "labels_without_document": sum(1 for i in labels.groups if i not in pred_all),
            "skipped_scored_as_singletons": skipped_labelled,
            "gold_groups": len(by_group), "gold_groups_of_2_or_more": sum(1 for v in by_group.values() if len(v) > 1),
            "predicted_clusters": sum(1 for g in groups if sum(m in gold for m in g.members) > 1),
            "impure_clusters": len(impure),
            "predicted_pairs": pairs.together_pred, "gold_pairs": pairs.together_gold,
            "true_pairs": pairs.together_both, "false_merge_pairs": pairs.false_merges,
            "missed_pairs": pairs.misses, "missed_pairs_with_candidate_edge": len(edge_misses),
            "gold_pairs_with_candidate_edge": gold_pairs_with_edge,
        },
        "pairwise": _prf(s.pairwise),
        "bcubed": _prf(s.bcubed),
        "adjusted_rand": _r(s.ari),
        "impure_clusters": impure[:show],
        "false_merges": [_with_extra(_merge_row(a, b, cid, gold, run), labels) for _, a, b, cid in worst_merges],
        "misses": misses,
        "sweep": {"parameter": "min_coverage", "current": config.min_coverage, "note": SWEEP_NOTE,
                  "points": [{k: (_r(v) if isinstance(v, float) else v) for k, v in p.items()} for p in points]},
        "notes": notes,
    }


def dumps(payload: Mapping[str, Any]) -> bytes:
    """eval.json bytes: sorted keys, two-space indent, trailing newline (deterministic)."""
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
