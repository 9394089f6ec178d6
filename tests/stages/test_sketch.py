"""The compiled first pass (``stages.sketch`` over ``kernels.textscan``, ``kernels.linescan``, ``text.tables``)
against the Python stages it replaces,
and its vocabulary table."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest
from conftest import SEEDS_DIR, make_doc
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.kernels import linescan
from dedup.kernels.vocab import MISSING, Vocabulary
from dedup.stages import sketch as sketch_stage
from dedup.stages.normalize import _fold_chars, classify_line, normalize
from dedup.stages.shingle import sketch
from dedup.stages.sketch import TextSketch, sketch_text
from dedup.text import tables as scantables

# Words, punctuation and line shapes that exercise every rule: abbreviations and initials, quotes and
# closing brackets, numbers with separators, possessives, control characters and '<' line ends of wire
# copy, bullets, lines the paragraph rules drop, characters that casefold to two (Straße), that are not
# NFKC-normal (ﬁ, Ⅻ), beyond the BMP (𝔘), digits that are not decimal (²), combining marks.
_PIECES = ["The", "mayor", "said", "it's", "Gaza's", "1,200", "3.5", "1.", "don’t", "“Quote”", "WASHINGTON—Talks",
           "Straße", "İstanbul", "ﬁnal", "Ⅻ", "café", "cafe\u0301", "Mr.", "mr.", "U.S.", "e.g.", "J.", "a", "of",
           "no", "rule", "--", "<", "\x0b", "\x1f", "\x19", "\x01", "\x0c", "•", "*", "!", "?", ".", "...", ",",
           ";", "'", "’", "”", ")", "(Reuters)", "By", "Jo", "Smith", "9:45", "x²", "𝔘", "\u00a0", "\u2028", "\t",
           "Photo:", "Read more", "There are no comments", "12:30 1/2/2020: Page", "-----", "Share", "May 3, 2024",
           "_", "ÉCOLE", "Ωmega", "naïve", "…", "1…2", "‥", "\u3000", "¨", "¯", "e\u0340", "1，000", "Ａ", "！",
           "دیا۔", "ہے؟", "计划。部长", "吗？", "「来年。」と", "「来年。」", "｡", "σχέδιο\u037e", "մասին։",
           "ዜና።", "it's\u0301"]
# Words with combining marks (Devanagari, Thai, Hebrew points): covered when nothing in the text is
# unnormalized (see text.tables.expansions), so they are tried with the NFKC-normal pieces only.
_MARKED = ["प्रधानमंत्री", "किया।", "दिया॥", "ง่ายมาก", "שָׁלוֹם", "مُحَمَّد"]
_SEPARATORS = [" ", " ", " ", "\n", "\n\n", ". ", ".\n", "<\n", "\n\x19", "\n  ", " \n"]
# any one of these sends the text to the Python path
_UNCOVERED = {"𝔘", "cafe\u0301", "e\u0340", "¨", "¯", "it's\u0301"}
_COVERED = [p for p in _PIECES if p not in _UNCOVERED]
_NORMAL = [p for p in _COVERED if not scantables.expansions().unnormalized.search(p)] + _MARKED


def _python(text: str) -> TextSketch:
    return sketch_stage._python_sketch(text)


def _assert_equal(a: TextSketch, b: TextSketch) -> None:
    for field in ("spans", "tokens", "lengths", "prints"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert (a.word_count, a.key) == (b.word_count, b.key)
    assert np.array_equal(a.terms, b.terms) and np.array_equal(a.terms, np.unique(a.tokens))


@given(st.lists(st.tuples(st.sampled_from(_COVERED), st.sampled_from(_SEPARATORS)), max_size=120))
@settings(max_examples=600, deadline=None)
def test_compiled_pass_equals_the_python_stages(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + sep for w, sep in parts)
    assert _covered(text)
    _assert_equal(sketch_text(text), _python(text))


@given(st.lists(st.tuples(st.sampled_from(_NORMAL), st.sampled_from(_SEPARATORS)), max_size=120))
@settings(max_examples=300, deadline=None)
def test_compiled_pass_equals_the_python_stages_with_combining_marks(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + sep for w, sep in parts)
    assert _covered(text)
    _assert_equal(sketch_text(text), _python(text))


@given(st.lists(st.tuples(st.sampled_from(_PIECES + _MARKED), st.sampled_from(_SEPARATORS)), max_size=40))
@settings(max_examples=200, deadline=None)
def test_compiled_pass_or_its_fallback_equals_the_python_stages(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + sep for w, sep in parts)
    _assert_equal(sketch_text(text), _python(text))


def _covered(text: str) -> bool:
    """``sketch_text``'s own test: will the kernels take this text?"""
    folded, ex = _fold_chars(text), scantables.expansions()
    character_by_character = folded.isascii() or unicodedata.is_normalized("NFKC", folded) or (
        not ex.marks.search(folded) and unicodedata.is_normalized("NFKC", ex.unnormalized.sub(" ", folded)))
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return character_by_character and linescan._lines(cp, scantables.tables()[0], ex.length, *scantables.rule_prefixes())[0]


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(". \n<'’,"),
               max_size=300))
