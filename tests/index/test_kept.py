"""What the index keeps of its statistics between additions: boilerplate decisions (used again, dropped with
a changed document) and stem frequencies (added up), each what counting all again gives."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import numpy as np
import orjson

from dedup.index import Index, segments, statistics, verdicts
from dedup.pipeline.corpus import corpus_of, frequencies_of
from dedup.stages import boilerplate

FOOTER = ("Copyright 2024 Example Newswire Limited, all rights reserved worldwide.\n\n"
          "This material may not be published, broadcast, rewritten or redistributed without permission.\n")


def article(rng: random.Random, footer: bool = True) -> str:
    sentences = [" ".join("".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))
                          for _ in range(7)).capitalize() + f" near {rng.randint(10, 99)} streets." for _ in range(4)]
    return "\n\n".join(sentences) + "\n\n" + (FOOTER if footer else "")


def samples(db: Path) -> dict[tuple[str, ...], bool]:
    con = sqlite3.connect(db)
    try:
        return {tuple(orjson.loads(s)): bool(u) for s, u in con.execute("SELECT sample, unrelated FROM verdicts")}
    finally:
        con.close()


def boilerplate_of(ix: Index, memo: bool) -> frozenset[int]:
    docs = segments.load(ix.con)
    kept = verdicts.known(ix.con, docs.ids)[0] if memo else None
    return corpus_of(docs, ix.config, verdicts=kept).weights.boilerplate


def test_decisions_are_kept_used_again_and_dropped_with_a_changed_document(tmp_path: Path, monkeypatch) -> None:
    rng = random.Random(2)
    db = tmp_path / "ix.db"
    records = [{"id": f"a{k}", "text": article(rng)} for k in range(6)]
    with Index.open(db, {"jobs": 1, "boilerplate_min_docs": 5}) as ix:
        ix.add(records)
        first = samples(db)
        assert first == {tuple(f"a{k}" for k in range(6)): True}
        judged: list[list[tuple]] = []
        decide = boilerplate._decide
        monkeypatch.setattr(boilerplate, "_decide", lambda keys, ctx: judged.append(keys) or decide(keys, ctx))
        ix.add([{"id": "c0", "text": article(rng, footer=False)}])  # the same sample: nothing judged again
        assert judged == [] and samples(db) == first
        ix.add([{"id": "b0", "text": article(rng)}])  # the footer's holders grow: a new sample, judged
        assert samples(db) == {(*(f"a{k}" for k in range(6)), "b0"): True} and len(judged) == 1
        ix.add([{"id": "a2", "text": article(rng, footer=False)}])  # a holder changes: its samples go
        held = samples(db)
        assert held and all("a2" not in key for key in held)
        assert boilerplate_of(ix, memo=True) == boilerplate_of(ix, memo=False) != frozenset()


def test_kept_frequencies_are_a_recount_of_the_index(tmp_path: Path) -> None:
    rng = random.Random(4)
    db = tmp_path / "ix.db"
    with Index.open(db, {"jobs": 1}) as ix:
        ix.add([{"id": f"a{k}", "text": article(rng), "language": "en" if k % 3 else "de"} for k in range(5)])
        for change in ([{"id": "b0", "text": article(rng), "language": "fr"}],  # added up
                       [{"id": "a1", "text": article(rng, footer=False)}]):  # an update: counted again
            ix.add(change)
            docs = segments.load(ix.con)
            kept = statistics.load(ix.con, docs.digests)
            again = frequencies_of(docs)
            assert kept is not None and kept.docs == again.docs == len(docs)
            assert np.array_equal(kept.values, again.values) and np.array_equal(kept.df, again.df)
            assert kept.reach().tolist() == again.reach().tolist()
            assert statistics.load(ix.con, docs.digests[1:]) is None  # other documents: not used
