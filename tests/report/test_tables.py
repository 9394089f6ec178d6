"""OUT/documents.parquet and OUT/pairs.parquet: schema, rows that agree with the JSON outputs, bytes, atomicity."""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_helpers import invoke, no_traceback

import dedup
import dedup.runtime.pool
import dedup.storage.atomic
from dedup.config import Config
from dedup.report import tables
from dedup.report.writer import format_summary, write_report
from dedup.storage.packed import EdgeColumns, EdgeTable
from dedup.types import RELATIONS, Evidence, RunResult

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
BODY = ("The council voted on Tuesday to close the old library on Main Street. Residents said they "
        "were disappointed by the decision and would appeal it at the next public meeting.\n")
OTHER = ("A storm brought heavy snow to the northern valleys overnight, closing two mountain passes "
         "and leaving several villages without power until engineers restored the lines.\n")
THIRD = ("The orchestra announced its new season with three premieres, a festival of chamber music in "
         "June and free concerts in the park for families every Sunday afternoon in August.\n")
FINISHED = {"clusters.json", "documents.jsonl", "clusters", "report.html", "documents.parquet", "pairs.parquet"}


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def synthetic(root: Path) -> Path:
    """A small corpus with copies, a singleton, and skipped inputs of several kinds (records among them)."""
    write(root / "a.txt", BODY)
    write(root / "b.txt", "Council closes library\n\n" + BODY)
    write(root / "c.txt", BODY.replace("Tuesday", "Wednesday") + "The mayor did not comment.\n")
    write(root / "d.txt", OTHER)
    write(root / "e.txt", THIRD)  # a singleton
    write(root / "f.txt", BODY.split(". ")[0] + ". " + THIRD)  # shares one sentence with a.txt: a rejected pair
    write(root / "short.txt", "Too short.\n")
    write(root / "blank.md", "  \n\n")
    write(root / "noise.txt", bytes(range(256)) * 8)
    write(root / "photo.jpg", b"\xff\xd8\xff\xe0" + bytes(100))
    write(root / "feed.jsonl", "\n".join([
        orjson.dumps({"id": "r1", "text": OTHER, "title": "Snow", "date": "2024-01-05"}).decode(),
        "{not json",
        orjson.dumps({"id": "r2", "text": "tiny"}).decode(),
        orjson.dumps({"id": "r3", "text": BODY, "source": "Wire", "url": "https://example.org/r3"}).decode(),
    ]) + "\n")
    return root


def run_cli(root: Path, out: Path, *options: object) -> Path:
    result = invoke("run", root, "--out", out, *options)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The output folders of the seeds run and of the synthetic corpus's run."""
    base = tmp_path_factory.mktemp("tables")
    return {"seeds": run_cli(SEEDS, base / "seeds-out"),
            "synthetic": run_cli(synthetic(base / "syn"), base / "syn-out")}


@pytest.fixture(params=["seeds", "synthetic"])
def out(request: pytest.FixtureRequest, corpora: dict[str, Path]) -> Path:
    return corpora[request.param]


def jsonl(out: Path) -> list[dict]:
    return [orjson.loads(line) for line in (out / "documents.jsonl").read_bytes().splitlines()]


def clusters(out: Path) -> dict:
    return orjson.loads((out / "clusters.json").read_bytes())


# ---------------------------------------------------------------- schema


def test_synthetic_corpus_has_what_the_tests_need(corpora: dict[str, Path]) -> None:
    rows = jsonl(corpora["synthetic"])
    statuses = {r["status"] for r in rows}
    assert statuses == {"clustered", "singleton", "skipped"}
    assert len({r["reason"] for r in rows if r["status"] == "skipped"}) >= 4
    counts = clusters(corpora["synthetic"])["counts"]
    assert counts["clusters"] >= 2 and counts["verified_pairs"] > 0 and counts["rejected_pairs"] > 0


