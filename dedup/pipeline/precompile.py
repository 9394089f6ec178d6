"""First run: the kernels are compiled (numba, ``cache=True``) once, then loaded from ``__pycache__``.

Compiling them all takes most of a first run on a small corpus, one kernel after another on one core.
``start_late()`` forks a process that compiles the kernels of the stages after the first pass
(signatures, LSH, alignment, diff) by calling them on a few tiny arrays of the very types a run
passes, while this process compiles the first pass's kernels as it uses them; ``wait()`` before the
signatures stage, and the run loads what the child wrote.  Should a type differ, the run compiles
that kernel itself: slower, never different.  ``cold()`` tells whether there is anything to compile.
"""

from __future__ import annotations

import multiprocessing as mp
import os

import numpy as np

from dedup.kernels import align, counting, linescan, lsh, minhash, textscan, vocab

FIRST_PASS = (linescan._lines, linescan._paragraph_spans, textscan._scan, textscan._sentence_sets,
              vocab._lookup, vocab._insert, counting._distinct_rows)
LATE = (minhash._sign_serial, lsh._bucket_codes, align.sentence_mass, align.align_sentences, align.matching_blocks)


def _compiled(kernel) -> bool:
    """Whether ``kernel`` has a cache index (one stat).  An index older than an edited source is still
    counted: numba then compiles again by itself, but a fresh install, the case to announce, has none."""
    try:
        return os.path.exists(kernel._cache._cache_file._index_path)
    except AttributeError:
        return False


def cold(kernels=FIRST_PASS + LATE) -> bool:
    """Whether this run will compile kernels (a first run, or a run after the kernels' sources changed)."""
    return not all(_compiled(k) for k in kernels)


def _compile_late() -> None:
    from dedup.config import Config
    from dedup.stages.candidates import banding, candidate_pairs
    from dedup.stages.signatures import sign_csr

    config = Config()
    flat = np.array([3, 1, 2, 3, 1, 2, 7, 8, 9], dtype=np.uint32)
    offsets = np.array([0, 3, 6, 9], dtype=np.int64)
    values, sizes = sign_csr(flat, offsets, config.num_perm, config.seed, distinct=False)
    candidate_pairs(values, banding(config.num_perm, config.lsh_rows, config.max_bucket, config.lsh_split),
                    sizes, 0.5)
    t, o, z = np.array([1, 2, 3, 4], dtype=np.uint32), np.array([0, 2, 4], dtype=np.int64), np.array([2, 2])
    w = np.ones(4, dtype=np.float64)
    m = align.sentence_mass(o, w, z)
    align.align_sentences(t, o, w, z, m, t, o, z, m, 0.5, 1)
    align.matching_blocks(np.arange(4, dtype=np.int64), np.arange(4, dtype=np.int64))


class _Late:
    def __init__(self, process) -> None:
        self.process = process

    def wait(self) -> None:
        if self.process is not None:
            self.process.join()
            self.process = None


def start_late() -> _Late:
    """Compile the later stages' kernels in a forked process if they are not compiled yet (and fork exists)."""
    if not cold(LATE) or "fork" not in mp.get_all_start_methods():
        return _Late(None)
    process = mp.get_context("fork").Process(target=_compile_late, daemon=True)
    process.start()
    return _Late(process)
