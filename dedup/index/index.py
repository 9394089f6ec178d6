"""The persistent index: articles added batch by batch, each compared with everything already in it.

``Index.open(path).add(source)`` reads the new articles (any input ``run``
takes), joins their arrays with those the index keeps (``segments``), judges
the pairs they bring, or now and then every pair again (``update``), cuts the
clusters again where that reaches (``edges``), keeps the clusters' ids
(``ids``), and commits the new documents, the accepted pairs, the clusters and
a log of what changed in one SQLite transaction (``schema``).  ``query``
answers for one article without writing (``search``); ``result`` and
``export`` give what ``dedup run`` gives over the index's documents, with the
index's clusters.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from dedup.config import Config
from dedup.index import edges, segments, statistics, update, verdicts
from dedup.index.events import changes
from dedup.index.ids import Known, regroup
from dedup.index.schema import (
    FORMAT,
    IndexFileError,
    begin,
    connect,
    create,
    is_new,
    migrate,
    reconcile,
    stored_config,
)
from dedup.index.search import Searcher, state
from dedup.index.update import Update
from dedup.pipeline.corpus import DocArrays, corpus_of, frequencies_of
from dedup.pipeline.docstore import DocStore, StoreError
from dedup.pipeline.firstpass import Pass, first_pass
from dedup.pipeline.runner import compare, finish, first_stages
from dedup.pipeline.sources import Source, materialize
from dedup.report.writer import write_report
from dedup.stages import spill
from dedup.stages.cluster import cluster
from dedup.types import Progress, RunResult, Skipped, StageCount

RECOMPARE_SHARE = 0.25  # once the documents added since the last full comparison are this share of the index
# it held then, an addition compares the whole index again (``Index.add``)


@dataclass
class Change:
    """What one addition (or expiry) did: its events, as ``index add`` prints them, and counts."""

    batch: int
    events: list[dict[str, Any]]
    counts: dict[str, int]
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds of each part after the first pass: load,
    # statistics, compare (and each of its stages), write

    def summary(self, path: Path) -> str:
        c = self.counts
        lines = [f"dedup index: {path}: batch {self.batch}: {c['added']} added, {c['updated']} updated, "
                 f"{c['unchanged']} unchanged, {c['skipped']} skipped, {c['expired']} expired",
                 f"  {'index':<16} {c['documents']} document(s), {c['clusters']} cluster(s) "
                 f"({c['clustered']} document(s) in them)",
                 f"  {'clusters':<16} {c['created']} created, {c['grew']} grew, {c['merged']} merged, "
                 f"{c['canonical_changed']} canonical(s) changed, {c['kept_together']} kept together",
                 f"  {'time':<16} {self.seconds:.2f} s"]
        return "\n".join(lines)


class Index:
    """One index file (see the module doc).  Open it with :meth:`open`; close it, or use it in ``with``."""

    def __init__(self, path: Path, con: sqlite3.Connection, config: Config, keep_texts: bool) -> None:
        self.path, self.con, self.config, self.keep_texts = path, con, config, keep_texts
        self._searcher: Searcher | None = None

    @classmethod
    def open(cls, path: str | Path, options: dict[str, Any] | None = None, readonly: bool = False,
             keep_texts: bool = True, must_exist: bool = False) -> Index:
        """The index at ``path`` (made on the first ``add`` if it does not exist).

        ``options``: Config values asked for; a new index is built with them, an existing one
        refuses any that differ from its own (``schema.reconcile``), but ``jobs`` and ``pages``.
        ``keep_texts`` (for a new index): store each article's text, so that diffs do not need the
        input files again; without it the index keeps where to read each (records given in memory
        have no file and are always stored).  ``must_exist``: refuse to make a new file."""
        path = Path(path)
        if (readonly or must_exist) and not path.exists():
            raise IndexFileError(f"{path}: no index here (make one with: dedup index add PATH --index {path})")
        options = dict(options or {})
        con = connect(path, readonly)
        try:
            if is_new(con):
                if readonly:
                    raise IndexFileError(f"{path}: empty index (add articles with: dedup index add PATH "
                                     f"--index {path})")
                config = Config(**options)
            else:
                config = reconcile(stored_config(con, path), options, path)
                if not readonly and dict(con.execute("SELECT key, value FROM meta")).get("format") != str(FORMAT):
                    begin(con, path)
                    migrate(con)
                    con.execute("COMMIT")
                keep_texts = dict(con.execute("SELECT key, value FROM meta").fetchall()).get("texts") != "refer"
        except BaseException:
            con.close()
            raise
        return cls(path, con, config, keep_texts)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = None
        self.con.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ writing

    def add(self, source: Source, progress: Progress | None = None, recompare: bool | None = None) -> Change:
        """Read the articles of ``source``, compare them with the index's, and store them (one transaction).

        ``recompare`` False: only the pairs the new articles bring are judged (``update.increment``);
        True: every pair of the index is judged again under the statistics of the corpus as it now is
        (``update.recompare``); None (the default): True once the documents added since the last full
        comparison (these included) are ``RECOMPARE_SHARE`` of those the index held then, so that no
        pair is judged under statistics of a corpus much smaller than the index."""
        t0 = time.perf_counter()
        src = materialize(source)
        try:
            with self._writing(new=True):
                p = first_pass(src.root, self.config, progress)
                return self._change(p, set(), progress, src.label, t0, self.keep_texts or src.folder is not None,
                                    recompare)
        finally:
            if src.folder is not None:
                src.folder.cleanup()

    @contextmanager
    def _writing(self, new: bool = False) -> Iterator[None]:
        """One write transaction: the write lock from the start (a second writer is told the index is busy),
        committed at the end, rolled back on any error; ``new``: make the tables of a new index."""
        begin(self.con, self.path)
        try:
            if is_new(self.con):
                if not new:
                    raise IndexFileError(f"{self.path}: empty index (add articles with: dedup index add PATH "
                                         f"--index {self.path})")
                create(self.con, self.config, _now(), "store" if self.keep_texts else "refer")
            verdicts.ensure(self.con)  # an index made before these tables existed gains them
            statistics.ensure(self.con)
            yield
            self.con.execute("COMMIT")
        except BaseException:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            raise

    def expire(self, before: str, progress: Progress | None = None) -> Change:
        """Remove the documents dated before ``before`` (YYYY-MM-DD; undated ones: by the day they were added)."""
        try:
            dt.date.fromisoformat(before)
        except ValueError:
            raise IndexFileError(f"--before {before!r}: give a date as YYYY-MM-DD, e.g. 2026-01-31") from None
        t0 = time.perf_counter()
        with self._writing():
            gone = {d for (d,) in self.con.execute(
                "SELECT id FROM docs WHERE coalesce(date, substr(added, 1, 10)) < ?", (before,))}
            return self._change(None, gone, progress, f"expire --before {before}", t0)

    def compact(self) -> dict[str, int]:
        """Rewrite the live documents' arrays as one segment and give the freed space back (VACUUM)."""
        size = self.path.stat().st_size
        with self._writing():
            docs = segments.load(self.con)
            self.con.execute("DELETE FROM blobs")
            self.con.execute("DELETE FROM segments")
            if docs is not None:
                batch = self.con.execute("SELECT coalesce(max(batch), 0) FROM batches").fetchone()[0]
                segments.write(self.con, 1, docs)
                self.con.execute("INSERT INTO segments VALUES (1, ?, ?)", (batch, len(docs)))
                self.con.executemany("UPDATE docs SET seg = 1, pos = ? WHERE id = ?",
                                     ((k, d) for k, d in enumerate(docs.ids)))
        self.con.execute("VACUUM")
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {"bytes_before": size, "bytes_after": self.path.stat().st_size}

    def _change(self, p: Pass | None, drop: set[str], progress: Progress | None, label: str, t0: float,
                keep_texts: bool = True, recompare: bool | None = False) -> Change:
        """Compare the index with ``p``'s documents (without ``drop``) and write the outcome (no commit).

        ``keep_texts``: store the new documents' texts; else only where to read them again.
        ``recompare``: judge every pair again (``update.recompare``), not only the new ones; None: as
        ``add`` says."""
        con, config = self.con, self.config
        fresh: DocArrays | None = None
        unchanged: list[str] = []
        updated: set[str] = set()
        if p is not None:
            stored = _digests(con, p.docs.ids)
            new_rows = []
            for k, (doc_id, dg) in enumerate(zip(p.docs.ids, p.docs.digests.tolist(), strict=True)):
                if stored.get(doc_id) == segments.signed(dg):
                    unchanged.append(doc_id)
                else:
                    if doc_id in stored:
                        updated.add(doc_id)
                    new_rows.append(k)
            fresh = p.docs.take(np.array(new_rows, dtype=np.int64))
        batch = con.execute("SELECT coalesce(max(batch), 0) + 1 FROM batches").fetchone()[0]
        before = dict(con.execute("SELECT doc, cluster FROM members").fetchall())
        if not drop and p is not None and not len(fresh):  # type: ignore[arg-type]
            if not p.docs.infos and not con.execute("SELECT 1 FROM docs LIMIT 1").fetchone():
                raise IndexFileError(f"{label}: nothing to add: {len(p.skipped)} input(s), all skipped")
            # nothing new: the clusters stay as they are, and no array is loaded
            events, counts = changes([], set(), unchanged, [], p.skipped, {}, {}, None, [], before)
            return self._log(batch, events, counts, p, label, t0)
        was = {d: before[d] for d in updated if d in before}
        known = Known({d: c for d, c in before.items() if d not in updated | drop},
                      dict(con.execute("SELECT id, batch FROM clusters").fetchall()))
        clock = {"load": time.perf_counter()}
        kept_parts = segments.stored(con, updated | drop, upgrade=True)
        old = bool(kept_parts)
        parts = [*kept_parts, *([fresh] if fresh is not None and len(fresh) else [])]
        new_store = (DocStore(fresh.ids, fresh.locators, fresh.digests, config, keep=p.spill if p else None)
                     if fresh is not None else None)
        up: Update | None = None
        brought = len(fresh) if fresh is not None else 0
        since = int(self._meta("added_since") or 0) + brought  # documents added since the last full comparison
        compared = self._meta("recompared_docs")  # an index with no record of it counts from now
        base = int(compared) if compared is not None else con.execute("SELECT count(*) FROM docs").fetchone()[0]
        if recompare is None:
            recompare = old and since >= RECOMPARE_SHARE * base
        recompare = recompare or self._meta("edges") != "complete"
        whole_again = recompare or not old  # with no earlier document, every pair is new
        lost = set() if recompare else edges.remove(con, updated | drop)
        if parts:
            whole = DocArrays.join(parts)
            store = segments.IndexStore(self.path, whole.infos, config, new_store)
            clock["statistics"] = time.perf_counter()
            memo, held = verdicts.known(con, whole.ids, updated | drop)
            freq = None  # the kept stem frequencies and the new documents', when nothing was replaced or removed
            if old and fresh is not None and not updated | drop:
                kept = statistics.load(con, np.concatenate([k.digests for k in kept_parts]))
                freq = kept.plus(frequencies_of(fresh, config.workers)) if kept is not None else None
            corpus = corpus_of(whole, config, store, p.skipped if p else [], p.too_short if p else 0,
                               p.files if p else 0, p.seconds if p else None, verdicts=memo, freq=freq)
            verdicts.store(con, memo, held)
            statistics.store(con, corpus.frequencies, whole.digests)  # type: ignore[arg-type]
            clock["compare"] = time.perf_counter()
            try:
                if recompare:
                    up = update.recompare(corpus, config, known, progress, label)
                else:
                    up = update.increment(con, corpus, config, known, fresh.ids if fresh is not None else [],
                                          lost, {before[d] for d in updated | drop if d in before}, progress)
            except StoreError as err:
                raise IndexFileError(str(err)) from None
        clock["write"] = time.perf_counter()
        canonicals = dict(con.execute("SELECT id, canonical FROM clusters").fetchall())
        now = dict(up.now) if up is not None else {}
        for d in unchanged:  # outside what the change cut again, a document stays where it was
            if d not in now and (up is None or up.scope is None or d not in up.scope) and d in known.members:
                now[d] = known.members[d]
        events, counts = changes(fresh.ids if fresh is not None else [], updated, unchanged, sorted(drop),
                                 p.skipped if p else [], was, canonicals, up.plan if up else None,
                                 up.tops if up else [], now)
        self._write(batch, fresh, new_store, keep_texts, drop, up, known)
        if recompare and up is not None:
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('edges', 'complete')")
        docs_now = con.execute("SELECT count(*) FROM docs").fetchone()[0]
        con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                        [("recompared_docs", str(docs_now if whole_again else base)),
                         ("added_since", str(0 if whole_again else since))])
        change = self._log(batch, events, counts, p, label, t0)
        marks = [*clock.items(), ("end", time.perf_counter())]
        change.stages = {name: round(b - a, 2) for (name, a), (_, b) in itertools.pairwise(marks)}
        if up is not None:  # and the comparison's own stages, within "compare" (the first pass is before)
            change.stages |= {f"compare: {s.stage}": round(s.seconds, 2) for s in up.stages}
        return change

    def _meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _log(self, batch: int, events: list[dict[str, Any]], counts: dict[str, int], p: Pass | None, label: str,
             t0: float) -> Change:
        """Record the change's events and its batch, with the index's size after it."""
        con = self.con
        con.executemany("INSERT INTO events (batch, kind, data) VALUES (?, ?, ?)",
                        ((batch, e["event"], orjson.dumps(e)) for e in events))
        one = lambda sql: con.execute(sql).fetchone()[0]
        counts |= {"documents": one("SELECT count(*) FROM docs"), "clusters": one("SELECT count(*) FROM clusters"),
                   "clustered": one("SELECT count(*) FROM members")}
        con.execute("INSERT INTO batches VALUES (?, ?, ?, ?)", (batch, _now(), label, orjson.dumps(counts)))
        return Change(batch, events, counts, list(p.skipped) if p else [], time.perf_counter() - t0)

    def _write(self, batch: int, fresh: DocArrays | None, store: DocStore | None, keep_texts: bool, drop: set[str],
               up: Update | None, known: Known) -> None:
        """Store the new documents (their texts from ``store``, or with ``keep_texts`` False where to read them,
        but for records the run spilled, whose spill file goes with the run), clusters, pairs, aliases."""
        con = self.con
        if drop:
            con.executemany("DELETE FROM docs WHERE id = ?", ((d,) for d in sorted(drop)))
        if fresh is not None and len(fresh):
            seg = con.execute("SELECT coalesce(max(seg), 0) + 1 FROM segments").fetchone()[0]
            segments.write(con, seg, fresh)
            con.execute("INSERT INTO segments VALUES (?, ?, ?)", (seg, batch, len(fresh)))
            added = _now()
            rows = []
            for k, info in enumerate(fresh.infos):
                stored = store is not None and (keep_texts or spill.spilled(fresh.locators[k].full))
                text = segments.pack_text(store.text(k)) if stored else None
                rows.append((info.id, seg, k, segments.signed(int(fresh.digests[k])), batch, added, info.date,
                             segments.info_blob(info), text,
                             None if text is not None else segments.locator_blob(fresh.locators[k])))
            con.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("DELETE FROM segments WHERE seg NOT IN (SELECT DISTINCT seg FROM docs)")
        con.execute("DELETE FROM blobs WHERE seg NOT IN (SELECT seg FROM segments)")
        born = known.born
        if up is None or up.replaced is None:  # every cluster and pair written again
            con.execute("DELETE FROM members")
            con.execute("DELETE FROM clusters")
            con.execute("DELETE FROM edges")
        else:
            for ids, sql in ((sorted(up.scope | drop), "DELETE FROM members WHERE doc IN ({})"),  # type: ignore[operator]
                             (sorted(up.replaced), "DELETE FROM clusters WHERE id IN ({})")):
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    con.execute(sql.format(",".join("?" * len(chunk))), chunk)
        if up is not None:
            for h, reason in up.tops:
                con.execute("INSERT INTO clusters VALUES (?, ?, ?, ?, ?)",
                            (h.id, h.canonical, reason, born.get(h.id, batch), len(h.members)))
                con.executemany("INSERT INTO members VALUES (?, ?)", ((m, h.id) for m in h.members))
            if up.pairs is not None:
                edges.store(con, up.pairs)
            for old, new in up.plan.aliases.items():
                con.execute("UPDATE aliases SET cluster = ? WHERE cluster = ?", (new, old))
                con.execute("INSERT OR REPLACE INTO aliases VALUES (?, ?)", (old, new))

    def _known(self) -> Known:
        """The stored clusters."""
        return Known(dict(self.con.execute("SELECT doc, cluster FROM members").fetchall()),
                     dict(self.con.execute("SELECT id, batch FROM clusters").fetchall()))

    # ------------------------------------------------------------ reading

    def result(self, progress: Progress | None = None) -> RunResult:
        """The index's documents as one run's result: its clusters, under their ids, cut from the pairs it
        keeps, with every variant's figures and diff (an index whose pairs are not kept yet, of an earlier
        format, compares them all again)."""
        con = self.con
        con.execute("BEGIN")  # one snapshot: a writer's commit meanwhile is not half seen
        try:
            known = self._known()
            old = segments.load(con)
            kept = edges.every(con) if self._meta("edges") == "complete" else None
            memo, _ = verdicts.known(con, old.ids) if old is not None else (None, None)
            freq = statistics.load(con, old.digests) if old is not None else None
        finally:
            con.execute("COMMIT")
        if old is None:
            raise IndexFileError(f"{self.path}: the index holds no documents")
        corpus = corpus_of(old, self.config, segments.IndexStore(self.path, old.infos, self.config), verdicts=memo,
                           freq=freq)
        try:
            if kept is None:
                return compare(corpus, self.config, progress, lambda g: regroup(g, known, corpus.index).groups,
                               root=str(self.path))
            t0 = time.perf_counter()
            ids = [d.id for d in corpus.infos]
            plan = regroup(cluster(ids, kept), known, corpus.index)
            clustered = sum(len(g.members) for g in plan.groups)
            stages = [*first_stages(corpus, self.path),
                      StageCount("cluster", len(ids), clustered, time.perf_counter() - t0,
                                 f"{len(plan.groups)} cluster(s) from the {len(kept)} accepted pair(s) the index "
                                 f"keeps; {len(ids) - clustered} singleton(s)")]
            return finish(corpus, self.config, plan.groups, edges.table(ids, corpus.index, kept), stages, progress)
        except StoreError as err:
            raise IndexFileError(str(err)) from None

    def export(self, out_dir: str | Path, progress: Progress | None = None) -> tuple[RunResult, list[Path]]:
        """``clusters.json``, ``documents.jsonl``, pages and ``report.html`` over the index's documents."""
        result = self.result(progress)
        return result, write_report(result, self.config, Path(out_dir), str(self.path))

    def query(self, text: str, title: str | None = None) -> dict[str, Any]:
        """Is ``text`` a copy of something in the index?  The cluster of its best verified match, the
        members it matches, its figures and diff against that cluster's canonical (``search``); the
        index is not changed.  The index is held in memory from the first query until it changes."""
        if self._searcher is None or self._searcher.state != state(self.con):
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None  # freed before the next is built
            self._searcher = Searcher(self.con, self.path, self.config)
        return self._searcher.query(text, title)

    def resolve(self, cluster: str) -> str | None:
        """A cluster id, or an alias of one, as the id it has now; None if there is none."""
        if self.con.execute("SELECT 1 FROM clusters WHERE id = ?", (cluster,)).fetchone():
            return cluster
        row = self.con.execute("SELECT cluster FROM aliases WHERE alias = ?", (cluster,)).fetchone()
        return row[0] if row else None

    def stats(self) -> dict[str, Any]:
        con = self.con
        one = lambda sql: con.execute(sql).fetchone()[0]
        docs = one("SELECT count(*) FROM docs")
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return {"index": str(self.path), "documents": docs, "clusters": one("SELECT count(*) FROM clusters"),
                "clustered": one("SELECT count(*) FROM members"), "aliases": one("SELECT count(*) FROM aliases"),
                "batches": one("SELECT count(*) FROM batches"), "segments": one("SELECT count(*) FROM segments"),
                "bytes": size, "bytes_per_document": round(size / docs) if docs else 0,
                "texts_stored": one("SELECT count(*) FROM docs WHERE text IS NOT NULL"),
                "parameters": self.config.to_dict()}

    def clusters(self) -> list[dict[str, Any]]:
        """Every cluster: id, canonical, size, the addition that made it."""
        return [{"cluster": c, "canonical": k, "size": n, "batch": b} for c, k, n, b in
                self.con.execute("SELECT id, canonical, size, batch FROM clusters ORDER BY id")]

    def cluster(self, cluster: str) -> dict[str, Any]:
        """One cluster (an alias resolves): canonical and why, members, the aliases it absorbed."""
        cid = self.resolve(cluster)
        if cid is None:
            raise IndexFileError(f"{self.path}: no cluster {cluster!r} (list them with: dedup index show)")
        canonical, reason, batch = self.con.execute(
            "SELECT canonical, reason, batch FROM clusters WHERE id = ?", (cid,)).fetchone()
        members = [d for (d,) in self.con.execute("SELECT doc FROM members WHERE cluster = ? ORDER BY doc", (cid,))]
        aliases = [a for (a,) in self.con.execute("SELECT alias FROM aliases WHERE cluster = ? ORDER BY alias",
                                                   (cid,))]
        return {"cluster": cid, "asked": cluster, "canonical": canonical, "canonical_reason": reason,
                "batch": batch, "members": members, "aliases": aliases}

    def events(self, batch: int | None = None) -> Iterable[bytes]:
        """The change log as JSON lines (one addition's, or all)."""
        sql = "SELECT data FROM events" + (" WHERE batch = ?" if batch is not None else "") + " ORDER BY n"
        return (row[0] for row in self.con.execute(sql, () if batch is None else (batch,)))


def _digests(con: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out |= dict(con.execute(f"SELECT id, digest FROM docs WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    return out


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
