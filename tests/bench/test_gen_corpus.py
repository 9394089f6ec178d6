"""bench/gen_corpus.py: deterministic, complete, labelled, with the requested share of planted variants.

Trained on the repository's seeds (tiny and always present), so the tests do
not depend on ../shared and stay fast.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="module")
def gen():
    if str(REPO / "bench") not in sys.path:  # gen_corpus.py imports its sibling modules (markov, gen_article, ...)
        sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("gen_corpus", REPO / "bench" / "gen_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = mod
    spec.loader.exec_module(mod)
    return mod


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _labels(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "labels.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def corpus(gen, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    gen.generate(2300, out, seed=3, dup_share=0.2, fmt="txt", source=SEEDS, jobs=1, quiet=True)
    return out


def test_writes_n_articles_in_folders_of_at_most_1000(corpus: Path) -> None:
    files = sorted((corpus / "articles").rglob("*.txt"))
    assert len(files) == 2300
    per_folder = Counter(f.parent.name for f in files)
    assert max(per_folder.values()) <= 1000 and len(per_folder) == 3
    sizes = [f.stat().st_size for f in files]
    assert 2000 < sum(sizes) / len(sizes) < 4200  # about 3,000 characters each


def test_labels_cover_every_file_exactly_once(corpus: Path) -> None:
    labels = _labels(corpus)
    ids = [r["id"] for r in labels]
    files = {f.relative_to(corpus / "articles").as_posix() for f in (corpus / "articles").rglob("*.txt")}
    assert len(ids) == len(set(ids)) == len(files)
    assert set(ids) == files


def test_planted_groups_have_the_requested_share(corpus: Path) -> None:
    labels = {r["id"]: r for r in _labels(corpus)}
    variants = [r for r in labels.values() if r["transform"] != "original"]
    assert len(variants) == round(2300 * 0.2)
    for r in labels.values():
        if r["transform"] == "original":
            assert r["group"] == r["id"] and r["base"] is None
        else:
            base = labels[r["base"]]
            assert base["transform"] == "original" and r["group"] == base["id"]
            assert r["id"].split("/")[0] == base["id"].split("/")[0]  # a group never spans blocks
    transforms = Counter(r["transform"] for r in variants)
    assert set(transforms) == {"exact", "trimmed", "extended", "reordered", "reworded", "ocr"}


def test_variants_are_what_their_label_says(corpus: Path) -> None:
    labels = _labels(corpus)
    text = {r["id"]: (corpus / "articles" / r["id"]).read_text() for r in labels}
    for r in labels:
        if r["transform"] == "original":
            continue
        v, b = text[r["id"]], text[r["base"]]
        vp, bp = v.strip().split("\n\n"), b.strip().split("\n\n")
        if r["transform"] == "exact":
            assert v == b
        elif r["transform"] == "reordered":
            assert sorted(vp) == sorted(bp) and vp != bp
        elif r["transform"] == "trimmed":
            assert len(v) < len(b) and b.startswith(vp[0])
        elif r["transform"] == "extended":
            assert len(vp) == len(bp) + 1 and all(p in vp for p in bp)
        else:  # reworded, ocr: same length class, different text
            assert v != b and 0.8 < len(v) / len(b) < 1.25


def test_same_seed_same_bytes_for_any_jobs_and_other_seed_differs(gen, corpus: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    gen.generate(2300, again, seed=3, dup_share=0.2, fmt="txt", source=SEEDS, jobs=2, quiet=True)
    a, b = _files(corpus), _files(again)
    a.pop("manifest.json"), b.pop("manifest.json")  # holds timings
    assert a == b
    other = tmp_path / "other"
    gen.generate(50, other, seed=4, dup_share=0.2, fmt="txt", source=SEEDS, jobs=1, quiet=True)
    assert (other / "articles/0000/00000000.txt").read_bytes() != a["articles/0000/00000000.txt"]


def test_jsonl_format_and_odd_share(gen, tmp_path: Path) -> None:
    out = tmp_path / "j"
    gen.generate(1234, out, seed=1, dup_share=0.33, fmt="jsonl", source=SEEDS, jobs=1, quiet=True)
    records = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    labels = _labels(out)
    assert len(records) == 1234 and [r["id"] for r in records] == [r["id"] for r in labels]
    assert sum(r["transform"] != "original" for r in labels) == round(1234 * 0.33)
    assert not (out / "articles").exists()


def test_refuses_to_overwrite_without_force(gen, tmp_path: Path) -> None:
    gen.generate(10, tmp_path, source=SEEDS, jobs=1, quiet=True)
    with pytest.raises(SystemExit):
        gen.generate(10, tmp_path, source=SEEDS, jobs=1, quiet=True)
    gen.generate(12, tmp_path, source=SEEDS, jobs=1, quiet=True, force=True)
    assert len(_labels(tmp_path)) == 12


def test_wire_markup_is_stripped(gen) -> None:
    import markov  # bench/markov.py, on sys.path once the gen fixture has loaded gen_corpus

    wire = ("  ------------------------------------------------------------------------\n"
            "                  16:54 01/03/00: Page 1 (ZSM) COURTS Burstein\n"
            "  ------------------------------------------------------------------------\n"
            "HEADLINE IN CAPITALS<\n"
            "\x19By Emma Hibbs, PA News<\n"
            "\x19The judge told the jury that the case was closed and they could go\n"
            "home now, he said.<\n")
    assert markov.clean_paragraphs(wire) == [("The judge told the jury that the case was closed and they could go "
                                              "home now, he said.")]
