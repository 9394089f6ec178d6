"""dedup.kernels.lookup against its reference, a scan of the whole signature matrix."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.kernels.lookup import column_order, shared


@settings(deadline=None, max_examples=40)
@given(n=st.integers(1, 300), p=st.integers(1, 16), spread=st.integers(1, 50), seed=st.integers(0, 2**31))
def test_shared_counts_are_the_scan_s(n: int, p: int, spread: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, spread, size=(n, p)).astype(np.uint32)  # few distinct values: many ties
    query = rng.integers(0, spread + 2, size=p).astype(np.uint32)
    order = column_order(values)
    assert all(np.all(np.diff(values[order[c], c].astype(np.int64)) >= 0) for c in range(p))
    rows, counts = shared(values, order, query)
    scan = (values == query).sum(axis=1)
    assert np.array_equal(rows, np.flatnonzero(scan)) and np.array_equal(counts, scan[rows])
