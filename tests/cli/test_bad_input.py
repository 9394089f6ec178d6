"""Bad input through the CLI: a clear one-line error or a recorded skip, never a traceback, never a lost document."""

from __future__ import annotations

import gzip
import os
import re
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
from cli_helpers import invoke, no_traceback
from click.testing import Result

import dedup.stages.ingest
import dedup.storage.atomic
from dedup.report.writer import validate

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
BODY = ("The council voted on Tuesday to close the old library on Main Street. Residents said they "
        "were disappointed by the decision and would appeal it at the next public meeting.\n")
OTHER = ("A storm brought heavy snow to the northern valleys overnight, closing two mountain passes "
         "and leaving several villages without power until engineers restored the lines.\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
MB = 1024 * 1024
PROGRESS_LINE = re.compile(r"^[\w +()]+: [\d,]+/[\d,]+ \(\d+%\), \d+ s elapsed")


def one_line_error(result: Result) -> str:
    """The run failed with exit 1 and one 'Error: ...' line on stderr; return that line."""
    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    # progress lines may come first (a run over 2 s, e.g. while numba compiles on a fresh checkout)
    lines = [ln for ln in result.stderr.strip().splitlines() if not PROGRESS_LINE.match(ln)]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def run_ok(root: Path, out: Path, *options: object) -> tuple[dict, list[dict]]:
    result = invoke("run", root, "--out", out, *options)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    payload = orjson.loads((out / "clusters.json").read_bytes())
    validate(payload)
    rows = [orjson.loads(line) for line in (out / "documents.jsonl").read_bytes().splitlines()]
    for row in rows:
        validate(row, "documents")
    assert len(rows) == payload["counts"]["inputs"], "documents.jsonl must have one row per input"
    assert len({r["id"] for r in rows}) == len(rows), "ids in documents.jsonl must be unique"
    return payload, rows


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in rows}


# ------------------------------------------------------------------ the run cannot go on: exit 1


def test_nonexistent_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    line = one_line_error(invoke("run", missing, "--out", tmp_path / "out"))
    assert str(missing) in line and "no such file or folder" in line
    assert not (tmp_path / "out").exists()


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden").write_text(BODY)  # hidden files are not inputs
    line = one_line_error(invoke("run", tmp_path / "empty", "--out", tmp_path / "out"))
    assert str(tmp_path / "empty") in line and "no files" in line
    assert not (tmp_path / "out").exists()


def test_only_unreadable_or_binary_files(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "image.png", PNG)  # refused by extension
    write(root / "noise.txt", bytes(range(256)) * 8)  # binary content behind a text name
    write(root / "disguised.txt", PNG)  # binary by file signature
    write(root / "blank.md", "  \n\n")
    os.mkfifo(root / "pipe.txt")  # not a regular file (and must not block)
    os.symlink(root / "gone.txt", root / "dangling.txt")
    line = one_line_error(invoke("run", root, "--out", tmp_path / "out"))
    assert "nothing to compare" in line and str(root) in line
    assert "6 input(s)" in line
    for reason in ("binary", "unsupported", "unreadable", "empty"):
        assert reason in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("shape", ["under_a_file", "is_a_file"])
def test_unwritable_out(tmp_path: Path, shape: str) -> None:
    blocker = write(tmp_path / "afile", "not a folder\n")
    out = blocker / "sub" if shape == "under_a_file" else blocker
    line = one_line_error(invoke("run", SEEDS, "--out", out))
    assert f"cannot write to {out}" in line
    assert blocker.read_text() == "not a folder\n"


# ------------------------------------------------------------------ recorded skips, nothing lost


def test_binary_file_among_good_files(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "a.txt", BODY)
    write(root / "b.txt", "Council closes library\n\n" + BODY)
    write(root / "c.txt", OTHER)
    write(root / "noise.txt", os.urandom(4096).replace(b"\x00", b"\x01") + b"\x00")
    write(root / "photo.jpg", b"\xff\xd8\xff\xe0" + bytes(100))
    payload, rows = run_ok(root, tmp_path / "out")
    rows_ = by_id(rows)
    assert rows_["noise.txt"]["status"] == "skipped" and rows_["noise.txt"]["reason"] == "binary"
    assert rows_["noise.txt"]["detail"].startswith("noise.txt: ")
    assert rows_["photo.jpg"]["reason"] == "unsupported" and ".jpg" in rows_["photo.jpg"]["detail"]
    assert rows_["a.txt"]["status"] == rows_["b.txt"]["status"] == "clustered"
    assert rows_["c.txt"]["status"] == "singleton"
    assert payload["counts"]["skipped"] == 2 and payload["skipped_by_reason"] == {"binary": 1, "unsupported": 1}


