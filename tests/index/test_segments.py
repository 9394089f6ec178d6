"""dedup.index.segments and DocArrays: arrays stored and joined give the corpus one pass gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from dedup.config import Config
from dedup.index import segments
from dedup.index.schema import connect, create
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
    monkeypatch.setattr(segments, "PART_BYTES", 1000)  # blobs split into many parts
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
