"""Normalize stage: dropped lines and their rules, sentence spans, words."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS_DIR, make_doc
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import Config
from dedup.stages.ingest import ingest
from dedup.stages.normalize import (
    _CONTROL,
    classify_line,
    content_stems,
    normalize,
    sentence_words,
    words_of,
)
from dedup.stages.shingle import hash_sentences, sketch
from dedup.types import DocSketch


def dropped_lines(text: str) -> list[tuple[str, str]]:
    nd = normalize(make_doc(text))
    return [(d.rule, text[d.start:d.end]) for d in nd.dropped]


def sentence_texts(text: str) -> list[str]:
    return [s.text for s in normalize(make_doc(text)).sentences]


# ---------------------------------------------------------------- dropped lines

@pytest.mark.parametrize(("line", "rule"), [
    ("-----", "rule_line"),
    ("=========", "rule_line"),
    ("16:54 01/03/00: Page 1 (ZSM) COURTS Burstein", "wire_header"),
    ("+ There are no comments", "comment_prompt"),
    ("Add yours", "comment_prompt"),
    ("READ MORE: Israel resumes attacks in N. Gaza despite calls for ceasefire", "read_more"),
    ("Israeli soldiers work by their tanks (Reuters)", "photo_credit"),
    ("By Emma Hibbs, PA News", "byline"),
    ("By Xinhua", "byline"),
])
def test_classify_line_names_the_rule(line: str, rule: str) -> None:
    assert classify_line(line) == rule
    # wire copy wraps the same lines in a control character and a '<' line end
    assert classify_line(f"\x19{line}<") == rule


@pytest.mark.parametrize("line", [
    "Netanyahu renewed a pledge to destroy the Palestinian jihadist movement.",
    "Blinken later met Palestinian president Mahmoud Abbas in Ramallah.",
    "Israel began its military offensive after militants from Hamas-ruled Gaza killed 1,200 people.",
    "By the time the talks ended, both sides had walked away from the table in Cairo.",
    "",
])
def test_article_lines_are_kept(line: str) -> None:
    assert classify_line(line) is None


def test_dropped_lines_are_recorded_with_offsets_and_rules() -> None:
    text = ("Netanyahu Vows Total Victory Over Hamas\n"
            "\n"
            "Israeli soldiers work by their tanks (Reuters)\n"
            "By Emma Hibbs, PA News\n"
            "\n"
            "Israeli prime minister Benjamin Netanyahu said on Wednesday total victory in Gaza was within reach.\n"
            "\n"
            "READ MORE: Israel resumes attacks in N. Gaza despite calls for ceasefire\n"
            "\n"
            "Hamas had proposed a Gaza ceasefire of four and a half months.\n"
            "-----\n"
            "+ There are no comments\n"
            "Add yours")
    assert dropped_lines(text) == [
        ("photo_credit", "Israeli soldiers work by their tanks (Reuters)"),
        ("byline", "By Emma Hibbs, PA News"),
        ("read_more", "READ MORE: Israel resumes attacks in N. Gaza despite calls for ceasefire"),
        ("rule_line", "-----"),
        ("comment_prompt", "+ There are no comments"),
        ("comment_prompt", "Add yours"),
    ]
    body = " ".join(sentence_texts(text))
    for gone in ("Reuters", "Emma Hibbs", "READ MORE", "-----", "comments", "Add yours"):
        assert gone not in body
    assert "total victory in Gaza was within reach." in body
    assert "four and a half months." in body


def test_pa_wire_copy() -> None:
    """PA wire copy: \\x19 opens each line, '<' ends it; header lines dropped, paragraphs kept apart."""
    text = ("\x19-----<\n"
            "\x1916:54 01/03/00: Page 1 (ZSM) COURTS Burstein<\n"
            "\x19By Emma Hibbs, PA News<\n"
            "\x19A millionaire businessman accused of fraud told a jury today he had done nothing wrong<\n"
            "\x19Jacob Burstein, 58, said the accounts were checked every year by the auditors.<\n"
            "\x19The trial at Southwark Crown Court continues<\n"
            "\x19-----<\n")
    nd = normalize(make_doc(text))
    assert [(d.rule, text[d.start:d.end]) for d in nd.dropped] == [
        ("rule_line", "\x19-----<"),
        ("wire_header", "\x1916:54 01/03/00: Page 1 (ZSM) COURTS Burstein<"),
        ("byline", "\x19By Emma Hibbs, PA News<"),
        ("rule_line", "\x19-----<"),
    ]
    # each wire paragraph is its own sentence, even without a full stop; no '<' or control chars kept
    assert [s.text for s in nd.sentences] == [
        "A millionaire businessman accused of fraud told a jury today he had done nothing wrong",
        "Jacob Burstein, 58, said the accounts were checked every year by the auditors.",
        "The trial at Southwark Crown Court continues",
    ]
    for s in nd.sentences:
        assert text[s.start:s.end] == s.text


def test_control_character_opens_a_paragraph() -> None:
    """Without the \\x19 markers two long unpunctuated lines are one paragraph; with them, two."""
    l1 = "A millionaire businessman accused of fraud told a jury today he had done nothing wrong"
    l2 = "Jacob Burstein, 58, said the accounts were checked every year by the auditors"
    assert sentence_texts(f"{l1}\n{l2}\n") == [f"{l1}\n{l2}"]
    assert sentence_texts(f"\x19{l1}\n\x19{l2}\n") == [l1, l2]


# ---------------------------------------------------------------- sentences

def test_sentences_are_spans_of_the_original_text(seed_docs, seed_norms) -> None:
    for key, doc in seed_docs.items():
        nd = seed_norms[key]
        assert nd.id == doc.id
        assert len(nd.sentences) >= 8
        prev_end = 0
        for s in nd.sentences:
            assert s.text == doc.text[s.start:s.end]
            assert s.text == s.text.strip() and s.text
            assert s.start >= prev_end  # in order, not overlapping
            prev_end = s.end
            assert s.words and s.tokens == content_stems(s.words)
        for d in nd.dropped:
            assert not any(s.start < d.end and d.start < s.end for s in nd.sentences)


def test_seed_boilerplate_is_dropped(seed_docs, seed_norms) -> None:
    rules = {k: [(d.rule, seed_docs[k].text[d.start:d.end]) for d in nd.dropped] for k, nd in seed_norms.items()}
    assert ("photo_credit", "Israeli soldiers work by their tanks (Reuters)") in rules["001"]
    assert ("comment_prompt", "+ There are no comments") in rules["002"]
    assert ("comment_prompt", "Add yours") in rules["002"]
    assert ("byline", "By Xinhua") in rules["003"]
    assert any(r == "read_more" and t.startswith("READ MORE: Israel resumes") for r, t in rules["003"])
    body_002 = " ".join(s.text for s in seed_norms["002"].sentences)
    assert "comments" not in body_002 and "Add yours" not in body_002


@pytest.mark.parametrize(("text", "expected"), [
    ("Mr. Smith went to the embassy on Monday. He said it was fine.",
     ["Mr. Smith went to the embassy on Monday.", "He said it was fine."]),
    ("He flew to the U.S. Embassy in London on Monday. He said it was fine.",
     ["He flew to the U.S. Embassy in London on Monday.", "He said it was fine."]),
    ("The talks involved Dr. Jones and Mrs. Brown of the U.N. Security Council. They ended late.",
     ["The talks involved Dr. Jones and Mrs. Brown of the U.N. Security Council.", "They ended late."]),
    ("The meeting began at 5 p.m. on Monday and ran late. Nobody left early.",
     ["The meeting began at 5 p.m. on Monday and ran late.", "Nobody left early."]),
    ("Envoy John F. Kennedy Jr. arrived. Talks began!  Would they last? Nobody knew.",
     ["Envoy John F. Kennedy Jr. arrived.", "Talks began!", "Would they last?", "Nobody knew."]),
])
def test_abbreviations_do_not_split_sentences(text: str, expected: list[str]) -> None:
    assert sentence_texts(text + "\n") == expected


def test_quoted_sentence_end_stays_with_its_sentence() -> None:
    text = "\u201cOnly total victory will allow us to restore security.\u201d He left the room.\n"
    assert sentence_texts(text) == ["\u201cOnly total victory will allow us to restore security.\u201d",
                                    "He left the room."]


# Short news sentences in other scripts, each with the end marks its writers use.
SCRIPTS = {
    "urdu": ("وزیر اعظم نے آج پارلیمنٹ سے خطاب کیا۔ انہوں نے کہا کہ معیشت بہتر ہو رہی ہے۔ "
             "کیا یہ سچ ہے؟ اپوزیشن نے اس دعوے کو مسترد کر دیا۔", 4),
    "arabic": ("أعلنت الحكومة اليوم عن خطة جديدة للنقل. وقال الوزير إن المشروع سيبدأ العام المقبل. "
               "هل ستنجح الخطة؟ يشكك الخبراء في ذلك.", 4),
    "hindi": ("प्रधानमंत्री ने आज संसद को संबोधित किया। उन्होंने कहा कि अर्थव्यवस्था में सुधार हो रहा है। "
              "विपक्ष ने इस दावे को खारिज कर दिया॥", 3),
    "chinese": ("政府今天宣布了一项新的交通计划。部长说，该项目将于明年开始。这个计划会成功吗？"
                "专家对此表示怀疑！", 4),
    "japanese": ("政府は今日、新しい交通計画を発表した。大臣は「事業は来年始まる。」と述べた。"
                 "計画は成功するだろうか？専門家は疑問を示している。", 4),
    "greek": ("Η κυβέρνηση ανακοίνωσε σήμερα ένα νέο σχέδιο για τις μεταφορές. Ο υπουργός είπε ότι το "
              "έργο θα ξεκινήσει τον επόμενο χρόνο. Θα πετύχει το σχέδιο\u037e Οι ειδικοί αμφιβάλλουν.", 4),
    "russian": ("Правительство сегодня объявило о новом транспортном плане. Министр сказал, что проект "
                "начнётся в следующем году. Эксперты сомневаются в успехе.", 3),
    "hebrew": ("הממשלה הודיעה היום על תוכנית תחבורה חדשה. השר אמר שהפרויקט יתחיל בשנה הבאה. "
               "המומחים מפקפקים בכך.", 3),
    "armenian": ("Կառավարությունն այսօր հայտարարեց նոր ծրագրի մասին։ Նախարարը ասաց, որ այն կսկսվի "
                 "հաջորդ տարի։", 2),
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_sentences_end_with_each_script_s_marks(script: str) -> None:
    text, expected = SCRIPTS[script]
    sentences = sentence_texts(text + "\n")
    assert len(sentences) == expected, sentences
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "")


def test_japanese_closing_bracket_stays_with_its_sentence() -> None:
    sentences = sentence_texts(SCRIPTS["japanese"][0] + "\n")
    assert sentences[1] == "大臣は「事業は来年始まる。」と述べた。"
    assert sentence_texts("「終わった。」 次の話。\n") == ["「終わった。」", "次の話。"]


@pytest.mark.parametrize(("text", "words"), [
    ("प्रधानमंत्री ने संसद को संबोधित किया", ["प्रधानमंत्री", "ने", "संसद", "को", "संबोधित", "किया"]),
    ("שָׁלוֹם עוֹלָם", ["שָׁלוֹם", "עוֹלָם"]),
    ("مُحَمَّد رسول", ["مُحَمَّد", "رسول"]),
])
def test_combining_marks_do_not_cut_words(text: str, words: list[str]) -> None:
    assert words_of(text) == words


@pytest.mark.parametrize(("text", "words"), [
    ("政府今天宣布", ["政府", "府今", "今天", "天宣", "宣布"]),
    ("iPhone的价格", ["iphone", "的价", "价格"]),
    ("ภาษาไทย ง่าย", ["ภา", "าษ", "ษา", "าไ", "ไท", "ทย", "ง่", "่า", "าย"]),
    ("東京へ行く", ["東京", "京へ", "へ行", "行く"]),
    ("⺟と子", ["母と", "と子"]),  # a CJK radical folds to its ideograph
    ("一", ["一"]),
])
def test_scripts_without_spaces_are_read_as_character_pairs(text: str, words: list[str]) -> None:
    assert words_of(text) == words
    assert sentence_words(text + "。\n")[1] == [words]


# ---------------------------------------------------------------- words

def test_numbers_lose_thousands_separators() -> None:
    assert words_of("at least 27,585 Palestinians") == ["at", "least", "27585", "palestinians"]
    assert words_of("killed 1,200 people and 3.5 percent") == ["killed", "1200", "people", "and", "3.5", "percent"]
    assert words_of("27,585") == words_of("27585")


def test_possessive_s_is_stripped() -> None:
    assert words_of("Netanyahu's remarks") == ["netanyahu", "remarks"]
    assert words_of("Netanyahu\u2019s remarks") == ["netanyahu", "remarks"]
    assert words_of("Gaza's Hamas-run health ministry") == ["gaza", "hamas", "run", "health", "ministry"]


def test_typographic_quotes_are_folded_in_words() -> None:
    curly = "\u201cThe day after is the day after Hamas,\u201d he said of Israel\u2019s plans; \u2018don\u2019t\u2019"
    straight = "\"The day after is the day after Hamas,\" he said of Israel's plans; 'don't'"
    assert words_of(curly) == words_of(straight)
    assert "dont" in words_of(curly) and "israel" in words_of(curly)
    assert words_of("WASHINGTON\u2014Talks") == words_of("washington-talks") == ["washington", "talks"]


def test_cp1252_file_quotes_fold_like_ascii(tmp_path: Path) -> None:
    body = ("\x93The day after is the day after Hamas,\x94 Netanyahu\x92s spokesman told reporters "
            "in Jerusalem on Wednesday, adding that 27,585 people had been counted.\n")
    (tmp_path / "cp.txt").write_bytes(body.encode("latin-1"))  # raw cp1252 bytes 0x92-0x94
    (tmp_path / "ascii.txt").write_text(
        "\"The day after is the day after Hamas,\" Netanyahu's spokesman told reporters "
        "in Jerusalem on Wednesday, adding that 27,585 people had been counted.\n", encoding="utf-8")
    docs, skipped = ingest(tmp_path, Config())
    assert not skipped
    by_id = {d.id: d for d in docs}
    assert by_id["cp.txt"].encoding == "cp1252"
    cp, ascii_ = normalize(by_id["cp.txt"]), normalize(by_id["ascii.txt"])
    assert cp.words == ascii_.words
    assert "netanyahu" in cp.words and "27585" in cp.words
    assert next(s.text for s in cp.sentences).startswith("\u201cThe day after")


def test_words_and_stems_of_a_sentence() -> None:
    nd = normalize(make_doc("The ministers were meeting in Cairo on Thursday.\n"))
    (s,) = nd.sentences
    assert s.words == ("the", "ministers", "were", "meeting", "in", "cairo", "on", "thursday")
    assert s.tokens == ("minist", "meet", "cairo", "thursday")
    assert nd.word_count == 8


def test_empty_and_boilerplate_only_documents_have_no_sentences() -> None:
    assert normalize(make_doc("")).sentences == ()
    nd = normalize(make_doc("-----\n+ There are no comments\nAdd yours\n"))
    assert nd.sentences == () and [d.rule for d in nd.dropped] == ["rule_line", "comment_prompt", "comment_prompt"]


# ---------------------------------------------------------------- the first pass's shortcuts

_PIECES = ["The", "mayor", "said", "it's", "Gaza's", "1,200", "3.5", "don’t", "“Quote”", "WASHINGTON—Talks",
           "Straße", "İstanbul", "ﬁnal", "Ⅻ", "café", "Mr.", "U.S.", "e.g.", "a", "of", "no", "rule", "--", "<",
           "\x0b", "\x1f", "!", "?", ".", ",", "'", "’", "(Reuters)", "By", "Jo", "Smith", "9:45", "x²"]


@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from([" ", " ", "\n", "\n\n", ". ", ".\n", "<\n"])),
                max_size=80))
@settings(max_examples=300, deadline=None)
def test_sentence_words_fast_paths_give_words_of_each_sentence(parts: list[tuple[str, str]]) -> None:
    """Lower-case ASCII and whole-text folding (when it keeps positions) give the words that
    ``words_of`` gives each sentence's own text, and the first pass's hashes equal ``sketch(normalize())``."""
    text = "".join(w + sep for w, sep in parts)
    spans, words, _ = sentence_words(text)
    for (s, e), ws in zip(spans, words, strict=True):
        assert ws == words_of(_CONTROL.sub(" ", text[s:e]).replace("<\n", "\n"))
    assert hash_sentences(words) == _as_first_pass(sketch(normalize(make_doc(text, "x"))))


def test_first_pass_hashes_equal_the_stages_on_the_seeds() -> None:
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert hash_sentences(sentence_words(text)[1]) == _as_first_pass(sketch(normalize(make_doc(text, "x"))))


def _as_first_pass(sk: DocSketch) -> tuple:
    """``shingle.sketch``'s figures in ``hash_sentences``'s shape."""
    return [s.tokens for s in sk.sentences], [s.fingerprint for s in sk.sentences], sk.word_count, sk.words_key
