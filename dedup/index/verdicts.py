"""Boilerplate decisions the index keeps between additions (``stages.boilerplate.Verdicts``).

Finding the corpus's boilerplate judges, for every frequent sentence, a sample
of the documents that hold it; most samples are the same from one addition to
the next, and a sample's decision depends only on its documents.  So the
decisions are kept in the ``verdicts`` table, keyed by the sample's document
ids, and only new samples are judged.  A sample with a document that was
replaced or removed is dropped before the statistics are made again.  The
table is a cache: an index without it (made before it existed) judges every
sample once and fills it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import orjson

from dedup.stages.boilerplate import Verdicts

TABLE = "CREATE TABLE IF NOT EXISTS verdicts (sample TEXT PRIMARY KEY, unrelated INTEGER NOT NULL) WITHOUT ROWID"


def ensure(con: sqlite3.Connection) -> None:
    """Make the table if the index has none (inside the caller's transaction)."""
    con.execute(TABLE)


def known(con: sqlite3.Connection, ids: list[str], changed: Iterable[str] = ()
          ) -> tuple[Verdicts, set[tuple[str, ...]]]:
    """The kept decisions, for documents ``ids`` (in id order), without samples holding one of ``changed``;
    and every sample the table holds (for ``store``)."""
    gone = set(changed)
    try:
        rows = con.execute("SELECT sample, unrelated FROM verdicts").fetchall()
    except sqlite3.OperationalError:  # an index made before the table existed, opened read-only
        rows = []
    held = {tuple(orjson.loads(sample)): bool(unrelated) for sample, unrelated in rows}
    kept = {k: v for k, v in held.items() if not gone or gone.isdisjoint(k)}
    return Verdicts(ids, kept), set(held)


def store(con: sqlite3.Connection, verdicts: Verdicts, before: Iterable[tuple[str, ...]]) -> None:
    """Keep the decisions this run used, and only those (inside the caller's transaction); ``before``:
    the samples the table held."""
    old = set(before)
    used = verdicts.used
    con.executemany("DELETE FROM verdicts WHERE sample = ?", ((_key(k),) for k in old - used.keys()))
    con.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?)",
                    ((_key(k), int(v)) for k, v in used.items() if k not in old))


def _key(sample: tuple[str, ...]) -> str:
    return orjson.dumps(sample).decode()