def test_invalid_json_lines_and_files(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "feed.jsonl", "\n".join([
        orjson.dumps({"id": "good", "text": BODY}).decode(),
        "{not json",
        "",  # blank lines are not records
        "[1, 2, 3]",
        orjson.dumps({"id": "notext", "body": BODY}).decode(),
        orjson.dumps({"text": OTHER, "title": "Snow"}).decode(),
    ]) + "\n")
    write(root / "broken.json", '{"text": "unterminated')
    write(root / "scalar.json", "42")
    write(root / "list.json", orjson.dumps([{"id": "L1", "text": OTHER}, "oops"]))
    _, rows = run_ok(root, tmp_path / "out")
    r = by_id(rows)
    assert r["good"]["status"] == "singleton" and r["good"]["path"] == "feed.jsonl"
    assert r["feed.jsonl#2"]["reason"] == "invalid_json" and "line 2" in r["feed.jsonl#2"]["detail"]
    assert r["feed.jsonl#4"]["reason"] == "invalid_json" and "not an object" in r["feed.jsonl#4"]["detail"]
    assert r["feed.jsonl#5"]["reason"] == "invalid_json" and "'text'" in r["feed.jsonl#5"]["detail"]
    assert r["feed.jsonl#6"]["status"] == "clustered" and r["feed.jsonl#6"]["title"] == "Snow"
    assert "feed.jsonl#3" not in r
    assert r["broken.json"]["reason"] == "invalid_json" and r["broken.json"]["detail"].startswith("broken.json: ")
    assert r["scalar.json"]["reason"] == "invalid_json"
    assert r["L1"]["status"] == "clustered" and r["L1"]["cluster"] == r["feed.jsonl#6"]["cluster"]  # same text
    assert r["list.json#2"]["reason"] == "invalid_json"
    assert len(rows) == 9


def test_duplicate_ids(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "a.jsonl", orjson.dumps({"id": "x", "text": BODY}) + b"\n"
          + orjson.dumps({"id": "x", "text": OTHER}) + b"\n")
    write(root / "b.jsonl", orjson.dumps({"id": "x", "text": OTHER}) + b"\n"
          + orjson.dumps({"id": "plain.txt", "text": OTHER}) + b"\n")
    write(root / "plain.txt", BODY)
    _, rows = run_ok(root, tmp_path / "out")
    r = by_id(rows)
    assert r["x"]["path"] == "a.jsonl" and r["x"]["status"] != "skipped"  # the first one keeps the id
    assert r["plain.txt"]["path"] == "plain.txt" and r["plain.txt"]["status"] != "skipped"
    for dup, first in (("a.jsonl#2", "a.jsonl line 1"), ("b.jsonl#1", "a.jsonl line 1"),
                       ("b.jsonl#2", "plain.txt")):
        assert r[dup]["status"] == "skipped" and r[dup]["reason"] == "duplicate_id", r[dup]
        assert first in r[dup]["detail"], r[dup]["detail"]
    assert len(rows) == 5


