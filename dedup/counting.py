"""``np.unique(flat, return_counts=True)`` for a large array, in bounded memory.

The first pass counts in how many documents each stem occurs (each document's
stems are distinct, so that is how often each value occurs in the corpus's
flat array).  ``np.unique`` sorts a copy of the whole array and keeps a mask
and an index array beside it: at a million documents, 210 million values,
about 2.5 GB at once.  Counting block by block and merging the counts keeps
the extra memory to a block's worth and the vocabulary's, at the same speed.
"""

from __future__ import annotations

import numpy as np

BLOCK = 1 << 23  # values counted at a time


def value_counts(flat: np.ndarray, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``flat``, sorted, and how often each occurs (int64): ``np.unique``'s answer."""
    if block < 1:
        raise ValueError(f"block must be >= 1, not {block}")
    values, counts = np.unique(flat[:block], return_counts=True)
    for b in range(block, len(flat), block):
        v, c = np.unique(flat[b:b + block], return_counts=True)
        values, counts = _merge(values, counts, v, c)
    return values, counts.astype(np.int64, copy=False)


def _merge(va: np.ndarray, ca: np.ndarray, vb: np.ndarray, cb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted (distinct values, counts) tables as one."""
    values = np.concatenate((va, vb))
    counts = np.concatenate((ca, cb))
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    return values[starts], np.add.reduceat(counts, starts) if len(values) else counts
