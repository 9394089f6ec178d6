"""Corpus boilerplate: recurring blocks in unrelated documents are found; reprinted stories are not."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import Config
from dedup.pipeline.runner import run
from dedup.runtime import pool as parallel
from dedup.stages import boilerplate
from dedup.stages.boilerplate import Verdicts, find_boilerplate, fingerprint, frequent_prints, sketch
from dedup.stages.normalize import normalize
from dedup.types import Document

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FOOTER = ("Copyright 2024 Example Newswire Limited, all rights reserved worldwide.\n\n"
          "This material may not be published, broadcast, rewritten or redistributed without permission.\n")


def unrelated_article(rng: random.Random, n_sentences: int = 8) -> str:
    """Sentences of made-up words: two such articles share nothing by construction."""
    sentences = []
    for _ in range(n_sentences):
        words = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(7)]
        sentences.append(" ".join(words).capitalize() + f" near {rng.randint(10, 99)} streets.")
    return "\n\n".join(sentences) + "\n\n"


def norm(doc_id: str, text: str):
    return normalize(Document(doc_id, text, doc_id, "utf-8", "txt"))


def test_footer_in_unrelated_articles_is_boilerplate() -> None:
    rng = random.Random(3)
    docs = [norm(f"u{k}.txt", unrelated_article(rng) + FOOTER) for k in range(6)]
    found = find_boilerplate(docs, min_docs=5)
    footer_prints = {fingerprint(s) for s in norm("f.txt", FOOTER).sentences}
    assert footer_prints and footer_prints <= found
    assert len(found) == len(footer_prints)  # nothing else


def test_reprinted_story_with_local_paragraphs_is_not_boilerplate() -> None:
    story = (SEEDS / "000_dbd9cb72a0212c2f.txt").read_text()
    rng = random.Random(5)
    docs = [norm(f"r{k}.txt", story + "\n\n" + unrelated_article(rng, 3)) for k in range(7)]
    assert find_boilerplate(docs, min_docs=5) == frozenset()


def test_shared_footer_does_not_merge_unrelated_articles(tmp_path: Path) -> None:
    rng = random.Random(11)
    for k in range(8):
        (tmp_path / f"a{k}.txt").write_text(unrelated_article(rng, 3) + FOOTER)
    result = run(tmp_path, Config())
    assert result.clusters == ()
    assert result.edges and all(e.evidence.aligned_sentences == 0 for e in result.edges)
    # without the boilerplate check the two footer sentences align in every pair
    plain = run(tmp_path, Config(boilerplate_min_docs=100))
    assert plain.edges and all(e.evidence.aligned_sentences == 2 for e in plain.edges)


def test_worker_processes_decide_as_one_process() -> None:
    """Enough frequent sentences for the worker pool: the same boilerplate whatever the workers."""
    rng = np.random.default_rng(5)
    groups, per = 1100, 3  # each group of documents shares one sentence; in odd groups, the rest too
    rows, loads = [], []
    for k in range(groups * per):
        g = k // per
        own = rng.integers(10_000, 2**31, size=(2, 4)).astype(np.uint32) if g % 2 else \
            np.array([[g * 8 + 1, g * 8 + 2, g * 8 + 3, g * 8 + 4]] * 2, dtype=np.uint32) + np.array([[0], [4]], np.uint32)
        fps = np.array([g, 10**9 + 2 * k, 10**9 + 2 * k + 1], dtype=np.uint64)  # the shared sentence, then its own
        loads.append((np.concatenate([np.array([1, 2, 3], np.uint32), np.sort(own[0]), np.sort(own[1])]),
                      np.array([3, 4, 4]), fps))
        rows.append(np.sort(fps))
    n_prints = [3] * len(rows)
    assert groups * 2 >= parallel.MIN_PARALLEL  # samples to judge x their cost: the pool starts
    one = frequent_prints(rows, n_prints, loads.__getitem__, min_docs=per, workers=1)
    two = frequent_prints(rows, n_prints, loads.__getitem__, min_docs=per, workers=2)
    assert one == two
    assert one == {g for g in range(groups) if g % 2}  # unrelated rests: boilerplate; shared rests: reprints


def test_kept_verdicts_are_not_judged_again() -> None:
    rng = random.Random(7)
    docs = [norm(f"u{k}.txt", unrelated_article(rng) + FOOTER) for k in range(6)]
    rows = [np.unique(np.array([fingerprint(s) for s in d.sentences], dtype=np.uint64)) for d in docs]
    n_prints = [len(d.sentences) for d in docs]
    ids = [d.id for d in docs]
    loads = []

    def load(k: int):
        loads.append(k)
        return boilerplate._sentences(sketch(docs[k]))

    first = Verdicts(ids, {})
    found = frequent_prints(rows, n_prints, load, min_docs=5, verdicts=first)
    assert found and list(first.used) == [tuple(ids)]  # the holders (up to SAMPLE), by id
    assert found == frequent_prints(rows, n_prints, load, min_docs=5)
    loads.clear()
    again = Verdicts(ids, dict(first.used))
    assert frequent_prints(rows, n_prints, load, min_docs=5, verdicts=again) == found
    assert loads == [] and again.used == first.used
    flipped = Verdicts(ids, {key: not v for key, v in first.used.items()})  # the kept decision is trusted
    assert frequent_prints(rows, n_prints, load, min_docs=5, verdicts=flipped) == frozenset()
    renamed = Verdicts([f"x{k}" for k in range(6)], {key: not v for key, v in first.used.items()})
    assert frequent_prints(rows, n_prints, load, min_docs=5, verdicts=renamed) == found  # other ids: judged


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 30)), max_size=80))
@settings(max_examples=80, deadline=None)
def test_samples_are_each_prints_first_holders(met: list[tuple[int, int]]) -> None:
    met = sorted(set(met), key=lambda m: m[1])  # as met: in document order
    holders: dict[int, list[int]] = {}
    for fp, k in met:
        holders.setdefault(fp, []).append(k)
    fps, rows = boilerplate._samples(np.array([m[0] for m in met], dtype=np.uint64),
                                     np.array([m[1] for m in met], dtype=np.int64))
    assert fps.tolist() == sorted(holders)
    assert [[k for k in row if k >= 0] for row in rows.tolist()] == [holders[f][:boilerplate.SAMPLE] for f in sorted(holders)]
