"""The Ray engine: each chunk of a stage is a Ray task, on a cluster or on one started for the run.

With no address, ``ray.init`` starts a local Ray cluster of this machine's
cores (``--jobs``) and shuts it down when the run ends; with an address
(``--ray-address``, as ``ray start --head`` prints it, or ``auto``) the run
joins that cluster as a driver and leaves it running.

A stage's shared input (``ctx``) is put once in Ray's object store; each
worker process reads it once per stage (numpy arrays are mapped from the
store, not copied) and keeps it while it runs that stage's chunks.  A task
returns its result pickled, so what a stage moves is counted to the byte:
``traffic[stage]``.  A worker that dies is replaced and its task run again
(``MAX_RETRIES``); a task is a pure function of its chunk and the stage's
input, so a retried task gives the same result, and the results are put
together in chunk order, as on the local engine.
"""

from __future__ import annotations

import pickle
import re
import socket
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from dedup.errors import PipelineError
from dedup.runtime import heap
from dedup.runtime.chunks import Fn, Traffic, chunk_size, chunks_of
from dedup.runtime.pool import call_pickled, result_of

MAX_RETRIES = 3  # times a task whose worker died is run again before the run fails
IN_FLIGHT = 2  # tasks submitted ahead per CPU of the cluster: workers never wait, results arrive in order
CONNECT_SECONDS = 5.0  # to wait for a cluster's address to answer
TASK_NAME = "dedup"  # tasks are named dedup:<stage> (in `ray list tasks` and worker process titles)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise PipelineError("--engine ray needs Ray, which is not installed: pip install -e '.[ray]' "
                            "in dedup's folder (the ray extra)") from None
    return ray


class RayEngine:
    """Stage chunks as Ray tasks (see the module doc)."""

    name = "ray"
    remote = True

    def __init__(self, address: str | None, workers: int, partitions: int = 0) -> None:
        ray = self._ray = _ray()
        self.partitions = partitions
        self.traffic: dict[str, Traffic] = {}
        self._own = not ray.is_initialized()
        if self._own:
            quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
            try:
                if address:
                    _answers(address)
                    ray.init(address=address, **quiet)
                else:  # "local": a new cluster, never one that `ray start` left running
                    ray.init(address="local", num_cpus=workers, **quiet)
            except (ConnectionError, RuntimeError, ValueError) as err:
                if not address:
                    raise PipelineError(f"cannot start a local Ray cluster: {err}") from None
                raise PipelineError(f"cannot join the Ray cluster at {address}: {err}; a cluster with token "
                                    f"authentication (the default of 'ray start' since Ray 2.59) needs "
                                    f"RAY_AUTH_MODE=token and its token (ray get-auth-token), or use "
                                    f"--ray-address auto on the cluster's own machine") from None
        self.cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._task = ray.remote(max_retries=MAX_RETRIES, retry_exceptions=False)(_run_chunk)

    def map(self, fn: Fn, items: Sequence[Any], ctx: Any, stage: str,
            progress: Callable[[int, int], None] | None = None, chunk: int | None = None,
            cost: float = 1.0) -> Iterator[list[Any]]:
        traffic = self.traffic.setdefault(stage, Traffic())
        parts = chunks_of(items, chunk_size(len(items), chunk or 500, self.partitions))
        return self._run(fn, parts, len(items), ctx, stage, traffic, progress)

    def _run(self, fn: Fn, parts: list[Sequence[Any]], total: int, ctx: Any, stage: str, traffic: Traffic,
             progress: Callable[[int, int], None] | None) -> Iterator[list[Any]]:
        ray = self._ray
        if not parts:
            return
        shared = ray.put(ctx)
        traffic.sent += size_of(ctx)
        task = self._task.options(name=f"{TASK_NAME}:{stage}")
        pending: deque[tuple[int, Any]] = deque()
        submitted = done = 0
        ahead = IN_FLIGHT * self.cpus
        try:
            while submitted < len(parts) or pending:
                while submitted < len(parts) and len(pending) < ahead:
                    data = pickle.dumps(parts[submitted], protocol=pickle.HIGHEST_PROTOCOL)
                    traffic.sent += len(data)
                    traffic.tasks += 1
                    pending.append((len(parts[submitted]), task.remote(fn, [shared], data)))
                    submitted += 1
                n, ref = pending.popleft()
                try:
                    ok, data = ray.get(ref)
                except ray.exceptions.RayError as err:
                    raise PipelineError(f"{stage}: a Ray task failed: {_why(err)}") from None
                traffic.received += len(data)
                result = result_of(ok, data)
                done += n
                if progress:
                    progress(done, total)
                yield result
        finally:
            for _, ref in pending:
                ray.cancel(ref, force=True)
            del shared

    def close(self) -> None:
        if self._own and self._ray.is_initialized():
            self._ray.shutdown()


def _answers(address: str) -> None:
    """Fail at once when nothing listens at ``host:port`` (Ray itself would keep retrying for minutes)."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto", or a form Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as err:
        raise PipelineError(f"no Ray cluster answers at {address} ({err.strerror or err}); start one with "
                            f"'ray start --head', or leave --ray-address out to start a local one") from None


def _why(err: Exception) -> str:
    """What went wrong in a Ray task, in one line: a worker that kept dying, or the task's own last line."""
    name = type(err).__name__
    if "WorkerCrashed" in name or "NodeDied" in name or "ObjectLost" in name:
        return f"{name}: its worker died {MAX_RETRIES + 1} times (each time the task ran again)"
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln).strip() for ln in str(err).splitlines()]
    lines = [ln for ln in lines if ln and not set(ln) <= set("^~ ")]
    return lines[-1] if lines else name


def size_of(obj: Any) -> int:
    """Bytes ``obj`` takes when pickled, its numpy arrays counted as the buffers Ray stores (not copied here)."""
    buffers: list[pickle.PickleBuffer] = []
    inline = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    return len(inline) + sum(b.raw().nbytes for b in buffers)


# ---------------------------------------------------------------- in the worker

_stage_input: tuple[bytes, Any] | None = None  # (object id, value): the input of the stage this worker runs
_heap_set = False


def _run_chunk(fn: Fn, shared: list[Any], chunk: bytes) -> tuple[bool, bytes]:
    """One task: ``fn`` over the chunk, with the stage's input read from the object store once per worker."""
    global _stage_input, _heap_set
    import ray

    if not _heap_set:
        heap.worker_heap()
        _heap_set = True
    ref = shared[0]
    if _stage_input is None or _stage_input[0] != ref.binary():
        _stage_input = None  # the last stage's input is let go before this one's is read
        _stage_input = (ref.binary(), ray.get(ref))
    return call_pickled(fn, pickle.loads(chunk), _stage_input[1])
