"""Tests for the report stage: payloads, schemas, atomic writing, Markdown and summary."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

import dedup
import dedup.report.writer as report_module
from dedup.config import Config
from dedup.report import html as html_report
from dedup.report.markdown import cluster_filename, quote, word_diff
from dedup.report.writer import (
    SCHEMA_VERSION,
    ReportError,
    clusters_json,
    clusters_payload,
    documents_lines,
    format_summary,
    load_schema,
    markdown_files,
    validate,
    write_report,
)
from dedup.storage.atomic import replace_dir, write_atomic
from dedup.storage.packed import PackedClusters
from dedup.types import (
    Cluster,
    DiffItem,
    DocInfo,
    Document,
    Edge,
    Evidence,
    Member,
    RunResult,
    Skipped,
    StageCount,
    VariantDiff,
    WordOp,
)

CANON_TEXT = "The council approved the budget on Monday. Taxes will rise by two percent. The mayor was absent."
VARIANT_TEXT = (
    "The council approved the budget on Monday. Local taxes will rise by 2 percent next year. "
    "# Breaking: *subscribe* | now <b>here</b>\n- list item"
)
ADDED = "# Breaking: *subscribe* | now <b>here</b>\n- list item"


def _evidence(relation: str = "extended", score: float = 0.812345678) -> Evidence:
    return Evidence(
        minhash_jaccard=0.6171875,
        jaccard=0.612345678,
        containment_ab=0.7,
        containment_ba=0.66666666,
        aligned_sentences=2,
        coverage_a=0.75,
        coverage_b=0.5555555,
        order=1.0,
        score=score,
        relation=relation,
    )


def make_result(with_cluster: bool = True) -> RunResult:
    docs = (
        Document(id="a.txt", text=CANON_TEXT, path="a.txt", encoding="utf-8", format="txt",
                 title="Budget approved", date="2024-03-04", source="Daily", url="https://example.org/a"),
        Document(id="b.txt", text=VARIANT_TEXT, path="b.txt", encoding="cp1252", format="txt"),
        Document(id="c.txt", text="Something else entirely, about the weather and the rain.", path="c.txt",
                 encoding="utf-8", format="txt", title="Weather"),
    )
    skipped = (Skipped(id="z.bin", path="z.bin", reason="binary", detail="contains NUL bytes"),)
    added_start = VARIANT_TEXT.index(ADDED)
    changed_v = "Local taxes will rise by 2 percent next year."
    changed_c = "Taxes will rise by two percent."
    removed = "The mayor was absent."
    diff = VariantDiff(
        items=(
            DiffItem(kind="added", text=ADDED, start=added_start, end=added_start + len(ADDED)),
            DiffItem(kind="removed", text=removed, start=CANON_TEXT.index(removed),
                     end=CANON_TEXT.index(removed) + len(removed)),
            DiffItem(
                kind="changed", text=changed_v, start=VARIANT_TEXT.index(changed_v),
                end=VARIANT_TEXT.index(changed_v) + len(changed_v),
                canonical_text=changed_c, canonical_start=CANON_TEXT.index(changed_c),
                canonical_end=CANON_TEXT.index(changed_c) + len(changed_c), similarity=0.6666666,
                words=(WordOp("insert", "Local"), WordOp("delete", "Taxes"), WordOp("insert", "taxes"),
                       WordOp("equal", "will rise by"), WordOp("delete", "two"), WordOp("insert", "2"),
                       WordOp("equal", "percent"), WordOp("insert", "next year"), WordOp("equal", ".")),
            ),
        ),
        unique_share=0.55555555,
        kept_share=0.7777777,
    )
    clusters: tuple[Cluster, ...] = ()
    edges: tuple[Edge, ...] = (
        Edge(a="a.txt", b="c.txt", evidence=_evidence("partial", 0.1), accepted=False, reason="too little aligned"),
    )
    if with_cluster:
        clusters = (
            Cluster(
                id="c-1234abcd",
                canonical="a.txt",
                canonical_reason="covers the most of the other members",
                # canonical deliberately not first: the report must put it first
                members=(
                    Member(id="b.txt", canonical=False, evidence=_evidence(), diff=diff),
                    Member(id="a.txt", canonical=True),
                ),
            ),
        )
        edges = (Edge(a="a.txt", b="b.txt", evidence=_evidence(), accepted=True, reason="aligned"),) + edges
    return RunResult(
        documents=tuple(DocInfo(d.id, d.path, d.encoding, d.format, len(d.text), len(d.text.split()), d.title,
                                d.date, d.source, d.url) for d in docs),
        texts={d.id: d.text for d in docs},
        skipped=skipped,
        clusters=clusters,
        edges=edges,
        stages=(
            StageCount("ingest", 4, 3, 0.01, "1 skipped"),
            StageCount("verify", 3, 3, 0.02),
        ),
        candidate_pairs=2,
        seconds=0.4242,
        meta={"started": "2024-01-01T00:00:00"},
    )


@pytest.fixture
def result() -> RunResult:
    return make_result()


@pytest.fixture
def payload(result: RunResult) -> dict[str, Any]:
    return clusters_payload(result, Config(), "articles/")


# ---------------------------------------------------------------- payload and schema


def test_payload_shape(payload: dict[str, Any]) -> None:
    assert payload["schema_version"] == SCHEMA_VERSION == "2.3"
    assert payload["tool"] == {"name": "dedup", "version": dedup.__version__}
    assert payload["input"] == "articles/"
    assert payload["parameters"] == Config().to_dict()  # every option that shapes results
    assert payload["counts"] == {
        "inputs": 4, "documents": 3, "skipped": 1, "clusters": 1, "clustered": 2, "singletons": 1,
        "candidate_pairs": 2, "verified_pairs": 1, "rejected_pairs": 1,
    }
    assert payload["skipped_by_reason"] == {"binary": 1}
    assert payload["stages"][0] == {"stage": "ingest", "in": 4, "out": 3, "note": "1 skipped"}
    (cluster,) = payload["clusters"]
    assert cluster["size"] == 2 and cluster["canonical"] == "a.txt"
    canon, variant = cluster["members"]
    assert canon["id"] == "a.txt" and canon["canonical"] is True and "relation" not in canon
    assert canon["url"] == "https://example.org/a" and canon["chars"] == len(CANON_TEXT)
    assert variant["canonical"] is False and variant["relation"] == "extended"
    assert variant["title"] is None and variant["date"] is None  # null metadata kept as keys
    assert "relation" not in variant["similarity"]
    assert variant["similarity"]["score"] == 0.8123
    assert variant["similarity"]["aligned_sentences"] == 2
    diff = variant["diff"]
    assert diff["unique_share"] == 0.5556 and diff["kept_share"] == 0.7778
    assert [a["text"] for a in diff["added"]] == [ADDED]
    assert set(diff["removed"][0]) == {"text", "start", "end"}
    changed = diff["changed"][0]
    assert changed["similarity"] == 0.6667
    assert changed["words"][0] == ["insert", "Local"]
    assert CANON_TEXT[changed["canonical_start"]:changed["canonical_end"]] == changed["canonical_text"]


def test_payload_validates(payload: dict[str, Any]) -> None:
    validate(payload)
    validate(clusters_payload(make_result(with_cluster=False), Config(), "x"))


def test_payload_has_no_timings_or_run_metadata(payload: dict[str, Any]) -> None:
    text = orjson.dumps(payload).decode()
    assert "seconds" not in text and "2024-01-01T00:00:00" not in text and "0.4242" not in text


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.pop("counts"),
        lambda p: p["counts"].__setitem__("documents", "3"),
        lambda p: p.__setitem__("extra", 1),
        lambda p: p["clusters"][0]["members"][1].pop("diff"),
        lambda p: p["clusters"][0]["members"][1]["similarity"].__setitem__("score", "high"),
        lambda p: p["clusters"][0]["members"][1]["diff"]["changed"][0]["words"].append(["replace", "x"]),
        lambda p: p["clusters"][0]["members"][0].__setitem__("canonical", False),
        lambda p: p["clusters"][0]["members"].pop(),
        lambda p: p["skipped_by_reason"].__setitem__("because", 1),
        lambda p: p["parameters"].pop("num_perm"),
    ],
)
def test_broken_payload_fails_validation(payload: dict[str, Any], mutate: Any) -> None:
    broken = copy.deepcopy(payload)
    mutate(broken)
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def _walk_properties(node: Any, where: str = "") -> list[str]:
    """Every property definition lacking a title or description."""
    missing: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and "$ref" not in sub and not ("title" in sub and "description" in sub):
                missing.append(f"{where}/{name}")
        for key, sub in node.items():
            missing += _walk_properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            missing += _walk_properties(sub, f"{where}/{i}")
    return missing


@pytest.mark.parametrize("name", ["clusters", "documents"])
def test_schemas_are_valid_and_documented(name: str) -> None:
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["description"]
    # the if/then branches restate types only; the documented properties are the top-level ones
    documented = {k: v for k, v in schema.items() if k != "allOf"}
    assert _walk_properties(documented) == []


def test_schema_parameters_match_config() -> None:
    props = load_schema()["properties"]["parameters"]["properties"]
    assert set(props) == set(Config().to_dict())


def test_unknown_schema_name() -> None:
    with pytest.raises(ValueError):
        load_schema("../config")


# ---------------------------------------------------------------- documents.jsonl


def test_documents_lines(result: RunResult) -> None:
    rows = documents_lines(result)
    assert [r["id"] for r in rows] == ["a.txt", "b.txt", "c.txt", "z.bin"]
    by_id = {r["id"]: r for r in rows}
    assert by_id["a.txt"]["status"] == "clustered" and by_id["a.txt"]["canonical"] is True
    assert by_id["a.txt"]["cluster"] == "c-1234abcd"
    assert by_id["b.txt"]["status"] == "clustered" and by_id["b.txt"]["canonical"] is False
    assert by_id["c.txt"]["status"] == "singleton" and by_id["c.txt"]["cluster"] is None
    z = by_id["z.bin"]
    assert z["status"] == "skipped" and z["reason"] == "binary" and z["detail"] == "contains NUL bytes"
    assert z["encoding"] is None and z["canonical"] is False
    for row in rows:
        validate(row, "documents")


@pytest.mark.parametrize(
    "change",
    [
        {"status": "deleted"},
        {"reason": "binary"},  # a compared document has no skip reason
        {"cluster": None},  # clustered rows name their cluster
        {"date": "4 March 2024"},
    ],
)
def test_broken_document_row_fails(result: RunResult, change: dict[str, Any]) -> None:
    row = dict(documents_lines(result)[0], **change)
    with pytest.raises(jsonschema.ValidationError):
        validate(row, "documents")


# ---------------------------------------------------------------- writing


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_write_report_files(result: RunResult, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    written = write_report(result, Config(), out, "articles/")
    assert written[-1] == out / "clusters.json"  # written last
    assert set(written) == {out / "clusters.json", out / "documents.jsonl", out / "clusters" / "c-1234abcd.md",
                            out / "report.html", out / "documents.parquet", out / "pairs.parquet"}
    assert _files(out) == ["clusters", "clusters.json", "clusters/c-1234abcd.md", "documents.jsonl",
                           "documents.parquet", "pairs.parquet", "report.html"]

    raw = (out / "clusters.json").read_bytes()
    assert raw.endswith(b"}\n")
    loaded = orjson.loads(raw)
    validate(loaded)
    assert loaded == clusters_payload(result, Config(), "articles/")
    assert str(tmp_path) not in raw.decode()

    lines = (out / "documents.jsonl").read_bytes().splitlines()
    rows = [orjson.loads(line) for line in lines]
    assert [r["id"] for r in rows] == ["a.txt", "b.txt", "c.txt", "z.bin"]  # every input exactly once
    assert {r["id"]: r["status"] for r in rows} == {
        "a.txt": "clustered", "b.txt": "clustered", "c.txt": "singleton", "z.bin": "skipped",
    }
    assert (out / "documents.jsonl").read_bytes().endswith(b"\n")


def test_write_report_is_byte_identical(result: RunResult, tmp_path: Path) -> None:
    out1, out2 = tmp_path / "one", tmp_path / "two"
    write_report(result, Config(), out1, "in")
    first = {p: (out1 / p).read_bytes() for p in _files(out1) if (out1 / p).is_file()}
    write_report(result, Config(), out1, "in")  # again into the same directory
    write_report(make_result(), Config(), out2, "in")  # and a fresh but equal result elsewhere
    for p, data in first.items():
        assert (out1 / p).read_bytes() == data
        assert (out2 / p).read_bytes() == data


def test_markdown_page(result: RunResult, tmp_path: Path) -> None:
    write_report(result, Config(), tmp_path, "in")
    md = (tmp_path / "clusters" / "c-1234abcd.md").read_text(encoding="utf-8")
    assert md.startswith("# Cluster c-1234abcd (2 documents)\n")
    assert "a.txt" in md and "covers the most of the other members" in md
    assert "| b.txt | extended | 0.8123 | 55.6% | 77.8% |" in md
    assert "### Added (1)" in md and "### Removed (1)" in md and "### Changed (1)" in md
    # the added text is there, quoted line by line and escaped so it cannot become a heading, list or HTML
    assert "> \\# Breaking: \\*subscribe\\* \\| now \\<b\\>here\\</b\\>\n> \\- list item" in md
    start = VARIANT_TEXT.index(ADDED)
    assert f"`{start}–{start + len(ADDED)}`" in md
    assert "> The mayor was absent." in md
    assert "> **Local** ~~Taxes~~ **taxes** will rise by ~~two~~ **2** percent **next year**." in md
    assert "<b>" not in md.replace("\\<b\\>", "")


def test_second_write_leaves_no_stale_markdown(tmp_path: Path) -> None:
    write_report(make_result(), Config(), tmp_path, "in")
    assert (tmp_path / "clusters" / "c-1234abcd.md").exists()
    (tmp_path / "clusters" / "stray.md").write_text("from an older version")
    written = write_report(make_result(with_cluster=False), Config(), tmp_path, "in")
    assert (tmp_path / "clusters").is_dir()
    assert list((tmp_path / "clusters").iterdir()) == []
    assert set(written) == {tmp_path / "clusters.json", tmp_path / "documents.jsonl", tmp_path / "report.html",
                            tmp_path / "documents.parquet", tmp_path / "pairs.parquet"}
    assert orjson.loads((tmp_path / "clusters.json").read_bytes())["clusters"] == []


def test_no_leftover_temp_files(result: RunResult, tmp_path: Path) -> None:
    for _ in range(2):
        write_report(result, Config(), tmp_path, "in")
    assert [p for p in _files(tmp_path) if Path(p).name.startswith(".") or "tmp" in p] == []


def test_unwritable_out_dir(result: RunResult, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a directory")
    with pytest.raises(ReportError, match=r"^cannot write to .*afile/out: "):
        write_report(result, Config(), afile / "out", "in")
    with pytest.raises(ReportError, match="cannot write to"):
        write_report(result, Config(), afile, "in")
    assert afile.read_text() == "not a directory"


def test_write_atomic_replaces_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]
    with pytest.raises(OSError):
        write_atomic(tmp_path / "missing" / "f.json", b"x")


def test_replace_dir_rejects_paths(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        replace_dir(tmp_path / "d", {"../escape.md": b"x"})
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- markdown helpers


def test_quote_escapes_layout() -> None:
    text = "    code?\n1. item\n\n| a | b |\n===\n[link](http://x) `tick` _em_ &amp;"
    q = quote(text)
    assert all(line == ">" or line.startswith("> ") for line in q.splitlines())
    assert "> code?" in q and "> 1\\. item" in q and "> \\| a \\| b \\|" in q and "> \\===" in q
    assert "\\[link\\](http://x) \\`tick\\` \\_em\\_ \\&amp;" in q


def test_word_diff_and_filenames() -> None:
    assert word_diff((WordOp("equal", "a "), WordOp("delete", "b "), WordOp("insert", "c"))) == "a ~~b~~ **c**"
    assert cluster_filename("c-12ab") == "c-12ab.md"
    assert cluster_filename("../x/y") == "_._x_y.md"


# ---------------------------------------------------------------- summary


def test_format_summary(result: RunResult) -> None:
    text = format_summary(result, Path("out"))
    lines = text.splitlines()
    assert 5 <= len(lines) <= 15
    assert lines[0] == "dedup: 4 inputs -> 3 documents, 1 skipped"
    assert "binary 1" in text
    assert "clusters          1 (2 documents), singletons 1" in text
    assert "largest cluster   2 documents, canonical a.txt" in text
    assert "2 proposed by LSH; 1 verified as copies, 1 rejected" in text
    assert "0.42 s" in text
    assert "out/clusters.json, out/documents.jsonl, out/clusters/ (1 file)" in text
    assert not text.endswith("\n")


def test_format_summary_without_clusters() -> None:
    text = format_summary(make_result(with_cluster=False), Path("o"))
    assert "clusters          0 (0 documents), singletons 3" in text
    assert "largest cluster" not in text
    assert "(0 files)" in text


def test_the_runs_lsh_banding_is_in_the_payload_and_validates(result: RunResult) -> None:
    lsh = {"bands": 256, "rows": 1, "collisions": 40, "screened_out": 30, "split_buckets": 2, "star_buckets": 0}
    with_lsh = dataclasses.replace(result, meta={"lsh": lsh})
    payload = clusters_payload(with_lsh, Config(), "articles/")
    assert payload["lsh"] == lsh
    assert "40 met in buckets, 30 of them screened out" in format_summary(with_lsh, Path("o"))
    validate(payload)
    payload["lsh"]["rows"] = "four"
    with pytest.raises(jsonschema.ValidationError):
        validate(payload)


def test_markdown_pages_are_the_same_from_worker_processes(result: RunResult) -> None:
    (c,) = result.clusters
    many = dataclasses.replace(result, clusters=tuple(dataclasses.replace(c, id=f"c-{i:08x}") for i in range(600)))
    serial, pooled = markdown_files(many, workers=1), markdown_files(many, workers=2)  # 600 pages: a pool starts
    assert list(serial) == list(pooled) == [f"c-{i:08x}.md" for i in range(600)]
    assert serial == pooled and serial["c-00000007.md"].startswith("# Cluster c-00000007 (2 documents)\n")


def test_clusters_with_the_same_page_name_are_an_error(result: RunResult) -> None:
    (c,) = result.clusters
    clash = dataclasses.replace(result, clusters=(dataclasses.replace(c, id="a/b"), dataclasses.replace(c, id="a_b")))
    with pytest.raises(ValueError, match=r"same file name 'a_b\.md'"):
        markdown_files(clash)


def _many(result: RunResult, n: int) -> RunResult:
    """``result``'s one cluster as ``n`` clusters of different sizes (members dropped from some)."""
    (c,) = result.clusters
    alone = tuple(m for m in c.members if m.id == c.canonical)
    return dataclasses.replace(result, clusters=tuple(
        dataclasses.replace(c, id=f"c-{i:08x}", members=c.members if i % 3 else alone) for i in range(n)))


