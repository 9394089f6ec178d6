"""dedup.kernels.jaccard against its Python reference: set arithmetic over the same rows."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.kernels.jaccard import _jaccards, _rest

rows = st.lists(st.sets(st.integers(0, 40), max_size=12), min_size=0, max_size=7)


@settings(max_examples=200, deadline=None)
@given(rows)
def test_jaccards_are_set_jaccards_in_combinations_order(sets: list[set[int]]) -> None:
    flat = np.array([v for s in sets for v in sorted(s)], dtype=np.uint32)
    offsets = np.concatenate(([0], np.cumsum([len(s) for s in sets]))).astype(np.int64)
    expected = [len(a & b) / len(a | b) if a | b else 1.0 for a, b in combinations(sets, 2)]
    assert _jaccards(flat, offsets).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sets(st.integers(0, 30), max_size=8), st.integers(0, 5)), max_size=8),
       st.sets(st.integers(0, 5)), st.integers(0, 4))
def test_rest_is_the_stems_of_long_unshared_sentences(sentences: list[tuple[set[int], int]], shared: set[int],
                                                     min_tokens: int) -> None:
    flat = np.array([v for s, _ in sentences for v in sorted(s)], dtype=np.uint32)
    lengths = np.array([len(s) for s, _ in sentences], dtype=np.int64)
    prints = np.array([fp for _, fp in sentences], dtype=np.uint64)
    expected = sorted(set().union(*[s for s, fp in sentences if len(s) >= min_tokens and fp not in shared]))
    got = _rest(flat, lengths, prints, np.array(sorted(shared), dtype=np.uint64), min_tokens)
    assert got.tolist() == expected
