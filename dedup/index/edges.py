"""The verified copy relations an index keeps, and the part of its clusters an addition can change.

An addition judges only the pairs its new documents bring (new with new, new
with indexed); a pair of documents already indexed keeps the verdict it got
when the later of the two was added.  The accepted pairs are kept in the
``edges`` table (``schema``), so the clusters are made from them without verifying the
corpus again.

Clusters are cut from connected components of accepted edges
(``stages.cluster``), so an addition can change only the components its new
edges touch, the components that held an updated or expired document, and
the earlier clusters that share a member with either (``ids.regroup`` keeps
those together).  ``scope`` finds that closed set by walking the stored edges
from those documents; everything outside it stays exactly as it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import numpy as np

from dedup.index.ids import Known
from dedup.storage.packed import EdgeColumns, EdgeTable, evidence
from dedup.types import Edge

CHUNK = 500  # ids per IN (...) query


def store(con: sqlite3.Connection, table: EdgeTable) -> None:
    """Keep ``table``'s accepted pairs (replacing any stored for the same two documents)."""
    ids = table.ids
    con.executemany("INSERT OR REPLACE INTO edges VALUES (?, ?, ?, ?, ?)",
                    ((ids[int(table.pairs[k, 0])], ids[int(table.pairs[k, 1])], table.figures[k].tobytes(),
                      int(table.relations[k]), table.reason(k)) for k in np.flatnonzero(table.accepted).tolist()))


def remove(con: sqlite3.Connection, docs: Iterable[str]) -> set[str]:
    """Delete the stored pairs of ``docs``; the other documents those pairs linked."""
    docs = sorted(docs)
    others: set[str] = set()
    for part in _chunks(docs):
        marks = ",".join("?" * len(part))
        for a, b in con.execute(f"SELECT a, b FROM edges WHERE a IN ({marks}) OR b IN ({marks})", part + part):
            others |= {a, b}
        con.execute(f"DELETE FROM edges WHERE a IN ({marks}) OR b IN ({marks})", part + part)
    return others - set(docs)


def _edge(a: str, b: str, figures: bytes, relation: int, reason: str) -> Edge:
    return Edge(a, b, evidence(np.frombuffer(figures, dtype=np.float64).tolist(), relation), True, reason)


def touching(con: sqlite3.Connection, docs: Sequence[str]) -> list[Edge]:
    """The stored pairs with a document of ``docs``."""
    out: dict[tuple[str, str], Edge] = {}
    for part in _chunks(sorted(docs)):
        marks = ",".join("?" * len(part))
        for row in con.execute(f"SELECT a, b, figures, relation, reason FROM edges WHERE a IN ({marks}) "
                               f"OR b IN ({marks})", part + part):
            out[(row[0], row[1])] = _edge(*row)
    return [out[k] for k in sorted(out)]


def every(con: sqlite3.Connection) -> list[Edge]:
    """Every stored pair, by (a, b)."""
    return [_edge(*row) for row in con.execute("SELECT a, b, figures, relation, reason FROM edges ORDER BY a, b")]


def table(ids: Sequence[str], index: object, edges: Sequence[Edge]) -> EdgeTable:
    """``edges`` as an ``EdgeTable`` over documents ``ids`` (``index``: id -> number)."""
    pairs = [(index[e.a], index[e.b]) for e in edges]  # type: ignore[index]
    return EdgeTable(ids, [EdgeColumns.of(pairs, edges)] if edges else [])


def scope(con: sqlite3.Connection, seeds: Iterable[str], new: Sequence[Edge], known: Known
          ) -> tuple[set[str], list[Edge]]:
    """The documents whose clusters an addition can change, and every accepted pair among them.

    From ``seeds`` (the new documents, and the earlier clusters that lost a member or a pair), the
    closure under stored and ``new`` pairs and under membership of the earlier clusters (``known``,
    which holds no document that left the index; nor do the stored pairs, once ``remove``d)."""
    by_cluster = known.by_cluster()
    adjacent: dict[str, set[str]] = {}
    for e in new:
        adjacent.setdefault(e.a, set()).add(e.b)
        adjacent.setdefault(e.b, set()).add(e.a)
    edges: dict[tuple[str, str], Edge] = {(e.a, e.b): e for e in new}
    done: set[str] = set()
    frontier = set(seeds)
    while frontier:
        done |= frontier
        found: set[str] = set()
        for e in touching(con, sorted(frontier)):
            edges.setdefault((e.a, e.b), e)
            found |= {e.a, e.b}
        for d in frontier:
            found |= adjacent.get(d, set())
            c = known.members.get(d)
            if c is not None:
                found.update(by_cluster[c])
        frontier = found - done
    return done, [edges[k] for k in sorted(edges) if k[0] in done and k[1] in done]


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]
