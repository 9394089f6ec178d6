"""dedup.index.search: a query answers what adding the article would do, and changes nothing."""

from __future__ import annotations

from pathlib import Path

from dedup.index import Index


def test_a_query_names_the_cluster_that_adding_the_article_gives(records, tmp_path: Path) -> None:
    indexed, asked = records[:60], records[60:]
    agree = 0
    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        ix.add(indexed)
        for r in asked:
            answer = ix.query(r["text"])
            change = ix.add([r])
            (added,) = [e for e in change.events if e["event"] == "added"]
            if answer["copy"] and not answer["new_cluster"]:
                agree += added["cluster"] == answer["cluster"]
            elif answer["copy"]:  # a copy of a singleton: the two make a new cluster
                created = [e for e in change.events if e["event"] == "created"]
                agree += any({r["id"], answer["canonical"]} <= set(e["members"]) for e in created)
            else:
                agree += added["cluster"] is None
    assert agree == len(asked)


def test_the_searcher_is_kept_until_the_index_changes(records, tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix.db", {"jobs": 1}) as ix:
        ix.add(records[:30])
        first = ix.query(records[40]["text"])
        held = ix._searcher
        assert ix.query(records[40]["text"]) == first and ix._searcher is held
        ix.add(records[30:50])
        again = ix.query(records[40]["text"])
        assert ix._searcher is not held
        assert again["copy"] and any(m["id"] == records[40]["id"] for m in again["matches"])


def test_a_query_on_an_index_reader_sees_only_committed_documents(records, tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with Index.open(db, {"jobs": 1}) as ix:
        ix.add(records[:20])
    with Index.open(db, readonly=True) as reader:
        answer = reader.query(records[5]["text"])
    assert answer["copy"] and answer["matches"][0]["id"] == records[5]["id"]
    assert answer["matches"][0]["relation"] == "identical"
