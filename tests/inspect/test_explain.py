"""`dedup explain`: the figures behind the verdict on one pair, for two files or two ids of a run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from conftest import make_doc

from dedup.cli.app import main
from dedup.config import Config
from dedup.inspect.explain import explain_pair, shared_passages
from dedup.stages.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
DEFAULTS = Config()
S000, S001, S002, S004 = (SEEDS / n for n in ("000_dbd9cb72a0212c2f.txt", "001_6320f5f146503c10.txt",
                                                "002_6617be1ae8672c32.txt", "004_fa799c07cf4bff65.txt"))


def invoke(*args: object) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="dedup")
    assert isinstance(result.exception, (SystemExit, type(None))), result.output
    assert "Traceback" not in result.output
    return result


def verdict(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("Verdict: ")]
    assert len(lines) == 1, output
    return lines[0]


def figure(output: str, label: str) -> float:
    m = re.search(rf"^\s+{re.escape(label)}\s+([0-9.]+)", output, re.MULTILINE)
    assert m, f"{label!r} not in output"
    return float(m.group(1))


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of the seeds started from the repository root with the relative input 'seeds'."""
    out = tmp_path_factory.mktemp("explain") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        result = invoke("run", "seeds", "--out", out, "--jobs", "1", "-q")
    assert result.exit_code == 0, result.output
    return out


def test_reworded_copy_is_explained_as_copies() -> None:
    result = invoke("explain", S000, S002)
    assert result.exit_code == 0, result.output
    out = result.output
    assert verdict(out).startswith("Verdict: copies (reworded)")
    for label in ("MinHash estimate of Jaccard", "exact Jaccard", "containment A in B", "containment B in A"):
        assert 0.0 < figure(out, label) < 1.0
    assert "would pair them: yes" in out
    assert re.search(r"6 pair\(s\); coverage of A 0\.\d+, of B 0\.\d+", out)
    # aligned sentences are quoted with their similarity, and the shared quote is found
    assert re.search(r"^  0\.\d\d  A1 +date 2024-02-07 Doha", out, re.MULTILINE)
    assert "“The day after is the day after Hamas." in out
    assert "over these two documents only" in out
    assert re.search(rf"^  min-coverage\s+{DEFAULTS.min_coverage:g}\s+score 0\.\d+\s+pass$", out, re.MULTILINE)
    assert "\x1b[" not in out


def test_independent_report_is_not_a_copy_and_says_why() -> None:
    result = invoke("explain", S000, S004)
    assert result.exit_code == 0, result.output
    line = verdict(result.output)
    assert line.startswith("Verdict: not copies: ")
    assert "1 aligned sentence(s), fewer than 2" in line
    assert re.search(rf"^  min-aligned\s+{DEFAULTS.min_aligned}\s+1 aligned\s+FAIL$", result.output, re.MULTILINE)
    assert "Sami Abu Zuhri" in result.output  # the one aligned pair is quoted


def test_thresholds_from_options_decide() -> None:
    strict = invoke("explain", S000, S002, "--min-coverage", "0.9")
    assert strict.exit_code == 0
    assert re.match(r"Verdict: not copies: coverage 0\.\d\d below 0\.90$", verdict(strict.output))
    loose = invoke("explain", S000, S004, "--min-aligned", "1", "--min-coverage", "0.01")
    assert verdict(loose.output).startswith("Verdict: copies")
    none_aligned = invoke("explain", S000, S002, "--sentence-similarity", "0.95")
    assert "0 pair(s)" in none_aligned.output and "not copies" in verdict(none_aligned.output)


