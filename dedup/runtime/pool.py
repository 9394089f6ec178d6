"""Run a stage function over chunks of work, in this process or in workers.

``parallel_map(fn, items, ctx, workers)`` calls ``fn(chunk, ctx)`` on
consecutive chunks of ``items`` and concatenates the results in order, so the
output never depends on the number of workers.  With more than one worker the
chunks go to forked processes, which inherit ``ctx`` (the stage's read-only
inputs) instead of receiving it pickled with every chunk; each worker keeps its own
heap (``runtime.heap.worker_heap``).
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from dedup.runtime import heap

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 2000  # less work than this many candidate pairs is not worth starting processes for
_CHUNK = 500

_inherited: tuple[Callable[..., Any], Any] | None = None  # set only for the life of one fork pool


def _call(chunk: list[Any]) -> tuple[bool, bytes]:
    """Run the stage on one chunk in a forked worker (``call_pickled`` with the inherited stage)."""
    assert _inherited is not None
    fn, ctx = _inherited
    return call_pickled(fn, chunk, ctx)


def call_pickled(fn: Callable[[list[Any], Any], list[Any]], chunk: list[Any], ctx: Any) -> tuple[bool, bytes]:
    """``fn(chunk, ctx)`` in a worker: (ok, pickled result or exception).

    The worker pickles the outcome itself and checks that an exception loads
    again: a result or exception that the main process could not unpickle would
    otherwise kill the pool's result thread and leave the run waiting forever.
    """
    try:
        return True, pickle.dumps(fn(chunk, ctx), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:
        try:
            data = pickle.dumps(err, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(data)
        except Exception:
            data = pickle.dumps(RuntimeError(f"in a worker process: {type(err).__name__}: {err}"))
        return False, data


def result_of(ok: bool, data: bytes) -> list[Any]:
    """A worker's chunk result, or its exception raised here."""
    try:
        value = pickle.loads(data)
    except Exception as err:
        raise RuntimeError(f"a worker process's result could not be read back: {type(err).__name__}: {err}") \
            from None
    if not ok:
        raise value
    return value


def parallel_map(fn: Callable[[list[T], Any], list[R]], items: Sequence[T], ctx: Any, workers: int,
                 progress: Callable[[int, int], None] | None = None, chunk: int | None = None,
                 cost: float = 1.0) -> list[R]:
    """``fn`` over chunks of ``items``; workers start when ``len(items) * cost`` reaches MIN_PARALLEL.

    ``cost`` is an item's work relative to verifying one candidate pair (a file to read is about 10,
    a cluster to diff about 40).
    """
    out: list[R] = []
    for part in parallel_iter(fn, items, ctx, workers, progress, chunk, cost):
        out.extend(part)
    return out


def parallel_iter(fn: Callable[[list[T], Any], list[R]], items: Sequence[T], ctx: Any, workers: int,
                  progress: Callable[[int, int], None] | None = None, chunk: int | None = None,
                  cost: float = 1.0) -> Iterator[list[R]]:
    """``parallel_map``, one chunk's results at a time, in order (for results not to be held all at once)."""
    size = chunk or _CHUNK
    chunks = [items[k:k + size] for k in range(0, len(items), size)]  # slices: a lazy sequence stays lazy
    done = 0
    use_pool = workers > 1 and len(items) * cost >= MIN_PARALLEL and "fork" in mp.get_all_start_methods() \
        and sys.platform != "win32"
    if not use_pool:
        for part in chunks:
            result = fn(part, ctx)
            done += len(part)
            if progress:
                progress(done, len(items))
            yield result
        return
    global _inherited
    _inherited = (fn, ctx)
    try:
        with mp.get_context("fork").Pool(workers, initializer=heap.worker_heap) as pool:
            for part, (ok, data) in zip(chunks, pool.imap(_call, chunks)):
                result = result_of(ok, data)
                done += len(part)
                if progress:
                    progress(done, len(items))
                yield result
    finally:
        _inherited = None
