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
from difflib import SequenceMatcher

from dedup.types import DiffItem, NormalizedDoc, Sentence, VariantDiff, WordOp
from dedup.verify import align
from dedup.weights import TermWeights

_TOKEN = re.compile(r"\S+")


def _match_same_words(variant: NormalizedDoc, canonical: NormalizedDoc, aligned_v: set[int],
                      aligned_c: set[int]) -> None:
    """Pair up sentences left unaligned (too short, or boilerplate) that have the same words."""
    free: dict[tuple[str, ...], list[int]] = {}
    for j, s in enumerate(canonical.sentences):
        if j not in aligned_c:
            free.setdefault(s.words, []).append(j)
    for i, s in enumerate(variant.sentences):
        slots = None if i in aligned_v else free.get(s.words)
        if slots:
            aligned_v.add(i)
            aligned_c.add(slots.pop(0))


def word_ops(old: Sentence, new: Sentence) -> tuple[WordOp, ...]:
    """Word-level diff from ``old`` to ``new``; words compared after folding."""
    a = _TOKEN.findall(old.text)
    b = _TOKEN.findall(new.text)
    key = str.casefold
    sm = SequenceMatcher(None, [key(w) for w in a], [key(w) for w in b], autojunk=False)
    ops: list[WordOp] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            ops.append(WordOp("equal", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            ops.append(WordOp("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(WordOp("insert", " ".join(b[j1:j2])))
    return tuple(ops)


def diff(variant: NormalizedDoc, canonical: NormalizedDoc, sentence_similarity: float,
         weights: TermWeights, pairs: list[tuple[int, int, float]] | None = None) -> VariantDiff:
    """The variant's own content against the canonical.

    ``pairs`` is the sentence alignment when the caller has it already (``verify.assess``).
    """
    if pairs is None:
        pairs = align(variant, canonical, sentence_similarity, weights)
    aligned_v = {i for i, _, _ in pairs}
    aligned_c = {j for _, j, _ in pairs}
    _match_same_words(variant, canonical, aligned_v, aligned_c)

    items: list[DiffItem] = []
    own_chars = 0
    for i, j, sim in pairs:
        v, c = variant.sentences[i], canonical.sentences[j]
        if v.words == c.words:
            continue
        ops = word_ops(c, v)
        own_chars += sum(len(o.text) for o in ops if o.op == "insert")
        items.append(DiffItem("changed", v.text, v.start, v.end, c.text, c.start, c.end, round(sim, 4), ops))
    for i, s in enumerate(variant.sentences):
        if i not in aligned_v:
            own_chars += len(s.text)
            items.append(DiffItem("added", s.text, s.start, s.end))
    for j, s in enumerate(canonical.sentences):
        if j not in aligned_c:
            items.append(DiffItem("removed", s.text, s.start, s.end))

    order = {"changed": 0, "added": 0, "removed": 1}
    items.sort(key=lambda it: (order[it.kind], it.start, it.kind))
    total_v = sum(len(s.text) for s in variant.sentences)
    total_c = sum(len(s.text) for s in canonical.sentences)
    kept_c = sum(len(canonical.sentences[j].text) for j in aligned_c)
    return VariantDiff(
        items=tuple(items),
        unique_share=round(own_chars / total_v, 4) if total_v else 0.0,
        kept_share=round(kept_c / total_c, 4) if total_c else 0.0,
    )
