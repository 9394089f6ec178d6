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

import datetime as dt
import gzip
import os
import re
import stat
import zlib
from dataclasses import dataclass

from dedup.config import Config
from dedup.errors import PipelineError
from dedup.stages import htmltext
from dedup.stages.words import UNSPACED_RUN, pairs_of_unspaced
from dedup.types import Document, Skipped, SkipReason

MB = 1024 * 1024
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


class _Skip(Exception):
    def __init__(self, reason: SkipReason, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Items carry their _Skip from worker processes: unpickle with both arguments
        # (an Exception pickles only its args, and a result that cannot be unpickled stalls the pool).
        return (_Skip, (self.reason, self.detail))


@dataclass(slots=True)
class Item:
    """One document (or skipped record) of a file, before ids are settled."""

    path: str
    fallback_id: str  # relpath, or 'relpath#N' for a JSON record
    place: str  # where it is, for messages
    explicit_id: str | None = None
    fields: dict | None = None  # Document keyword arguments, except id and path
    skip: _Skip | None = None
    number: int = 0  # a shard's record: its line, record or row number (from 1); 0 for a plain file
    offset: int = -1  # a plain JSON lines record: the byte offset of its line


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
    from dedup.stages.records import plan, read_part, shard_format  # records builds on this module

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


_WORDS = re.compile(r"\w+")


def _check_text(text: str, where: str, config: Config) -> None:
    if not text.strip():
        raise _Skip("empty", f"{where}: no text")
    words = 0
    for m in _WORDS.finditer(text):  # counting stops at the minimum
        if words >= config.min_words:
            return
        w = m.group()  # a run of a script written without spaces counts its character pairs, as normalize's
        words += 1 if w.isascii() or not UNSPACED_RUN.search(w) else len(pairs_of_unspaced([w]))
    if words < config.min_words:
        raise _Skip("too_short", f"{where}: {words} words; at least {config.min_words} needed (--min-words)")


def _scalar(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


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


# --- dates and header lines -------------------------------------------------------------------

_MONTHS = {m: i for i, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"], 1)
    for m in names.split()}
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE = (rf"(?:(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?!\d)"
         rf"|(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})\b"
         rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}})\b"
         r"|(?P<n1>\d{1,2})(?P<sep>[/.])(?P<n2>\d{1,2})(?P=sep)(?P<n3>\d{4}|\d{2})(?![\d.]*\d))")  # numeric
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?,?\s+)?"
_DATE_ANY = re.compile(rf"\s*{_WEEKDAY}{_DATE}", re.I)
_DATE_LABELLED = re.compile(
    rf"(?:dated?|published|posted|(?:last\s+)?updated)(?:\s+on)?\s*[:\-\u2013\u2014]?\s*{_TIME}{_WEEKDAY}{_DATE}", re.I)
_DATE_LEADING = re.compile(
    rf"{_TIME}{_WEEKDAY}{_DATE}(?:[ T]\d{{1,2}}:\d{{2}}\S*)?\s*(?:$|[:|\-\u2013\u2014])", re.I)
_FIELD = re.compile(r"(title|date|source|url)\s*:\s*(.+)", re.I)
_BYLINE = re.compile(r"By\s+([A-Z][^.]{1,70})$")
_MD_TITLE = re.compile(r"#\s+(.+?)\s*#*$")
_RULE = re.compile(r"[-=_*~#+\s]+$")
_STAMP = re.compile(r"(?:\d{1,2}[:.]\d{2},?\s+)?\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")  # a stamp that is no date
_STRIP = "".join(map(chr, range(0x21))) + "\x7f<"  # whitespace, control chars, wire '<' line ends