def test_schemas_and_metadata(out: Path) -> None:
    for name, schema, table in (("documents.parquet", tables.DOCUMENTS_SCHEMA, "documents"),
                                ("pairs.parquet", tables.PAIRS_SCHEMA, "pairs")):
        read = pq.read_schema(out / name)
        assert read.remove_metadata().equals(schema), name  # names, types and nullability
        meta = {k.decode(): v.decode() for k, v in read.metadata.items() if not k.startswith(b"ARROW:")}
        payload = clusters(out)
        assert meta == {
            "dedup.schema_version": tables.TABLES_SCHEMA_VERSION,
            "dedup.table": table,
            "dedup.tool": "dedup",
            "dedup.version": dedup.__version__,
            "dedup.input": payload["input"],
            "dedup.parameters": meta["dedup.parameters"],
        }
        assert orjson.loads(meta["dedup.parameters"]) == payload["parameters"] | {"language": "auto",
                                                                                   "language_field": "language"}
        file = pq.ParquetFile(out / name).metadata
        assert file.num_row_groups == 1 and file.row_group(0).column(0).compression == "ZSTD"
    assert tables.TABLES_SCHEMA_VERSION == "1.1"
    documents = pq.read_schema(out / "documents.parquet")
    assert documents.field("score").type == pa.float64() and documents.field("is_canonical").type == pa.bool_()
    assert documents.field("chars").type == pa.int64()
    pairs = pq.read_schema(out / "pairs.parquet")
    assert pairs.field("aligned_sentences").type == pa.int64() and pairs.field("accepted").type == pa.bool_()


def test_pairs_hold_every_evidence_figure() -> None:
    figures = [f.name for f in dataclasses.fields(Evidence) if f.name != "relation"]
    assert tables.PAIRS_SCHEMA.names == ["a", "b", "accepted", "relation", *figures, "reason"]


# ---------------------------------------------------------------- rows agree with the JSON outputs


def test_documents_rows_agree_with_documents_jsonl(out: Path) -> None:
    rows = pq.read_table(out / "documents.parquet").to_pylist()
    lines = jsonl(out)
    assert len(rows) == len(lines) == clusters(out)["counts"]["inputs"]
    for row, line in zip(rows, lines, strict=True):
        assert row["id"] == line["id"]  # same rows, same order
        for key in ("status", "cluster", "reason", "detail", "path", "encoding", "title", "date"):
            assert row[key] == line[key], (row["id"], key)
        assert row["is_canonical"] is line["canonical"]
        if row["status"] == "skipped":
            assert row["reason"] and row["detail"]
            assert all(row[k] is None for k in ("cluster", "canonical", "relation", "score", "cluster_reason",
                                                "encoding", "format", "chars", "words"))
        else:
            assert row["reason"] is None and row["detail"] is None and row["chars"] > 0 and row["words"] > 0
        if row["status"] == "singleton":
            assert row["canonical"] is row["relation"] is row["score"] is row["cluster_reason"] is None


def test_documents_rows_agree_with_clusters_json(out: Path) -> None:
    rows = {r["id"]: r for r in pq.read_table(out / "documents.parquet").to_pylist()}
    payload = clusters(out)
    seen = set()
    for c in payload["clusters"]:
        for m in c["members"]:
            row = rows[m["id"]]
            seen.add(m["id"])
            assert row["status"] == "clustered" and row["cluster"] == c["id"] and row["canonical"] == c["canonical"]
            for key in ("path", "title", "date", "source", "url", "encoding", "chars"):
                assert row[key] == m[key], (m["id"], key)
            assert row["is_canonical"] is m["canonical"]
            if m["canonical"]:
                assert row["relation"] is None and row["score"] is None
                assert row["cluster_reason"] == c["canonical_reason"]
            else:
                assert row["relation"] == m["relation"] and row["relation"] in RELATIONS
                assert round(row["score"], 4) == m["similarity"]["score"]  # the JSON rounds; the table does not
                assert row["cluster_reason"] == m["reason"]
    assert seen == {i for i, r in rows.items() if r["status"] == "clustered"}
    assert sum(r["is_canonical"] for r in rows.values()) == payload["counts"]["clusters"]


def test_pairs_are_the_runs_edges(out: Path) -> None:
    table = pq.read_table(out / "pairs.parquet")
    counts = clusters(out)["counts"]
    assert table.num_rows == counts["verified_pairs"] + counts["rejected_pairs"]
    rows = table.to_pylist()
    assert sum(r["accepted"] for r in rows) == counts["verified_pairs"]
    keys = [(r["a"], r["b"]) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) and all(a < b for a, b in keys)
    ids = {r["id"] for r in jsonl(out) if r["status"] != "skipped"}
    for r in rows:
        assert {r["a"], r["b"]} <= ids and r["relation"] in RELATIONS and r["reason"]
        assert r["score"] == max(r["coverage_a"], r["coverage_b"])


