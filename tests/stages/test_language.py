"""The language stage: what language a document is given, detected or given, and what each language gets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import LANGUAGES, Config, ConfigError
from dedup.stages import shingle
from dedup.stages import sketch as sketch_stage
from dedup.stages.language import (
    ENGLISH,
    MIN_LETTERS,
    Language,
    body_prefix,
    choose,
    code_of,
    detect,
    main_script,
    scripts,
    treatment,
)
from dedup.stages.normalize import normalize, sentence_words, stem
from dedup.text.languages import SNOWBALL
from dedup.text.stopwords import STOPWORDS
from dedup.types import Document

LANGUAGES_JSON = json.loads((Path(__file__).resolve().parents[1] / "data" / "languages.json").read_text("utf-8"))
GERMAN = "\n\n".join(LANGUAGES_JSON["german"]["a"])
RUSSIAN = "\n\n".join(LANGUAGES_JSON["russian"]["a"])
URDU = "\n\n".join(LANGUAGES_JSON["urdu"]["a"])


def _spans(text: str) -> list[tuple[int, int]]:
    return sentence_words(text)[0]


def test_detected_from_the_body_with_its_treatment() -> None:
    assert choose(GERMAN, _spans(GERMAN), None, "auto") == Language("de", None)
    urdu = choose(URDU, _spans(URDU), None, "auto")
    assert urdu.code == "ur" and urdu.key is None and "no Snowball stemmer" in urdu.reason


def test_the_body_is_read_not_the_header_lines() -> None:
    text = "12:34 3/11/99: Page 1 (ZSM) COURTS\nBy Jo Smith, PA News\n" + GERMAN
    spans = _spans(text)
    assert not body_prefix(text, spans).startswith("12:34")
    assert choose(text, spans, None, "auto").code == "de"


def test_a_record_value_wins_over_the_option_and_is_read_leniently() -> None:
    spans = _spans(GERMAN)
    for value in ("ru", "RU", "ru-RU", "ru_RU", " Russian "):
        assert choose(GERMAN, spans, value, "de") == Language("ru", None), value
    assert choose(GERMAN, spans, "", "de") == Language("de", None)  # an empty field gives nothing
    assert choose(GERMAN, spans, None, "fr") == Language("fr", None)  # given: not detected
    odd = choose(GERMAN, spans, "klingon", "auto")
    assert odd.code is None and "'klingon'" in odd.reason


def test_none_gives_every_document_the_neutral_treatment() -> None:
    lang = choose(GERMAN, _spans(GERMAN), None, "none")
    assert lang.code is None and lang.key is None and lang.reason == "--language none"


def test_code_of() -> None:
    assert [code_of(v) for v in ("de", "DE", "de-AT", "German", "zh-Hans", "xx", 3, None)] == \
        ["de", "de", "de", "de", "zh", None, None, None]


def test_short_mixed_and_unsure_texts_get_no_language_with_the_reason() -> None:
    short = detect("Kurz und gut.")
    assert short.code is None and short.reason.startswith("too short to tell") and MIN_LETTERS > 10
    mixed = detect("The minister said today that " + "министр заявил сегодня, что переговоры " * 2)
    assert mixed.code is None and mixed.reason.startswith("mixed scripts: Cyrillic") and "Latin" in mixed.reason
    unsure = detect("xq zzv kkpt wqrr bbnf hhgt llkj zzxx qqwe rrtt yyuu")
    assert unsure.code is None and unsure.reason.startswith("unsure: best guess")


def test_japanese_writes_han_with_kana_and_is_not_mixed() -> None:
    text = "\n\n".join(LANGUAGES_JSON["japanese"]["a"])
    assert {name for name, _ in scripts(text)} >= {"Han", "Kana"}
    assert detect(body_prefix(text, _spans(text))).code == "ja"
    assert main_script(text) in ("Han", "Kana") and main_script("1234") == "none"


def test_english_keeps_its_list_and_stemmer() -> None:
    t = treatment("en")
    assert t.stopwords is STOPWORDS
    english = Stemmer.Stemmer("english")
    assert all(t.stem(w) == english.stemWord(w) for w in ("reporters", "flooded", "ministers", "said"))
    assert ENGLISH.key == "en"


@pytest.mark.parametrize("code", sorted(SNOWBALL))
def test_every_snowball_language_has_its_stemmer(code: str) -> None:
    assert SNOWBALL[code] in Stemmer.algorithms() and code in LANGUAGES
    t = treatment(code)
    assert t.stem is not None
    assert not any(ch.isdigit() for w in t.stopwords for ch in w)  # numbers are what copies share
    assert all(" " not in w and w == w.casefold() for w in t.stopwords)


def test_stopword_lists_are_folded_as_words_are() -> None:
    assert "dass" in treatment("de").stopwords  # stopwordsiso's "daß", casefolded as normalize folds words
    assert {"и", "в", "на", "не"} <= treatment("ru").stopwords
    assert treatment(None).stopwords == frozenset() and treatment(None).stem is None


def test_the_neutral_treatment_keeps_words_as_they_are() -> None:
    assert stem("کے", None) == "کے" and stem("häuser", None) == "häuser"
    assert stem("häuser", "de") == "haus" and stem("und", "de") is None


def test_normalize_takes_the_language_as_the_first_pass_does() -> None:
    doc = Document("d", RUSSIAN, "d", "utf-8", "txt")
    assert normalize(doc).language == "en"  # the reference's default: English, as before languages
    auto = normalize(doc, "auto")
    assert auto.language == "ru" and auto.language_reason is None
    assert normalize(Document("d", RUSSIAN, "d", "utf-8", "txt", language="de"), "auto").language == "de"
    sk = sketch_stage.sketch_text(RUSSIAN, "auto")
    assert [h for s in auto.sentences for h in sorted({shingle.token_hash(t) for t in s.tokens})] == sk.tokens.tolist()


def test_bad_language_values_say_how_to_fix_them() -> None:
    for bad in ("German", "EN", "xx", ""):
        with pytest.raises(ConfigError, match=r"use auto .*none .*language code"):
            Config(language=bad)
    assert Config(language="ur").language == "ur" and Config(language="none").language == "none"


def _clear_memos() -> None:
    sketch_stage._VOCABS.clear()
    shingle._STEM_HASHES.clear()


TEXTS = [("\n\n".join(v["a"]), lang) for lang, v in sorted(LANGUAGES_JSON.items())] + [
    ("\n\n".join(LANGUAGES_JSON["german"]["a"]), "as English"), ("\n\n".join(LANGUAGES_JSON["russian"]["a"]), "as none")]
GIVEN = {"as English": "en", "as none": "none"}


def _sketch(k: int) -> tuple[object, list[int]]:
    text, how = TEXTS[k]
    sk = sketch_stage.sketch_text(text, GIVEN.get(how, "auto"))
    return sk.language, sk.tokens.tolist()


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(len(TEXTS))))
def test_a_documents_result_does_not_depend_on_the_others_languages(order: list[int]) -> None:
    """The memos of stems are per language: a text read after others of any language, or after itself read
    in another language (German as English, Russian with the neutral treatment), gets what it gets alone."""
    alone = {}
    for k in range(len(TEXTS)):
        _clear_memos()
        alone[k] = _sketch(k)
    _clear_memos()
    together = {k: _sketch(k) for k in order}
    assert together == alone


def test_the_compiled_memo_is_kept_per_language() -> None:
    _clear_memos()
    de = sketch_stage.sketch_text(GERMAN, "de")
    en = sketch_stage.sketch_text(GERMAN, "en")
    assert set(sketch_stage._VOCABS) == {"de", "en"}
    assert not np.array_equal(de.tokens, en.tokens)
    assert np.array_equal(sketch_stage.sketch_text(GERMAN, "de").tokens, de.tokens)
