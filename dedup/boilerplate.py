"""Corpus boilerplate: sentences that recur across otherwise unrelated documents.

A copyright footer, a subscription prompt or a "related stories" block can
stand in hundreds of articles that have nothing else in common; if such a
sentence counted as shared content, it would link them.  A sentence that
recurs because a story was reprinted is another matter: the documents that
hold it share the rest of the story too.

So a sentence is boilerplate when it stands in at least ``min_docs``
documents and, in a sample of those documents,

- the block of sentences they all share is a small part of each document
  (under half of its sentences, by median), and
- what is left of them once that block is taken out is unrelated (median
  pairwise Jaccard of their content stems below ``UNRELATED``).

Boilerplate sentences weigh nothing when sentences are aligned (see
``TermWeights.profile``), so they can neither make nor break a copy.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Protocol

import numpy as np

from dedup.shingle import fingerprint, sketch
from dedup.types import DocSketch, NormalizedDoc

SAMPLE = 8  # documents looked at per frequent sentence
UNRELATED = 0.15  # median Jaccard of the rest below which the documents are unrelated
MIN_TOKENS = 3


def _prints(doc: NormalizedDoc) -> list[int]:
    return [fingerprint(s) for s in doc.sentences if len(set(s.tokens)) >= MIN_TOKENS]


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


class Prints(Protocol):
    """Per document k (in id order), its distinct sentence fingerprints as a sorted uint64 array."""

    def __len__(self) -> int: ...
    def __getitem__(self, k: int) -> np.ndarray: ...


def find_boilerplate(docs: Sequence[NormalizedDoc], min_docs: int) -> frozenset[int]:
    """Fingerprints of the boilerplate sentences among ``docs`` (documents in memory)."""
    order = sorted(range(len(docs)), key=lambda k: docs[k].id)
    ranked = [docs[k] for k in order]
    prints = [_prints(d) for d in ranked]
    rows = [np.unique(np.array(p, dtype=np.uint64)) for p in prints]
    return frequent_prints(rows, [len(p) for p in prints], lambda k: sketch(ranked[k]), min_docs)


def frequent_prints(prints: Prints | Sequence[np.ndarray], n_prints: Sequence[int],
                    load: Callable[[int], DocSketch], min_docs: int) -> frozenset[int]:
    """Fingerprints of the boilerplate sentences, from every document's fingerprints.

    ``n_prints[k]`` counts document k's fingerprints with repeats; ``load(k)``
    gives document k (read again only for the few sampled holders of a
    frequent sentence).  Documents are indexed in id order.
    """
    n = len(prints)
    if n < min_docs:
        return frozenset()
    lengths = np.fromiter((len(prints[k]) for k in range(n)), dtype=np.int64, count=n)
    flat = getattr(prints, "flat", None)
    if flat is None:
        flat = np.concatenate([prints[k] for k in range(n)]) if n else np.zeros(0, np.uint64)
    values, counts = np.unique(flat, return_counts=True)
    frequent = values[counts >= min_docs]
    if len(frequent) == 0:
        return frozenset()
    hit = np.isin(flat, frequent)
    holders: dict[int, list[int]] = {}
    for fp, k in zip(flat[hit].tolist(), np.repeat(np.arange(n), lengths)[hit].tolist()):
        holders.setdefault(fp, []).append(k)  # k ascending: documents in id order
    out: set[int] = set()
    decided: dict[tuple[int, ...], bool] = {}
    loaded: dict[int, DocSketch] = {}

    def doc(k: int) -> DocSketch:
        if k not in loaded:
            loaded[k] = load(k)
        return loaded[k]

    for fp in sorted(holders):
        key = tuple(holders[fp][:SAMPLE])
        if key not in decided:
            decided[key] = _unrelated_holders(key, prints, n_prints, doc)
        if decided[key]:
            out.add(fp)
    return frozenset(out)


def _unrelated_holders(ks: Sequence[int], prints: Prints | Sequence[np.ndarray], n_prints: Sequence[int],
                       doc: Callable[[int], DocSketch]) -> bool:
    """Do these documents share only a small block, and nothing else?"""
    sets = [set(prints[k].tolist()) for k in ks]
    block = set.intersection(*sets)
    shares = [len(block) / max(n_prints[k], 1) for k in ks]
    if statistics.median(shares) >= 0.5:
        return False
    rests = []
    for k in ks:
        toks: set[str] = set()
        for s in doc(k).sentences:
            if len(s.tokens) >= MIN_TOKENS and s.fingerprint not in block:
                toks.update(s.tokens)
        rests.append(toks)
    sims = [_jaccard(a, b) for a, b in combinations(rests, 2)]
    return statistics.median(sims) < UNRELATED
