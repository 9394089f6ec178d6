"""Records that cannot be read again by position, kept for the run in a file of their own.

Later stages read a cluster member's text again from where the first pass
read it (``pipeline.docstore``).  A plain JSON lines record is read at its
byte offset and a Parquet or Arrow record from its row group, but a
compressed shard (``.gz``, ``.zst``), a CSV or TSV file and a JSON array have
no place from which one record can be read: reading one again means reading
the shard up to it, and reading every member of a million-record shard that
way never ends.  So the first pass writes the fields of each record of such a
part, text included, as one JSON line of a spill file, and the record's
locator points there (the file's name ends with ``SUFFIX``).  The spill
folder is a temporary one, removed when the run's texts are no longer read.
"""

from __future__ import annotations

import orjson

from dedup.stages.items import Item

SUFFIX = ".dedup-spill.jsonl"


def needed(fmt: str | None, compression: str | None) -> bool:
    """Whether the records of a shard of this format and compression must be spilled to be read again."""
    return fmt in ("json", "csv", "tsv") or (fmt == "jsonl" and compression is not None)


def spilled(full: str) -> bool:
    """Whether a locator's file is a spill file."""
    return full.endswith(SUFFIX)


class Writer:
    """Appends records' fields to one spill file; ``write`` gives the byte offset of each line."""

    def __init__(self, path: str) -> None:
        self._f = open(path, "wb")  # noqa: SIM115 - closed by close(), after the part is read
        self._at = 0

    def write(self, fields: dict) -> int:
        line = orjson.dumps(fields, default=str) + b"\n"
        at = self._at
        self._f.write(line)
        self._at += len(line)
        return at

    def close(self) -> None:
        self._f.close()


def read(full: str, rel: str, number: int, offset: int) -> Item | None:
    """The record written at ``offset`` of spill file ``full`` (``rel``: the shard it came from); None if gone."""
    try:
        with open(full, "rb") as f:
            f.seek(offset)
            line = f.readline()  # written by this run: its lines are whole records
    except OSError:
        return None
    if not line.strip():
        return None
    return Item(rel, rel, f"{rel}:{number}", fields=orjson.loads(line), number=number, offset=offset)
