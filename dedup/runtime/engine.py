"""Where a stage's tasks run: this machine's processes (``local``), or a Ray cluster (``ray``).

The pipeline hands every parallel stage to an engine as ``engine.map(fn, items, ctx)``:
``fn(chunk, ctx)`` over consecutive chunks of ``items``, the results in order.
``ctx`` is the stage's read-only input (the corpus's arrays, the configuration);
the local engine lets forked workers inherit it, Ray puts it once in its object
store.  Chunks are cut the same way on both (by the stage's task size, or into
``partitions`` equal parts), and their results are put together in order, so
the output never depends on the engine, its workers or its partitions.

The local engine is ``runtime.pool`` (forked workers once there is enough work).
The Ray engine (``runtime.ray_engine``) always runs the chunks as Ray tasks and
counts the bytes each stage moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from dedup.runtime.chunks import Fn, Traffic, chunk_size
from dedup.runtime.pool import parallel_iter

R = TypeVar("R")


class Engine(Protocol):
    """Runs a stage function over chunks of work (see the module doc)."""

    name: str
    remote: bool  # True: tasks run in other processes that share nothing with this one (not forked)
    traffic: dict[str, Traffic]  # per stage, on an engine that moves data; empty on the local one

    def map(self, fn: Fn, items: Sequence[Any], ctx: Any, stage: str,
            progress: Callable[[int, int], None] | None = None, chunk: int | None = None,
            cost: float = 1.0) -> Iterator[list[Any]]:
        """``fn`` over chunks of ``items`` (``chunk`` items each, or cut into ``partitions``), in order."""
        ...

    def close(self) -> None: ...


class LocalEngine:
    """This machine: the chunks in this process, or in ``workers`` forked processes (``runtime.pool``)."""

    name = "local"
    remote = False

    def __init__(self, workers: int, partitions: int = 0) -> None:
        self.workers, self.partitions = workers, partitions
        self.traffic: dict[str, Traffic] = {}

    def map(self, fn: Fn, items: Sequence[Any], ctx: Any, stage: str,
            progress: Callable[[int, int], None] | None = None, chunk: int | None = None,
            cost: float = 1.0) -> Iterator[list[Any]]:
        size = chunk_size(len(items), chunk or 500, self.partitions)
        return parallel_iter(fn, items, ctx, self.workers, progress, size, cost)

    def close(self) -> None:
        return None


def open_engine(name: str, workers: int, partitions: int = 0, address: str | None = None) -> Engine:
    """The engine called ``name`` (``local`` or ``ray``); Ray is imported only when asked for."""
    if name == "ray":
        from dedup.runtime.ray_engine import RayEngine

        return RayEngine(address, workers, partitions)
    return LocalEngine(workers, partitions)


def collect(parts: Iterator[list[R]]) -> list[R]:
    """Every chunk's results, in order, as one list."""
    out: list[R] = []
    for part in parts:
        out.extend(part)
    return out
