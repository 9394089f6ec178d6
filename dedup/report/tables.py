"""Parquet tables for data pipelines: ``documents.parquet`` and ``pairs.parquet``.

Both files are deterministic (the same input and options give byte-identical
files, whatever ``--jobs``): written with ``pyarrow.parquet``, zstd level 3,
row groups of ``ROW_GROUP_ROWS`` rows, dictionary encoding and statistics on,
no timestamps.  They are written atomically (a temporary file, then a rename),
and built a row group at a time from columns, never from a dict per row.

Key-value metadata of both files (``pyarrow.parquet.read_schema(path).metadata``)::

    dedup.schema_version  "1.1"   (TABLES_SCHEMA_VERSION: a major bump removes or retypes a column; 1.1 added
                                   documents.parquet's language and language_reason)
    dedup.table           "documents" or "pairs"
    dedup.tool            "dedup"
    dedup.version         the dedup version that wrote the file
    dedup.input           the input as given on the command line ("seeds"), as clusters.json's "input"
    dedup.parameters      every option that shapes results, as JSON (clusters.json's "parameters")

``OUT/documents.parquet``: one row per input, the rows and order of ``documents.jsonl``
(compared and skipped documents, in id order; a compared document before a skipped one on a tie)::

    id             string   not null  the document id
    status         string   not null  clustered | singleton | skipped
    cluster        string             the cluster id; null unless clustered
    canonical      string             the id of the cluster's canonical document; null unless clustered
    is_canonical   bool     not null  true for a cluster's canonical (documents.jsonl's "canonical")
    relation       string             a member's relation to the canonical: identical | near_identical | trimmed |
                                      extended | reworded | partial | unrelated; null for canonicals,
                                      singletons and skipped inputs
    score          double             a member's score against the canonical (max(coverage_a, coverage_b), full
                                      precision; clusters.json rounds it to 4 decimals); null where relation is
    equivalent     bool               true for a content-equivalent copy (identical, or near_identical with each
                                      text at least 95% covered), false for a version; null where relation is
    cluster_reason string             why it holds its place in the cluster: the canonical's is the cluster's
                                      canonical_reason, a member's its clusters.json "reason"; null unless clustered
    reason         string             skipped inputs only: the skip reason (too_short, binary, ...), as documents.jsonl
    detail         string             skipped inputs only: the line naming the problem, as documents.jsonl
    path           string   not null  the file it came from, relative to the input root
    encoding       string             the text encoding; null for skipped inputs
    format         string             txt | md | html | json | jsonl | ...; null for skipped inputs
    title          string             null where none was read (and for skipped inputs)
    date           string             ISO 8601 date (YYYY-MM-DD); null where none was read
    source         string             null where none was read
    url            string             null where none was read
    language       string             its language's code (en, de, zh...); null when it has none, and for skipped inputs
    language_reason string            why it got the neutral treatment (no stemming, no stopwords), as documents.jsonl;
                                      null when its language has a Snowball stemmer, and for skipped inputs
    chars          int64              length of the document's text; null for skipped inputs
    words          int64              words of the article body after normalization; null for skipped inputs

``OUT/pairs.parquet``: one row per verified candidate pair, accepted or rejected
(``len(result.edges)`` rows), sorted by (a, b) as the run's edges are::

    a                  string  not null  the first document's id (a < b)
    b                  string  not null  the second document's id
    accepted           bool    not null  true when the pair was verified as a copy
    relation           string  not null  identical | near_identical | trimmed | extended | reworded | partial |
                                         unrelated
    minhash_jaccard    double  not null  Jaccard estimated from the MinHash signatures
    jaccard            double  not null  exact Jaccard of the word-shingle sets
    containment_ab     double  not null  share of a's shingles found in b
    containment_ba     double  not null  share of b's shingles found in a
    aligned_sentences  int64   not null  sentence pairs aligned
    coverage_a         double  not null  share of a's content words in aligned sentences
    coverage_b         double  not null  share of b's content words in aligned sentences
    order              double  not null  share of alignments in a common order (1.0 = same order)
    score              double  not null  max(coverage_a, coverage_b), compared with --min-coverage
    reason             string  not null  why the pair was accepted or rejected, one line

The figures are the run's own, at full precision (``clusters.json`` rounds
them to 4 decimals).  In ``pairs.parquet`` side A is ``a``; in a member's
figures in ``clusters.json`` side A is the member and B the canonical, so a
pair's figures equal a member's only when the member was verified directly
against the canonical.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Sequence
from dataclasses import fields
from itertools import islice
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dedup._version import __version__
from dedup.config import Config
from dedup.storage.atomic import atomic_file
from dedup.storage.packed import _FIGURES, EdgeTable, heads
from dedup.types import RELATIONS, Cluster, Edge, Evidence, RunResult

__all__ = [
    "DOCUMENTS_PARQUET",
    "DOCUMENTS_SCHEMA",
    "PAIRS_PARQUET",
    "PAIRS_SCHEMA",
    "ROW_GROUP_ROWS",
    "TABLES_SCHEMA_VERSION",
    "MemberFact",
    "documents_batches",
    "member_facts",
    "pairs_batches",
    "write_documents",
    "write_pairs",
]

DOCUMENTS_PARQUET = "documents.parquet"
PAIRS_PARQUET = "pairs.parquet"
TABLES_SCHEMA_VERSION = "1.1"
ROW_GROUP_ROWS = 65_536  # rows per row group (and per batch built in memory): fixed, so the bytes are
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 3

MemberFact = tuple[str, str | None, float | None, bool | None, str | None]
"""What ``documents.parquet`` takes from an unpacked cluster for one member: (id, relation, score, equivalent,
cluster_reason)."""

_STR, _F64, _I64, _BOOL = pa.string(), pa.float64(), pa.int64(), pa.bool_()

DOCUMENTS_SCHEMA = pa.schema([
    pa.field("id", _STR, nullable=False),
    pa.field("status", _STR, nullable=False),
    pa.field("cluster", _STR),
    pa.field("canonical", _STR),
    pa.field("is_canonical", _BOOL, nullable=False),
    pa.field("relation", _STR),
    pa.field("score", _F64),
    pa.field("equivalent", _BOOL),
    pa.field("cluster_reason", _STR),
    pa.field("reason", _STR),
    pa.field("detail", _STR),
    pa.field("path", _STR, nullable=False),
    pa.field("encoding", _STR),
    pa.field("format", _STR),
    pa.field("title", _STR),
    pa.field("date", _STR),
    pa.field("source", _STR),
    pa.field("url", _STR),
    pa.field("language", _STR),
    pa.field("language_reason", _STR),
    pa.field("chars", _I64),
    pa.field("words", _I64),
])

_EVIDENCE = [f for f in fields(Evidence) if f.name != "relation"]  # every figure, in Evidence's order
_FIGURE_COLUMN = {f.name: _FIGURES.index(f.name) for f in _EVIDENCE}  # where EdgeTable.figures keeps it
_INT_FIGURES = {f.name for f in _EVIDENCE if f.type in (int, "int")}

PAIRS_SCHEMA = pa.schema(
    [pa.field("a", _STR, nullable=False), pa.field("b", _STR, nullable=False),
     pa.field("accepted", _BOOL, nullable=False), pa.field("relation", _STR, nullable=False)]
    + [pa.field(f.name, _I64 if f.name in _INT_FIGURES else _F64, nullable=False) for f in _EVIDENCE]
    + [pa.field("reason", _STR, nullable=False)]
)


# ---------------------------------------------------------------- documents.parquet


def member_facts(cluster: Cluster) -> list[MemberFact]:
    """Each member's (id, relation, score, equivalent, cluster_reason), from the cluster with its evidence (the
    values ``clusters.json`` shows for it: a member's ``relation``, ``similarity.score``, ``reason``)."""
    out: list[MemberFact] = []
    for m in cluster.members:
        if m.id == cluster.canonical:
            out.append((m.id, None, None, None, cluster.canonical_reason))
        elif m.evidence is None:
            out.append((m.id, None, None, None, m.reason or None))
        else:
            out.append((m.id, m.evidence.relation, float(m.evidence.score), m.evidence.equivalent, m.reason or None))
    return out


