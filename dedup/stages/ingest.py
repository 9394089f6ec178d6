"""Ingest stage: read a folder (or one file) into Documents, accounting for every file.

Each file found yields one or more :class:`Document` or one :class:`Skipped`
(a JSON/JSONL file may yield both: documents for its good records, skipped
records for its bad ones).  Hidden files and folders (name starting with '.')
are ignored; symlinked folders are not followed.

``Document.text`` is the decoded text (UTF-8, UTF-8 with BOM, UTF-16 with BOM,
else cp1252, else latin-1) with only one change: '\\r\\n' and lone '\\r' become
'\\n'.  For HTML it is the extracted visible text, for JSON the ``text`` field
(line endings normalised the same way).  All offsets elsewhere point into it.
Metadata (title, date, source, url) is read from obvious header lines; the
text itself is never trimmed.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib

from dedup.config import Config
from dedup.errors import PipelineError
from dedup.stages import htmltext
from dedup.stages.items import MB, Item, _check_text, _Skip
from dedup.stages.metadata import normalize_date, text_metadata
from dedup.stages.records import plan, read_part, shard_format
from dedup.types import Document, Skipped

SNIFF = 8192
FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html",
           ".htm": "html", ".xhtml": "html"}  # one document a file; record shards: stages.records
BINARY_EXTS = frozenset(
    [".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".ico", ".heic", ".pdf", ".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".exe", ".dll", ".so", ".dylib", ".o", ".a", ".pyc", ".pyo", ".class", ".jar", ".whl", ".mp3", ".mp4", ".m4a", ".wav", ".avi", ".mov", ".mkv", ".flac", ".ogg", ".webm", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".sqlite", ".db", ".npy", ".npz", ".pkl"])  # noqa: E501 - a list of extensions
MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\x7fELF", b"Rar!", b"7z\xbc\xaf")
# Control bytes that mark binary data.  \t \n \r \f, ESC (0x1b) and EM (0x19, used at line starts by
# news wires) are left out: real texts carry them.  Random bytes score ~10%, wire copy well under 1%.
_CONTROL = bytes(sorted(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x19, 0x1B} | {0x7F}))
MAX_CONTROL_SHARE = 0.05


class IngestError(PipelineError):
    """The input as a whole cannot be read (missing path, folder without files)."""


def ingest(root: str | os.PathLike, config: Config) -> tuple[list[Document], list[Skipped]]:
    """Read every file under ``root`` (or the single file ``root``); documents and skips, sorted by id.

    This holds every text in memory; the pipeline instead reads files one by one
    (``discover`` + ``read_items``) and keeps only what it needs of each.
    """
    files, items = discover(root)
    for rel, full in files:
        items.extend(read_items(full, rel, config))
    ids = assign_ids(items)
    docs = [Document(id=iid, path=it.path, **it.fields) for iid, it in zip(ids, items) if it.skip is None]
    return sorted(docs, key=lambda d: d.id), sorted(skipped_of(ids, items), key=lambda s: s.id)


def discover(root: str | os.PathLike) -> tuple[list[tuple[str, str]], list[Item]]:
    """The files to read under ``root`` as (relative path, path), sorted; and the folders that could not be listed."""
    root = os.fspath(root)
    if not os.path.exists(root):
        raise IngestError(f"no such file or folder: {root}")
    if not os.path.isdir(root):
        return [(os.path.basename(root), root)], []
    files, unlisted = _walk(root)
    if not files and not unlisted:
        raise IngestError(f"{root}: folder has no files")
    return files, [Item(d, d, f"folder {d}", skip=_Skip("unreadable", f"folder {d}: {e}")) for d, e in unlisted]


def _walk(root: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    files: list[tuple[str, str]] = []
    unlisted: list[tuple[str, str]] = []

    def rel(p: str) -> str:
        return os.path.relpath(p, root).replace(os.sep, "/")

    def onerror(err: OSError) -> None:
        if err.filename is None or os.path.abspath(err.filename) == os.path.abspath(root):
            raise IngestError(f"{root}: cannot list folder: {err.strerror or err}")
        unlisted.append((rel(err.filename) + "/", err.strerror or str(err)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        folder = rel(dirpath)  # once per folder: os.path.relpath costs ~20 us, a million files ~20 s
        files += [(f if folder == "." else f"{folder}/{f}", os.path.join(dirpath, f))
                  for f in filenames if not f.startswith(".")]
    return sorted(files), unlisted


def read_items(full: str, rel: str, config: Config, metadata: bool = True) -> list[Item]:
    """The documents (and skipped records) of one file, in file order.

    ``metadata=False`` leaves a text file's header lines unread (title, date, source and url
    None): for reading a text again, when only the text is wanted."""
    if shard_format(rel)[0] is not None:
        return [item for part in plan(full, rel) for item in read_part(part, config)]
    name = os.path.basename(rel).lower()
    inner = name[:-3] if name.endswith(".gz") else name
    ext = os.path.splitext(inner)[1]
    fmt = FORMATS.get(ext, "txt")
    try:
        if ext in BINARY_EXTS:
            raise _Skip("unsupported", f"{rel}: '{ext}' files are not read (binary format); text, Markdown, "
                        "HTML, JSON, JSON lines, CSV, TSV, Parquet and Arrow are")
        data = _read_bytes(full, rel, name.endswith(".gz"), config)
        text, encoding = _decode(data, rel)
        if fmt == "html":
            page = htmltext.extract(text)
            meta = {"title": page.title, "date": normalize_date(page.date, config.date_order), "source": page.source,
                    "url": page.url}
            text = page.text
        else:
            meta = text_metadata(text, config.date_order) if metadata else dict.fromkeys(("title", "date", "source", "url"))
        _check_text(text, rel, config)
        return [Item(rel, rel, rel, fields={"text": text, "encoding": encoding, "format": fmt, **meta})]
    except _Skip as skip:
        return [Item(rel, rel, rel, skip=skip)]


def _read_bytes(full: str, rel: str, named_gz: bool, config: Config) -> bytes:
    limit = int(config.max_file_mb * MB)

    def too_large(size: str) -> _Skip:
        return _Skip("too_large", f"{rel}: {size} is over the limit of {config.max_file_mb:g} MB "
                     f"({limit:,} bytes); raise it with --max-file-mb")

    try:
        st = os.stat(full)
        if not stat.S_ISREG(st.st_mode):
            raise _Skip("unreadable", f"{rel}: not a regular file")
        if st.st_size > limit:
            raise too_large(f"{st.st_size:,} bytes")
        with open(full, "rb") as f:
            head = f.read(2)
            f.seek(0)
            if head == b"\x1f\x8b":
                data = gzip.GzipFile(fileobj=f, mode="rb").read(limit + 1)
                if len(data) > limit:
                    raise too_large("the decompressed text (over the limit)")
                return data
            if named_gz and head:
                raise _Skip("unreadable", f"{rel}: named .gz but not gzip data (no 1f 8b header)")
            data = f.read(limit + 1)
    except (OSError, EOFError, zlib.error) as err:
        what = getattr(err, "strerror", None) or str(err) or type(err).__name__
        raise _Skip("unreadable", f"{rel}: {what}") from None
    if len(data) > limit:
        raise too_large("more than the limit (file grew while read)")
    return data


def _decode(data: bytes, rel: str) -> tuple[str, str]:
    """Decoded text with '\\r\\n'/'\\r' turned into '\\n', and the encoding used; binary -> _Skip."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise _Skip("binary", f"{rel}: UTF-16 byte order mark but undecodable ({err.reason})") from None
        if "\x00" in text[:SNIFF]:
            raise _Skip("binary", f"{rel}: NUL characters in the text")
    else:
        head = data[:SNIFF]
        if head.startswith(MAGIC) or b"\x00" in head:
            raise _Skip("binary", f"{rel}: binary data ({'known file signature' if head.startswith(MAGIC) else 'NUL bytes'})")
        control = len(head) - len(head.translate(None, _CONTROL))
        if head and control / len(head) > MAX_CONTROL_SHARE:
            raise _Skip("binary", f"{rel}: binary data ({control} control bytes in the first {len(head)})")
        for encoding in ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            text, encoding = data.decode("latin-1"), "latin-1"
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def assign_ids(items: list[Item]) -> list[str]:
    """The id of each item: explicit record ids where unique; a repeated one is skipped as duplicate_id.

    Depends only on the items and their order (files sorted by path, records in file order).
    """
    owner = {i.fallback_id: i.place for i in items if i.explicit_id is None}
    ids = []
    for item in items:
        iid = item.fallback_id
        if item.explicit_id is not None:
            if item.explicit_id not in owner:
                iid = item.explicit_id
            else:
                if item.skip is None:
                    item.skip = _Skip("duplicate_id", f"{item.place}: id {item.explicit_id!r} "
                                      f"is already the id of {owner[item.explicit_id]}")
                while iid in owner:  # only if an explicit id was literally 'this.jsonl#N'
                    iid += "~"
            owner[iid] = item.place
        ids.append(iid)
    return ids


def skipped_of(ids: list[str], items: list[Item]) -> list[Skipped]:
    """The skipped items, with their ids and reasons."""
    return [Skipped(id=iid, path=it.path, reason=it.skip.reason, detail=it.skip.detail)
            for iid, it in zip(ids, items) if it.skip is not None]