def test_pairs_match_the_run_result_at_full_precision(tmp_path: Path) -> None:
    root = synthetic(tmp_path / "in")
    result = dedup.run(root, Config())
    assert isinstance(result.edges, EdgeTable) and len(result.edges) > 0
    write_report(result, Config(), tmp_path / "out", "in")
    rows = pq.read_table(tmp_path / "out" / "pairs.parquet").to_pylist()
    assert len(rows) == len(result.edges)
    for row, edge in zip(rows, result.edges, strict=True):
        assert (row["a"], row["b"], row["accepted"], row["reason"]) == (edge.a, edge.b, edge.accepted, edge.reason)
        assert row["relation"] == edge.evidence.relation
        for f in dataclasses.fields(edge.evidence):
            assert row[f.name] == getattr(edge.evidence, f.name), f.name


def test_a_member_verified_against_the_canonical_has_its_pairs_figures(corpora: dict[str, Path]) -> None:
    out = corpora["seeds"]
    pairs = {(r["a"], r["b"]): r for r in pq.read_table(out / "pairs.parquet").to_pylist()}
    docs = {r["id"]: r for r in pq.read_table(out / "documents.parquet").to_pylist()}
    checked = 0
    for row in docs.values():
        if row["status"] == "clustered" and not row["is_canonical"] \
                and row["cluster_reason"].startswith(f"verified copy of {row['canonical']}:"):
            pair = pairs[tuple(sorted((row["id"], row["canonical"])))]
            assert pair["accepted"] and math.isclose(pair["score"], row["score"])
            checked += 1
    assert checked == 2


# ---------------------------------------------------------------- bytes


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("documents.parquet", "pairs.parquet")}


def test_two_runs_give_the_same_bytes(tmp_path: Path, corpora: dict[str, Path]) -> None:
    root = synthetic(tmp_path / "in")
    first = _bytes(run_cli(root, tmp_path / "a"))
    assert _bytes(run_cli(root, tmp_path / "a")) == first  # again into the same folder
    assert _bytes(run_cli(root, tmp_path / "b")) == first  # and into a fresh one
    assert _bytes(run_cli(SEEDS, tmp_path / "seeds")) == _bytes(corpora["seeds"])


@pytest.mark.parametrize("corpus", ["seeds", "synthetic"])
def test_jobs_do_not_change_the_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus: str) -> None:
    root = SEEDS if corpus == "seeds" else synthetic(tmp_path / "in")
    one = _bytes(run_cli(root, tmp_path / "j1", "--jobs", "1"))
    assert _bytes(run_cli(root, tmp_path / "j2", "--jobs", "2")) == one
    # too few documents to start workers: force the process pool so -j 2 really forks
    monkeypatch.setattr(dedup.runtime.pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(dedup.runtime.pool, "_CHUNK", 1)
    assert _bytes(run_cli(root, tmp_path / "j2pool", "--jobs", "2")) == one


def test_edge_objects_and_packed_columns_give_the_same_file(tmp_path: Path) -> None:
    result = dedup.run(synthetic(tmp_path / "in"), Config())
    ids = [d.id for d in result.documents]
    number = {i: k for k, i in enumerate(ids)}
    edges = list(result.edges)
    rebuilt = EdgeTable(ids, [EdgeColumns.of([(number[e.a], number[e.b]) for e in edges], edges)])
    for name, run in (("objects", dataclasses.replace(result, edges=tuple(edges))),
                      ("table", dataclasses.replace(result, edges=rebuilt)), ("run", result)):
        tables.write_pairs(tmp_path / f"{name}.parquet", run, Config(), "in")
    objects = (tmp_path / "objects.parquet").read_bytes()
    assert (tmp_path / "table.parquet").read_bytes() == objects == (tmp_path / "run.parquet").read_bytes()


def test_facts_gathered_while_rendering_equal_facts_unpacked_here(tmp_path: Path) -> None:
    result = dedup.run(synthetic(tmp_path / "in"), Config())
    write_report(result, Config(), tmp_path / "out", "in")
    tables.write_documents(tmp_path / "alone.parquet", result, Config(), "in")  # no facts: unpacks the clusters
    assert (tmp_path / "alone.parquet").read_bytes() == (tmp_path / "out" / "documents.parquet").read_bytes()


def test_row_groups_have_a_fixed_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = dedup.run(synthetic(tmp_path / "in"), Config())
    write_report(result, Config(), tmp_path / "big", "in")
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 2)
    write_report(result, Config(), tmp_path / "small", "in")
    for name, n in (("documents.parquet", len(result.documents) + len(result.skipped)),
                    ("pairs.parquet", len(result.edges))):
        small = pq.ParquetFile(tmp_path / "small" / name)
        assert small.metadata.num_rows == n and small.metadata.num_row_groups == math.ceil(n / 2)
        assert [small.metadata.row_group(k).num_rows for k in range(small.metadata.num_row_groups)][:-1] == \
            [2] * (small.metadata.num_row_groups - 1)
        assert pq.ParquetFile(tmp_path / "big" / name).metadata.num_row_groups == 1
        assert small.read().equals(pq.read_table(tmp_path / "big" / name))


