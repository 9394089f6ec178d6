"""Verify stage: sentence alignment, evidence and the accept/reject decision on real texts."""

from __future__ import annotations

import pytest
from conftest import make_doc, pair_evidence

from dedup.config import Config
from dedup.stages.normalize import content_stems, normalize
from dedup.stages.shingle import shingle_hashes
from dedup.stages.signatures import sign
from dedup.stages.verify import (
    MIN_TOKENS,
    align,
    coverage,
    decide,
    in_order_share,
    verify_pair,
)
from dedup.stages.weights import TermWeights

CONFIG = Config()


def weighted_dice(a: frozenset[str], b: frozenset[str], weights: TermWeights) -> float:
    return 2.0 * weights.total(a & b) / (weights.total(a) + weights.total(b))


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def seed_evidence(a: str, b: str, seed_norms, seed_weights, config: Config = CONFIG):
    return pair_evidence(seed_norms[a], seed_norms[b], config, seed_weights)


# ---------------------------------------------------------------- identical, trimmed, extended

def test_identical_texts(seed_docs, seed_norms) -> None:
    copy = normalize(make_doc(seed_docs["001"].text, "copy.txt"))
    ev = pair_evidence(seed_norms["001"], copy)
    assert ev.relation == "identical"
    assert ev.jaccard == 1.0 and ev.minhash_jaccard == 1.0 and ev.score == 1.0
    assert ev.coverage_a == ev.coverage_b == pytest.approx(1.0) and ev.order == 1.0
    assert ev.aligned_sentences == len([s for s in copy.sentences if len(set(s.tokens)) >= MIN_TOKENS])
    assert decide(ev, CONFIG) == (True, "identical text")


def test_identical_words_with_different_layout_is_identical(seed_docs, seed_norms) -> None:
    reflowed = seed_docs["000"].text.replace("\n\n", "\n\n\n").replace("\u201c", '"').replace("\u201d", '"')
    ev = pair_evidence(seed_norms["000"], normalize(make_doc(reflowed, "reflowed.txt")))
    assert ev.relation == "identical"
    assert decide(ev, CONFIG)[0]


