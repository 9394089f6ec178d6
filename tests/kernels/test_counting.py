"""dedup.kernels.counting: np.unique's counts, block by block."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.kernels.counting import row_frequencies, value_counts


@given(st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 9), max_size=200), st.integers(1, 50))
@settings(max_examples=120, deadline=None)
def test_value_counts_is_np_unique_with_counts(values: list[int], block: int) -> None:
    flat = np.array(values, dtype=np.uint32)
    got_values, got_counts = value_counts(flat, block=block)
    want_values, want_counts = np.unique(flat, return_counts=True)
    assert got_values.dtype == np.uint32 and got_counts.dtype == np.int64
    assert np.array_equal(got_values, want_values) and np.array_equal(got_counts, want_counts)


def test_value_counts_refuses_an_empty_block() -> None:
    with pytest.raises(ValueError, match="block must be >= 1"):
        value_counts(np.zeros(3, np.uint32), block=0)


@given(st.lists(st.lists(st.integers(0, 20) | st.integers(0, 2**32 - 1), max_size=8), max_size=12),
       st.integers(1, 5), st.integers(1, 3))
@settings(max_examples=120, deadline=None)
def test_row_frequencies_count_each_value_once_per_row(rows: list[list[int]], block: int, threads: int) -> None:
    flat = np.array([x for r in rows for x in r], dtype=np.uint32)
    offsets = np.concatenate(([0], np.cumsum([len(r) for r in rows]))).astype(np.uint32)
    values, counts = row_frequencies(flat, offsets, rows=block, threads=threads)
    want = np.unique(np.concatenate([np.unique(np.array(r, dtype=np.uint32)) for r in rows] or [flat]),
                     return_counts=True)
    assert values.dtype == np.uint32 and counts.dtype == np.int64
    assert values.tolist() == want[0].tolist() and counts.tolist() == want[1].tolist()
    with pytest.raises(ValueError, match="rows must be >= 1"):
        row_frequencies(flat, offsets, rows=0)