def test_a_run_without_pairs_or_clusters(tmp_path: Path) -> None:
    write(tmp_path / "in" / "a.txt", BODY)
    write(tmp_path / "in" / "short.txt", "Too short.\n")
    out = run_cli(tmp_path / "in", tmp_path / "out")
    assert pq.read_table(out / "pairs.parquet").num_rows == 0
    assert pq.read_schema(out / "pairs.parquet").remove_metadata().equals(tables.PAIRS_SCHEMA)
    assert [r["status"] for r in pq.read_table(out / "documents.parquet").to_pylist()] == ["singleton", "skipped"]


# ---------------------------------------------------------------- atomic writing


def _leftovers(out: Path) -> list[str]:
    """Anything in out/ that is not part of a finished report."""
    return sorted(p.name for p in out.iterdir() if p.name not in FINISHED)


def test_no_stray_temporary_files(tmp_path: Path) -> None:
    root = synthetic(tmp_path / "in")
    for _ in range(2):
        run_cli(root, tmp_path / "out")
    assert _leftovers(tmp_path / "out") == []
    assert {p.name for p in (tmp_path / "out").iterdir()} == FINISHED


def test_tables_are_renamed_into_place_before_clusters_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    real = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        order.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(dedup.storage.atomic.os, "replace", spy)
    run_cli(SEEDS, tmp_path / "out", "--jobs", "1")
    assert order == ["documents.jsonl", "clusters", "documents.parquet", "pairs.parquet", "report.html",
                     "clusters.json"]


@pytest.mark.parametrize("name", ["documents.parquet", "pairs.parquet"])
def test_a_failed_table_write_keeps_the_old_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    out = run_cli(SEEDS, tmp_path / "out")
    old = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    real_writer = tables.pq.ParquetWriter

    class Failing(real_writer):  # type: ignore[misc, valid-type]
        def write_table(self, *args: object, **kwargs: object) -> None:
            if self.is_target:
                raise OSError(28, "No space left on device")
            super().write_table(*args, **kwargs)

        def __init__(self, where: object, schema: pa.Schema, **kwargs: object) -> None:
            self.is_target = schema.metadata[b"dedup.table"] == name.split(".")[0].encode()
            super().__init__(where, schema, **kwargs)

    monkeypatch.setattr(tables.pq, "ParquetWriter", Failing)
    result = invoke("run", SEEDS, "--out", out, "--canonical", "longest")
    no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot write to {out}: No space left on device"
    assert (out / "clusters.json").read_bytes() == old["clusters.json"], "clusters.json must be the previous run's"
    assert (out / name).read_bytes() == old[name]
    assert _leftovers(out) == [], "temporary files must be removed after a failed write"
    monkeypatch.undo()
    run_cli(SEEDS, out, "--canonical", "longest")
    assert _leftovers(out) == []


# ---------------------------------------------------------------- summary


def test_summary_names_the_tables(tmp_path: Path) -> None:
    result: RunResult = dedup.run(SEEDS, Config())
    line = format_summary(result, Path("out")).splitlines()[-1]
    assert line == ("  output            out/clusters.json, out/documents.jsonl, out/clusters/ (1 file), "
                    "out/report.html, out/documents.parquet, out/pairs.parquet")
