"""dedup.index.segments and DocArrays: arrays stored and joined give the corpus one pass gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.config import Config
from dedup.index import blobs, segments
from dedup.index.schema import connect, create
from dedup.pipeline import corpus
from dedup.pipeline.corpus import DocArrays
from dedup.pipeline.firstpass import first_pass

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

CONFIG = Config(jobs=1)


def same(a: DocArrays, b: DocArrays) -> None:
    assert a.ids == b.ids and a.infos == b.infos
    assert np.array_equal(a.digests, b.digests) and np.array_equal(a.n_prints, b.n_prints)
    for x, y in ((a.prints, b.prints), (a.sentences.tokens, b.sentences.tokens)):
        assert np.array_equal(x.flat, y.flat) and np.array_equal(x.offsets.astype(np.int64), y.offsets.astype(np.int64))
    for name in ("prints", "doc", "words", "keys", "spans"):
        assert np.array_equal(getattr(a.sentences, name), getattr(b.sentences, name)), name
    assert (a.shingles is None) == (b.shingles is None)
    if a.shingles is not None:
        assert np.array_equal(a.shingles.flat, b.shingles.flat)  # type: ignore[union-attr]
        assert np.array_equal(a.shingles.offsets, b.shingles.offsets)  # type: ignore[union-attr]


WHOLE = first_pass(SEEDS, Config(jobs=1, shingle_size=3)).docs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 3), min_size=len(WHOLE), max_size=len(WHOLE)), st.booleans())
def test_parts_in_any_split_join_to_the_whole(monkeypatch, labels: list[int], by_rows: bool) -> None:
    monkeypatch.setattr(corpus, "MANY_RUNS", -1 if by_rows else 4096)  # row by row, or in runs
    rows = np.array(labels)
    parts = [WHOLE.take(np.flatnonzero(rows == label)) for label in sorted(set(labels), reverse=True)]
    same(DocArrays.join(parts), WHOLE)


def test_two_halves_joined_are_the_whole(tmp_path: Path) -> None:
    files = sorted(SEEDS.iterdir())
    for k, f in enumerate(files):
        (tmp_path / ("odd" if k % 2 else "even")).mkdir(exist_ok=True)
        shutil.copy(f, tmp_path / ("odd" if k % 2 else "even") / f.name)
    whole = first_pass(SEEDS, CONFIG).docs
    joined = DocArrays.join([first_pass(tmp_path / "odd", CONFIG).docs, first_pass(tmp_path / "even", CONFIG).docs])
    same(joined, whole)


def test_taking_rows_picks_those_documents() -> None:
    whole = first_pass(SEEDS, CONFIG).docs
    part = whole.take(np.array([3, 1], dtype=np.int64))
    assert part.ids == [whole.ids[3], whole.ids[1]]
    assert np.array_equal(part.sentences.prints, np.concatenate([whole.sentences.prints[whole.sentences.doc[3]:
                                                                                        whole.sentences.doc[4]],
                                                                 whole.sentences.prints[whole.sentences.doc[1]:
                                                                                        whole.sentences.doc[2]]]))


def test_a_segment_reads_back_as_written(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(blobs, "PART_BYTES", 1000)  # blobs split into many parts
    monkeypatch.setattr(blobs, "_READ_BYTES", 300)  # and each part read in several pieces
    docs = first_pass(SEEDS, Config(jobs=1, shingle_size=3)).docs
    con = connect(tmp_path / "ix.db")
    con.execute("BEGIN")
    create(con, CONFIG, "2026-01-01T00:00:00+00:00")
    segments.write(con, 1, docs)
    assert con.execute("SELECT max(part) FROM blobs").fetchone()[0] > 2
    back = segments.assemble(segments.read(con, 1), docs.infos, docs.digests)
    same(back, docs)
    assert np.array_equal(back.shingles.flat, docs.shingles.flat)


def test_texts_pack_losslessly() -> None:
    text = "Déjà vu — naïve café\n\u2028odd \udcff surrogate"
    assert segments.unpack_text(segments.pack_text(text)) == text
    assert segments.signed(2**64 - 1) == -1


def test_a_segment_without_its_metadata_blobs_loads_and_gains_them(tmp_path: Path) -> None:
    from dedup.index import Index

    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        ix.add(SEEDS)
        con = ix.con
        expected = segments.load(con)
        con.execute("DELETE FROM blobs WHERE kind IN ('infos', 'digests')")  # as an index written before them
        gone = expected.ids[2]
        con.execute("DELETE FROM docs WHERE id = ?", (gone,))  # a position no longer live
        rest = expected.take(np.array([k for k in range(len(expected)) if k != 2]))
        same(segments.load(con), rest)
        con.execute("BEGIN")
        (part,) = segments.stored(con, frozenset({expected.ids[0]}), upgrade=True)
        con.execute("COMMIT")
        same(part, rest.take(np.arange(1, len(rest))))
        assert {k for (k,) in con.execute("SELECT kind FROM blobs")} >= {"infos", "digests"}
        same(segments.load(con), rest)
        same(segments.stored(con, frozenset({expected.ids[0]}))[0], rest.take(np.arange(1, len(rest))))
