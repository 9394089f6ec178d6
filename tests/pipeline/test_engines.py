"""The same answer on every engine: byte-identical clusters.json and documents.jsonl on Ray and locally,
whatever the partitions, and when a Ray worker is killed in the middle of a task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dedup.config import Config
from dedup.pipeline.runner import run_to_dir

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
METER = Path(__file__).resolve().parents[3] / "shared" / "data" / "meter" / "corpus"
OUTPUTS = ("clusters.json", "documents.jsonl")


def _outputs(source: Path, out: Path, **options: object) -> dict[str, bytes]:
    result, _ = run_to_dir(source, out, Config(pages=False, **options))
    assert len(result.documents) + len(result.skipped) > 0
    return {name: (out / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def local_generated(generated_jsonl: Path, tmp_path_factory) -> dict[str, bytes]:
    return _outputs(generated_jsonl, tmp_path_factory.mktemp("local"), jobs=1)


@pytest.mark.parametrize("partitions", [0, 1, 7])
def test_ray_writes_what_the_local_engine_writes(ray_cluster: str, generated_jsonl: Path,
                                                 local_generated: dict[str, bytes], tmp_path: Path,
                                                 partitions: int) -> None:
    got = _outputs(generated_jsonl, tmp_path, engine="ray", ray_address=ray_cluster, partitions=partitions)
    assert got == local_generated
    assert b'"cluster":' in got["documents.jsonl"]  # the corpus has clusters to get wrong


@pytest.mark.parametrize("source", [SEEDS, METER], ids=["seeds", "meter"])
def test_ray_writes_what_the_local_engine_writes_on_real_folders(ray_cluster: str, tmp_path: Path,
                                                                 source: Path) -> None:
    local = _outputs(source, tmp_path / "local", jobs=2, partitions=3)
    assert _outputs(source, tmp_path / "ray", engine="ray", ray_address=ray_cluster) == local


def test_with_no_address_a_local_ray_cluster_is_started_for_the_run_and_stopped(
        generated_jsonl: Path, local_generated: dict[str, bytes], tmp_path: Path) -> None:
    # in a process of its own, as a user runs it: the cluster it starts and stops is its own
    done = subprocess.run([sys.executable, "-m", "dedup", "run", str(generated_jsonl), "--out", str(tmp_path),
                           "--engine", "ray", "--jobs", "1", "--no-pages", "--quiet"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert {name: (tmp_path / name).read_bytes() for name in OUTPUTS} == local_generated
    assert not _running_tasks("")  # no dedup task is left running


def test_the_local_engine_writes_the_same_for_any_partitions(generated_jsonl: Path, local_generated: dict[str, bytes],
                                                            tmp_path: Path) -> None:
    assert _outputs(generated_jsonl, tmp_path, jobs=2, partitions=5) == local_generated


def _running_tasks(prefix: str) -> list[int]:
    """Processes whose title says they run a dedup task of ``prefix``'s stage (Ray titles them ray::<name>)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                title = Path(entry.path, "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            except OSError:
                continue
            if title.startswith(f"ray::dedup:{prefix}"):
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("stage", ["first pass", "verify"])
def test_a_worker_killed_mid_task_is_retried_and_the_output_is_the_same(
        ray_cluster: str, generated_jsonl: Path, local_generated: dict[str, bytes], tmp_path: Path,
        stage: str) -> None:
    killed: list[int] = []
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["out"] = _outputs(generated_jsonl, tmp_path, engine="ray", ray_address=ray_cluster, partitions=6)
        except BaseException as err:  # handed to the test's thread
            outcome["error"] = err

    runner = threading.Thread(target=work)
    runner.start()
    while runner.is_alive() and not killed:
        for pid in _running_tasks(stage):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            break
        time.sleep(0.005)
    runner.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    assert killed, f"no worker was seen running a {stage} task"
    assert outcome["out"] == local_generated
