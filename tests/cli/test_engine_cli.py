"""`dedup run --engine ray` through click's CliRunner, on a real local Ray cluster."""

from __future__ import annotations

import re
from pathlib import Path

from cli_helpers import invoke, no_traceback

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_run_on_a_ray_cluster_says_what_it_moved_and_writes_the_local_bytes(ray_cluster: str, tmp_path: Path) -> None:
    local = invoke("run", SEEDS, "--out", tmp_path / "local", "--jobs", "1")
    assert local.exit_code == 0, local.output
    on_ray = invoke("run", SEEDS, "--out", tmp_path / "ray", "--engine", "ray", "--ray-address", ray_cluster,
                    "--partitions", "2")
    no_traceback(on_ray)
    assert on_ray.exit_code == 0, on_ray.output
    line = next(ln for ln in on_ray.output.splitlines() if ln.strip().startswith("engine"))
    assert re.fullmatch(r"\s+engine\s+ray: \d+ tasks, [\d.,]+ MB sent to them, [\d.,]+ MB back", line), line
    assert "engine" not in local.output
    for name in ("clusters.json", "documents.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_an_address_where_no_cluster_answers_is_a_clean_error(tmp_path: Path) -> None:
    result = invoke("run", SEEDS, "--out", tmp_path / "out", "--engine", "ray", "--ray-address", "127.0.0.1:9")
    no_traceback(result)
    assert result.exit_code == 1
    assert "no Ray cluster answers at 127.0.0.1:9" in result.output
    assert not (tmp_path / "out" / "clusters.json").exists()


def test_a_ray_address_without_the_ray_engine_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("run", SEEDS, "--out", tmp_path / "out", "--ray-address", "auto")
    assert result.exit_code == 2
    assert "--ray-address='auto': a Ray address needs engine='ray' (--engine ray)" in result.output


def test_help_tells_the_engine_options() -> None:
    text = "".join(invoke("run", "--help").output.split())  # whatever the width the help is wrapped at
    assert "--engine[local|ray]" in text and "--ray-addressADDRESS" in text and "--partitionsINTEGER" in text
    assert "byte-identicalonboth" in text and "pipinstall-e'.[ray]'" in text