def documents_batches(result: RunResult, facts: dict[str, MemberFact] | None = None,
                      size: int | None = None) -> Iterator[pa.RecordBatch]:
    """``documents.parquet``'s rows, ``size`` at a time.  ``facts`` maps every clustered id to its
    ``member_facts`` (``write_report`` gathers them as it renders the clusters); without it the
    clusters are unpacked here.  ``size`` defaults to ``ROW_GROUP_ROWS``."""
    size = size or ROW_GROUP_ROWS
    if facts is None:
        facts = {f[0]: f for c in result.clusters for f in member_facts(c)}
    where: dict[str, tuple[str, str]] = {}  # id -> (cluster id, canonical id)
    for h in heads(result.clusters):
        for m in h.members:
            where[m] = (h.id, h.canonical)
    docs, skipped = result.documents, result.skipped
    order = heapq.merge(((d.id, 0, k) for k, d in enumerate(docs)),  # both are sorted by id: documents.jsonl's order
                        ((s.id, 1, k) for k, s in enumerate(skipped)))
    while chunk := list(islice(order, size)):
        cols: dict[str, list[object]] = {f.name: [] for f in DOCUMENTS_SCHEMA}
        (c_id, c_status, c_cluster, c_canonical, c_is, c_relation, c_score, c_equivalent, c_why, c_reason, c_detail,
         c_path, c_encoding, c_format, c_title, c_date, c_source, c_url, c_language, c_language_reason, c_chars,
         c_words) = cols.values()
        for _, kind, k in chunk:
            if kind == 0:
                d = docs[k]
                placed = where.get(d.id)
                if placed is None:
                    c_status.append("singleton")
                    c_cluster.append(None)
                    c_canonical.append(None)
                    c_is.append(False)
                    c_relation.append(None)
                    c_score.append(None)
                    c_equivalent.append(None)
                    c_why.append(None)
                else:
                    _, relation, score, same, why = facts.get(d.id) or (d.id, None, None, None, None)
                    c_status.append("clustered")
                    c_cluster.append(placed[0])
                    c_canonical.append(placed[1])
                    c_is.append(placed[1] == d.id)
                    c_relation.append(relation)
                    c_score.append(score)
                    c_equivalent.append(same)
                    c_why.append(why)
                c_id.append(d.id)
                c_reason.append(None)
                c_detail.append(None)
                c_path.append(d.path)
                c_encoding.append(d.encoding)
                c_format.append(d.format)
                c_title.append(d.title)
                c_date.append(d.date)
                c_source.append(d.source)
                c_url.append(d.url)
                c_language.append(d.language)
                c_language_reason.append(d.language_reason)
                c_chars.append(d.chars)
                c_words.append(d.words)
            else:
                s = skipped[k]
                c_id.append(s.id)
                c_status.append("skipped")
                c_is.append(False)
                c_reason.append(s.reason)
                c_detail.append(s.detail)
                c_path.append(s.path)
                for col in (c_cluster, c_canonical, c_relation, c_score, c_equivalent, c_why, c_encoding, c_format,
                            c_title, c_date, c_source, c_url, c_language, c_language_reason, c_chars, c_words):
                    col.append(None)
        yield pa.RecordBatch.from_arrays([pa.array(cols[f.name], type=f.type) for f in DOCUMENTS_SCHEMA],
                                         schema=DOCUMENTS_SCHEMA)


