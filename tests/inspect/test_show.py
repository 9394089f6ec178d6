"""`dedup show`: a finished run's clusters, read from its output folder alone."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from dedup.cli.app import main
from dedup.inspect.show import Styler, clean, use_color, wrap

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
ANSI = "\x1b["


def invoke(*args: object, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="dedup", env=env)
    assert isinstance(result.exception, (SystemExit, type(None))), result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run of the seeds; the seed folder is then gone, so show can only read the output."""
    work = tmp_path_factory.mktemp("show")
    shutil.copytree(SEEDS, work / "seeds")
    result = invoke("run", work / "seeds", "--out", work / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    shutil.rmtree(work / "seeds")
    return work / "out"


@pytest.fixture(scope="module")
def cluster(out: Path) -> dict:
    clusters = orjson.loads((out / "clusters.json").read_bytes())["clusters"]
    assert len(clusters) == 1
    return clusters[0]


def test_list_shows_the_one_cluster(out: Path, cluster: dict) -> None:
    result = invoke("show", out)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith(cluster["id"])]
    assert len(rows) == 1
    row = rows[0].split()
    assert row[1] == "3" and row[2] == "000_dbd9cb72a0212c2f.txt"
    assert row[3].endswith("%")
    assert "Netanyahu Vows Total Victory Over Hamas" in rows[0]  # a member's title (000 has none)
    assert "1 cluster(s) of 3 document(s); 2 singleton(s)" in result.output
    assert ANSI not in result.output


def test_cluster_view_has_added_removed_changed_with_word_diff(out: Path, cluster: dict) -> None:
    result = invoke("show", out, cluster["id"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith(f"Cluster {cluster['id']} — 3 documents")
    assert "canonical  000_dbd9cb72a0212c2f.txt" in text
    for prefix in ("001", "002"):
        assert f"Copy {prefix}_" in text
    assert "+ added" in text and "- removed" in text and "~ changed" in text
    # the inline word diff, plain: [-canonical words-] {+copy words+}
    assert "[-date 2024-02-07 Doha —-]" in text
    assert "{+U.S.+}" in text and "[-US-]" in text
    assert "Blinken later met Palestinian president Mahmoud Abbas in Ramallah." in text
    assert ANSI not in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_unique_prefix_selects_a_cluster(out: Path, cluster: dict) -> None:
    assert invoke("show", out, cluster["id"][:4]).output == invoke("show", out, cluster["id"]).output


def test_color_forced_and_no_color(out: Path, cluster: dict) -> None:
    colored = invoke("show", out, cluster["id"], "--color")
    assert ANSI in colored.output
    assert "[-" not in colored.output  # colour replaces the plain markers
    assert ANSI not in invoke("show", out, cluster["id"], "--no-color").output


def test_use_color_rules() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert use_color(Tty(), env={}) is True
    assert use_color(io.StringIO(), env={}) is False  # piped
    assert use_color(Tty(), env={"NO_COLOR": "1"}) is False
    assert use_color(Tty(), env={"TERM": "dumb"}) is False
    assert use_color(io.StringIO(), True, env={"NO_COLOR": "1"}) is True  # an explicit --color wins


def test_terminal_text_is_cleaned() -> None:
    evil = "title\x1b]0;pwned\x07 \x1b[31mred\u202e"
    assert "\x1b" not in clean(evil) and "\x07" not in clean(evil) and "\u202e" not in clean(evil)
    lines = wrap([(evil, {"fg": "red"})], 40, "  ", Styler(False))
    assert all("\x1b" not in line for line in lines)


def test_wrap_keeps_width_and_hanging_indent() -> None:
    lines = wrap([("word " * 40, {})], 30, "> ", Styler(False), hang="  ")
    assert lines[0].startswith("> ") and all(line.startswith("  ") for line in lines[1:])
    assert max(map(len, lines)) <= 30


def test_unknown_cluster_is_one_line_error(out: Path) -> None:
    result = invoke("show", out, "nope")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no cluster 'nope'") and result.output.count("\n") == 1


@pytest.mark.parametrize("case", ["missing", "file", "empty_dir", "bad_json", "not_report"])
def test_bad_out_dir_is_one_line_error(tmp_path: Path, case: str) -> None:
    target = tmp_path / "out"
    if case == "file":
        target.write_text("x")
    elif case != "missing":
        target.mkdir()
    if case == "bad_json":
        (target / "clusters.json").write_text("{not json")
    if case == "not_report":
        (target / "clusters.json").write_text('{"clusters": 3}')
    result = invoke("show", target)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output


def test_run_without_clusters(tmp_path: Path) -> None:
    shutil.copy(SEEDS / "003_9bf1a751ecd25daf.txt", tmp_path / "a.txt")
    shutil.copy(SEEDS / "004_fa799c07cf4bff65.txt", tmp_path / "b.txt")
    assert invoke("run", tmp_path, "--out", tmp_path / "out", "-q").exit_code == 0
    result = invoke("show", tmp_path / "out")
    assert result.exit_code == 0
    assert "no clusters" in result.output