@settings(max_examples=400, deadline=None)
def test_compiled_pass_equals_the_python_stages_on_any_text(text: str) -> None:
    _assert_equal(sketch_text(text), _python(text))


def test_compiled_pass_equals_the_stages_on_the_seeds() -> None:
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        fast = sketch_text(text)
        sk = sketch(normalize(make_doc(text, "x")))
        assert [tuple(t) for t in np.split(fast.tokens, np.cumsum(fast.lengths)[:-1])] == \
            [s.tokens for s in sk.sentences]
        assert fast.prints.tolist() == [s.fingerprint for s in sk.sentences]
        assert (fast.word_count, fast.key) == (sk.word_count, sk.words_key)
        assert [tuple(x) for x in fast.spans.tolist()] == \
            [(s.start, s.end) for s in normalize(make_doc(text, "x")).sentences]


@pytest.mark.parametrize("text", [
    "The \U0001d518 sign. It stays.",  # beyond the BMP
    "Cafe\u0301 au lait. Next one.",  # a combining mark composes with the letter before it
    "The ﬁnal\u0301 word. Next one.",  # a combining mark after an expanded character
])
def test_texts_the_kernels_do_not_cover_take_the_python_path(text: str) -> None:
    assert not _covered(text)
    _assert_equal(sketch_text(text), _python(text))
    assert len(sketch_text(text).spans) == 2


