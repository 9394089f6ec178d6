"""numpy arrays stored as SQLite blobs in parts and read back as views of one buffer."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dedup.index import blobs

DTYPES = st.sampled_from([np.uint8, np.uint32, np.int64, np.uint64, np.float64, np.bool_])


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(DTYPES, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=20)))
def test_an_array_reads_back_equal(arr: np.ndarray) -> None:
    back = blobs.array(bytearray(blobs.npy(arr)))
    assert back.dtype == arr.dtype and back.shape == arr.shape
    assert np.array_equal(back, arr, equal_nan=arr.dtype.kind == "f")


def test_a_fortran_ordered_array_keeps_its_values() -> None:
    arr = np.asfortranarray(np.arange(12, dtype=np.int64).reshape(3, 4))
    data = bytearray(blobs.npy(arr))
    assert np.array_equal(blobs.array(data), arr)


def test_an_array_of_objects_is_refused() -> None:
    import io

    buf = io.BytesIO()
    np.save(buf, np.array(["a", None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="objects"):
        blobs.array(buf.getvalue())


@pytest.mark.parametrize("part, chunk", [(7, 3), (1000, 64), (1 << 20, 1 << 20)])
def test_parts_in_a_table_read_back_whole(tmp_path, monkeypatch, part: int, chunk: int) -> None:
    monkeypatch.setattr(blobs, "PART_BYTES", part)
    monkeypatch.setattr(blobs, "_READ_BYTES", chunk)
    con = sqlite3.connect(tmp_path / "t.db")
    con.execute("CREATE TABLE t (kind TEXT, part INTEGER, data BLOB)")
    arrays = {"a": np.arange(1000, dtype=np.uint64), "b": np.zeros(0, np.uint32),
              "c": np.arange(30, dtype=np.int64).reshape(10, 3)}
    for kind, arr in arrays.items():
        con.executemany("INSERT INTO t VALUES (?, ?, ?)", ((kind, p, d) for p, d in blobs.cut(blobs.npy(arr))))
    if part == 7:
        assert con.execute("SELECT count(*) FROM t WHERE kind = 'a'").fetchone()[0] > 100
    back = blobs.read(con, "t", "data", "1 = ?", (1,), "kind, part")
    assert back.keys() == arrays.keys()
    for kind, arr in arrays.items():
        assert np.array_equal(back[kind], arr) and back[kind].dtype == arr.dtype
    assert con.execute("PRAGMA mmap_size").fetchone()[0] == 0  # the mapping is given back
