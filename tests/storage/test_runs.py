"""dedup.storage.runs: parts merged into one order, copied as runs, give what row-by-row gathering gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.storage.arrays import CSR
from dedup.storage.runs import Runs


@st.composite
def parts_and_order(draw: st.DrawFn) -> tuple[list[CSR], np.ndarray]:
    sizes = draw(st.lists(st.integers(0, 8), min_size=1, max_size=4))
    parts = []
    for size in sizes:
        lengths = np.array(draw(st.lists(st.integers(0, 4), min_size=size, max_size=size)), dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        parts.append(CSR(np.array(draw(st.lists(st.integers(0, 2**32 - 1), min_size=int(offsets[-1]),
                                                max_size=int(offsets[-1]))), dtype=np.uint32), offsets))
    n = sum(sizes)
    order = np.array(draw(st.permutations(range(n))) if draw(st.booleans()) else sorted(range(n)), dtype=np.int64)
    return parts, order


@settings(max_examples=200, deadline=None)
@given(parts_and_order())
def test_runs_gather_what_rows_gather(case: tuple[list[CSR], np.ndarray]) -> None:
    parts, order = case
    whole = CSR.concat([(p.flat, p.lengths()) for p in parts], np.uint32).take(order)
    runs = Runs.of([len(p) for p in parts], order)
    assert int(runs.size.sum()) == len(order)
    got = runs.inner([p.offsets for p in parts]).gather([p.flat for p in parts], np.uint32)
    assert np.array_equal(got, whole.flat)
    assert np.array_equal(runs.offsets([p.lengths() for p in parts]), whole.offsets)
    rowwise = np.concatenate([np.arange(len(p)) * 10 + k for k, p in enumerate(parts)])
    assert np.array_equal(runs.gather([np.arange(len(p)) * 10 + k for k, p in enumerate(parts)]), rowwise[order])


def test_parts_in_order_are_one_run_each() -> None:
    runs = Runs.of([3, 0, 2], np.arange(5))
    assert runs.part.tolist() == [0, 2] and runs.size.tolist() == [3, 2] and runs.src.tolist() == [0, 0]


def test_a_few_rows_inserted_make_few_runs() -> None:
    order = np.array([0, 1, 5, 2, 3, 4])  # part 1 (row 5 overall) between rows 1 and 2 of part 0
    runs = Runs.of([5, 1], order)
    assert list(zip(runs.part.tolist(), runs.src.tolist(), runs.dst.tolist(), runs.size.tolist())) == \
        [(0, 0, 0, 2), (1, 0, 2, 1), (0, 2, 3, 3)]
