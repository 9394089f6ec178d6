"""Spill files: the records of compressed, CSV and JSON array shards are read again from the run's own file.

Such a shard has no place from which one record can be read, so without the
spill every cluster member's text would be read by scanning the shard up to
it.  The run must give what the plain JSON lines shard gives, without ever
scanning a shard again, and leave no spill folder behind.
"""

from __future__ import annotations

import gc
import pickle
import tempfile
from pathlib import Path

import orjson
import pytest
from test_records import write_shard

from dedup import Config, run
from dedup.index import Index
from dedup.pipeline.docstore import DocStore
from dedup.stages import records as shards
from dedup.stages import spill


def _clusters(result) -> list[list[str]]:
    return sorted(sorted(m.id for m in c.members) for c in result.clusters)


def _spill_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("dedup-spill-*")}


@pytest.mark.parametrize("name", ["a.jsonl.gz", "a.jsonl.zst", "a.json", "a.csv", "a.tsv"])
def test_members_are_read_from_the_spill_not_by_scanning_the_shard(tmp_path: Path, records: list[dict], name: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "shard").mkdir()
    plain = write_shard(tmp_path / "plain" / "a.jsonl", records)
    shard = write_shard(tmp_path / "shard" / name, records)
    want = _clusters(run(plain.parent, Config(jobs=1)))
    assert want, "the generated records hold copies"
    scans = []
    real = shards.iter_part

    def counted(part, config):
        scans.append(part.rel)
        return real(part, config)

    monkeypatch.setattr(shards, "iter_part", counted)  # what read_record scans a shard with
    before = _spill_dirs()
    result = run(shard.parent, Config(jobs=1))
    assert _clusters(result) == want
    texts = dict(result.texts)  # every member's text, read again
    assert len(texts) == sum(len(c) for c in want)
    assert scans == [], "a member was read again by scanning its shard"
    del result, texts
    gc.collect()
    assert _spill_dirs() <= before, "the spill folder outlived the run's texts"


def test_a_spilled_record_reads_back_its_fields(tmp_path: Path) -> None:
    w = spill.Writer(str(tmp_path / f"0{spill.SUFFIX}"))
    fields = [{"text": "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.\n", "title": "T", "n": 1},
              {"text": "second\nrecord", "title": None}]
    offsets = [w.write(f) for f in fields]
    w.close()
    for number, (f, at) in enumerate(zip(fields, offsets, strict=True), 1):
        item = shards.read_record(str(tmp_path / f"0{spill.SUFFIX}"), "a.csv", number, at, Config())
        assert item is not None and item.fields == f and item.number == number
    assert spill.read(str(tmp_path / "gone.dedup-spill.jsonl"), "a.csv", 1, 0) is None
    assert spill.needed("csv", None) and spill.needed("jsonl", "gz") and not spill.needed("jsonl", None)
    assert not spill.needed("parquet", None)


def test_a_store_sent_to_a_worker_leaves_the_folder_behind(tmp_path: Path) -> None:
    folder = tempfile.TemporaryDirectory(prefix="dedup-spill-")
    store = DocStore([], [], None, Config(), keep=folder)
    copy = pickle.loads(pickle.dumps(store))
    assert copy._kept is None and store._kept is folder
    folder.cleanup()


def test_an_index_that_refers_to_files_stores_the_spilled_texts(tmp_path: Path, records: list[dict]) -> None:
    (tmp_path / "in").mkdir()
    shard = write_shard(tmp_path / "in" / "a.jsonl.gz", records)
    with Index.open(tmp_path / "ix.db", {"jobs": 1}, keep_texts=False) as ix:
        ix.add(shard.parent)
        assert ix.stats()["texts_stored"] == len(records)  # the spill goes with the run: its texts are kept
    gc.collect()
    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        result, _ = ix.export(tmp_path / "out")
    clusters = orjson.loads((tmp_path / "out" / "clusters.json").read_bytes())["clusters"]
    assert clusters and len(clusters) == len(result.clusters)
