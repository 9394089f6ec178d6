"""The stems' document frequencies the index keeps between additions (``stages.frequencies``).

Counting in how many documents each stem occurs, overall and per language,
reads every stored document's stems; kept in the ``statistics`` table, they
are instead added up with the new documents' own counts (exact: they are
sums).  An addition that replaces or removes documents counts all again.
The kept counts name the documents they cover by their number and the sum
of their text digests, so counts that do not match the index's documents
(written before a change that did not keep them) are not used.  The table is
a cache: an index without it counts once and fills it.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import orjson

from dedup.index import blobs
from dedup.stages.frequencies import Frequencies

TABLE = ("CREATE TABLE IF NOT EXISTS statistics (kind TEXT NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL, "
         "PRIMARY KEY (kind, part)) WITHOUT ROWID")


def ensure(con: sqlite3.Connection) -> None:
    """Make the table if the index has none (inside the caller's transaction)."""
    con.execute(TABLE)


def covers(digests: np.ndarray) -> list[int]:
    """What names a set of documents: their number and the sum of their digests (modulo 2**64)."""
    return [len(digests), int(np.sum(digests, dtype=np.uint64))]


def load(con: sqlite3.Connection, digests: np.ndarray) -> Frequencies | None:
    """The kept frequencies, if they are those of the documents whose digests are ``digests``."""
    try:
        rows = con.execute("SELECT kind, data FROM statistics ORDER BY kind, part").fetchall()
    except sqlite3.OperationalError:  # an index made before the table existed, opened read-only
        return None
    parts: dict[str, list[bytes]] = {}
    for kind, data in rows:
        parts.setdefault(kind, []).append(data)
    if "about" not in parts:
        return None
    about = orjson.loads(b"".join(parts.pop("about")))
    if about["covers"] != covers(digests):
        return None
    arrays = {kind: blobs.array(bytearray(b"".join(chunks))) for kind, chunks in parts.items()}
    langs = {lang: (arrays[f"{k}.values"], arrays[f"{k}.df"], n) for k, (lang, n) in enumerate(about["languages"])}
    return Frequencies(about["covers"][0], arrays["all.values"], arrays["all.df"], langs)


def store(con: sqlite3.Connection, freq: Frequencies, digests: np.ndarray) -> None:
    """Keep ``freq``, the frequencies of the documents whose digests are ``digests`` (inside the caller's
    transaction), in place of what was kept."""
    con.execute("DELETE FROM statistics")
    about = {"covers": covers(digests), "languages": [[lang, n] for lang, (_, _, n) in freq.languages.items()]}
    kinds = {"about": orjson.dumps(about), "all.values": blobs.npy(freq.values), "all.df": blobs.npy(freq.df)}
    for k, (values, df, _) in enumerate(freq.languages.values()):
        kinds |= {f"{k}.values": blobs.npy(values), f"{k}.df": blobs.npy(df)}
    con.executemany("INSERT INTO statistics VALUES (?, ?, ?)",
                    ((kind, part, data) for kind, whole in kinds.items() for part, data in blobs.cut(whole)))
