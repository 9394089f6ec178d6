"""Record shards: files that hold many articles, read record by record whatever their size.

A shard is a JSON lines file (``.jsonl``, ``.ndjson``), a JSON file (an object,
or an array streamed item by item), a CSV or TSV file with a header row, a
Parquet file or an Arrow/Feather file; the text formats may be compressed
(``.gz``, ``.zst``).  The size limit (``max_file_mb``) bounds one record, not
the shard.  Work is planned in ``Part``\\ s: a plain JSON lines file in byte
ranges that start on a line (about ``PART_BYTES`` each), a Parquet file by row
groups, an Arrow file by record batches, anything else whole, streamed.

Every record becomes an ``ingest.Item`` that remembers where it was read
(``number``: its line, or its record or row number from 1; ``offset``: its byte
offset in a plain JSON lines file), so a later stage can read that one record
again (``read_record``) without reading the shard.  A record without a usable
text is skipped with a reason, like a file; a shard that breaks (a truncated
download, a bad row group) is skipped from the point it breaks, and the
records read before that point are kept.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import zlib
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

import orjson

from dedup.config import Config
from dedup.stages import spill
from dedup.stages.items import MB, Item, _check_text, _scalar, _Skip
from dedup.stages.metadata import normalize_date

SHARDS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
          ".parquet": "parquet", ".pq": "parquet", ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow"}
COMPRESSED = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
BINARY_SHARDS = ("parquet", "arrow")  # read with pyarrow; never compressed on the outside
PART_BYTES = 32 * MB  # a plain JSON lines file is read in ranges of about this size, by several workers
UNITS = {"jsonl": "line", "json": "record", "csv": "row", "tsv": "row", "parquet": "row", "arrow": "row"}


@dataclass(frozen=True, slots=True)
class Part:
    """A unit of the first pass: one file, or a piece of a shard."""

    full: str
    rel: str
    fmt: str | None  # a shard format, or None for a plain file (one document)
    compression: str | None = None
    start: int = 0  # plain JSON lines: byte offset; Parquet/Arrow: first row group or batch
    stop: int = -1  # the end (exclusive) of the same; -1: to the end of the file
    first: int = 1  # the number of the part's first record (a line number for JSON lines)
    size: int = 0  # bytes, for progress
    spill: str = ""  # where the first pass writes the part's records to be read again (``stages.spill``)


def shard_format(rel: str) -> tuple[str | None, str | None]:
    """(format, compression) of a file name; (None, ...) when it is not a shard."""
    name = os.path.basename(rel).lower()
    stem, ext = os.path.splitext(name)
    compression = COMPRESSED.get(ext)
    if compression:
        stem, ext = os.path.splitext(stem)
    fmt = SHARDS.get(ext)
    if fmt in BINARY_SHARDS and compression:
        return None, compression  # a compressed Parquet file: not a format pyarrow reads
    return fmt, compression


def plan(full: str, rel: str) -> list[Part]:
    """The parts of one file: pieces of a large shard that workers can read apart, else the file whole."""
    fmt, compression = shard_format(rel)
    try:
        size = os.path.getsize(full)
    except OSError:
        size = 0
    whole = [Part(full, rel, fmt, compression, size=size)]
    try:
        if fmt == "jsonl" and compression is None and size > PART_BYTES:
            return _line_ranges(full, rel, size)
        if fmt == "parquet":
            rows = _parquet_rows(full)
            return _grouped(full, rel, fmt, rows, size)
        if fmt == "arrow":
            rows = _arrow_rows(full)
            return _grouped(full, rel, fmt, rows, size) if rows is not None else whole
    except Exception:
        return whole
    return whole


def _line_ranges(full: str, rel: str, size: int) -> list[Part]:
    """Byte ranges of about PART_BYTES that start on a line, each with the number of its first line."""
    parts: list[Part] = []
    with open(full, "rb") as f:
        start, line = 0, 1
        while start < size:
            stop = min(start + PART_BYTES, size)
            f.seek(stop)
            if stop < size:
                stop += len(f.readline())  # to the end of the line the range ends in
            f.seek(start)
            lines = 0
            pos = start
            while pos < stop:  # count the range's lines (the next range's first line number)
                block = f.read(min(8 * MB, stop - pos))
                if not block:
                    break
                lines += block.count(b"\n")
                pos += len(block)
            parts.append(Part(full, rel, "jsonl", None, start, stop, line, stop - start))
            start, line = stop, line + lines
    return parts


def _grouped(full: str, rel: str, fmt: str, rows: list[int], size: int) -> list[Part]:
    """One part per row group (Parquet) or record batch (Arrow), numbered by rows."""
    total = max(sum(rows), 1)
    parts, first = [], 1
    for k, n in enumerate(rows):
        parts.append(Part(full, rel, fmt, None, k, k + 1, first, size * n // total))
        first += n
    return parts or [Part(full, rel, fmt, None, size=size)]


def _parquet_rows(full: str) -> list[int]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(full).metadata
    return [meta.row_group(k).num_rows for k in range(meta.num_row_groups)]


def _arrow_rows(full: str) -> list[int] | None:
    import pyarrow as pa

    try:
        reader = pa.ipc.open_file(pa.memory_map(full))
    except pa.ArrowInvalid:
        return None  # Feather v1 or an Arrow stream: read whole
    return [reader.get_batch(k).num_rows for k in range(reader.num_record_batches)]


# ---------------------------------------------------------------- reading a part


def read_part(part: Part, config: Config) -> list[Item]:
    """The items (documents and skipped records) of one part, in record order."""
    return list(iter_part(part, config))


def iter_part(part: Part, config: Config) -> Iterator[Item]:
    """The items of one part, one at a time: a shard's texts are never all held."""
    read = 0
    number = part.first - 1
    try:
        for number, offset, record, encoding in _records(part, config):
            read += 1
            yield record_item(record, part, number, offset, encoding, config)
    except _Skip as skip:  # the shard cannot be read on from here
        yield _broken(part, number + 1, read, skip)
        return
    except (OSError, EOFError, zlib.error, ValueError, csv.Error) as err:
        what = getattr(err, "strerror", None) or str(err) or type(err).__name__
        yield _broken(part, number + 1, read, _Skip("unreadable", what))
        return
    if not read and part.first == 1 and part.start == 0:
        yield Item(part.rel, part.rel, part.rel, skip=_Skip("empty", f"{part.rel}: no records"))


