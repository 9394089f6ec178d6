"""`dedup index`: add, query, show, stats, export, expire, compact, through click's CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from cli_helpers import invoke, no_traceback
from click.testing import CliRunner

from dedup.cli.app import main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def two_batches(tmp_path: Path) -> tuple[Path, Path]:
    files = sorted(SEEDS.iterdir())
    for k, f in enumerate(files):
        folder = tmp_path / ("early" if k in (0, 3) else "late")
        folder.mkdir(exist_ok=True)
        shutil.copy(f, folder / f.name)
    return tmp_path, tmp_path / "ix.db"


def events(output: str) -> list[dict]:
    return [orjson.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_add_prints_changes_as_json_lines_and_a_summary(two_batches) -> None:
    root, db = two_batches
    r = invoke("index", "add", root / "early", "--index", db, "-j", "1")
    assert r.exit_code == 0, r.output
    assert [e["event"] for e in events(r.stdout)] == ["added", "added"]
    assert "batch 1: 2 added" in r.stderr
    r = invoke("index", "add", root / "late", "--index", db, "--changes", root / "changes.jsonl")
    assert r.exit_code == 0 and r.stdout == ""
    lines = events((root / "changes.jsonl").read_text())
    (created,) = [e for e in lines if e["event"] == "created"]
    assert len(created["members"]) == 3
    shown = invoke("index", "show", "--index", db)
    assert created["cluster"] in shown.output and "1 cluster(s)" in shown.output
    one = invoke("index", "show", created["cluster"], "--index", db)
    assert one.exit_code == 0 and "canonical" in one.output and "3 members" in one.output
    stats = invoke("index", "stats", "--index", db, "--json")
    assert orjson.loads(stats.output)["documents"] == 5


def test_query_answers_in_words_and_as_json(two_batches) -> None:
    root, db = two_batches
    invoke("index", "add", root / "late", "--index", db)
    seed = next(p for p in SEEDS.iterdir() if p.name.startswith("000"))
    words = invoke("index", "query", seed, "--index", db)
    assert words.exit_code == 0 and words.output.startswith("a copy")
    as_json = CliRunner().invoke(main, ["index", "query", "-", "--index", str(db), "--json"], input=seed.read_bytes())
    assert orjson.loads(as_json.output)["copy"] is True
    none = invoke("index", "query", "--text", "Nothing like the others. " * 10, "--index", db)
    assert none.exit_code == 0 and "not" in none.output
    both = invoke("index", "query", seed, "--text", "x", "--index", db)
    assert both.exit_code == 2 and "not both" in both.output


def test_export_writes_the_run_outputs(two_batches) -> None:
    root, db = two_batches
    invoke("index", "add", root / "early", "--index", db)
    invoke("index", "add", root / "late", "--index", db)
    r = invoke("index", "export", "--index", db, "--out", root / "out")
    assert r.exit_code == 0, r.output
    assert {p.name for p in (root / "out").iterdir()} >= {"clusters.json", "documents.jsonl", "report.html"}
    (cluster,) = orjson.loads((root / "out" / "clusters.json").read_bytes())["clusters"]
    assert cluster["id"] in invoke("index", "show", "--index", db).output  # the index's id, not a new one


def test_expire_and_compact(two_batches) -> None:
    root, db = two_batches
    invoke("index", "add", root / "late", "--index", db)
    r = invoke("index", "expire", "--before", "2999-01-01", "--index", db)
    assert r.exit_code == 0 and "3 expired" in r.stderr
    assert [e["event"] for e in events(r.stdout)].count("expired") == 3
    c = invoke("index", "compact", "--index", db)
    assert c.exit_code == 0 and "MB ->" in c.output


def test_failures_are_one_clear_line(two_batches) -> None:
    root, db = two_batches
    missing = invoke("index", "stats", "--index", root / "none.db")
    assert missing.exit_code == 1 and "no index here" in missing.output
    no_traceback(missing)
    typo = invoke("index", "compact", "--index", root / "typo.db")
    assert typo.exit_code == 1 and "no index here" in typo.output and not (root / "typo.db").exists()
    invoke("index", "add", root / "early", "--index", db)
    other = invoke("index", "add", root / "late", "--index", db, "--shingle-size", "3")
    assert other.exit_code == 1 and "--shingle-size 3 (the index has 1)" in other.output
    no_traceback(other)
    bad = invoke("index", "add", root / "late", "--index", db, "--num-perm", "3")
    assert bad.exit_code == 2
    gone = invoke("index", "show", "cnope", "--index", db)
    assert gone.exit_code == 1 and "no cluster 'cnope'" in gone.output
    date = invoke("index", "expire", "--before", "soon", "--index", db)
    assert date.exit_code == 1 and "YYYY-MM-DD" in date.output
    empty = invoke("index", "add", root / "nothing", "--index", db)
    assert empty.exit_code == 1
    no_traceback(empty)


def test_add_recompare_judges_every_pair_again(two_batches) -> None:
    root, db = two_batches
    assert invoke("index", "add", root / "early", "--index", db, "-j", "1").exit_code == 0
    r = invoke("index", "add", root / "late", "--index", db, "-j", "1", "--recompare")
    assert r.exit_code == 0, r.output
    assert len(next(e for e in events(r.stdout) if e["event"] == "created")["members"]) == 3
    assert "--recompare" in invoke("index", "add", "--help").output
