"""dedup.counting: np.unique's counts, block by block."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.counting import value_counts


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
