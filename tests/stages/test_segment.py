"""Segment stage: runs of scripts written without spaces as character pairs or as a segmenter's words."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.errors import PipelineError
from dedup.stages import segment
from dedup.stages.words import pairs_of_unspaced, words_of


def test_pairs_are_the_default_and_overlap() -> None:
    assert segment.pairs("河水泛滥") == ["河水", "水泛", "泛滥"] and segment.pairs("河") == ["河"]
    assert words_of("暴雨导致河水泛滥。") == words_of("暴雨导致河水泛滥。", "pairs") == [
        "暴雨", "雨导", "导致", "致河", "河水", "水泛", "泛滥"]


@pytest.mark.parametrize(("text", "want"), [
    ("暴雨导致河水泛滥，数千名居民被迫撤离家园。", ["暴雨", "导致", "河水", "泛滥", "数千名", "居民", "被迫", "撤离", "家园"]),
    ("大雨で川が氾濫し、数千人の住民が避難した。", ["大雨", "で", "川", "が", "氾濫", "し", "数千", "人", "の", "住民", "が",
                                         "避難", "し", "た"]),
    ("ฝนตกหนักทำให้แม่น้ำล้นตลิ่ง", ["ฝน", "ตกหนัก", "ทําให้", "แม่น้ํา", "ล้น", "ตลิ่ง"]),
])
def test_words_by_the_segmenter_of_each_script(text: str, want: list[str]) -> None:
    got = words_of(text, "words")
    assert got == want
    assert len(got) < len(words_of(text, "pairs"))  # fewer words than pairs: each says more


def test_thai_words_are_folded_as_every_word_is() -> None:
    """SARA AM folds (NFKC) into two characters; the segmenter reads it unfolded, and its words fold again."""
    got = words_of("แม่น้ำ", "words")
    assert got == ["แม่น้ํา"] and "\u0e33" not in "".join(got)


def test_a_script_without_a_segmenter_stays_pairs() -> None:
    lao = "ນ້ຳຖ້ວມ"  # Lao: no segmenter is packaged
    assert segment.words(lao, "words") == segment.pairs(lao)


def test_latin_around_a_run_stays_words() -> None:
    assert pairs_of_unspaced(["covid大流行"], "words") == ["covid", "大", "流行"]
    assert pairs_of_unspaced(["covid大流行"], "pairs") == ["covid", "大流", "流行"]


@settings(deadline=None, max_examples=60)
@given(st.text(alphabet="暴雨导致河水泛滥数千名居民被迫撤离家园大雨で川が氾濫し人の住民避難たฝนตกหนักทำให้แม่น้ำล้นตลิ่ง", min_size=1,
               max_size=40))
def test_segmentation_keeps_every_letter_and_is_deterministic(run: str) -> None:
    got = segment.words(run, "words")
    assert got == segment.words(run, "words")
    assert all(w and not w.isspace() for w in got)
    # the words are the run, cut (Thai's SARA AM as the run writes it)
    assert "".join(got).replace("\u0e4d\u0e32", "\u0e33") == run.replace("\u0e4d\u0e32", "\u0e33")


def test_check_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    segment.check("pairs")
    segment.check("words")  # the test extra installs the segmenters
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "rjieba" else real(name))
    segment.check("pairs")  # pairs need nothing
    with pytest.raises(PipelineError, match=r"--segment words needs rjieba .*pip install 'dedup\[segment\]'"):
        segment.check("words")
