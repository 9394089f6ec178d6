"""dedup.index.Index: additions, updates, queries, export, expiry, compaction, refusals, a busy writer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest
from index_helpers import SEEDS, members

from dedup import Config, run
from dedup.index import Index, IndexBusy, IndexFileError
from dedup.index.schema import FORMAT
from dedup.report.payload import validate

SEED = {p.name[:3]: p for p in sorted(SEEDS.iterdir())}


def seed_records(*keys: str) -> list[dict]:
    return [{"id": k, "text": SEED[k].read_text(encoding="utf-8"), "date": f"2026-01-0{int(k) + 1}"} for k in keys]


def kinds(change) -> list[str]:
    return [e["event"] for e in change.events]


def test_a_copy_added_later_joins_the_cluster_and_the_id_is_kept(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        first = ix.add(seed_records("000", "001", "003"))
        (created,) = [e for e in first.events if e["event"] == "created"]
        assert created["members"] == ["000", "001"]
        second = ix.add(seed_records("002", "004"))
        grew = [e for e in second.events if e["event"] == "grew"]
        assert grew == [{"event": "grew", "cluster": created["cluster"], "joined": ["002"], "size": 3}]
        added = {e["id"]: e["cluster"] for e in second.events if e["event"] == "added"}
        assert added == {"002": created["cluster"], "004": None}
        assert ix.stats()["documents"] == 5 and ix.clusters()[0]["cluster"] == created["cluster"]


def test_the_same_article_again_changes_nothing_and_a_new_text_is_an_update(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        ix.add(seed_records("000", "001", "002"))
        again = ix.add(seed_records("000"))
        assert kinds(again) == ["unchanged"] and again.counts["documents"] == 3
        update = seed_records("001")
        update[0]["text"] = SEED["004"].read_text(encoding="utf-8")  # 001 now holds an independent report
        change = ix.add(update)
        assert next(e for e in change.events if e["id" if "id" in e else "cluster"] == "001")["event"] == "updated"
        left = [e for e in change.events if e["event"] == "left"]
        assert [e["id"] for e in left] == ["001"]
        assert ix.stats()["documents"] == 3
        assert all("001" not in c for c in (ix.cluster(r["cluster"])["members"] for r in ix.clusters()))


def test_query_answers_without_changing_the_index(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with Index.open(db, {"jobs": 1}) as ix:
        ix.add(seed_records("000", "002", "003", "004"))
        before = db.read_bytes()
        answer = ix.query(SEED["001"].read_text(encoding="utf-8"))
        assert answer["copy"] and answer["cluster"] == ix.clusters()[0]["cluster"]
        assert {m["id"] for m in answer["matches"]} >= {"000"}
        assert "diff" in answer["member"] or answer["member"]["canonical"]
        no = ix.query("A short note about the weather in a small town. " * 3
                      + "Nothing here is copied from the wire, the mayor said on Tuesday.")
        assert no["copy"] is False
        assert db.read_bytes() == before and ix.stats()["batches"] == 1


def test_export_writes_what_run_writes_under_the_index_ids(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        ix.add(seed_records("000", "003"))
        ix.add(seed_records("001", "002", "004"))
        result, _ = ix.export(tmp_path / "out")
        ids = [r["cluster"] for r in ix.clusters()]
    payload = orjson.loads((tmp_path / "out" / "clusters.json").read_bytes())
    validate(payload)
    assert [c["id"] for c in payload["clusters"]] == ids
    assert members(result.clusters) == members(run(seed_records("000", "001", "002", "003", "004"),
                                                   Config(jobs=1)).clusters)
    assert (tmp_path / "out" / "report.html").exists()


def test_expire_removes_old_documents_and_dissolves_what_is_left_alone(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        ix.add(seed_records("000", "001", "003", "004"))
        cid = ix.clusters()[0]["cluster"]
        change = ix.expire("2026-01-02")  # 000 is dated 2026-01-01
        assert [e for e in change.events if e["event"] == "expired"] == [{"event": "expired", "id": "000"}]
        assert {"event": "dissolved", "cluster": cid} in change.events
        assert ix.stats()["documents"] == 3 and ix.clusters() == []
        with pytest.raises(IndexFileError, match="YYYY-MM-DD"):
            ix.expire("yesterday")


def test_compact_keeps_every_document_and_the_clusters(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        for k in ("000", "001", "002", "003"):
            ix.add(seed_records(k))
        ix.expire("2026-01-02")
        before = members(ix.result().clusters)
        assert ix.stats()["segments"] == 3
        ix.compact()
        assert ix.stats()["segments"] == 1 and ix.stats()["documents"] == 3
        assert members(ix.result().clusters) == before
        assert ix.con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_other_parameters_or_another_format_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with Index.open(db, {"jobs": 1}) as ix:
        ix.add(seed_records("000"))
    with pytest.raises(IndexFileError, match=r"--num-perm 128 \(the index has 256\)"):
        Index.open(db, {"num_perm": 128})
    Index.open(db, {"num_perm": 256, "jobs": 2}).close()  # its own values, and jobs, are fine
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = ? WHERE key = 'format'", (str(FORMAT + 1),))
    con.commit()
    con.close()
    with pytest.raises(IndexFileError, match=f"index format {FORMAT + 1}"):
        Index.open(db)


def test_not_an_index_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.db").write_bytes(b"not sqlite at all, just some bytes " * 100)
    with pytest.raises(IndexFileError, match="not a dedup index"):
        Index.open(tmp_path / "x.db")
    with pytest.raises(IndexFileError, match="no index here"):
        Index.open(tmp_path / "missing.db", readonly=True)


def test_a_second_writer_is_told_the_index_is_busy_and_readers_go_on(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "ix.db"
    with Index.open(db, {"jobs": 1}) as ix:
        ix.add(seed_records("000", "001"))
    monkeypatch.setattr("dedup.index.schema.BUSY_SECONDS", 0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a writer in the middle of its addition
    holder.execute("DELETE FROM events")  # uncommitted: no reader may see it
    try:
        with Index.open(db, {"jobs": 1}) as other, pytest.raises(IndexBusy, match="index is busy"):
            other.add(seed_records("002"))
        with Index.open(db, readonly=True) as reader:
            assert reader.stats()["documents"] == 2
            assert len(list(reader.events())) > 0
            assert reader.query(SEED["002"].read_text(encoding="utf-8"))["copy"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Index.open(db, {"jobs": 1}) as ix:
        assert "added" in kinds(ix.add(seed_records("002")))


def test_texts_can_be_read_from_the_files_instead(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix.db", {"jobs": 1}, keep_texts=False) as ix:
        ix.add(SEEDS)
        assert ix.stats()["texts_stored"] == 0
        result, _ = ix.export(tmp_path / "out")
    assert members(result.clusters) == members(run(SEEDS, Config(jobs=1)).clusters)


def test_an_index_of_format_2_is_read_and_its_next_addition_fills_the_pairs(records, tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with Index.open(db, {"jobs": 1}) as ix:
        ix.add(records[:60])
        want = members(ix.result().clusters)
    con = sqlite3.connect(db)  # as format 2 left it: no table of pairs
    con.execute("DROP TABLE edges")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
    con.execute("DELETE FROM meta WHERE key = 'edges'")
    con.commit()
    con.close()
    with Index.open(db, readonly=True) as ix:  # read as it is, its pairs compared again for an export
        assert members(ix.result().clusters) == want
    with Index.open(db, {"jobs": 1}) as ix:  # opened to write: migrated, and the addition compares all
        assert ix.con.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()[0] == str(FORMAT)
        ix.add(records[60:])
        assert ix.con.execute("SELECT value FROM meta WHERE key = 'edges'").fetchone()[0] == "complete"
        pairs = ix.con.execute("SELECT count(*) FROM edges").fetchone()[0]
        assert pairs == sum(e.accepted for e in run(records, Config(jobs=1)).edges)
        assert ix.con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
