"""Diff stage: what a variant has of its own, compared with the canonical.

Sentences are aligned as in the verify stage.  Then:

- ``added``: a variant sentence with no counterpart in the canonical;
- ``removed``: a canonical sentence the variant does not have;
- ``changed``: an aligned pair whose words differ, with a word-level diff
  (canonical -> variant).

Aligned sentences with the same words are shared content and not listed.
Every item quotes the original text with its character offsets.
"""

from __future__ import annotations

import re
from collections.abc import Hashable

import numpy as np

from dedup.kernels.align import matching_blocks
from dedup.stages.verify import align
from dedup.stages.weights import TermWeights
from dedup.types import DiffItem, NormalizedDoc, SentenceRef, VariantDiff, WordOp

_TOKEN = re.compile(r"\S+")


def _match_same_words(variant: list[SentenceRef], canonical: list[SentenceRef], aligned_v: set[int],
                      aligned_c: set[int]) -> None:
    """Pair up sentences left unaligned (too short, or boilerplate) that have the same words."""
    free: dict[Hashable, list[int]] = {}
    for j, s in enumerate(canonical):
        if j not in aligned_c:
            free.setdefault(s[3], []).append(j)
    for i, s in enumerate(variant):
        slots = None if i in aligned_v else free.get(s[3])
        if slots:
            aligned_v.add(i)
            aligned_c.add(slots.pop(0))


def word_ops(old: str, new: str) -> tuple[WordOp, ...]:
    """Word-level diff from the text ``old`` to ``new``; words compared after folding.

    The opcodes of ``difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)``, from
    a compiled copy of its matching-blocks recursion (``kernels.align.matching_blocks``, tested equal).
    """
    a = _TOKEN.findall(old)
    b = _TOKEN.findall(new)
    fa, fb = list(map(str.casefold, a)), list(map(str.casefold, b))
    ids = {w: n for n, w in enumerate(dict.fromkeys(fa + fb))}  # folded word -> a number, in order of first sight
    a_ids = np.fromiter(map(ids.__getitem__, fa), dtype=np.int64, count=len(fa))
    b_ids = np.fromiter(map(ids.__getitem__, fb), dtype=np.int64, count=len(fb))
    ops: list[WordOp] = []
    i = j = 0
    for ai, bj, size in matching_blocks(a_ids, b_ids).tolist():
        if ai > i:
            ops.append(WordOp("delete", " ".join(a[i:ai])))
        if bj > j:
            ops.append(WordOp("insert", " ".join(b[j:bj])))
        i, j = ai + size, bj + size
        if size:
            ops.append(WordOp("equal", " ".join(b[bj:j])))
    return tuple(ops)


def refs(doc: NormalizedDoc) -> list[SentenceRef]:
    """A normalized document's sentences as ``diff_refs`` takes them (keyed by their words)."""
    return [(s.text, s.start, s.end, s.words) for s in doc.sentences]


def diff(variant: NormalizedDoc, canonical: NormalizedDoc, sentence_similarity: float,
         weights: TermWeights, pairs: list[tuple[int, int, float]] | None = None) -> VariantDiff:
    """The variant's own content against the canonical.

    ``pairs`` is the sentence alignment when the caller has it already (``verify.assess``).
    """
    if pairs is None:
        pairs = align(variant, canonical, sentence_similarity, weights)
    return diff_refs(refs(variant), refs(canonical), pairs)


def diff_refs(variant: list[SentenceRef], canonical: list[SentenceRef],
              pairs: list[tuple[int, int, float]]) -> VariantDiff:
    """``diff`` over sentences given as (text, start, end, key), with their alignment.

    The pipeline passes the first pass's spans with word fingerprints as keys
    (``Corpus.sentence_refs``), so a document is not normalized again to be diffed.
    """
    aligned_v = {i for i, _, _ in pairs}
    aligned_c = {j for _, j, _ in pairs}
    _match_same_words(variant, canonical, aligned_v, aligned_c)

    items: list[DiffItem] = []
    own_chars = 0
    for i, j, sim in pairs:
        (v_text, v_start, v_end, v_key), (c_text, c_start, c_end, c_key) = variant[i], canonical[j]
        if v_key == c_key:
            continue
        ops = word_ops(c_text, v_text)
        own_chars += sum(len(o.text) for o in ops if o.op == "insert")
        items.append(DiffItem("changed", v_text, v_start, v_end, c_text, c_start, c_end, round(sim, 4), ops))
    for i, (text, start, end, _) in enumerate(variant):
        if i not in aligned_v:
            own_chars += len(text)
            items.append(DiffItem("added", text, start, end))
    for j, (text, start, end, _) in enumerate(canonical):
        if j not in aligned_c:
            items.append(DiffItem("removed", text, start, end))

    order = {"changed": 0, "added": 0, "removed": 1}
    items.sort(key=lambda it: (order[it.kind], it.start, it.kind))
    total_v = sum(len(s[0]) for s in variant)
    total_c = sum(len(s[0]) for s in canonical)
    kept_c = sum(len(canonical[j][0]) for j in aligned_c)
    return VariantDiff(
        items=tuple(items),
        unique_share=round(own_chars / total_v, 4) if total_v else 0.0,
        kept_share=round(kept_c / total_c, 4) if total_c else 0.0,
    )
