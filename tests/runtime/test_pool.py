"""parallel_map: the same results in workers as in this process, and worker failures raised, never a hang."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest

import dedup.runtime.pool
from dedup.runtime.pool import parallel_map


class TwoArgError(Exception):
    """An exception whose __init__ needs two arguments: the default pickling cannot load it again."""

    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a}/{b}")


class Unloadable:
    """A value that pickles but cannot be unpickled."""

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_refuse, ())


def _refuse() -> None:
    raise ValueError("cannot be loaded")


def _square(chunk: list[int], ctx: int) -> list[int]:
    return [x * x + ctx for x in chunk]


def _raise_two_arg(chunk: list[int], ctx: Any) -> list[int]:
    raise TwoArgError("left", "right")


def _raise_key(chunk: list[int], ctx: Any) -> list[int]:
    raise KeyError("missing")


def _unloadable(chunk: list[int], ctx: Any) -> list[Any]:
    return [Unloadable() for _ in chunk]


@pytest.fixture(autouse=True)
def pools_and_a_deadline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every call here starts a real fork pool; a hang fails the test after 60 s instead of stalling the suite."""
    monkeypatch.setattr(dedup.runtime.pool, "MIN_PARALLEL", 1)

    def hang(signum: int, frame: Any) -> None:
        raise TimeoutError("parallel_map hung")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_workers_give_the_results_of_one_process_in_order() -> None:
    items = list(range(1000))
    assert parallel_map(_square, items, 3, workers=2, chunk=7) == parallel_map(_square, items, 3, workers=1)


def test_a_workers_exception_is_raised_with_its_type() -> None:
    with pytest.raises(KeyError, match="missing"):
        parallel_map(_raise_key, list(range(10)), None, workers=2, chunk=2)


def test_an_exception_that_cannot_be_unpickled_is_raised_not_hung_on() -> None:
    with pytest.raises(RuntimeError, match="in a worker process: TwoArgError: left/right"):
        parallel_map(_raise_two_arg, list(range(10)), None, workers=2, chunk=2)


def test_a_result_that_cannot_be_unpickled_is_raised_not_hung_on() -> None:
    with pytest.raises(RuntimeError, match="could not be read back: ValueError: cannot be loaded"):
        parallel_map(_unloadable, list(range(10)), None, workers=2, chunk=2)


_STARTED: list[str] = []


def _pid_and_start(chunk: list[int], ctx: None) -> list[tuple[int, list[str]]]:
    return [(os.getpid(), list(_STARTED)) for _ in chunk]


def test_each_worker_sets_up_its_heap_as_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dedup.runtime.pool.heap, "worker_heap", lambda: _STARTED.append("worker_heap"))
    out = parallel_map(_pid_and_start, list(range(4000)), None, workers=2, chunk=100)
    assert {pid for pid, _ in out} - {os.getpid()}  # the work ran in workers
    assert all(started == ["worker_heap"] for _, started in out)
    assert _STARTED == []  # not in this process