def test_huge_file_is_skipped_without_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "in"
    write(root / "a.txt", BODY)
    write(root / "b.txt", OTHER)
    big = root / "huge.txt"
    chunk = (BODY * (MB // len(BODY) + 1))[:MB].encode()
    opened: list[str] = []
    real_open = open

    def spy_open(file, *args, **kwargs):
        opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(dedup.stages.ingest, "open", spy_open, raising=False)
    try:
        with real_open(big, "wb") as fh:
            for _ in range(50):
                fh.write(chunk)
        assert big.stat().st_size == 50 * MB
        t0 = time.perf_counter()
        _, rows = run_ok(root, tmp_path / "out")
        elapsed = time.perf_counter() - t0
    finally:
        big.unlink(missing_ok=True)
    r = by_id(rows)
    assert r["huge.txt"]["status"] == "skipped" and r["huge.txt"]["reason"] == "too_large"
    assert "52,428,800 bytes" in r["huge.txt"]["detail"] and "--max-file-mb" in r["huge.txt"]["detail"]
    assert str(big) not in opened, "a file over --max-file-mb must be skipped by its size, not read"
    assert {os.path.basename(p) for p in opened} == {"a.txt", "b.txt"}
    assert elapsed < 10
    assert r["a.txt"]["status"] == r["b.txt"]["status"] == "singleton"


def test_gzip_over_the_limit_when_decompressed(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "a.txt", BODY)
    write(root / "bomb.txt.gz", gzip.compress(b"word " * (MB // 2)))  # tiny on disk, 2.5 MB inside
    _, rows = run_ok(root, tmp_path / "out", "--max-file-mb", "1")
    r = by_id(rows)
    assert r["bomb.txt.gz"]["reason"] == "too_large"
    assert r["a.txt"]["status"] == "singleton"


def test_cp1252_file_is_read(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "win.txt", b"\x93Quoted\x94 Headline at \xbd Price\n\n" + BODY.encode("ascii"))
    write(root / "other.txt", OTHER)
    _, rows = run_ok(root, tmp_path / "out")
    r = by_id(rows)["win.txt"]
    assert r["status"] == "singleton" and r["encoding"] == "cp1252"
    assert r["title"] == "\u201cQuoted\u201d Headline at \u00bd Price"


def test_every_input_appears_exactly_once(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root / "a.txt", BODY)
    write(root / "sub" / "b.md", "# Library\n\n" + BODY)
    write(root / "sub" / "deeper" / "c.html",
          f"<html><head><title>Snow</title></head><body><p>{OTHER}</p></body></html>")
    write(root / "d.txt.gz", gzip.compress(OTHER.encode()))
    write(root / "short.txt", "Too short.")
    write(root / "empty.txt", "")
    write(root / "noise.bin", bytes(range(256)) * 4)
    write(root / "pic.png", PNG)
    write(root / "bad.json", "{")
    write(root / "feed.jsonl", orjson.dumps({"id": "r1", "text": BODY}) + b"\n"
          + orjson.dumps({"id": "r2", "text": "tiny"}) + b"\n")
    write(root / "win.txt", b"Caf\xe9 \x93news\x94 " + OTHER.encode())
    write(root / ".hidden.txt", BODY)  # hidden: not an input
    payload, rows = run_ok(root, tmp_path / "out")

    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                   if p.is_file() and not p.name.startswith("."))
    per_path = Counter(r["path"] for r in rows)
    assert set(per_path) == set(files), "every input file must appear in documents.jsonl"
    for name in files:
        assert per_path[name] == (2 if name == "feed.jsonl" else 1), name
    assert ".hidden.txt" not in per_path
    r = by_id(rows)
    assert r["short.txt"]["reason"] == "too_short" and r["empty.txt"]["reason"] == "empty"
    assert r["noise.bin"]["reason"] == "binary" and r["pic.png"]["reason"] == "unsupported"
    assert r["bad.json"]["reason"] == "invalid_json" and r["r2"]["reason"] == "too_short"
    assert all(row["detail"] for row in rows if row["status"] == "skipped")
    assert payload["counts"]["inputs"] == len(rows) == 12


# ------------------------------------------------------------------ interrupted writes


def _leftovers(out: Path) -> list[str]:
    """Anything in out/ that is not part of a finished report."""
    return sorted(p.name for p in out.iterdir() if p.name not in ("clusters.json", "documents.jsonl", "clusters", "report.html",
                                                               "documents.parquet", "pairs.parquet"))


class _HalfWriter:
    """Stands in for the temporary file of clusters.json: writes half the bytes, then is interrupted."""

    def __init__(self, real, exc: BaseException) -> None:
        self._real, self._exc, self.name = real, exc, real.name

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._real.close()

    def write(self, data: bytes) -> int:
        self._real.write(data[: len(data) // 2])
        self._real.flush()
        raise self._exc

    def flush(self) -> None:
        self._real.flush()

    def fileno(self) -> int:
        return self._real.fileno()


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), OSError(28, "No space left on device")],
                         ids=["ctrl-c", "disk-full"])
def test_interrupted_write_keeps_old_clusters_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   exc: BaseException) -> None:
    out = tmp_path / "out"
    run_ok(SEEDS, out)
    old = (out / "clusters.json").read_bytes()
    real_ntf = dedup.storage.atomic.tempfile.NamedTemporaryFile
    seen: list[str] = []

    def half_writing_tempfile(*args, **kwargs):
        tmp = real_ntf(*args, **kwargs)
        seen.append(os.path.basename(tmp.name))
        if kwargs.get("prefix", "").startswith(".clusters.json."):
            return _HalfWriter(tmp, exc)
        return tmp

    monkeypatch.setattr(dedup.storage.atomic.tempfile, "NamedTemporaryFile", half_writing_tempfile)
    result = invoke("run", SEEDS, "--out", out, "--canonical", "longest")
    no_traceback(result)
    assert any(name.startswith(".clusters.json.") for name in seen), "the fault was not injected"
    if isinstance(exc, KeyboardInterrupt):
        assert result.exit_code == 130
        assert "interrupted" in result.stderr and "half-written" in result.stderr
    else:
        assert result.exit_code == 1
        assert result.stderr.strip() == f"Error: cannot write to {out}: No space left on device"
    assert result.stdout == ""

    assert (out / "clusters.json").read_bytes() == old, "clusters.json must be the previous run's, untouched"
    validate(orjson.loads(old))
    assert _leftovers(out) == [], "temporary files must be removed after a failed write"
    assert not any(p.name.startswith(".") for p in (out / "clusters").iterdir())


def test_failed_rename_keeps_old_clusters_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    run_ok(SEEDS, out)
    old = (out / "clusters.json").read_bytes()
    real_replace = os.replace
    calls: list[str] = []

    def failing_replace(src, dst, *args, **kwargs):
        calls.append(os.path.basename(os.fspath(dst)))
        if os.path.basename(os.fspath(dst)) == "clusters.json":
            raise KeyboardInterrupt
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(dedup.storage.atomic.os, "replace", failing_replace)
    result = invoke("run", SEEDS, "--out", out, "--canonical", "earliest")
    monkeypatch.undo()
    no_traceback(result)
    assert "clusters.json" in calls
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert (out / "clusters.json").read_bytes() == old
    assert _leftovers(out) == []
    # A later, uninterrupted run replaces it normally.
    payload, _ = run_ok(SEEDS, out, "--canonical", "earliest")
    assert payload["parameters"]["canonical"] == "earliest"
    assert _leftovers(out) == []
