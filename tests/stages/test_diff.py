"""Diff stage: a variant's own content against the canonical, on hand-made and seed texts."""

from __future__ import annotations

import pytest
from conftest import make_doc

from dedup.config import Config
from dedup.stages.diff import diff, word_ops
from dedup.stages.normalize import normalize
from dedup.stages.weights import TermWeights

CONFIG = Config()

CANONICAL = [
    "Israeli Prime Minister Benjamin Netanyahu rejected the latest ceasefire offer from Hamas on Wednesday.",
    "He told a press conference in Jerusalem that total victory in Gaza was within reach.",
    "A senior Hamas official, Sami Abu Zuhri, described the remarks as political bravado.",
    "Hamas had proposed a Gaza ceasefire of four and a half months, during which all hostages would go free.",
    "US secretary of state Antony Blinken discussed the offer with Netanyahu after arriving in Israel.",
    "Mediators from Qatar and Egypt are expected to continue the talks in Cairo on Thursday.",
]
REMOVED = CANONICAL[2]
OLD = CANONICAL[3]
NEW = "Hamas had proposed a Gaza truce of four and a half months, during which all hostages would be freed."
ADDED = "The health ministry in Gaza says 27,585 Palestinians have been killed since October."


def variant_sentences() -> list[str]:
    v = list(CANONICAL)
    v[3] = NEW
    del v[2]
    v.insert(4, ADDED)
    return v


def run_diff(variant_text: str, canonical_text: str):
    v = normalize(make_doc(variant_text, "variant.txt"))
    c = normalize(make_doc(canonical_text, "canonical.txt"))
    return diff(v, c, CONFIG.sentence_similarity, TermWeights.from_docs([v, c]))


def test_added_removed_changed_items() -> None:
    ctext = "\n\n".join(CANONICAL) + "\n"
    vtext = "\n\n".join(variant_sentences()) + "\n"
    d = run_diff(vtext, ctext)
    assert sorted(it.kind for it in d.items) == ["added", "changed", "removed"]  # exactly the three edits
    by_kind = {}
    for it in d.items:
        by_kind.setdefault(it.kind, []).append(it)
    assert [it.text for it in by_kind["added"]] == [ADDED]
    (removed,) = by_kind["removed"]
    (changed,) = by_kind["changed"]
    assert removed.text == REMOVED
    assert changed.text == NEW and changed.canonical_text == OLD
    # offsets quote the original texts
    for it in by_kind["added"] + [changed]:
        assert vtext[it.start:it.end] == it.text
    assert ctext[removed.start:removed.end] == removed.text
    assert ctext[changed.canonical_start:changed.canonical_end] == OLD
    assert CONFIG.sentence_similarity <= changed.similarity < 1.0
    assert removed.canonical_text is None and removed.words == () and by_kind["added"][0].words == ()
    # the word ops turn the canonical sentence into the variant's
    ops = changed.words
    assert " ".join(o.text for o in ops if o.op != "insert") == OLD
    assert " ".join(o.text for o in ops if o.op != "delete") == NEW
    assert ("delete", "ceasefire") in [(o.op, o.text) for o in ops]
    assert ("insert", "truce") in [(o.op, o.text) for o in ops]
    assert {o.op for o in ops} == {"equal", "delete", "insert"}
    # variant items first (in variant order), then removed ones
    assert [it.kind for it in d.items] == ["changed", "added", "removed"]
    starts = [it.start for it in d.items if it.kind != "removed"]
    assert starts == sorted(starts)
    assert 0.0 < d.unique_share < 0.5
    assert 0.5 < d.kept_share < 1.0
    removed_share = len(REMOVED) / sum(len(s) for s in CANONICAL)
    assert d.kept_share == pytest.approx(1.0 - removed_share, abs=1e-4)


def test_headline_is_own_content_with_shifted_offsets() -> None:
    ctext = "\n\n".join(CANONICAL) + "\n"
    vtext = "Breaking News\n\n" + "\n\n".join(CANONICAL) + "\n"
    d = run_diff(vtext, ctext)
    assert [(it.kind, it.text, it.start, it.end) for it in d.items] == [("added", "Breaking News", 0, 13)]
    assert d.kept_share == 1.0
    assert d.unique_share == pytest.approx(13 / (13 + sum(len(s) for s in CANONICAL)), abs=1e-4)


def test_identical_copy_has_no_items() -> None:
    text = "\n\n".join(CANONICAL) + "\n"
    d = run_diff("  " + text.replace("\n\n", "\n\n\n"), text)
    assert d.items == ()
    assert d.unique_share == 0.0 and d.kept_share == 1.0


