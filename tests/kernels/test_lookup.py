"""dedup.kernels.lookup against its reference, a scan of the whole signature matrix."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.kernels.lookup import column_order, shared


def _case(n: int, p: int, spread: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, spread, size=(n, p)).astype(np.uint32)  # few distinct values: many ties
    query = rng.integers(0, spread + 2, size=p).astype(np.uint32)
    sizes = rng.integers(0, 400, size=n).astype(np.uint32)
    return values, query, sizes


@settings(deadline=None, max_examples=40)
@given(n=st.integers(1, 300), p=st.integers(1, 16), spread=st.integers(1, 50), seed=st.integers(0, 2**31))
def test_shared_counts_are_the_scan_s(n: int, p: int, spread: int, seed: int) -> None:
    values, query, sizes = _case(n, p, spread, seed)
    order = column_order(values)
    assert all(np.all(np.diff(values[order[c], c].astype(np.int64)) >= 0) for c in range(p))
    rows, counts = shared(values, order, query, sizes, 50.0, 0.0)
    scan = (values == query).sum(axis=1)
    assert np.array_equal(rows, np.flatnonzero(scan)) and np.array_equal(counts, scan[rows])


@settings(deadline=None, max_examples=40)
@given(n=st.integers(1, 300), p=st.integers(1, 16), spread=st.integers(1, 20), seed=st.integers(0, 2**31),
       query_size=st.integers(0, 400), screen=st.floats(0.0, 1.0))
def test_screen_is_the_estimated_containment_rule(n: int, p: int, spread: int, seed: int, query_size: int,
                                                  screen: float) -> None:
    values, query, sizes = _case(n, p, spread, seed)
    rows, counts = shared(values, column_order(values), query, sizes, float(query_size), screen)
    scan = (values == query).sum(axis=1)
    j = scan / p
    a, b = float(query_size), sizes.astype(np.float64)
    containment = j * (a + b) / (1 + j) / np.maximum(np.minimum(a, b), 1.0)
    want = np.flatnonzero((scan > 0) & (containment >= screen))
    assert np.array_equal(rows, want) and np.array_equal(counts, scan[want])