def _broken(part: Part, number: int, read: int, skip: _Skip) -> Item:
    if not read and part.first == 1 and part.start == 0:  # nothing read: the file is skipped as a whole
        detail = skip.detail if skip.detail.startswith(part.rel) else f"{part.rel}: {skip.detail}"
        return Item(part.rel, part.rel, part.rel, skip=_Skip(skip.reason, detail))
    unit = UNITS[part.fmt or "json"]
    where = f"{part.rel} {unit} {number}"
    detail = f"{where} and after: {skip.detail.removeprefix(part.rel + ': ')}"
    if read:
        detail += f" ({read} record(s) before it were read)"
    return Item(part.rel, f"{part.rel}#{number}...", where, skip=_Skip(skip.reason, detail), number=number)


def record_item(record: Any, part: Part, number: int, offset: int, encoding: str, config: Config) -> Item:
    """One record as an Item: its fields by the configured names, or a skip with the reason."""
    unit = UNITS[part.fmt or "json"]
    item = Item(part.rel, f"{part.rel}#{number}", f"{part.rel} {unit} {number}", number=number, offset=offset)
    if isinstance(record, _Skip):
        item.skip = _Skip(record.reason, f"{item.place}: {record.detail}")
        return item
    text_field = config.text_field
    if not isinstance(record, Mapping):
        reason = "invalid_json" if part.fmt in ("jsonl", "json") else "invalid_record"
        item.skip = _Skip(reason, f"{item.place}: record is not an object")
        return item
    text = record.get(text_field)
    if not isinstance(text, str):
        reason = "invalid_json" if part.fmt in ("jsonl", "json") else "invalid_record"
        problem = f"has no string {text_field!r} field" if text is None or not isinstance(text, str) else ""
        item.skip = _Skip(reason, f"{item.place}: record {problem}")
        return item
    rid = record.get(config.id_field)
    if isinstance(rid, (str, int)) and not isinstance(rid, bool) and str(rid):
        item.explicit_id = str(rid)
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    limit = int(config.max_file_mb * MB)
    try:
        if len(body) > limit:
            raise _Skip("too_large", f"{item.place}: text of {len(body):,} characters is over the limit of "
                        f"{config.max_file_mb:g} MB; raise it with --max-file-mb")
        _check_text(body, item.place, config)
    except _Skip as skip:
        item.skip = skip
        return item
    meta = {k: _scalar(record.get(getattr(config, f"{k}_field"))) for k in ("title", "source", "url", "language")}
    date = _scalar(record.get(config.date_field))
    item.fields = {"text": body, "encoding": encoding, "format": part.fmt, **meta,
                   "date": normalize_date(date, config.date_order) or date}
    return item


