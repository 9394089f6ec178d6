"""Stem frequencies: per language as counted, and two parts added up give the whole's, exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.stages.frequencies import frequencies

docs = st.lists(st.tuples(st.sampled_from([None, "en", "de", "ur"]), st.lists(st.integers(0, 12), max_size=8)),
                max_size=25)


def of(part: list[tuple[str | None, list[int]]]):
    flat = np.array([s for _, stems in part for s in stems], dtype=np.uint32)
    offsets = np.concatenate(([0], np.cumsum([len(stems) for _, stems in part]))).astype(np.int64)
    return frequencies(flat, offsets, [lang for lang, _ in part])


def counted(part: list[tuple[str | None, list[int]]]) -> dict[str | None, dict[int, int]]:
    out: dict[str | None, dict[int, int]] = {}
    for lang, stems in part:
        for s in set(stems):
            out.setdefault(lang, {}).setdefault(s, 0)
            out[lang][s] += 1
    return out


@given(docs, st.data())
@settings(max_examples=100, deadline=None)
def test_parts_add_up_to_the_whole(whole: list, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(whole)))
    one, two = of(whole), of(whole[:cut]).plus(of(whole[cut:]))
    assert one.docs == two.docs == len(whole)
    assert np.array_equal(one.values, two.values) and np.array_equal(one.df, two.df)
    want = counted(whole)
    for f in (one, two):
        got = {lang: {int(v): int(d) for v, d in zip(vs, ds, strict=True) if d} for lang, (vs, ds, _) in f.languages.items()}
        assert {k: v for k, v in got.items() if v} == want
        sizes = {lang: n for lang, (_, _, n) in f.languages.items()}
        assert sizes == {lang: sum(1 for la, _ in whole if la == lang) for lang in sizes}
    reach = {int(v): sum(sum(1 for la, _ in whole if la == lang) for lang in want if int(v) in want[lang])
             for v in one.values}
    if len({lang for lang, _ in whole}) > 1:
        assert one.reach().tolist() == two.reach().tolist() == [reach[int(v)] for v in one.values]
    else:
        assert one.reach() is None and two.reach() is None
