"""The documents' arrays as the index keeps them, and the texts read back from it.

Each addition writes one *segment*: the arrays of its documents
(``pipeline.corpus.DocArrays`` without metadata, which sits in the ``docs``
table) as numpy blobs, split into parts small enough for SQLite's blob limit.
A document's row in ``docs`` says which segment and position hold it, so
documents replaced or expired simply stop being read; ``compact`` rewrites the
live ones into one segment.  A segment also keeps its documents' metadata and
digests in its own order (kinds ``infos`` and ``digests``), so that loading
reads them in one piece instead of a million rows.  Loading joins the live
rows of every segment, so no old article is read or normalized again to
compare new ones with it.
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import orjson

from dedup.config import Config
from dedup.index import blobs
from dedup.index.schema import connect
from dedup.pipeline.corpus import DocArrays
from dedup.pipeline.docstore import DocStore, StoreError, digest
from dedup.runtime import heap
from dedup.storage.arrays import CSR, Sentences
from dedup.types import DocInfo, Document, Locator


def dump(docs: DocArrays) -> dict[str, np.ndarray]:
    """The arrays of ``docs`` by kind (what ``assemble`` puts together again)."""
    se = docs.sentences
    kinds = {"tokens": se.tokens.flat, "token_counts": np.diff(se.tokens.offsets).astype(np.uint32),
             "sentence_prints": se.prints, "sentences": np.diff(se.doc).astype(np.int64), "words": se.words,
             "keys": se.keys, "spans": se.spans, "prints": docs.prints.flat, "print_counts": docs.prints.lengths(),
             "n_prints": docs.n_prints}
    if docs.shingles is not None:
        kinds |= {"shingles": docs.shingles.flat, "shingle_counts": docs.shingles.lengths()}
    return kinds


def write(con: sqlite3.Connection, seg: int, docs: DocArrays) -> None:
    """Store the arrays of ``docs`` as segment ``seg`` (inside the caller's transaction), with their
    metadata and digests in segment order, so that loading reads them in one piece (the ``docs``
    table has them too, by id)."""
    infos = b"[" + b",".join(info_blob(d) for d in docs.infos) + b"]"
    _write_kinds(con, seg, dump(docs) | {"infos": np.frombuffer(infos, np.uint8), "digests": docs.digests})


def _write_kinds(con: sqlite3.Connection, seg: int, kinds: dict[str, np.ndarray]) -> None:
    for kind, arr in kinds.items():
        con.executemany("INSERT INTO blobs VALUES (?, ?, ?, ?)",
                        ((seg, kind, part, data) for part, data in blobs.cut(blobs.npy(arr))))


def read(con: sqlite3.Connection, seg: int) -> dict[str, np.ndarray]:
    """Segment ``seg``'s arrays by kind."""
    return blobs.read(con, "blobs", "data", "seg = ?", (seg,), "kind, part")


def assemble(kinds: dict[str, np.ndarray], infos: list[DocInfo], digests: np.ndarray) -> DocArrays:
    """A segment's documents as ``DocArrays`` (``infos`` and ``digests`` in the segment's order)."""
    def offsets(counts: np.ndarray) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))

    sentences = Sentences(CSR(kinds["tokens"], offsets(kinds["token_counts"])), kinds["sentence_prints"],
                          offsets(kinds["sentences"]), kinds["words"], kinds["keys"], kinds["spans"].reshape(-1, 2))
    shingles = CSR(kinds["shingles"], offsets(kinds["shingle_counts"])) if "shingles" in kinds else None
    none = Locator("", "")
    return DocArrays(infos, [none] * len(infos), digests, sentences,
                     CSR(kinds["prints"], offsets(kinds["print_counts"])), kinds["n_prints"], shingles)


def load(con: sqlite3.Connection, skip: set[str] | frozenset[str] = frozenset()) -> DocArrays | None:
    """Every document in the index but those in ``skip``, in id order; None when there are none."""
    parts = stored(con, skip)
    return DocArrays.join(parts) if parts else None


def stored(con: sqlite3.Connection, skip: set[str] | frozenset[str] = frozenset(),
           upgrade: bool = False) -> list[DocArrays]:
    """The documents of each segment but those in ``skip``, each segment's in id order (segments with
    none left out), to be joined with others in one go (``DocArrays.join``).

    ``upgrade`` (inside the caller's write transaction): segments written before they kept their
    documents' metadata and digests gain them, so that later loads read them in one piece."""
    parts = []
    segs = [s for (s,) in con.execute("SELECT seg FROM segments ORDER BY seg")]
    with heap.paused_gc():  # a million small objects made at once: collections would find nothing to free
        for seg in segs:
            part = _segment(con, seg, skip, upgrade)
            if part is not None:
                parts.append(part)
    return parts


