"""The Ray engine on a real local cluster (a head and two workers): tasks, order, errors, bytes counted."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import ray

from dedup.errors import PipelineError
from dedup.runtime.chunks import chunk_size
from dedup.runtime.engine import collect
from dedup.runtime.ray_engine import RayEngine, _why, size_of

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module


def _tagged(chunk: list[int], ctx: np.ndarray) -> list[tuple[int, int]]:
    return [(int(ctx[x]), len(chunk)) for x in chunk]


def _fail_on_odd(chunk: list[int], ctx: object) -> list[int]:
    if any(x % 2 for x in chunk):
        raise LookupError(f"odd item in {chunk}")
    return chunk


@pytest.fixture
def engine(ray_cluster: str):
    eng = RayEngine(ray_cluster, workers=1, partitions=0)
    yield eng
    eng.close()


@pytest.mark.parametrize("partitions", [0, 1, 5])
def test_tasks_on_the_cluster_give_results_in_order(ray_cluster: str, partitions: int) -> None:
    eng = RayEngine(ray_cluster, workers=1, partitions=partitions)
    try:
        assert eng.cpus == 2  # the two worker nodes; the head runs no tasks
        table = np.arange(1000, dtype=np.int64) * 7
        items = list(range(1000))
        out = collect(eng.map(_tagged, items, table, "stage", chunk=64))
        assert [x for x, _ in out] == [7 * i for i in items]
        assert max(n for _, n in out) == chunk_size(1000, 64, partitions)
        moved = eng.traffic["stage"]
        assert moved.tasks == -(-1000 // chunk_size(1000, 64, partitions))
        assert moved.sent >= table.nbytes and moved.received > 0
    finally:
        eng.close()


def test_an_error_in_a_task_is_raised_as_itself_not_retried(engine: RayEngine) -> None:
    with pytest.raises(LookupError, match="odd item"):
        collect(engine.map(_fail_on_odd, [0, 2, 4, 5, 6], None, "stage", chunk=2))


def test_an_empty_stage_starts_no_task(engine: RayEngine) -> None:
    assert collect(engine.map(_tagged, [], np.zeros(1), "empty")) == []
    assert engine.traffic["empty"].tasks == 0


def test_an_address_where_nothing_listens_fails_at_once_naming_it() -> None:
    with pytest.raises(PipelineError, match=r"no Ray cluster answers at 127\.0\.0\.1:9"):
        RayEngine("127.0.0.1:9", workers=1)


def test_without_ray_installed_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(PipelineError, match=r"pip install -e '\.\[ray\]'"):
        RayEngine(None, workers=1)


def test_a_failed_task_is_told_in_one_line() -> None:
    assert "died 4 times" in _why(ray.exceptions.WorkerCrashedError())
    shown = "\x1b[36mray::dedup:s()\x1b[39m (pid=9)\n  input could not be computed:\n    ^^^^^\n" \
            "ModuleNotFoundError: No module named 'x'"
    assert _why(RuntimeError(shown)) == "ModuleNotFoundError: No module named 'x'"


def test_size_of_counts_array_buffers_without_copying_them() -> None:
    big = np.zeros(1_000_000, dtype=np.uint8)
    assert big.nbytes <= size_of((big, "x")) < big.nbytes + 1000
