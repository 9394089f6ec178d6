"""`dedup eval` through click's CliRunner, on the shipped seeds with labels written in tmp_path."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import orjson
import pytest
from cli_helpers import invoke, no_traceback

from dedup.config import Config
from dedup.evaluation.evaluate import DEFAULT_THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
GROUPS = {"000": "wire", "001": "wire", "002": "wire", "003": "xinhua", "004": "london"}


def seed_ids() -> dict[str, str]:
    return {p.name[:3]: p.name for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_bytes(b"".join(orjson.dumps({"id": name, "group": GROUPS[k], "note": "kept"}) + b"\n"
                              for k, name in seed_ids().items()))
    return path


def test_eval_on_seeds_scores_perfectly(tmp_path: Path, labels: Path) -> None:
    out = tmp_path / "ev"
    result = invoke("eval", SEEDS, "--labels", labels, "--out", out, "--jobs", 1)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "pairwise     P 1.0000  R 1.0000  F1 1.0000" in result.output
    assert "B-cubed      P 1.0000  R 1.0000  F1 1.0000" in result.output
    assert "ARI          1.0000" in result.output
    assert "scored as singletons" in result.output
    assert "never LSH candidates cannot be recovered" in result.output
    default = Config().min_coverage
    assert "min_cov" in result.output and f"*{default:>7.2f}" in result.output

    payload = orjson.loads((out / "eval.json").read_bytes())
    for key in ("pairwise", "bcubed", "adjusted_rand", "impure_clusters", "false_merges", "misses", "sweep",
                "counts", "parameters", "notes"):
        assert key in payload
    assert payload["pairwise"] == {"f1": 1.0, "precision": 1.0, "recall": 1.0}
    assert payload["bcubed"] == {"f1": 1.0, "precision": 1.0, "recall": 1.0}
    assert payload["adjusted_rand"] == 1.0
    assert payload["counts"]["impure_clusters"] == 0
    points = payload["sweep"]["points"]
    assert len(points) == len(set(DEFAULT_THRESHOLDS) | {default})
    assert [p["min_coverage"] for p in points if p["current"]] == [default]
    assert all({"min_coverage", "precision", "recall", "f1", "ari"} <= p.keys() for p in points)
    text = (out / "eval.json").read_text()
    assert text == orjson.dumps(payload, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode() + "\n"

    svg = ET.parse(out / "pr_curve.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert (svg.get("width"), svg.get("height")) == ("640", "480")


def test_eval_json_is_deterministic(tmp_path: Path, labels: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert invoke("eval", SEEDS, "--labels", labels, "-o", a, "-j", 1, "-q").exit_code == 0
    assert invoke("eval", SEEDS, "--labels", labels, "-o", b, "-j", 2, "-q").exit_code == 0
    assert (a / "eval.json").read_bytes() == (b / "eval.json").read_bytes()
    assert (a / "pr_curve.svg").read_bytes() == (b / "pr_curve.svg").read_bytes()


def test_eval_with_csv_and_other_field_names(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("path,thread\n" + "".join(f"{name},{GROUPS[k]}\n" for k, name in seed_ids().items()))
    result = invoke("eval", SEEDS, "--labels", labels, "--labels-id-field", "path", "--group-field", "thread",
                    "-o", tmp_path / "ev", "-j", 1)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "ARI          1.0000" in result.output


def test_eval_reports_false_merges(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    groups = {**GROUPS, "002": "rewrite"}
    labels.write_bytes(b"".join(orjson.dumps({"id": name, "group": groups[k], "seed": k}) + b"\n"
                                for k, name in seed_ids().items()))
    result = invoke("eval", SEEDS, "--labels", labels, "-o", tmp_path / "ev", "-j", 1, "--show", 1)
    assert result.exit_code == 0, result.output
    assert "false merges: 2 pair(s)" in result.output
    assert "worst 1, lowest score first" in result.output
    payload = orjson.loads((tmp_path / "ev" / "eval.json").read_bytes())
    assert len(payload["false_merges"]) == 1
    merge = payload["false_merges"][0]
    assert merge["label_b"] == {"seed": "002"}  # the labels file's other fields are kept
    assert merge["evidence"]["aligned_sentences"] >= 2


def test_eval_with_label_field(tmp_path: Path) -> None:
    data = tmp_path / "in"
    data.mkdir()
    lines = [orjson.dumps({"id": k, "text": (SEEDS / name).read_text(encoding="utf-8"), "group": GROUPS[k]})
             for k, name in seed_ids().items()]
    (data / "docs.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    result = invoke("eval", data, "--label-field", "group", "-o", tmp_path / "ev", "-j", 1)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "5 labelled and scored" in result.output
    assert "ARI          1.0000" in result.output


@pytest.mark.parametrize(("content", "message"), [
    ('{"id": "a", "group": "g"}\n{"id": \n', "labels.jsonl line 2: not valid JSON"),
    ('{"id": "a"}\n', "labels.jsonl line 1: no 'group' field"),
])
def test_bad_labels_exit_1(tmp_path: Path, content: str, message: str) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text(content)
    result = invoke("eval", SEEDS, "--labels", labels, "-o", tmp_path / "ev")
    no_traceback(result)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "ev").exists()


def test_missing_labels_and_input_exit_1(tmp_path: Path, labels: Path) -> None:
    result = invoke("eval", SEEDS, "--labels", tmp_path / "nope.jsonl", "-o", tmp_path / "ev")
    no_traceback(result)
    assert result.exit_code == 1 and "nope.jsonl: labels file not found" in result.output
    result = invoke("eval", tmp_path / "nothing-here", "--labels", labels, "-o", tmp_path / "ev")
    no_traceback(result)
    assert result.exit_code == 1 and "nothing-here" in result.output


def test_labels_matching_no_document_exit_1(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "seeds/000.txt", "group": "g"}\n')
    result = invoke("eval", SEEDS, "--labels", labels, "-o", tmp_path / "ev")
    assert result.exit_code == 1
    assert "none of its 1 label id(s) is a document id" in result.output


@pytest.mark.parametrize("args", [
    [],  # neither --labels nor --label-field
    ["--labels", "x.jsonl", "--label-field", "group"],
    ["--labels", "x.jsonl", "--min-coverage", "1.5"],
    ["--labels", "x.jsonl", "--show", "-1"],
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    result = invoke("eval", SEEDS, *args, "-o", tmp_path / "ev")
    no_traceback(result)
    assert result.exit_code == 2, result.output


def test_eval_is_listed_in_help() -> None:
    result = invoke("--help")
    assert result.exit_code == 0 and "eval" in result.output
    result = invoke("eval", "--help")
    assert result.exit_code == 0
    for option in ("--labels", "--label-field", "--labels-id-field", "--group-field", "--show", "--min-coverage",
                   "--sentence-similarity", "--min-aligned", "--lsh-rows", "--canonical", "--jobs"):
        assert option in result.output
