"""What ``run()`` reads: a path, or records held in memory (an iterable of dicts, or a pyarrow Table).

Records in memory are written once to a shard in a temporary folder
(``records.jsonl`` or ``records.parquet``) and read from there like any other
shard, so that every stage, in-process or in worker processes, sees one kind
of input, and later stages read a record again by its offset instead of
holding every text.  The folder lives as long as the run's result (its
``texts`` read from it) and is removed with it.  Such a run's input is named
``<records>`` in ``clusters.json``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from dedup.errors import PipelineError

RECORDS = "<records>"
Source = str | os.PathLike | Iterable[Mapping[str, Any]] | Any  # Any: a pyarrow Table


class Materialized:
    """A source as a path to read, the name the report gives it, and the folder to keep while it is read."""

    def __init__(self, root: str | os.PathLike, label: str, folder: tempfile.TemporaryDirectory | None) -> None:
        self.root, self.label, self.folder = root, label, folder


def materialize(source: Source) -> Materialized:
    """A path stays as it is; records are written to a temporary shard (see the module's docstring)."""
    if isinstance(source, (str, os.PathLike)):
        return Materialized(source, str(source), None)
    folder = tempfile.TemporaryDirectory(prefix="dedup-records-")
    if _is_arrow(source):
        import pyarrow.parquet as pq

        path = os.path.join(folder.name, "records.parquet")
        pq.write_table(source, path, row_group_size=8192)
        return Materialized(path, RECORDS, folder)
    if isinstance(source, (bytes, Mapping)) or not isinstance(source, Iterable):
        folder.cleanup()
        raise PipelineError(f"run() takes a path, an iterable of dicts or a pyarrow Table, not "
                            f"{type(source).__name__}")
    path = os.path.join(folder.name, "records.jsonl")
    with open(path, "wb") as f:
        for n, record in enumerate(source, 1):
            if not isinstance(record, Mapping):
                folder.cleanup()
                raise PipelineError(f"record {n}: a {type(record).__name__}, not a dict (give each article "
                                    "as a dict with a 'text' field)")
            f.write(orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY,
                                 default=str))
            f.write(b"\n")
    return Materialized(path, RECORDS, folder)


def _is_arrow(source: object) -> bool:
    module = type(source).__module__ or ""
    return module.startswith("pyarrow") and hasattr(source, "schema") and hasattr(source, "num_rows")
