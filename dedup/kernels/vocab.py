"""A compiled memo of word -> stem hash, keyed by a 64-bit hash of the word's bytes.

The first pass looks up every word of every document, so the lookup runs
in compiled code (an open-addressing table) instead of a Python dict.
Misses are few (a corpus repeats its vocabulary): the caller computes
those in Python (``stages.sketch``: stopword check, Snowball stem, ``xxh32``) and
inserts them.  A key is a 64-bit hash, so two words could in principle share
one; for a vocabulary of a few million words the chance is about one in
10^7 per corpus, and it would only give one word another word's stem.
"""

from __future__ import annotations

import numba
import numpy as np

MISSING = -2  # what ``lookup`` gives for a word not in the table (a stopword's value is -1)


@numba.njit(cache=True, nogil=True)
def _lookup(keys: np.ndarray, values: np.ndarray, hashes: np.ndarray) -> tuple[np.ndarray, int]:
    mask = np.uint64(len(keys) - 1)
    out = np.empty(len(hashes), dtype=np.int64)
    missing = 0
    for i in range(len(hashes)):
        h = hashes[i]
        slot = h & mask
        while True:
            k = keys[slot]
            if k == h:
                out[i] = values[slot]
                break
            if k == 0:
                out[i] = MISSING
                missing += 1
                break
            slot = (slot + np.uint64(1)) & mask
    return out, missing


@numba.njit(cache=True, nogil=True)
def _insert(keys: np.ndarray, values: np.ndarray, hashes: np.ndarray, new: np.ndarray) -> int:
    """Put each (hash, value) in the table unless there; the number added."""
    mask = np.uint64(len(keys) - 1)
    added = 0
    for i in range(len(hashes)):
        h = hashes[i]
        slot = h & mask
        while keys[slot] != 0 and keys[slot] != h:
            slot = (slot + np.uint64(1)) & mask
        if keys[slot] == 0:
            keys[slot] = h
            values[slot] = new[i]
            added += 1
    return added


class Vocabulary:
    """Word hash (never 0) -> int64 value; emptied when it would hold more than ``limit`` words."""

    def __init__(self, limit: int = 1 << 21) -> None:
        self.limit = limit
        self._reset()

    def _reset(self) -> None:
        self.count = 0
        self.keys = np.zeros(1 << 16, dtype=np.uint64)
        self.values = np.zeros(1 << 16, dtype=np.int64)

    def lookup(self, hashes: np.ndarray) -> tuple[np.ndarray, int]:
        """The value of each hash (``MISSING`` where absent), and how many were absent."""
        return _lookup(self.keys, self.values, hashes)

    def insert(self, hashes: np.ndarray, values: np.ndarray) -> None:
        if self.count + len(hashes) > self.limit:
            self._reset()
        while 2 * (self.count + len(hashes)) > len(self.keys):  # keep the load under one half
            used = self.keys != 0
            old_keys, old_values = self.keys[used], self.values[used]
            self.keys = np.zeros(2 * len(self.keys), dtype=np.uint64)
            self.values = np.zeros(len(self.keys), dtype=np.int64)
            _insert(self.keys, self.values, old_keys, old_values)
        self.count += _insert(self.keys, self.values, hashes, values)

    def __len__(self) -> int:
        return self.count