@pytest.mark.parametrize(("n", "jobs"), [(0, 1), (1, 1), (7, 1), (450, 2)])  # 450 clusters: a pool starts
@pytest.mark.parametrize("packed", [False, True])
def test_clusters_json_is_written_a_cluster_at_a_time_with_the_same_bytes(result: RunResult, n: int, jobs: int,
                                                                          packed: bool) -> None:
    r = _many(result, n)
    full = orjson.dumps(clusters_payload(r, Config(), "in"), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
    if packed:
        r = dataclasses.replace(r, clusters=PackedClusters.of(r.clusters))
    assert b"".join(clusters_json(r, Config(jobs=jobs), "in")) == full + b"\n"


def test_packed_clusters_give_the_same_files(result: RunResult, tmp_path: Path) -> None:
    """The pipeline's clusters come packed; every report file is the same as from the objects."""
    r = _many(result, 450)
    packed = dataclasses.replace(r, clusters=PackedClusters.of(r.clusters))
    for name, run in (("objects", r), ("packed", packed)):
        write_report(run, Config(jobs=2), tmp_path / name, "in")
    for f in sorted((tmp_path / "objects").rglob("*")):
        other = tmp_path / "packed" / f.relative_to(tmp_path / "objects")
        assert f.is_dir() == other.is_dir() and (f.is_dir() or f.read_bytes() == other.read_bytes()), f
    assert len(list((tmp_path / "packed" / "clusters").iterdir())) == 450
    assert format_summary(r, tmp_path) == format_summary(packed, tmp_path)


def test_html_from_the_shown_clusters_only_is_the_same_page(result: RunResult,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_report, "MAX_CLUSTERS", 4)
    monkeypatch.setattr(html_report, "MAX_DETAILED", 2)
    r = _many(result, 9)
    full = html_report.render(clusters_payload(r, Config(), "in"), r.texts, documents_lines(r))
    assert report_module._html(r, Config(), "in") == full
    assert full.count('class="cluster"') >= 2