# ---------------------------------------------------------------- pairs.parquet


def pairs_batches(edges: Sequence[Edge], size: int | None = None) -> Iterator[pa.RecordBatch]:
    """``pairs.parquet``'s rows, ``size`` (``ROW_GROUP_ROWS``) at a time: straight from an ``EdgeTable``'s
    numpy columns (the pipeline's), or from ``Edge`` objects."""
    size = size or ROW_GROUP_ROWS
    if isinstance(edges, EdgeTable):
        yield from _table_batches(edges, size)
        return
    for start in range(0, len(edges), size):
        part = [edges[k] for k in range(start, min(start + size, len(edges)))]
        arrays = [pa.array([e.a for e in part], _STR), pa.array([e.b for e in part], _STR),
                  pa.array([bool(e.accepted) for e in part], _BOOL),
                  pa.array([e.evidence.relation for e in part], _STR)]
        for f in _EVIDENCE:
            values = [getattr(e.evidence, f.name) for e in part]
            arrays.append(pa.array(np.array(values, dtype=np.int64 if f.name in _INT_FIGURES else np.float64)))
        arrays.append(pa.array([e.reason for e in part], _STR))
        yield pa.RecordBatch.from_arrays(arrays, schema=PAIRS_SCHEMA)


def _table_batches(table: EdgeTable, size: int) -> Iterator[pa.RecordBatch]:
    ids = pa.array(list(table.ids), _STR)
    relations = pa.array(RELATIONS, _STR)
    # the reasons repeat, and the table keeps each once with an index per pair (packed.EdgeTable)
    reasons = pa.array(table._reasons, _STR)
    reason_of = table._reason_of
    for start in range(0, len(table), size):
        end = min(start + size, len(table))
        pairs, figures = table.pairs[start:end], table.figures[start:end]
        arrays = [ids.take(pa.array(pairs[:, 0])), ids.take(pa.array(pairs[:, 1])),
                  pa.array(table.accepted[start:end], _BOOL), relations.take(pa.array(table.relations[start:end]))]
        for f in _EVIDENCE:
            column = figures[:, _FIGURE_COLUMN[f.name]]
            arrays.append(pa.array(column.astype(np.int64) if f.name in _INT_FIGURES else np.ascontiguousarray(column)))
        arrays.append(reasons.take(pa.array(reason_of[start:end])))
        yield pa.RecordBatch.from_arrays(arrays, schema=PAIRS_SCHEMA)