Record = tuple[int, int, Any, str]  # (number, byte offset or -1, the record or a _Skip, its encoding)


def _records(part: Part, config: Config) -> Iterator[Record]:
    if part.fmt == "jsonl":
        return _json_lines(part, config)
    if part.fmt == "json":
        return _json_array(part, config)
    if part.fmt in ("csv", "tsv"):
        return _delimited(part, config)
    if part.fmt == "parquet":
        return _parquet(part, config)
    return _arrow(part, config)


def _open(part: Part) -> IO[bytes]:
    """The shard's bytes, decompressed as they are read."""
    f = open(part.full, "rb")  # noqa: SIM115 - closed by the caller's with
    if part.compression == "gzip":
        return gzip.GzipFile(fileobj=f, mode="rb")  # type: ignore[return-value]
    if part.compression == "zstd":
        import zstandard

        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(f, closefd=True))  # type: ignore[arg-type]
    return f


def _json_lines(part: Part, config: Config) -> Iterator[Record]:
    limit = int(config.max_file_mb * MB)
    with _open(part) as f:
        if part.start:
            f.seek(part.start)
        pos, number = part.start, part.first
        while part.stop < 0 or pos < part.stop:
            line = f.readline(limit + 1)
            if not line:
                return
            at = pos
            pos += len(line)
            if len(line) > limit and not line.endswith(b"\n"):
                while True:  # the rest of an over-long line, never held
                    more = f.readline(MB)
                    pos += len(more)
                    if not more or more.endswith(b"\n"):
                        break
                yield number, at, _Skip("too_large", f"a line of more than {config.max_file_mb:g} MB; raise "
                                        "the limit with --max-file-mb"), "utf-8"
            elif line.strip():
                yield number, (at if part.compression is None else -1), *_parse_line(line)
            number += 1


def _parse_line(line: bytes) -> tuple[Any, str]:
    try:
        return orjson.loads(line), "utf-8"
    except orjson.JSONDecodeError as err:
        try:
            return orjson.loads(line.decode("cp1252")), "cp1252"  # a line that is not UTF-8
        except (UnicodeDecodeError, orjson.JSONDecodeError):
            return _Skip("invalid_json", f"not valid JSON: {err}"), "utf-8"


def _json_array(part: Part, config: Config) -> Iterator[Record]:
    import ijson

    limit = int(config.max_file_mb * MB)
    with _open(part) as f:
        head = f.read(SNIFF_JSON)
        first = head.lstrip()[:1]
        if first == b"{":  # one object: read whole, within the limit
            data = head + f.read(limit + 1 - len(head))
            if len(data) > limit:
                raise _Skip("too_large", f"{part.rel}: one JSON object of more than {config.max_file_mb:g} MB")
            try:
                value = orjson.loads(data)
            except orjson.JSONDecodeError as err:
                raise _Skip("invalid_json", f"{part.rel}: not valid JSON: {err}") from None
            yield 1, -1, value, "utf-8"
            return
        if first != b"[":
            raise _Skip("invalid_json", f"{part.rel}: expected an object or a list of objects")
        stream = _Rejoined(head, f)
        number = 0
        try:
            for number, value in enumerate(ijson.items(stream, "item", use_float=True), 1):
                yield number, -1, value, "utf-8"
        except ijson.JSONError as err:
            raise _Skip("invalid_json", f"not valid JSON after record {number}: {err}") from None


SNIFF_JSON = 4096


