"""bench/stress.py: the synthetic stress set is deterministic, hides its groups, and scores.

Runs anywhere: the source folder is built from the repo's own seeds plus
small synthetic articles (no dependency on ../shared).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import shutil
import sys
from pathlib import Path
from random import Random

import pytest

from dedup.config import Config

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def _load_stress():
    if str(ROOT / "bench") not in sys.path:  # stress.py imports its sibling modules (stress_gen, stress_score, ...)
        sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_stress", ROOT / "bench" / "stress.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_stress"] = module
    spec.loader.exec_module(module)
    return module


stress = _load_stress()

import stress_gen  # noqa: E402 - importable once _load_stress has put bench/ on sys.path
import stress_score  # noqa: E402
import stress_transforms  # noqa: E402
import stress_words  # noqa: E402
import textsource  # noqa: E402

_SYLLABLES = ("ka", "lo", "mi", "ren", "tas", "vor", "pel", "din", "sa", "ro", "bex", "nu", "tri", "gal", "mon",
              "fe", "zu", "ha", "quo", "ly")
_COMMON = ("said", "police", "court", "jury", "money", "home", "family", "children", "trial", "evidence",
           "told", "today", "house", "film", "star", "hospital", "woman", "man", "attack", "later")


def _synthetic_article(k: int) -> str:
    """A small made-up article: nonsense words (distinct per article) mixed with common news words."""
    r = Random(1000 + k)

    def word() -> str:
        return "".join(r.choice(_SYLLABLES) for _ in range(r.randint(2, 3)))

    name = f"{word().capitalize()} {word().capitalize()}"
    paragraphs = []
    for _ in range(7):
        sentences = []
        for _ in range(2):
            words = [word() if r.random() < 0.6 else r.choice(_COMMON) for _ in range(r.randint(8, 12))]
            subject = name if r.random() < 0.4 else f"The {word()}"
            sentences.append(f"{subject} {r.choice(_COMMON)} {' '.join(words)}.")
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def source_dir(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("stress_source")
    shutil.copy(SEEDS / "000_dbd9cb72a0212c2f.txt", src)  # one real article (the other seeds report its story)
    for k in range(7):
        (src / f"synthetic_{k}.txt").write_text(_synthetic_article(k), encoding="utf-8")
    return src


GEN = {"seed": 11, "n_stories": 6, "min_words": 100, "min_single_words": 60, "variant_rate": 0.5,
       "boilerplate_rate": 0.5}


@pytest.fixture(scope="module")
def generated(source_dir, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("stress_out")
    return out, stress.generate(source_dir, out, **GEN)


def _snapshot(out: Path) -> dict[str, bytes]:
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    files.pop("manifest.json")  # holds the source path, which differs between the two runs' temp folders
    return files


def test_deterministic_for_a_seed(source_dir, generated, tmp_path):
    out, manifest = generated
    again = tmp_path / "again"
    stress.generate(source_dir, again, **GEN)
    assert _snapshot(again) == _snapshot(out)
    other = tmp_path / "other"
    stress.generate(source_dir, other, **dict(GEN, seed=12))
    assert _snapshot(other) != _snapshot(out)
    assert (manifest["bases"], manifest["independent"], manifest["refused_for_overlap"]) == (6, 2, 0)


def test_names_do_not_reveal_the_group(generated):
    out, _ = generated
    labels = stress_score.read_labels(out)
    names = sorted(p.name for p in (out / "articles").iterdir())
    assert all(re.fullmatch(r"[0-9a-f]{16}\.txt", n) for n in names)
    groups = {row["group"] for row in labels}
    assert not any(g in n for g in groups for n in names)
    # labels live outside the article folder, which holds nothing but the articles
    assert not (out / "articles" / "labels.jsonl").exists()
    # in name order the groups are interleaved, not laid out one after another
    group_of = {row["id"]: row["group"] for row in labels}
    seq = [group_of[n] for n in names]
    runs = 1 + sum(a != b for a, b in itertools.pairwise(seq))
    assert runs > len(groups) + 5


def test_labels_cover_every_file_exactly_once(generated):
    out, manifest = generated
    labels = stress_score.read_labels(out)
    ids = [row["id"] for row in labels]
    assert len(ids) == len(set(ids))
    assert set(ids) == {p.name for p in (out / "articles").iterdir()}
    assert len(ids) == manifest["files"]
    by_id = {row["id"]: row for row in labels}
    for row in labels:
        assert row["transform"] in ("base", "independent") + stress_transforms.TRANSFORMS
        if row["transform"] in stress_transforms.TRANSFORMS:  # a variant points at the base of its own group
            base = by_id[row["base"]]
            assert base["transform"] == "base" and base["group"] == row["group"]
        else:
            assert row["base"] is None
    for group in {row["group"] for row in labels if row["transform"] == "independent"}:
        assert sum(row["group"] == group for row in labels) == 1
    assert {t for row in labels for t in [row["transform"]]} >= {"base", "independent"}


def test_exact_copies_are_byte_identical_and_others_differ(generated):
    out, _ = generated
    labels = stress_score.read_labels(out)
    arts = out / "articles"
    for row in labels:
        if row["transform"] == "exact":
            assert (arts / row["id"]).read_bytes() == (arts / row["base"]).read_bytes()
        elif row["transform"] in stress_transforms.TRANSFORMS:
            assert (arts / row["id"]).read_bytes() != (arts / row["base"]).read_bytes()
    for row in labels:
        text = (arts / row["id"]).read_text(encoding="utf-8")
        for block in row["boilerplate"]:
            assert stress_words.BOILERPLATE[block][1] in text


def test_small_set_scores(generated):
    out, _ = generated
    figures = stress.score(out, Config(jobs=1), n_failures=5)
    assert -1.0 <= figures["ari"] <= 1.0
    assert 0.0 <= figures["pairwise"]["precision"] <= 1.0 and 0.0 <= figures["pairwise"]["recall"] <= 1.0
    rows = {r["transform"]: r for r in figures["by_transform"]}
    assert {"base", "independent", "with boilerplate"} <= set(rows)
    assert figures["files"] == len(stress_score.read_labels(out))
    json.dumps(figures)  # what --json writes


def test_adjusted_rand_index():
    assert stress_score.adjusted_rand_index(list("aabb"), list("xxyy")) == 1.0
    assert stress_score.adjusted_rand_index(list("aabb"), list("xxyz")) == pytest.approx(4 / 7)
    assert stress_score.adjusted_rand_index(list("aaabbc"), list("xxyyzz")) == pytest.approx(
        stress_score.adjusted_rand_index(list("xxyyzz"), list("aaabbc")))
    assert stress_score.adjusted_rand_index(list("aabbcc"), list("xyxyxy")) < 0.0  # worse than chance


def test_wire_markup_is_cleaned():
    wire = ("  ------------------------------------------------------------------------\n\n"
            "                16:54 01/03/00: Page 1 (ZSM) COURTS Burstein\n"
            "  ------------------------------------------------------------------------\n"
            "COMPOSER CHALLENGED OVER `DISAPPROVAL' AT CONCERT<\n"
            "\x19By Stephen Howard, PA News<\n"
            "\x19Composer Keith Burstein told the High Court today that he did ``voice\n"
            "disapproval'' at the end of a #5,000 performance _ he said.<\n"
            "\x19(reopens)<\n"
            "\x19The hearing continues.<\n"
            "\x19mfl\n")
    paras = stress_gen.clean_paragraphs(textsource.decode(wire.encode("cp1252")))
    first = ('Composer Keith Burstein told the High Court today that he did "voice disapproval" at the '
             "end of a \u00a35,000 performance - he said.")
    assert paras == [first, "The hearing continues."]


def test_transforms_do_what_they_say():
    rng = Random(3)
    paras = [f"Paragraph {i} said the police told the court about the money." for i in range(10)]
    for _ in range(20):
        kept, _ = stress_transforms.transform("trim_end", paras, rng)
        assert 2 <= len(kept) <= 9 and kept == paras[:len(kept)]
        kept, _ = stress_transforms.transform("trim_middle", paras, rng)
        assert kept[0] == paras[0] and kept[-1] == paras[-1] and len(kept) < len(paras)
    shuffled, _ = stress_transforms.transform("reorder", paras, rng)
    assert sorted(shuffled) == sorted(paras) and shuffled != paras
    extended, info = stress_transforms.transform("extend", paras, rng)
    assert len(extended) == 11 and extended[info["inserted_at"]] not in paras
    reworded, info = stress_transforms.transform("reword_light", paras, rng)
    assert 0.08 <= info["rate"] <= 0.16 and reworded != paras
    noisy, info = stress_transforms.transform("ocr_5", paras, rng)
    assert info["chars_hit"] > 0 and len(noisy) == len(paras)
