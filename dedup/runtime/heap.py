"""glibc's heap, tuned for a run's two kinds of process (no-ops elsewhere).

The main process holds the corpus's arrays for the whole run and frees many
large temporaries on the way: ``prefer_mmap`` gives blocks of 16 KiB and more
their own mappings, so that freed memory goes back to the system instead of
fragmenting the heap,
and ``trim`` hands back what is free once the first pass is done.

Worker processes (``runtime.pool``) are forked from it and would inherit that
setting; for them it is the wrong one: every temporary array of every document
would be a fresh mapping, faulted in page by page.  ``worker_heap`` runs as each
worker starts.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator
from contextlib import contextmanager

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def prefer_mmap() -> None:
    """Main process: blocks of 16 KiB and more get their own mappings, returned to the system when freed."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, 16 * 1024)


def worker_heap() -> None:
    """Worker process: temporary arrays come from a heap that is kept, not from fresh mappings
    faulted in page by page (docs/performance.md has the figures)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, 4 << 20)  # a document's arrays stay well under 4 MiB
        libc.mallopt(M_TRIM_THRESHOLD, 64 << 20)  # the heap is not shrunk and grown again per task


def trim() -> None:
    """Hand freed heap memory back to the system."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: for code that makes a great many objects that all stay
    (each collection walks all of them, and they are not garbage)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
