"""Several sorted parts merged into one order, copied as runs of consecutive rows.

Joining an index's stored documents with a few thousand new ones puts every
array in id order.  Gathering row by row (``CSR.take``) builds index arrays as
long as the data and copies element by element; but the merged order is
mostly long stretches of one part's rows, one after another.  ``Runs`` finds
those stretches and copies each as one slice, at every level of nested rows
(documents, their sentences, the sentences' stems).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Runs:
    """Output rows ``dst[i]:dst[i] + size[i]`` are rows ``src[i]:src[i] + size[i]`` of part ``part[i]``."""

    __slots__ = ("dst", "part", "size", "src", "total")

    def __init__(self, part: np.ndarray, src: np.ndarray, dst: np.ndarray, size: np.ndarray, total: int) -> None:
        self.part, self.src, self.dst, self.size, self.total = part, src, dst, size, total

    def __len__(self) -> int:
        return len(self.part)

    @classmethod
    def of(cls, sizes: Sequence[int], order: np.ndarray) -> Runs:
        """The runs of ``order``: for each output row, its row in the parts (of ``sizes``) laid end to end."""
        order = np.asarray(order, dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
        part = np.searchsorted(starts, order, side="right") - 1
        if not len(order):
            return cls(part, order, order, order, 0)
        first = np.flatnonzero(np.concatenate(([True], (np.diff(order) != 1) | (np.diff(part) != 0))))
        size = np.diff(np.append(first, len(order)))
        return cls(part[first], order[first] - starts[part[first]], first, size, len(order))

    def inner(self, offsets: Sequence[np.ndarray]) -> Runs:
        """The runs one level down: each part's rows are ``offsets[part]``'s ranges of finer rows."""
        src, end = np.empty(len(self), np.int64), np.empty(len(self), np.int64)
        for p, off in enumerate(offsets):
            mine = self.part == p
            src[mine] = off[self.src[mine]]
            end[mine] = off[self.src[mine] + self.size[mine]]
        size = end - src
        dst = np.concatenate(([0], np.cumsum(size[:-1], dtype=np.int64))) if len(size) else size
        return Runs(self.part, src, dst, size, int(size.sum()))

    def gather(self, arrays: Sequence[np.ndarray], dtype: type | None = None) -> np.ndarray:
        """The parts' ``arrays`` (one per part, rows along the first axis) in the output order."""
        first = arrays[0]
        out = np.empty((self.total, *first.shape[1:]), dtype=dtype or np.result_type(*arrays))
        for p, s, d, n in zip(self.part.tolist(), self.src.tolist(), self.dst.tolist(), self.size.tolist(),
                              strict=True):
            out[d:d + n] = arrays[p][s:s + n]
        return out

    def offsets(self, lengths: Sequence[np.ndarray]) -> np.ndarray:
        """Offsets of the output's rows, from each part's row lengths."""
        return np.concatenate(([0], np.cumsum(self.gather(lengths, np.int64), dtype=np.int64)))
