"""A writer killed (SIGKILL) at any point of an addition loses nothing committed; the next addition completes.

Real processes on a real file: each run adds a generated corpus to an index that
already holds a first batch, and is killed after a different delay -- while it
starts, reads, compares or commits.  The index must then open, pass SQLite's
integrity check, hold exactly the first batch or both batches, and take the
second batch again to the state an uninterrupted addition gives.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from index_helpers import generated

from dedup.index import Index

ADD = """
import sys, orjson
from dedup.index import Index
records = orjson.loads(open(sys.argv[2], "rb").read())
with Index.open(sys.argv[1], {"jobs": 1}) as ix:
    ix.add(records)
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[list[dict], Path]:
    tmp = tmp_path_factory.mktemp("kill")
    records = generated(500, tmp / "gen", seed=11)
    first, second = records[:100], records[100:]
    (tmp / "second.json").write_bytes(orjson.dumps(second))
    with Index.open(tmp / "reference.db", {"jobs": 1}) as ix:
        ix.add(first)
        ix.add(second)
    return first, tmp


def state(db: Path) -> tuple[int, set[tuple[str, str]]]:
    with Index.open(db, readonly=True) as ix:
        rows = set(ix.con.execute("SELECT doc, cluster FROM members"))
        return ix.stats()["documents"], rows


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.3, 1.8, 2.1, 4.0])
def test_kill_during_add_leaves_a_usable_index(corpus, tmp_path: Path, delay: float) -> None:
    first, tmp = corpus
    db = tmp_path / "ix.db"
    with Index.open(db, {"jobs": 1}) as ix:
        ix.add(first)
    proc = subprocess.Popen([sys.executable, "-c", ADD, str(db), str(tmp / "second.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ | {"PYTHONHASHSEED": "0"})
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    docs, _ = state(db)
    assert docs in (100, 500)  # the first batch alone, or both if the kill came after the commit
    if b"done" in out:
        assert docs == 500
    with Index.open(db, {"jobs": 1}) as ix:
        ix.add(orjson.loads((tmp / "second.json").read_bytes()))
    assert state(db) == state(tmp / "reference.db")