def _segment(con: sqlite3.Connection, seg: int, skip: set[str] | frozenset[str], upgrade: bool) -> DocArrays | None:
    """Segment ``seg``'s documents but those in ``skip`` (None if it has none left); ``upgrade``: give a
    segment written without its metadata and digests those blobs."""
    kinds = read(con, seg)
    n = con.execute("SELECT docs FROM segments WHERE seg = ?", (seg,)).fetchone()[0]
    if "infos" in kinds:  # live positions from the (seg, pos) index; metadata and digests from the segment
        at = np.array([pos for (pos,) in con.execute("SELECT pos FROM docs WHERE seg = ? ORDER BY pos", (seg,))],
                      dtype=np.int64)
        listed = orjson.loads(memoryview(kinds.pop("infos")))
        infos = [DocInfo(*listed[k]) for k in at.tolist()] if len(at) < n else [DocInfo(*x) for x in listed]
        digests = kinds.pop("digests")[at]
        if skip:
            live = [k for k, d in enumerate(infos) if d.id not in skip]
            if len(live) < len(infos):
                at, infos, digests = at[live], [infos[k] for k in live], digests[live]
    else:  # a segment written before they were kept in it
        rows = con.execute("SELECT pos, id, digest, info FROM docs WHERE seg = ? ORDER BY pos", (seg,)).fetchall()
        if upgrade:
            _keep_infos(con, seg, n, rows)
        rows = [r for r in rows if r[1] not in skip]
        at = np.array([r[0] for r in rows], dtype=np.int64)
        infos = [info_of(r[3]) for r in rows]
        digests = np.array([r[2] for r in rows], dtype=np.int64).view(np.uint64)
    if not len(at):
        return None
    whole = assemble(kinds, [_NONE] * n, np.zeros(n, np.uint64))  # infos and digests set below
    part = whole if len(at) == n else whole.take(at)
    part.infos, part.digests = infos, digests
    return part


_NONE = DocInfo("", "", "", "", 0, 0)


def _keep_infos(con: sqlite3.Connection, seg: int, n: int, rows: list[tuple[int, str, int, bytes]]) -> None:
    """Store segment ``seg``'s metadata and digests from its live ``docs`` rows (positions no longer
    live, whose documents were replaced or expired, get placeholders that are never read)."""
    infos, digests = [info_blob(_NONE)] * n, np.zeros(n, np.uint64)
    for pos, _, dg, info in rows:
        infos[pos], digests[pos] = info, np.int64(dg).view(np.uint64)
    _write_kinds(con, seg, {"infos": np.frombuffer(b"[" + b",".join(infos) + b"]", np.uint8), "digests": digests})


def info_blob(info: DocInfo) -> bytes:
    return orjson.dumps([info.id, info.path, info.encoding, info.format, info.chars, info.words, info.title,
                         info.date, info.source, info.url, info.language, info.language_reason])


def info_of(blob: bytes) -> DocInfo:
    return DocInfo(*orjson.loads(blob))


def signed(value: int) -> int:
    """A 64-bit digest as SQLite's signed integer."""
    return int(np.uint64(value).view(np.int64))


def pack_text(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 6)


def unpack_text(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8", "surrogatepass")


def locator_blob(loc: Locator) -> bytes:
    return orjson.dumps([os.path.abspath(loc.full), loc.rel, loc.record, loc.offset])


class IndexStore:
    """Texts of the documents being compared: new ones from their input, indexed ones from the index.

    Each process opens its own read-only connection on first use (worker processes inherit
    the object, not the connection)."""

    def __init__(self, path: Path, infos: list[DocInfo], config: Config, new: DocStore | None = None) -> None:
        self.path, self.infos, self.config, self.new = path, infos, config, new
        self.ids = [d.id for d in infos]
        self._new_rows = {d: k for k, d in enumerate(new.ids)} if new is not None else {}
        self._con: sqlite3.Connection | None = None
        self._pid = 0

    def close(self) -> None:
        if self._con is not None and self._pid == os.getpid():
            self._con.close()
        self._con = None

    def __getstate__(self) -> dict[str, object]:
        return self.__dict__ | {"_con": None, "_pid": 0}

    def text(self, k: int) -> str:
        doc_id = self.ids[k]
        if doc_id in self._new_rows:
            return self.new.text(self._new_rows[doc_id])  # type: ignore[union-attr]
        if self._con is None or self._pid != os.getpid():
            self._con, self._pid = connect(self.path, readonly=True), os.getpid()
        row = self._con.execute("SELECT text, locator, digest FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: {doc_id!r} left the index while it was read (expired or replaced)")
        text_blob, loc_blob, dg = row
        if text_blob is not None:
            text = unpack_text(text_blob)
            if signed(digest(text)) != dg:
                raise StoreError(f"{self.path}: the stored text of {doc_id!r} does not match its digest")
            return text
        full, rel, record, offset = orjson.loads(loc_blob)
        return DocStore([doc_id], [Locator(full, rel, record, offset)],
                        np.array([dg], dtype=np.int64).view(np.uint64), self.config).text(0)

    def document(self, k: int) -> Document:
        d = self.infos[k]
        return Document(d.id, self.text(k), d.path, d.encoding, d.format, d.title, d.date, d.source, d.url)
