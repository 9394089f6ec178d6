"""Golden output: the committed out/ must be exactly what `dedup run seeds --out out` writes now.

out/ is the example users read first, so it must never go stale.  If a change to
dedup/ alters the output on purpose, refresh it from the repository root with

    dedup run seeds --out out

and review the diff before committing.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from dedup.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "out"
REFRESH = "if the change is intended, refresh it from the repository root with: dedup run seeds --out out"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds run now, with default options and the README's relative input path 'seeds'."""
    out = tmp_path_factory.mktemp("golden") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        result = CliRunner().invoke(main, ["run", "seeds", "--out", str(out)], prog_name="dedup")
    assert isinstance(result.exception, (SystemExit, type(None))), result.output
    assert result.exit_code == 0, result.output
    return out


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _mismatch(name: str, new: bytes, old: bytes) -> str:
    diff = difflib.unified_diff(old.decode("utf-8", "replace").splitlines(),
                                new.decode("utf-8", "replace").splitlines(),
                                f"out/{name} (committed)", f"out/{name} (fresh run)", lineterm="", n=1)
    shown = "\n".join(list(diff)[:40])
    return f"out/{name} differs from a fresh run of the seeds; {REFRESH}\n{shown}"


def test_same_set_of_files(fresh: Path) -> None:
    committed, now = _files(GOLDEN), _files(fresh)
    assert committed == now, (
        f"out/ holds a different set of files than a fresh run "
        f"(only committed: {sorted(committed - now)}, only fresh: {sorted(now - committed)}); {REFRESH}")
    assert {"clusters.json", "documents.jsonl", "documents.parquet", "pairs.parquet"} <= now
    assert any(name.startswith("clusters/") and name.endswith(".md") for name in now)


@pytest.mark.parametrize("name", ["clusters.json", "documents.jsonl"])
def test_report_file_matches_committed(fresh: Path, name: str) -> None:
    assert (GOLDEN / name).is_file(), f"out/{name} is missing; {REFRESH}"
    new, old = (fresh / name).read_bytes(), (GOLDEN / name).read_bytes()
    assert new == old, _mismatch(name, new, old)


@pytest.mark.parametrize("name", ["documents.parquet", "pairs.parquet"])
def test_parquet_table_matches_committed(fresh: Path, name: str) -> None:
    """Rows, schema and dedup's metadata (the bytes also depend on pyarrow's version: test_tables checks
    that one version writes the same bytes every time)."""
    import pyarrow.parquet as pq

    assert (GOLDEN / name).is_file(), f"out/{name} is missing; {REFRESH}"
    new, old = pq.read_table(fresh / name), pq.read_table(GOLDEN / name)
    assert new.schema.remove_metadata() == old.schema.remove_metadata(), REFRESH
    assert new.to_pylist() == old.to_pylist(), f"out/{name} rows differ; {REFRESH}"
    assert new.schema.metadata == old.schema.metadata, f"out/{name} metadata differs; {REFRESH}"


def test_every_cluster_page_matches_committed(fresh: Path) -> None:
    names = sorted(p.name for p in (fresh / "clusters").glob("*.md"))
    committed = sorted(p.name for p in (GOLDEN / "clusters").glob("*.md"))
    assert names == committed, f"cluster pages differ: committed {committed}, fresh {names}; {REFRESH}"
    for name in names:
        new, old = (fresh / "clusters" / name).read_bytes(), (GOLDEN / "clusters" / name).read_bytes()
        assert new == old, _mismatch(f"clusters/{name}", new, old)


def test_recorded_input_is_the_readme_path(fresh: Path) -> None:
    assert orjson.loads((fresh / "clusters.json").read_bytes())["input"] == "seeds"


def test_seed_grouping(fresh: Path) -> None:
    payload = orjson.loads((fresh / "clusters.json").read_bytes())
    multi = [c for c in payload["clusters"] if c["size"] > 1]
    assert len(multi) == 1, f"expected exactly one cluster of copies, got {[c['id'] for c in multi]}"
    assert {m["id"][:3] for m in multi[0]["members"]} == {"000", "001", "002"}
    assert multi[0]["size"] == 3

    rows = {r["id"][:3]: r for r in map(orjson.loads, (fresh / "documents.jsonl").read_bytes().splitlines())}
    assert sorted(rows) == ["000", "001", "002", "003", "004"]
    for prefix in ("003", "004"):
        assert rows[prefix]["status"] == "singleton" and rows[prefix]["cluster"] is None
    for prefix in ("000", "001", "002"):
        assert rows[prefix]["status"] == "clustered" and rows[prefix]["cluster"] == multi[0]["id"]
    assert sum(r["canonical"] for r in rows.values()) == 1