def test_trimmed_copy_is_covered_from_the_short_side(seed_docs, seed_norms) -> None:
    paras = paragraphs(seed_docs["000"].text)
    half = normalize(make_doc("\n\n".join(paras[:len(paras) // 2]) + "\n", "half.txt"))
    ev = pair_evidence(half, seed_norms["000"])  # (short, long)
    assert ev.relation == "trimmed"
    assert ev.coverage_a == pytest.approx(1.0)
    assert ev.coverage_b < 0.6
    assert ev.containment_ab == 1.0 and ev.containment_ba < 0.7
    assert ev.jaccard < 0.6 and ev.order == 1.0
    assert ev.score == pytest.approx(1.0)
    ok, why = decide(ev, CONFIG)
    assert ok and "coverage 1.00" in why
    # the same pair from the long side: the long one extends the short one
    back = pair_evidence(seed_norms["000"], half)
    assert back.relation == "extended"
    assert (back.coverage_a, back.coverage_b) == (ev.coverage_b, ev.coverage_a)
    assert (back.containment_ab, back.containment_ba) == (ev.containment_ba, ev.containment_ab)
    assert back.jaccard == ev.jaccard and back.minhash_jaccard == ev.minhash_jaccard
    assert back.aligned_sentences == ev.aligned_sentences


def test_extended_copy(seed_docs, seed_norms) -> None:
    """000 with four unrelated paragraphs (from 004) appended: 000 is wholly covered."""
    tail = "\n\n".join(paragraphs(seed_docs["004"].text)[4:])
    extended = normalize(make_doc(seed_docs["000"].text.rstrip("\n") + "\n\n" + tail + "\n", "ext.txt"))
    ev = pair_evidence(extended, seed_norms["000"])  # (long, short)
    assert ev.relation == "extended"
    assert ev.coverage_b == pytest.approx(1.0) and ev.coverage_a < 0.8
    assert ev.containment_ba == 1.0
    assert decide(ev, CONFIG)[0]
    assert pair_evidence(seed_norms["000"], extended).relation == "trimmed"


# ---------------------------------------------------------------- the seeds

def test_reworded_copy_is_accepted(seed_norms, seed_weights) -> None:
    ev = seed_evidence("000", "002", seed_norms, seed_weights)
    assert ev.relation == "reworded"
    assert ev.aligned_sentences >= CONFIG.min_aligned
    assert ev.score >= CONFIG.min_coverage
    ok, why = decide(ev, CONFIG)
    assert ok and "sentences aligned" in why


@pytest.mark.parametrize(("a", "b"), [("000", "001"), ("001", "002")])
def test_other_wire_copies_are_accepted(a: str, b: str, seed_norms, seed_weights) -> None:
    assert decide(seed_evidence(a, b, seed_norms, seed_weights), CONFIG)[0]


@pytest.mark.parametrize(("a", "b"), [("000", "004"), ("003", "004"), ("000", "003"), ("002", "003")])
def test_independent_reports_are_rejected_with_a_reason(a: str, b: str, seed_norms, seed_weights) -> None:
    ev = seed_evidence(a, b, seed_norms, seed_weights)
    ok, why = decide(ev, CONFIG)
    assert not ok
    assert why and "\n" not in why
    assert "aligned sentence" in why or "below" in why
    assert ev.relation != "identical"
    assert max(ev.coverage_a, ev.coverage_b) < CONFIG.min_coverage


def test_verify_pair_builds_the_edge(seed_norms, seed_weights) -> None:
    a, b = seed_norms["000"], seed_norms["002"]
    ha, hb = shingle_hashes(a, 1), shingle_hashes(b, 1)
    sa, sb = sign([ha, hb], CONFIG.num_perm, CONFIG.seed)
    edge = verify_pair(a, b, ha, hb, sa, sb, CONFIG, seed_weights)
    assert (edge.a, edge.b) == (a.id, b.id)
    assert edge.accepted and edge.evidence == pair_evidence(a, b, CONFIG, seed_weights)
    c, d = seed_norms["003"], seed_norms["004"]
    hc, hd = shingle_hashes(c, 1), shingle_hashes(d, 1)
    sc, sd = sign([hc, hd], CONFIG.num_perm, CONFIG.seed)
    rejected = verify_pair(c, d, hc, hd, sc, sd, CONFIG, seed_weights)
    assert not rejected.accepted and rejected.reason == decide(rejected.evidence, CONFIG)[1]


def test_containment_screen_rejects_before_alignment(seed_norms, seed_weights) -> None:
    strict = Config(min_containment=0.95)
    ev = seed_evidence("000", "002", seed_norms, seed_weights, strict)
    assert ev.aligned_sentences == 0
    ok, why = decide(ev, strict)
    assert not ok and why.startswith("shingle containment") and "below 0.95" in why


def test_min_aligned_and_min_coverage_are_applied(seed_norms, seed_weights) -> None:
    n = seed_evidence("000", "002", seed_norms, seed_weights).aligned_sentences
    cfg = Config(min_aligned=n + 1)
    ok, why = decide(seed_evidence("000", "002", seed_norms, seed_weights, cfg), cfg)
    assert not ok and why == f"{n} aligned sentence(s), fewer than {n + 1}"
    cfg = Config(min_coverage=0.99)
    ok, why = decide(seed_evidence("000", "002", seed_norms, seed_weights, cfg), cfg)
    assert not ok and why.startswith("coverage ") and "below 0.99" in why


# ---------------------------------------------------------------- align, in_order_share, coverage

@pytest.mark.parametrize(("pairs", "share"), [
    ([], 0.0),
    ([(0, 0, 1.0)], 1.0),
    ([(0, 0, 1.0), (1, 1, 0.9), (2, 2, 0.8)], 1.0),
    ([(0, 2, 1.0), (1, 1, 1.0), (2, 0, 1.0)], 1 / 3),
    ([(0, 0, 1.0), (1, 2, 1.0), (2, 1, 1.0), (3, 3, 1.0)], 3 / 4),
    ([(0, 5, 1.0), (1, 6, 1.0), (2, 0, 1.0), (3, 1, 1.0), (4, 2, 1.0)], 3 / 5),
    ([(0, 3, 1.0), (1, 0, 1.0), (2, 1, 1.0), (3, 2, 1.0)], 3 / 4),
])
def test_in_order_share(pairs, share: float) -> None:
    assert in_order_share(pairs) == pytest.approx(share)


def test_reordered_paragraphs_lower_the_order_share(seed_docs, seed_norms) -> None:
    paras = paragraphs(seed_docs["000"].text)
    shuffled = normalize(make_doc("\n\n".join(paras[::-1]) + "\n", "rev.txt"))
    ev = pair_evidence(seed_norms["000"], shuffled)
    assert ev.coverage_a == pytest.approx(1.0) and ev.coverage_b == pytest.approx(1.0)
    assert ev.order < 0.3


def test_align_is_one_to_one(seed_norms, seed_weights) -> None:
    th = CONFIG.sentence_similarity
    for a, b in [("000", "001"), ("000", "002"), ("001", "002"), ("003", "004")]:
        pairs = align(seed_norms[a], seed_norms[b], th, seed_weights)
        assert [p[0] for p in pairs] == sorted({p[0] for p in pairs})
        assert len({p[1] for p in pairs}) == len(pairs)
        for i, j, sim in pairs:
            sa, sb = seed_norms[a].sentences[i], seed_norms[b].sentences[j]
            assert sim == pytest.approx(weighted_dice(frozenset(sa.tokens), frozenset(sb.tokens), seed_weights))
            assert sim >= th


def test_align_repeated_sentence_pairs_once() -> None:
    s = "Hamas proposed a ceasefire lasting four and a half months in Gaza."
    a = normalize(make_doc(f"{s} {s} The mediators met in Cairo on Thursday.\n", "a"))
    b = normalize(make_doc(f"{s} Blinken flew to Israel for talks with Netanyahu.\n", "b"))
    pairs = align(a, b, 0.5, TermWeights.from_docs([a, b]))
    assert pairs == [(0, 0, pytest.approx(1.0))]  # the first copy, by position; the second has no partner left


def test_align_takes_the_best_match_first() -> None:
    a = normalize(make_doc("Israel rejected the Hamas ceasefire offer in Gaza on Wednesday.\n", "a"))
    b = normalize(make_doc("Israel rejected the ceasefire offer on Wednesday. "
                           "Israel rejected the Hamas ceasefire offer in Gaza on Wednesday.\n", "b"))
    assert [(i, j) for i, j, _ in align(a, b, 0.5, TermWeights.from_docs([a, b]))] == [(0, 1)]


def test_short_sentences_do_not_align() -> None:
    a = normalize(make_doc("Hamas agreed. Talks resumed in Cairo on Thursday with mediators.\n", "a"))
    b = normalize(make_doc("Hamas agreed. Blinken flew to Israel for talks with Netanyahu.\n", "b"))
    # 'Hamas agreed.' is the same in both but has two content words: it takes no part
    assert [(i, j) for i, j, _ in align(a, b, 0.1, TermWeights.from_docs([a, b]))] == [(1, 1)]


def test_coverage_shares_add_up(seed_norms, seed_weights) -> None:
    nd = seed_norms["001"]
    # the sentences that can align (align() never pairs one with fewer than MIN_TOKENS content words)
    everything = {i for i, s in enumerate(nd.sentences) if len(set(s.tokens)) >= MIN_TOKENS}
    assert len(everything) < len(nd.sentences)  # 001 has short sentences, which carry no weight
    assert coverage(nd, everything, seed_weights) == pytest.approx(1.0)
    assert coverage(nd, set(), seed_weights) == 0.0
    half = set(sorted(everything)[:len(everything) // 2])
    assert 0.0 < coverage(nd, half, seed_weights) < 1.0
    assert coverage(nd, half, seed_weights) + coverage(nd, everything - half, seed_weights) == pytest.approx(1.0)


def test_term_weights_favour_rare_words(seed_norms) -> None:
    w = TermWeights.from_docs(seed_norms.values())
    hamas, netanyahu, zuhri, reshiq = content_stems(["hamas", "netanyahu", "zuhri", "reshiq"])
    assert w.n_docs == 5
    assert w(hamas) < w(zuhri)  # in every seed vs in two
    assert w(netanyahu) == pytest.approx(w(hamas))
    assert w("neverseenstem") == pytest.approx(w(reshiq))  # unknown stems weigh as if seen once
    assert TermWeights.from_docs(reversed(list(seed_norms.values())))(zuhri) == w(zuhri)


# ---------------------------------------------------------------- equivalent copies and versions

def test_a_re_post_is_equivalent_and_a_trimmed_copy_a_version(seed_docs, seed_norms) -> None:
    text = seed_docs["000"].text
    repost = normalize(make_doc("Hostage talks\n\n" + text.replace("Netanyahu", "Netanyahu,", 1), "repost.txt"))
    paras = paragraphs(text)
    half = normalize(make_doc("\n\n".join(paras[:len(paras) // 2]) + "\n", "half.txt"))
    same = pair_evidence(repost, seed_norms["000"])
    trimmed = pair_evidence(half, seed_norms["000"])
    assert same.relation in ("identical", "near_identical") and same.equivalent
    assert trimmed.relation == "trimmed" and not trimmed.equivalent


def test_equivalent_only_rejects_versions_and_says_why(seed_docs, seed_norms, seed_weights) -> None:
    only = Config(equivalent_only=True)
    paras = paragraphs(seed_docs["000"].text)
    half = normalize(make_doc("\n\n".join(paras[:len(paras) // 2]) + "\n", "half.txt"))
    ok, why = decide(pair_evidence(half, seed_norms["000"]), only)
    assert not ok and "a version (trimmed), not a content-equivalent copy" in why
    assert not decide(seed_evidence("000", "002", seed_norms, seed_weights, only), only)[0]
    copy = normalize(make_doc(seed_docs["001"].text, "copy.txt"))
    assert decide(pair_evidence(copy, seed_norms["001"], only), only)[0]