class _Rejoined(io.RawIOBase):
    """The bytes already read, then the rest of the stream (for ijson after a peek)."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.head:
            out, self.head = (self.head, b"") if n < 0 or n >= len(self.head) else (self.head[:n], self.head[n:])
            return out
        return self.rest.read(n)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)


def _delimited(part: Part, config: Config) -> Iterator[Record]:
    limit = int(config.max_file_mb * MB)
    csv.field_size_limit(max(limit, 1 << 17))
    with _open(part) as raw:
        head = raw.read(1 << 20)
        try:
            head.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as err:
            encoding = "utf-8" if err.start > len(head) - 4 else "cp1252"  # a character cut at the sniff's end
        text = io.TextIOWrapper(_Rejoined(head, raw), encoding="utf-8-sig" if encoding == "utf-8" else encoding,
                                newline="")
        reader = csv.DictReader(text, delimiter="\t" if part.fmt == "tsv" else ",")
        columns = reader.fieldnames or []
        if config.text_field not in columns:
            shown = ", ".join(columns[:12]) or "none"
            raise _Skip("invalid_record", f"{part.rel}: no {config.text_field!r} column in the header row "
                        f"(columns: {shown}); name the text column with --text-field")
        for number, row in enumerate(reader, 1):
            yield number, -1, {k: (v or None) for k, v in row.items() if k is not None}, encoding


def _parquet(part: Part, config: Config) -> Iterator[Record]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(part.full)
    except Exception as err:
        raise _Skip("unreadable", f"{part.rel}: not a Parquet file ({err})") from None
    columns = _columns(pf.schema_arrow.names, part, config)
    stop = pf.metadata.num_row_groups if part.stop < 0 else part.stop
    number = part.first
    for k in range(part.start, stop):
        try:
            table = pf.read_row_group(k, columns=columns)
        except Exception as err:
            raise _Skip("unreadable", f"{part.rel}: row group {k} cannot be read ({err})") from None
        for row in table.to_pylist():
            yield number, -1, row, "utf-8"
            number += 1


def _arrow(part: Part, config: Config) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.feather as feather

    try:
        reader = pa.ipc.open_file(pa.memory_map(part.full))
        batches: Iterator[Any] = (reader.get_batch(k) for k in
                                  range(part.start, reader.num_record_batches if part.stop < 0 else part.stop))
        names = reader.schema.names
    except pa.ArrowInvalid:
        try:
            table = feather.read_table(part.full)
        except Exception as err:
            raise _Skip("unreadable", f"{part.rel}: not an Arrow or Feather file ({err})") from None
        batches, names = iter(table.to_batches()), table.schema.names
    columns = _columns(names, part, config)
    number = part.first
    for batch in batches:
        for row in batch.select(columns).to_pylist():
            yield number, -1, row, "utf-8"
            number += 1


def _columns(names: list[str], part: Part, config: Config) -> list[str]:
    if config.text_field not in names:
        shown = ", ".join(names[:12]) or "none"
        raise _Skip("invalid_record", f"{part.rel}: no {config.text_field!r} column (columns: {shown}); "
                    "name the text column with --text-field")
    wanted = [config.text_field, config.id_field, config.title_field, config.date_field, config.source_field,
              config.url_field, config.language_field]
    return [c for c in dict.fromkeys(wanted) if c in names]


# ---------------------------------------------------------------- reading one record again


def read_record(full: str, rel: str, number: int, offset: int, config: Config) -> Item | None:
    """The record ``number`` of a shard, read again: from the run's spill file, or by its byte offset where
    it has one, else from its row group, else by reading the shard up to it.  None when it is not there
    any more."""
    if spill.spilled(full):  # a record of a compressed, CSV or JSON array shard: from the run's spill file
        return spill.read(full, rel, number, offset)
    fmt, compression = shard_format(rel)
    if fmt is None:
        return None
    if fmt == "jsonl" and offset >= 0:
        part = Part(full, rel, fmt, compression, offset, -1, number)
        with open(full, "rb") as f:
            f.seek(offset)
            line = f.readline(int(config.max_file_mb * MB) + 1)
        if not line.strip():
            return None
        value, encoding = _parse_line(line)
        return record_item(value, part, number, offset, encoding, config)
    if fmt not in BINARY_SHARDS:  # read up to the record, streamed (a compressed or CSV shard has no offsets)
        return next((item for item in iter_part(Part(full, rel, fmt, compression), config)
                     if item.number == number), None)
    parts = _planned(full, rel, os.path.getmtime(full))
    k = bisect_right([p.first for p in parts], number) - 1  # the row group or batch holding the record
    if k >= 0:
        return next((item for item in _cached_part(parts[k], config) if item.number == number), None)
    return None


@lru_cache(maxsize=8)
def _planned(full: str, rel: str, mtime: float) -> tuple[Part, ...]:
    """A binary shard's parts, read from its metadata once (not again for every record asked for)."""
    return tuple(plan(full, rel))


@lru_cache(maxsize=2)
def _cached_part_key(full: str, rel: str, fmt: str, compression: str | None, start: int, stop: int, first: int,
                     mtime: float, config: Config) -> tuple[Item, ...]:
    return tuple(read_part(Part(full, rel, fmt, compression, start, stop, first), config))


def _cached_part(part: Part, config: Config) -> tuple[Item, ...]:
    """A row group's or batch's items, kept for the next record asked for (members often share one)."""
    return _cached_part_key(part.full, part.rel, part.fmt or "", part.compression, part.start, part.stop,
                            part.first, os.path.getmtime(part.full), config)
