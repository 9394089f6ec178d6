"""Copies found and independent reports kept apart in ten languages and eight scripts.

``tests/data/languages.json`` holds, per language, two independent reports of
one event (a flood): ``a`` and ``b``, as paragraphs.  The test makes copies of
``a`` -- trimmed (its last paragraph cut), reordered (paragraphs reversed),
with a headline put on, and with character noise (every 29th letter dropped)
-- and runs the pipeline on all of them at once: each language's copies must
be one cluster with ``a``, and ``b`` must stay apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dedup import Config, run
from dedup.stages.normalize import sentence_words
from dedup.stages.sketch import _python_sketch, sketch_text

LANGUAGES = json.loads((Path(__file__).resolve().parents[1] / "data" / "languages.json").read_text("utf-8"))


def _noisy(text: str) -> str:
    kept, letters = [], 0
    for ch in text:
        letters += ch.isalpha()
        if not (ch.isalpha() and letters % 29 == 0):
            kept.append(ch)
    return "".join(kept)


def variants(lang: str) -> dict[str, str]:
    a, b = LANGUAGES[lang]["a"], LANGUAGES[lang]["b"]
    return {f"{lang}/a": "\n\n".join(a), f"{lang}/b": "\n\n".join(b),
            f"{lang}/trimmed": "\n\n".join(a[:-1]), f"{lang}/reordered": "\n\n".join(a[::-1]),
            f"{lang}/headline": a[0].split()[0] + " " + a[1].split()[0] + "\n\n" + "\n\n".join(a),
            f"{lang}/noisy": _noisy("\n\n".join(a))}


@pytest.fixture(scope="module")
def clusters() -> set[frozenset[str]]:
    records = [{"id": k, "text": v} for lang in sorted(LANGUAGES) for k, v in variants(lang).items()]
    return {frozenset(m.id for m in c.members) for c in run(records, Config(jobs=1)).clusters}


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_copies_cluster_and_the_independent_report_stays_apart(clusters, lang: str) -> None:
    mine = {c for c in clusters if any(m.startswith(f"{lang}/") for m in c)}
    assert mine == {frozenset(f"{lang}/{k}" for k in ("a", "trimmed", "reordered", "headline", "noisy"))}


def test_the_set_covers_eight_scripts() -> None:
    assert len({v["script"] for v in LANGUAGES.values()}) >= 8


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_each_paragraph_holds_whole_sentences(lang: str) -> None:
    for para in LANGUAGES[lang]["a"] + LANGUAGES[lang]["b"]:
        spans, words, _ = sentence_words(para)
        assert spans and all(len(ws) >= 3 for ws in words), (para, words)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_compiled_pass_reads_each_language_as_the_python_stages_do(lang: str) -> None:
    for text in variants(lang).values():
        a, b = sketch_text(text), _python_sketch(text)
        assert np.array_equal(a.spans, b.spans) and np.array_equal(a.tokens, b.tokens)
        assert np.array_equal(a.prints, b.prints) and (a.word_count, a.key) == (b.word_count, b.key)