# ---------------------------------------------------------------- writing


def _metadata(table: str, config: Config, input_root: str) -> dict[bytes, bytes]:
    meta = {
        "dedup.schema_version": TABLES_SCHEMA_VERSION,
        "dedup.table": table,
        "dedup.tool": "dedup",
        "dedup.version": __version__,
        "dedup.input": str(input_root),
        "dedup.parameters": json.dumps(config.to_dict(), sort_keys=True, separators=(",", ":")),
    }
    return {k.encode(): v.encode() for k, v in meta.items()}


def _write(path: Path, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> None:
    """The batches as one Parquet file at ``path``, atomically (``storage.atomic.atomic_file``)."""
    with atomic_file(path) as fh:
        writer = pq.ParquetWriter(fh, schema, compression=COMPRESSION, compression_level=COMPRESSION_LEVEL,
                                  use_dictionary=True, write_statistics=True)
        try:
            for batch in batches:
                if batch.num_rows:
                    writer.write_table(pa.Table.from_batches([batch.replace_schema_metadata(schema.metadata)]),
                                       row_group_size=ROW_GROUP_ROWS)
        finally:
            writer.close()  # the footer; the temporary file stays open for atomic_file to sync and rename


def write_documents(path: Path, result: RunResult, config: Config, input_root: str,
                    facts: dict[str, MemberFact] | None = None) -> None:
    """Write ``documents.parquet`` (see the module's docstring) atomically."""
    schema = DOCUMENTS_SCHEMA.with_metadata(_metadata("documents", config, input_root))
    _write(Path(path), schema, documents_batches(result, facts))


def write_pairs(path: Path, result: RunResult, config: Config, input_root: str) -> None:
    """Write ``pairs.parquet`` (see the module's docstring) atomically."""
    schema = PAIRS_SCHEMA.with_metadata(_metadata("pairs", config, input_root))
    _write(Path(path), schema, pairs_batches(result.edges))
