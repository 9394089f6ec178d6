"""numpy arrays as SQLite blobs: written in parts, read back with one copy.

An array is stored in numpy's ``.npy`` format, cut into parts of at most
``PART_BYTES`` (one SQLite value holds at most 1 GB).  Reading goes through
SQLite's incremental blob I/O into one buffer the array is then a view of, with
the file memory-mapped for the time of the read: a gigabyte read this way is
about twice as fast as fetching the parts as values, joining them and parsing
a copy.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator

import numpy as np

PART_BYTES = 256 << 20  # well under SQLite's 1 GB limit on one value
_READ_BYTES = 64 << 20  # one read from a blob
_MAP_BYTES = 1 << 40  # asked for while reading (SQLite caps it at what it was built with)
_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def npy(arr: np.ndarray) -> memoryview:
    """``arr`` in numpy's format, as bytes to store."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
    return buf.getbuffer()


def cut(data: bytes | memoryview) -> Iterator[tuple[int, memoryview]]:
    """``data`` as (part number, bytes) pieces of at most ``PART_BYTES``; one empty piece for no data."""
    view = memoryview(data)
    for part, start in enumerate(range(0, max(len(view), 1), PART_BYTES)):
        yield part, view[start:start + PART_BYTES]


def array(buf: bytes | memoryview | np.ndarray) -> np.ndarray:
    """The array stored in ``buf`` (``.npy`` bytes), as a view of it (read-only when ``buf`` is)."""
    raw = np.frombuffer(buf, np.uint8)
    head = io.BytesIO(raw[:min(len(raw), 1 << 16)].tobytes())
    header = _HEADERS.get(np.lib.format.read_magic(head))
    if header is None:  # a format version np.save writes only for unusual dtypes
        return np.load(io.BytesIO(raw.tobytes()), allow_pickle=False)
    shape, fortran, dtype = header(head)
    if dtype.hasobject:
        raise ValueError("a stored array holds Python objects")
    count = int(np.prod(shape, dtype=np.int64))
    arr = np.frombuffer(raw, dtype, count=count, offset=head.tell())
    return arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)


def read(con: sqlite3.Connection, table: str, column: str, where: str, args: tuple[object, ...],
         order: str) -> dict[str, np.ndarray]:
    """The arrays of the rows of ``table`` matching ``where``, by their ``kind``, parts in ``order``.

    ``table`` must be a rowid table with a ``kind`` column (incremental blob I/O goes by rowid)."""
    rows = con.execute(f"SELECT rowid, kind, length({column}) FROM {table} WHERE {where} ORDER BY {order}",
                       args).fetchall()
    pieces: dict[str, list[tuple[int, int]]] = {}
    for rowid, kind, length in rows:
        pieces.setdefault(kind, []).append((rowid, length))
    mapped = (con.execute("PRAGMA mmap_size").fetchone() or (0,))[0]  # no row for a database in memory
    con.execute(f"PRAGMA mmap_size={_MAP_BYTES}")
    try:
        return {kind: array(_gather(con, table, column, parts)) for kind, parts in pieces.items()}
    finally:
        con.execute(f"PRAGMA mmap_size={mapped}")


def _gather(con: sqlite3.Connection, table: str, column: str, parts: list[tuple[int, int]]) -> np.ndarray:
    buf = np.empty(sum(length for _, length in parts), np.uint8)
    at = 0
    for rowid, length in parts:
        with con.blobopen(table, column, rowid, readonly=True) as blob:
            for start in range(0, length, _READ_BYTES):
                chunk = blob.read(_READ_BYTES)
                buf[at + start:at + start + len(chunk)] = np.frombuffer(chunk, np.uint8)
        at += length
    return buf