def normalize_date(value: str | None, order: str = "dmy") -> str | None:
    """'2024-02-07T10:00Z', 'February 7, 2024', '7 Feb 2024', '07/02/24' -> '2024-02-07'; None if not a date.

    ``order`` reads a numeric date whose first two fields could both be the month: ``dmy`` (day
    first, as most of the world writes it) or ``mdy`` (month first, as in the US).  A field over 12
    is the day whatever the order."""
    m = _DATE_ANY.match(value) if value else None
    return _match_date(m, order) if m else None


def _match_date(m: re.Match[str], order: str) -> str | None:
    g = m.groupdict()
    if g["n1"]:
        first, second = int(g["n1"]), int(g["n2"])
        day, month = (first, second) if order == "dmy" else (second, first)
        if month > 12 >= day:  # unambiguous the other way round
            day, month = month, day
        year = int(g["n3"])
        if len(g["n3"]) == 2:  # as strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068
            year += 1900 if year >= 69 else 2000
        y, mo, d = str(year), str(month), str(day)
    else:
        y, mo, d = ((g["y"], g["m"], g["d"]) if g["y"] else (g["y1"], g["m1"], g["d1"]) if g["y1"]
                    else (g["y2"], g["m2"], g["d2"]))
    month = int(mo) if mo.isdigit() else _MONTHS[mo.lower().rstrip(".")]
    try:
        return dt.date(int(y), month, int(d)).isoformat()
    except ValueError:
        return None


def _line_date(line: str, order: str) -> str | None:
    m = _DATE_LABELLED.match(line) or _DATE_LEADING.match(line)
    return _match_date(m, order) if m else None


def text_metadata(text: str, date_order: str = "dmy") -> dict[str, str | None]:
    """Title, date, source, url from YAML front matter and the first six non-blank lines
    (``date_order``: see ``normalize_date``)."""
    meta: dict[str, str | None] = dict.fromkeys(("title", "date", "source", "url"))
    lines = text.split("\n", 80)[:80]
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, min(len(lines), 40)) if lines[j].strip() in ("---", "...")), None)
        if end is not None:
            for line in lines[1:end]:
                m = _FIELD.match(line.strip())
                if m and not meta[m.group(1).lower()]:
                    meta[m.group(1).lower()] = m.group(2).strip().strip("'\"") or None
            meta["date"] = normalize_date(meta["date"], date_order) or meta["date"]
            start = end + 1
    cleaned = [line.strip(_STRIP) for line in lines[start:]]
    header: set[int] = set()  # lines that carry metadata
    other: set[int] = set()  # rule lines and numeric time stamps: neither metadata nor title
    for i in [i for i, line in enumerate(cleaned) if line][:6]:
        line = cleaned[i]
        date, field, byline, md = _line_date(line, date_order), _FIELD.match(line), _BYLINE.match(line), _MD_TITLE.match(line)
        if date:
            meta["date"] = meta["date"] or date
        elif field and field.group(1).lower() != "date":
            meta[field.group(1).lower()] = meta[field.group(1).lower()] or field.group(2).strip()
        elif byline:
            meta["source"] = meta["source"] or byline.group(1).strip()
        elif md and not meta["title"]:
            meta["title"] = md.group(1)
        else:
            if _RULE.match(line) or _STAMP.match(line):
                other.add(i)
            continue
        header.add(i)
    # Title: the first non-header line, if short, not ending like a sentence or clause, followed by a
    # blank line or a header line (byline, date), and not continued by a lowercase line.
    first = next((i for i, line in enumerate(cleaned) if line and i not in header | other), None)
    if meta["title"] is None and first is not None:
        line, after = cleaned[first], first + 1
        following = next((cleaned[j] for j in range(after, len(cleaned)) if cleaned[j]), "")
        if (len(line) < 120 and not re.search(r"[.,;:\-\u2013\u2014][\"'\u201d\u2019)\]]*$", line)
                and not re.search(r"\w\w\.\s+[A-Z]", line) and not following[:1].islower()
                and after < len(cleaned) and (not cleaned[after] or after in header)):
            meta["title"] = line
    return meta
