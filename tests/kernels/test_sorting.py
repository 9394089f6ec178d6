"""dedup.kernels.sorting against its references, np.sort and np.argsort(kind="stable")."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dedup.kernels.sorting import argsort_stable, sort_inplace

DTYPES = [np.uint32, np.int64, np.float64, np.uint64]


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_sort_inplace_is_np_sort(dtype: type, data: st.DataObject) -> None:
    a = data.draw(hnp.arrays(dtype, st.integers(0, 300), elements=hnp.from_dtype(np.dtype(dtype), allow_nan=True)
                             if dtype is np.float64 else st.integers(0, 40)))
    got = a.copy()
    sort_inplace(got)
    np.testing.assert_array_equal(got, np.sort(a))


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_argsort_stable_is_numpys_stable_argsort(dtype: type, data: st.DataObject) -> None:
    a = data.draw(hnp.arrays(dtype, st.integers(0, 300), elements=hnp.from_dtype(np.dtype(dtype), allow_nan=True)
                             if dtype is np.float64 else st.integers(0, 40)))
    np.testing.assert_array_equal(argsort_stable(a), np.argsort(a, kind="stable"))


def test_large_arrays_of_every_kernel_dtype() -> None:
    rng = np.random.default_rng(3)
    for dtype in DTYPES:
        a = rng.integers(0, 1 << 31, 100_003).astype(dtype)
        got = a.copy()
        sort_inplace(got)
        np.testing.assert_array_equal(got, np.sort(a))
        np.testing.assert_array_equal(argsort_stable(a), np.argsort(a, kind="stable"))
