"""Command line: `dedup` through click's CliRunner, on the shipped seeds and real files in tmp_path."""

from __future__ import annotations

import re
from pathlib import Path

import click
import orjson
import pytest
from cli_helpers import invoke, no_traceback
from click.testing import Result

import dedup.runtime.pool
from dedup import __version__
from dedup.cli.app import run
from dedup.report.writer import validate

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def squeeze(text: str) -> str:
    """Text without any whitespace, so help wrapped at any width still compares."""
    return "".join(text.split())


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (relative path -> bytes)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def run_seeds(out: Path, *options: str) -> Result:
    result = invoke("run", SEEDS, "--out", out, *options)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    return result


def load_clusters(out: Path) -> dict:
    return orjson.loads((out / "clusters.json").read_bytes())


# ------------------------------------------------------------------ help and version


def test_main_help_lists_command_and_options() -> None:
    result = invoke("--help")
    no_traceback(result)
    assert result.exit_code == 0
    out = result.stdout
    assert "Usage: dedup" in out
    assert "dedup run FOLDER --out OUT" in out
    for opt in ("--version", "-V", "--help", "-h"):
        assert opt in out
    assert re.search(r"^\s+run\s+\S", out, re.M), "the run command is listed with its summary"
    assert invoke("-h").stdout == out


def test_run_help_lists_every_option_with_help_text() -> None:
    result = invoke("run", "--help")
    no_traceback(result)
    assert result.exit_code == 0
    out = result.stdout
    flat = squeeze(out)
    assert "Usage: dedup run [OPTIONS] PATH" in out
    options = [p for p in run.params if isinstance(p, click.Option)]
    assert len(options) >= 13
    for p in options:
        for opt in p.opts + p.secondary_opts:
            assert re.search(rf"(^|[\s,]){re.escape(opt)}\b", out, re.M), f"{opt} missing from dedup run --help"
        assert p.help and len(p.help.split()) >= 3, f"{p.opts[0]} has no real help text"
        assert squeeze(p.help) in flat, f"help text of {p.opts[0]} not shown in dedup run --help"
        if not p.is_flag and p.default is not None:
            assert f"[default:{squeeze(str(p.default))}]" in flat, f"default of {p.opts[0]} not shown"
    # The help option itself is listed too.
    assert "--help" in out and "-h" in out


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    result = invoke(flag)
    no_traceback(result)
    assert result.exit_code == 0
    assert result.stdout == f"dedup, version {__version__}\n"


# ------------------------------------------------------------------ a normal run


def test_run_seeds_writes_valid_report_and_prints_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_seeds(out)
    payload = load_clusters(out)
    validate(payload)  # raises jsonschema.ValidationError on a schema violation

    counts = payload["counts"]
    n_files = len([p for p in SEEDS.iterdir() if p.is_file()])
    assert counts["inputs"] == counts["documents"] == n_files
    assert counts["clusters"] >= 1

    summary = result.stdout
    assert f"{counts['inputs']} inputs -> {counts['documents']} documents" in summary
    assert re.search(rf"clusters\s+{counts['clusters']} \({counts['clustered']} documents\)", summary), summary
    assert f"singletons {counts['singletons']}" in summary
    assert str(out / "clusters.json") in summary
    assert result.stderr == ""

    rows = [orjson.loads(line) for line in (out / "documents.jsonl").read_bytes().splitlines()]
    assert len(rows) == counts["inputs"]
    for row in rows:
        validate(row, "documents")
    assert sorted(r["id"] for r in rows) == sorted(p.name for p in SEEDS.iterdir() if p.is_file())

    pages = sorted(p.name for p in (out / "clusters").glob("*.md"))
    assert len(pages) == counts["clusters"] == len(payload["clusters"])
    for page in pages:
        assert (out / "clusters" / page).read_text(encoding="utf-8").strip()


@pytest.mark.parametrize(
    ("args", "option", "fix"),
    [
        (["--min-coverage", "1.5"], "--min-coverage", "at most 1"),
        (["--min-coverage", "0"], "--min-coverage", "above 0"),
        (["--jobs", "-1"], "--jobs", "0 for all cores, or 1 or more"),
        (["--canonical", "nope"], "--canonical", "'coverage', 'earliest', 'longest'"),
        (["--num-perm", "5"], "--num-perm", "from 16 to 1024"),
        (["--min-words", "0"], "--min-words", "1 or more"),
        (["--lsh-rows", "0"], "--lsh-rows", "from 1 to num-perm"),
        (["--lsh-split", "9"], "--lsh-split", "from 0 (no splitting) to 8"),
        (["--max-file-mb", "0"], "--max-file-mb", "positive number"),
        (["--seed", "-3"], "--seed", "from 0 to"),
        (["--jobs", "two"], "--jobs", "not a valid integer"),
        (["--language", "German"], "--language", "a language code in lower case, such as en, de"),
        (["--language-field", " "], "--language-field", "name a field or column"),
    ],
)
def test_bad_option_value_is_a_usage_error(tmp_path: Path, args: list[str], option: str, fix: str) -> None:
    out = tmp_path / "out"
    result = invoke("run", SEEDS, "--out", out, *args)
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    err = result.stderr
    error_lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, err
    assert option in error_lines[0] and fix in error_lines[0], err
    assert "dedup run --help" in err
    assert not out.exists(), "a usage error must not write any output"


