"""How an engine cuts a stage's items into tasks, and what it counts of each stage's traffic.

Shared by every engine (``runtime.engine``, ``runtime.ray_engine``): the chunks are
cut the same way on all of them, which is half of why their outputs are equal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

Fn = Callable[[list[Any], Any], list[Any]]  # a stage function: (chunk of items, the stage's shared input) -> results


@dataclass
class Traffic:
    """What one stage sent to and got back from its tasks on an engine that moves data between processes."""

    tasks: int = 0
    sent: int = 0  # bytes: the stage's shared input (once) and every task's chunk
    received: int = 0  # bytes: the tasks' results

    def as_dict(self) -> dict[str, int]:
        return {"tasks": self.tasks, "sent": self.sent, "received": self.received}


def chunk_size(n: int, chunk: int, partitions: int) -> int:
    """Items per task: ``chunk``, or with ``partitions`` set, ``n`` cut into that many (nearly) equal parts."""
    if partitions:
        return max(1, -(-n // partitions))
    return max(1, chunk)


def chunks_of(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Consecutive slices of ``size`` items (slices: a lazy sequence stays lazy)."""
    return [items[k:k + size] for k in range(0, len(items), size)]