@pytest.mark.parametrize("text", [
    "Straße und Weg. Der Mann sagte es.",  # "ß" casefolds to "ss"
    "A ﬁnal answer of 2½ years. Next one…",  # NFKC: "fi", "21⁄2", "..."
    "Ⅻ sold 1，000 units™. Then x² rose.",  # NFKC: "xii", "1,000" (one number), "tm", "x2"
])
def test_texts_folded_character_by_character_stay_on_the_compiled_path(text: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _python(text)
    monkeypatch.setattr(sketch_stage, "_python_sketch", lambda t: pytest.fail("took the Python path"))
    _assert_equal(sketch_text(text), expected)


def test_a_line_with_a_control_character_inside_is_classified_in_python() -> None:
    line = "By John\x01 Smith"
    assert classify_line(line) == "byline"
    text = f"{line}\nThe council met on Tuesday to agree the budget for the coming year.\n"
    fast = sketch_text(text)
    _assert_equal(fast, _python(text))
    assert fast.spans[0, 0] == len(line) + 1  # the byline is dropped


def _ruled(line: str) -> bool:
    """Does the compiled pass send this one line (no '\\n') to the line rules?"""
    flags, _, _ = scantables.tables()
    cp = np.frombuffer(line.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    covered, _, _, kinds = linescan._lines(cp, flags, scantables.expansions().length, *scantables.rule_prefixes())
    assert covered
    return bool(kinds[0] & linescan.RULED)


# Lines shaped like the rules' own (their first words, credits, datelines, '|' tails) and like article text.
_LINE_PIECES = ["The", "mayor", "said", "Photo", "photo:", "(Reuters)", "(AP)", "(photo by Jo)", ".", " .", "By",
                "by", "BY", "Jo", "Smith,", "PA", "News", "May", "3,", "2024", "12:30", "|", "Updated", "posted:",
                "Share", "this", "tweet", "Read", "more", "See", "also", "Related", "stories", "There", "are", "no",
                "comments", "Add", "yours", "Leave", "a", "reply", "Be", "first", "Show", "Post", "comment",
                "Image", "Picture", "Credit:", "File", "Email", "Print", "article", "(", ")", "ſhare", "\u212a",
                "Ça", "2", "1/2/2020:", "Page", "---", "+", "\u00a0", "\t", "Getty", "Images", "EPA"]


@given(st.lists(st.sampled_from(_LINE_PIECES), min_size=1, max_size=12), st.sampled_from(["", " ", "<"]))
@settings(max_examples=1500, deadline=None)
def test_lines_left_out_of_the_rules_match_none(words: list[str], end: str) -> None:
    line = " ".join(words) + end
    if classify_line(line) is not None:
        assert _ruled(line), line


@pytest.mark.parametrize("line", [
    "Israeli soldiers work by their tanks (Reuters).", "Published: March 3, 2024 | 10:15", "March 3, 2024",
    "Related articles", "SHARE", "Email this", "There are no comments", "Photo: Jo Smith", "By Emma Hibbs, PA News"])
def test_lines_a_rule_drops_go_to_the_rules(line: str) -> None:
    assert classify_line(line) is not None and _ruled(line)


def test_article_lines_skip_the_rules() -> None:
    assert not _ruled("The council met on Tuesday to agree the budget for the coming year.")
    assert not _ruled("Netanyahu renewed a pledge to destroy the movement")


def test_tables_answer_as_python() -> None:
    flags, _, _ = scantables.tables()
    ex = scantables.expansions()
    for ch in ["a", "Z", "é", "5", "٣", "²", " ", "\u00a0", "\u2028", "_", "’", "ß", "İ", "\x01", "\t"]:
        c = ord(ch)
        assert bool(flags[c] & scantables.SPACE) == ch.isspace()
        assert bool(flags[c] & scantables.ALNUM) == ch.isalnum()
        assert bool(flags[c] & scantables.DEC) == ch.isdecimal()
        assert bool(flags[c] & scantables.DIGIT) == ch.isdigit()
        assert bool(flags[c] & scantables.LOWER) == ch.islower()
    def form(ch: str) -> str:
        return "".join(map(chr, ex.codes[ord(ch), :ex.length[ord(ch)]]))

    assert form("’") == "'" and form("É") == "é" and form("ß") == "ss"


# ---------------------------------------------------------------- the vocabulary table

def test_vocabulary_finds_what_was_inserted_and_reports_misses() -> None:
    v = Vocabulary()
    keys = np.array([5, 9, 1 << 63, 17], dtype=np.uint64)
    v.insert(keys[:3], np.array([50, -1, 7], dtype=np.int64))
    values, missing = v.lookup(keys)
    assert values.tolist() == [50, -1, 7, MISSING] and missing == 1
    v.insert(keys[:1], np.array([99], dtype=np.int64))  # already there: kept as it was
    assert v.lookup(keys[:1])[0].tolist() == [50] and len(v) == 3


def test_vocabulary_grows_and_keeps_every_entry() -> None:
    v = Vocabulary()
    rng = np.random.default_rng(3)
    keys = np.unique(rng.integers(1, 2**63, size=200_000, dtype=np.uint64))
    for part in np.array_split(keys, 7):
        v.insert(part, (part % 1000).astype(np.int64))
    values, missing = v.lookup(keys)
    assert missing == 0 and np.array_equal(values, (keys % 1000).astype(np.int64))
    assert len(v.keys) >= 2 * len(keys)  # load kept under one half


def test_vocabulary_empties_itself_at_its_limit() -> None:
    v = Vocabulary(limit=100)
    v.insert(np.arange(1, 81, dtype=np.uint64), np.zeros(80, dtype=np.int64))
    v.insert(np.arange(81, 121, dtype=np.uint64), np.ones(40, dtype=np.int64))
    assert len(v) == 40
    assert v.lookup(np.array([1, 100], dtype=np.uint64))[0].tolist() == [MISSING, 1]


_UNNORMALIZED = sorted(set(scantables.expansions().unnormalized.pattern[1:-1]) - {"\\"})


@given(st.lists(st.tuples(st.sampled_from(_COVERED) | st.sampled_from(_UNNORMALIZED),
                          st.sampled_from(_SEPARATORS + _UNNORMALIZED)), max_size=60))
@settings(max_examples=500, deadline=None)
def test_every_expanded_character_gives_the_words_folding_gives(parts: list[tuple[str, str]]) -> None:
    """Each of the 2,600 characters ``scantables.expansions`` folds by itself, among words and numbers."""
    text = "".join(w + sep for w, sep in parts)
    _assert_equal(sketch_text(text), _python(text))


def test_an_ellipsis_keeps_a_text_on_the_compiled_path(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "The mayor said… nothing. Then 1…2 votes were counted\u3000again."
    expected = _python(text)
    monkeypatch.setattr(sketch_stage, "_python_sketch", lambda t: pytest.fail("took the Python path"))
    _assert_equal(sketch_text(text), expected)
    assert expected.word_count == 11  # "1…2" is two numbers, as folding to "1...2" makes it
