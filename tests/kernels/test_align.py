"""The compiled alignment (dedup.kernels.align) against a plain-Python statement of the same rule."""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.kernels.align import align_sentences, matching_blocks, sentence_mass
from dedup.stages.diff import word_ops

MIN_TOKENS = 3


def reference(sents_a, sents_b, weight, threshold):
    """One-to-one, best weighted Dice first, ties by (i, j); sentences under MIN_TOKENS stems left out."""
    def mass(s):
        m = 0.0
        for t in s:
            m += weight[t]
        return m

    scored = []
    for i, sa in enumerate(sents_a):
        if len(sa) < MIN_TOKENS:
            continue
        for j, sb in enumerate(sents_b):
            if len(sb) < MIN_TOKENS:
                continue
            shared = 0.0
            for t in sa:  # in hash order, as the kernel adds them
                if t in sb:
                    shared += weight[t]
            if shared == 0.0:
                continue
            sim = 2.0 * shared / (mass(sa) + mass(sb))
            if sim >= threshold:
                scored.append((-sim, i, j))
    scored.sort()
    used_a, used_b, out = set(), set(), []
    for neg, i, j in scored:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j, -neg))
    return sorted(out)


def arrays(sents, weight):
    tokens = np.array([t for s in sents for t in s], dtype=np.uint32)
    offsets = np.concatenate(([0], np.cumsum([len(s) for s in sents]))).astype(np.int64)
    w = np.array([weight[t] for s in sents for t in s], dtype=np.float64)
    sizes = np.array([len(s) for s in sents], dtype=np.int64)
    return tokens, offsets, w, sizes, sentence_mass(offsets, w, sizes)


sentence = st.sets(st.integers(0, 30), max_size=8).map(sorted)


@given(st.lists(sentence, max_size=8), st.lists(sentence, max_size=8),
       st.lists(st.sampled_from([0.5, 1.0, 1.7, 2.3]), min_size=31, max_size=31), st.sampled_from([0.1, 0.4, 0.7]))
@settings(max_examples=300, deadline=None)
def test_kernel_matches_the_plain_rule(sa, sb, weights, threshold) -> None:
    weight = dict(enumerate(weights))
    ta, oa, wa, za, ma = arrays(sa, weight)
    tb, ob, _, zb, mb = arrays(sb, weight)
    i, j, sim = align_sentences(ta, oa, wa, za, ma, tb, ob, zb, mb, threshold, MIN_TOKENS)
    got = list(zip(i.tolist(), j.tolist(), sim.tolist()))
    assert got == reference(sa, sb, weight, threshold)


def test_boilerplate_sentences_take_no_part() -> None:
    weight = dict.fromkeys(range(10), 1.0)
    sents = [[1, 2, 3, 4], [5, 6, 7, 8]]
    ta, oa, wa, za, ma = arrays(sents, weight)
    za = za.copy()
    za[0] = 0  # sentence 0 is boilerplate: size 0
    ma = sentence_mass(oa, wa, za)
    assert ma.tolist() == [0.0, 4.0]
    i, j, _ = align_sentences(ta, oa, wa, za, ma, ta, oa, za, ma, 0.4, MIN_TOKENS)
    assert list(zip(i.tolist(), j.tolist())) == [(1, 1)]


@given(st.lists(st.integers(0, 5), max_size=40), st.lists(st.integers(0, 5), max_size=40))
@settings(max_examples=500, deadline=None)
def test_matching_blocks_equal_difflib(a: list[int], b: list[int]) -> None:
    expected = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    got = matching_blocks(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert [tuple(x) for x in got.tolist()] == [tuple(m) for m in expected]


def test_word_ops_equal_difflib_on_reworded_sentences() -> None:
    old = "The Prime Minister said on Tuesday that the plan would cost 3 million pounds, and it would go ahead."
    new = "On Tuesday the prime minister said the plan, costing 3 million pounds, would go ahead as planned."
    a, b = old.split(), new.split()
    sm = SequenceMatcher(None, [w.casefold() for w in a], [w.casefold() for w in b], autojunk=False)
    expected = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            expected.append(("equal", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            expected.append(("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            expected.append(("insert", " ".join(b[j1:j2])))
    assert [(o.op, o.text) for o in word_ops(old, new)] == expected
    assert any(o.op == "equal" for o in word_ops(old, new)) and any(o.op == "insert" for o in word_ops(old, new))
