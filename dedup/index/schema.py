"""The index's SQLite file: its tables, how it is opened, and what it was built with.

One file, in WAL mode, so readers (query, show, stats, export) read the last
committed state while a writer adds.  Every change is one transaction
(``BEGIN IMMEDIATE``), so a writer killed at any point leaves the index as its
last commit left it, and a second writer waits ``BUSY_SECONDS`` and then gets
:class:`IndexBusy` instead of a half-written file.

Tables::

    meta(key, value)         format version, dedup version, the parameters that shape results
    segments(seg, ...)       one per addition: its documents' arrays are in blobs(seg, kind, part)
    docs(id, seg, pos, ...)  every document in the index: where its arrays are, its metadata, digest
                             and text (or where to read it), when it was added
    members(doc, cluster)    the cluster of each clustered document
    clusters(id, ...)        each cluster: canonical, the addition that made it, its size
    aliases(alias, cluster)  ids of clusters merged into another, which still resolve
    edges(a, b, ...)         every accepted pair: its figures, relation and reason (``edges``)
    batches(batch, ...)      each addition: when, from what, what it changed
    events(n, batch, ...)    what each addition changed, as the JSON lines ``index add`` prints
    verdicts(sample, ...)    boilerplate decisions kept between additions (``verdicts``, a cache)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson

from dedup._version import __version__
from dedup.config import EXECUTION, Config
from dedup.errors import PipelineError

FORMAT = 3  # the layout of the tables and blobs; an index of another format is refused (2: each document
# has its language, and its arrays hold the stems of that language; 3: the accepted pairs are kept)
MIGRATES = {"2": "3"}  # formats opened for writing are brought to FORMAT: 2 gains the edges table, which
# its next addition fills by comparing every pair again
BUSY_SECONDS = 5.0


_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE segments (seg INTEGER PRIMARY KEY, batch INTEGER NOT NULL, docs INTEGER NOT NULL);
CREATE TABLE blobs (seg INTEGER NOT NULL, kind TEXT NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL,
                    PRIMARY KEY (seg, kind, part));
CREATE TABLE docs (id TEXT PRIMARY KEY, seg INTEGER NOT NULL, pos INTEGER NOT NULL, digest INTEGER NOT NULL,
                   batch INTEGER NOT NULL, added TEXT NOT NULL, date TEXT, info BLOB NOT NULL,
                   text BLOB, locator BLOB);
CREATE INDEX docs_seg ON docs (seg, pos);
CREATE TABLE members (doc TEXT PRIMARY KEY, cluster TEXT NOT NULL);
CREATE INDEX members_cluster ON members (cluster);
CREATE TABLE clusters (id TEXT PRIMARY KEY, canonical TEXT NOT NULL, reason TEXT NOT NULL,
                       batch INTEGER NOT NULL, size INTEGER NOT NULL);
CREATE TABLE aliases (alias TEXT PRIMARY KEY, cluster TEXT NOT NULL);
CREATE TABLE batches (batch INTEGER PRIMARY KEY, at TEXT NOT NULL, source TEXT NOT NULL, summary BLOB NOT NULL);
CREATE TABLE events (n INTEGER PRIMARY KEY, batch INTEGER NOT NULL, kind TEXT NOT NULL, data BLOB NOT NULL);
"""
_EDGES = """
CREATE TABLE edges (a TEXT NOT NULL, b TEXT NOT NULL, figures BLOB NOT NULL, relation INTEGER NOT NULL,
                    reason TEXT NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX edges_b ON edges (b);
"""


class IndexFileError(PipelineError):
    """The index cannot be opened or used as asked; the message says why and what to do."""


class IndexBusy(IndexFileError):
    """Another process is writing to the index."""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are begun explicitly), WAL, with a busy timeout."""
    if readonly:
        if not path.exists():
            raise IndexFileError(f"{path}: no index here (make one with: dedup index add PATH --index {path})")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_SECONDS, isolation_level=None,
                              check_same_thread=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
    try:
        if not readonly:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as err:
        con.close()
        raise IndexFileError(f"{path}: not a dedup index ({err})") from None
    return con


def begin(con: sqlite3.Connection, path: Path) -> None:
    """Start a write transaction, or say that another writer holds the index."""
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as err:
        if "locked" in str(err) or "busy" in str(err):
            raise IndexBusy(f"{path}: index is busy: another process is writing to it; try again when it "
                            f"has finished (waited {BUSY_SECONDS:.0f} s)") from None
        raise


def create(con: sqlite3.Connection, config: Config, now: str, texts: str = "store") -> None:
    """Make the tables of a new index (inside the caller's transaction); ``texts``: "store" or "refer"."""
    for statement in filter(None, (s.strip() for s in (_TABLES + _EDGES).split(";"))):
        con.execute(statement)
    rows = {"format": str(FORMAT), "version": __version__, "created": now, "texts": texts, "edges": "complete",
            "config": orjson.dumps(config.to_dict(), option=orjson.OPT_SORT_KEYS).decode()}
    con.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())


def is_new(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'meta'").fetchone()[0] == 0


def migrate(con: sqlite3.Connection) -> None:
    """Bring an index of an earlier format (``MIGRATES``) to this one (inside the caller's transaction)."""
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") == "2":
        for statement in filter(None, (s.strip() for s in _EDGES.split(";"))):
            con.execute(statement)
        con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("format", "3"), ("edges", "missing")])


def stored_config(con: sqlite3.Connection, path: Path) -> Config:
    """The parameters the index was built with; an index of another format is refused, saying so (one that
    ``migrate`` brings to this format is read, and opened for writing is migrated by the caller)."""
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != str(FORMAT) and MIGRATES.get(str(meta.get("format"))) != str(FORMAT):
        raise IndexFileError(f"{path}: index format {meta.get('format')} (made by dedup {meta.get('version')}); "
                         f"this dedup {__version__} reads format {FORMAT}: build the index again with this version")
    return Config.from_dict(orjson.loads(meta["config"]))


def reconcile(stored: Config, asked: dict[str, Any], path: Path) -> Config:
    """The index's parameters, with ``asked``'s execution options (``config.EXECUTION``: jobs, pages, engine).

    Every other parameter shapes the stored arrays or the clusters, so an index is one
    set of them: asking for another value is refused, naming each that differs."""
    mine = stored.to_dict()
    differ = {k: v for k, v in asked.items() if k in mine and mine[k] != v}
    if differ:
        shown = ", ".join(f"--{k.replace('_', '-')} {v!r} (the index has {mine[k]!r})"
                          for k, v in sorted(differ.items()))
        raise IndexFileError(f"{path}: the index was built with other parameters: {shown}; leave these options "
                         f"out to use the index's, or build a new index with them")
    return Config.from_dict(mine | {k: v for k, v in asked.items() if k in EXECUTION})