def test_lsh_bands_follow_the_rows() -> None:
    out = invoke("explain", S000, S002, "--lsh-rows", "64").output  # 4 bands of 64 values: no reworded copy agrees
    assert "would pair them: no, none of the 4 bands agree" in out
    m = re.search(r"LSH \((\d+) bands of (\d+) row\(s\)", invoke("explain", S000, S002).output)
    assert m and (int(m.group(1)), int(m.group(2))) == (DEFAULTS.num_perm // DEFAULTS.lsh_rows, DEFAULTS.lsh_rows)


def test_identical_texts(tmp_path: Path) -> None:
    shutil.copy(S001, tmp_path / "copy.txt")
    out = invoke("explain", S001, tmp_path / "copy.txt").output
    assert verdict(out) == "Verdict: copies (identical): identical text"
    assert figure(out, "exact Jaccard") == 1.0


def test_with_run_uses_corpus_weights_and_clusters(run_out: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        result = invoke("explain", S000.name, S002.name, "--run", run_out)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "over the run's corpus: 5 documents re-ingested from seeds" in out
    assert re.search(r"A  000_\S+ .*in cluster [0-9a-f]+, as its canonical", out)
    assert re.search(r"B  002_\S+ .*in cluster [0-9a-f]+\)", out)
    assert verdict(out).startswith("Verdict: copies (reworded)")
    # explain, with the corpus weights, finds the figures the run recorded for 002 against 000
    members = orjson.loads((run_out / "clusters.json").read_bytes())["clusters"][0]["members"]
    sim = next(m for m in members if m["id"] == S002.name)["similarity"]
    assert f"coverage of A {sim['coverage_b']:.4f}, of B {sim['coverage_a']:.4f}" in out
    assert f"exact Jaccard                {sim['jaccard']:.4f}" in out
    single = invoke("explain", S000.name, S004.name, "--run", run_out, "--input", SEEDS).output
    assert "B  004_fa799c07cf4bff65.txt" in single and "a singleton (in no cluster)" in single


def test_with_run_errors(run_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # 'seeds' cannot be found from here
    result = invoke("explain", S000.name, S002.name, "--run", run_out)
    assert result.exit_code == 1 and "give --input PATH" in result.output
    result = invoke("explain", "nope.txt", S002.name, "--run", run_out, "--input", SEEDS)
    assert result.exit_code == 1 and result.output.startswith("Error: document 'nope.txt' is not in the run's input")
    result = invoke("explain", S000.name, S002.name, "--run", tmp_path / "missing")
    assert result.exit_code == 1 and result.output.count("\n") == 1


def test_file_errors(tmp_path: Path) -> None:
    result = invoke("explain", S000, tmp_path / "missing.txt")
    assert result.exit_code == 1 and result.output.startswith("Error: no such file: ")
    (tmp_path / "short.txt").write_text("Too short.")
    result = invoke("explain", S000, tmp_path / "short.txt")
    assert result.exit_code == 1 and "too_short" in result.output
    assert invoke("explain", S000, S002, "--min-coverage", "2").exit_code == 2
    assert invoke("explain", S000, S002, "--input", SEEDS).exit_code == 2


def test_color_is_opt_in() -> None:
    assert "\x1b[" in invoke("explain", S000, S004, "--color").output


def test_shared_passages_quote_runs_of_words() -> None:
    a = make_doc("The mayor said on Monday that the new bridge will open in the spring of next year. Rain fell.", "a")
    b = make_doc("Officials confirmed it. The Mayor said on Monday that the new bridge will open soon.", "b")
    spans = shared_passages(a, normalize(a), b, normalize(b))
    assert [a.text[s:e] for s, e in spans] == ["The mayor said on Monday that the new bridge will open"]
    ex = explain_pair(a, b, Config())
    assert ex.passages == spans and ex.evidence.jaccard > 0


def test_with_run_uses_the_runs_lsh_banding(run_out: Path, tmp_path: Path) -> None:
    # A run made with other bands (an older dedup's rows per band): explain shows the run's bands.
    out = tmp_path / "out"
    shutil.copytree(run_out, out)
    payload = orjson.loads((out / "clusters.json").read_bytes())
    assert payload["lsh"]["rows"] == DEFAULTS.lsh_rows
    payload["lsh"] = dict(payload["lsh"], bands=32, rows=4)
    (out / "clusters.json").write_bytes(orjson.dumps(payload))
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        text = invoke("explain", S000.name, S002.name, "--run", out).output
        assert "LSH (32 bands of 4 row(s)" in text
        # an explicit --lsh-rows asks about other bands: its own
        other = invoke("explain", S000.name, S002.name, "--run", out, "--lsh-rows", "2").output
    assert "32 bands of 4 row(s)" not in other and f"LSH ({DEFAULTS.num_perm // 2} bands of 2 row(s)" in other


def test_a_run_from_a_version_with_other_options_is_a_clear_error(run_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "old"
    shutil.copytree(run_out, out)
    payload = orjson.loads((out / "clusters.json").read_bytes())
    payload["schema_version"] = "1.1"
    payload["parameters"]["lsh_threshold"] = 0.1  # a schema 1.1 option
    (out / "clusters.json").write_bytes(orjson.dumps(payload))
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        result = invoke("explain", S000.name, S002.name, "--run", out)
    assert result.exit_code == 1
    assert "was written by a dedup with other options (unknown option(s): lsh_threshold; schema 1.1)" in result.output
    assert "run `dedup run` again" in result.output and "Traceback" not in result.output