def test_shares_of_unrelated_texts() -> None:
    a = "\n\n".join(CANONICAL[:3]) + "\n"
    b = ("The council voted on Tuesday to close the old library on Main Street. Residents said they were "
         "disappointed by the decision and would appeal it to the county board.\n")
    d = run_diff(b, a)
    assert d.unique_share == 1.0 and d.kept_share == 0.0
    assert {it.kind for it in d.items} == {"added", "removed"}


def test_word_ops() -> None:
    old, new = (normalize(make_doc(t)).sentences[0].text for t in (OLD, NEW))
    ops = word_ops(old, new)
    assert [(o.op, o.text) for o in ops] == [
        ("equal", "Hamas had proposed a Gaza"),
        ("delete", "ceasefire"), ("insert", "truce"),
        ("equal", "of four and a half months, during which all hostages would"),
        ("delete", "go free."), ("insert", "be freed."),
    ]
    assert [o.op for o in word_ops("Hamas had proposed a truce.", "HAMAS had proposed a truce.")] == ["equal"]


# ---------------------------------------------------------------- the seed run

def seed_member_diffs(seed_run):
    (cluster,) = seed_run.clusters
    return cluster, {m.id[:3]: m for m in cluster.members}


def test_seed_cluster_is_the_wire_story(seed_run) -> None:
    assert len(seed_run.clusters) == 1
    cluster, members = seed_member_diffs(seed_run)
    assert set(members) == {"000", "001", "002"}
    assert members[cluster.canonical[:3]].canonical
    assert cluster.members[0].id == cluster.canonical
    assert [m.id for m in cluster.members[1:]] == sorted(m.id for m in cluster.members[1:])
    for m in cluster.members[1:]:
        assert not m.canonical and m.diff is not None and m.evidence is not None
        assert 0.0 <= m.diff.unique_share <= 1.0 and 0.0 <= m.diff.kept_share <= 1.0


def test_seed_diffs_quote_the_original_texts(seed_run, seed_docs) -> None:
    cluster, members = seed_member_diffs(seed_run)
    canon = seed_docs[cluster.canonical[:3]]
    for key, m in members.items():
        if m.canonical:
            continue
        var = seed_docs[key]
        for it in m.diff.items:
            src = canon if it.kind == "removed" else var
            assert src.text[it.start:it.end] == it.text
            if it.kind == "changed":
                assert canon.text[it.canonical_start:it.canonical_end] == it.canonical_text


def own_content(seed_run, key: str) -> list[str]:
    """Sentences only document ``key`` has, relative to the canonical, wherever the diff lists them."""
    _cluster, members = seed_member_diffs(seed_run)
    if members[key].canonical:
        # the canonical's own content shows as 'removed' in every variant's diff
        per_variant = [{it.text for it in m.diff.items if it.kind == "removed"}
                       for m in members.values() if not m.canonical]
        return sorted(set.intersection(*per_variant))
    return [it.text for it in members[key].diff.items if it.kind in ("added", "changed")]


def test_000_names_its_own_officials(seed_run) -> None:
    cluster, members = seed_member_diffs(seed_run)
    own = own_content(seed_run, "000")
    assert any("Sami Abu Zuhri" in t for t in own)
    assert any("Osama Hamdan" in t for t in own)
    if cluster.canonical[:3] == "000":
        for key in ("001", "002"):
            removed = [it.text for it in members[key].diff.items if it.kind == "removed"]
            assert any("Sami Abu Zuhri" in t for t in removed)
            assert any("Osama Hamdan" in t for t in removed)
    else:
        added = [it.text for it in members["000"].diff.items if it.kind == "added"]
        assert any("Sami Abu Zuhri" in t for t in added) and any("Osama Hamdan" in t for t in added)


def test_001_casualty_sentence_is_its_own(seed_run) -> None:
    _cluster, members = seed_member_diffs(seed_run)
    own = own_content(seed_run, "001")
    assert any("27,585" in t for t in own)
    # and nowhere is it shared content of another member
    for key, m in members.items():
        if key != "001" and not m.canonical:
            assert not any("27,585" in it.text for it in m.diff.items if it.kind != "removed")


def test_no_boilerplate_in_any_diff(seed_run) -> None:
    for cluster in seed_run.clusters:
        for m in cluster.members:
            for it in (m.diff.items if m.diff else ()):
                for junk in ("There are no comments", "Add yours", "READ MORE",
                             "Israeli soldiers work by their tanks"):
                    assert junk not in it.text
                    assert junk not in (it.canonical_text or "")