def test_canonical_policy_changes_reason(tmp_path: Path) -> None:
    reasons, derived = {}, {}
    for policy in ("source", "coverage", "earliest", "longest"):
        out = tmp_path / policy
        run_seeds(out, "--canonical", policy)
        payload = load_clusters(out)
        assert payload["parameters"]["canonical"] == policy
        assert payload["clusters"]
        reasons[policy] = [c["canonical_reason"] for c in payload["clusters"]]
        derived[policy] = {m["id"]: m["derived_from"] for c in payload["clusters"] for m in c["members"]}
        for c in payload["clusters"]:
            assert c["canonical_reason"].startswith(f"policy '{policy}': "), c["canonical_reason"]
            members = {m["id"]: m for m in c["members"]}
            assert members[c["canonical"]]["canonical"] is True
            if policy == "earliest":
                assert "earliest date" in c["canonical_reason"]
                dates = [m["date"] for m in c["members"] if m["date"]]
                assert members[c["canonical"]]["date"] == min(dates)
            elif policy == "longest":
                assert re.search(r"longest article body \(\d+ words\)", c["canonical_reason"])
            elif policy == "source":
                assert "earliest date" in c["canonical_reason"] and "most shared" in c["canonical_reason"]
            else:
                assert "covers the most" in c["canonical_reason"]
    assert len({tuple(r) for r in reasons.values()}) == 4
    # who copied whom does not depend on the policy that picks the representative
    assert all(d == derived["source"] for d in derived.values()) and any(derived["source"].values())


def test_quiet_prints_nothing_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_seeds(out, "--quiet")
    assert result.stdout == ""
    assert result.stderr == ""
    assert (out / "clusters.json").is_file()
    run_seeds(tmp_path / "loud")
    assert snapshot(out) == snapshot(tmp_path / "loud"), "--quiet must not change the output files"


def test_two_runs_give_identical_output(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    run_seeds(a)
    first = snapshot(a)
    run_seeds(a)  # again into the same folder
    run_seeds(b)  # and into a fresh one
    for name in ("clusters.json", "documents.jsonl"):
        assert (a / name).read_bytes() == first[name], f"{name} changed between two identical runs"
        assert (b / name).read_bytes() == first[name], f"{name} depends on the output folder"
    assert snapshot(a) == first == snapshot(b)


def test_jobs_do_not_change_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_seeds(tmp_path / "j1", "--jobs", "1")
    run_seeds(tmp_path / "j2", "--jobs", "2")
    # The seeds are too few to start workers; force the process pool so -j 2 really forks.
    monkeypatch.setattr(dedup.runtime.pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(dedup.runtime.pool, "_CHUNK", 1)
    run_seeds(tmp_path / "j2pool", "-j", "2")
    one = snapshot(tmp_path / "j1")
    assert {"clusters.json", "documents.jsonl"} <= set(one)
    assert snapshot(tmp_path / "j2") == one
    assert snapshot(tmp_path / "j2pool") == one


def test_first_run_says_it_compiles_once_and_gives_the_same_output(tmp_path: Path) -> None:
    """An empty kernel cache (a fresh install): the run says it compiles; the next run does not; same bytes."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        done = subprocess.run([sys.executable, "-m", "dedup", "run", "seeds", "--out", str(out)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert ("compiling the kernels, once" in done.stderr) == (n == 1), done.stderr
        outputs.append((out / "clusters.json").read_bytes())
    assert outputs[0] == outputs[1] == (ROOT / "out" / "clusters.json").read_bytes()


def test_no_pages_leaves_the_pages_out_and_the_rest_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = invoke("run", ROOT / "seeds", "--out", out, "-q")
    assert first.exit_code == 0 and (out / "clusters").is_dir()
    result = invoke("run", ROOT / "seeds", "--out", out, "--no-pages")
    assert result.exit_code == 0, result.output
    assert not (out / "clusters").exists(), "an earlier run's pages must not survive --no-pages"
    assert "clusters/" not in result.output.splitlines()[-1]
    again = invoke("run", ROOT / "seeds", "--out", tmp_path / "with", "-q")
    assert again.exit_code == 0
    for name in ("clusters.json", "documents.jsonl", "report.html"):
        assert (out / name).read_bytes().replace(str(out).encode(), b"") == \
            (tmp_path / "with" / name).read_bytes().replace(str(tmp_path / "with").encode(), b""), name
