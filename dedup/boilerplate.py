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
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

import xxhash

from dedup.types import NormalizedDoc, Sentence

SAMPLE = 8  # documents looked at per frequent sentence
UNRELATED = 0.15  # median Jaccard of the rest below which the documents are unrelated
MIN_TOKENS = 3


def fingerprint(sentence: Sentence) -> int:
    """A 64-bit fingerprint of the sentence's words (case, punctuation and layout aside)."""
    return xxhash.xxh3_64_intdigest(" ".join(sentence.words).encode())


def _prints(doc: NormalizedDoc) -> list[int]:
    return [fingerprint(s) for s in doc.sentences if len(set(s.tokens)) >= MIN_TOKENS]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def find_boilerplate(docs: Sequence[NormalizedDoc], min_docs: int) -> frozenset[int]:
    """Fingerprints of the boilerplate sentences among ``docs``."""
    prints = [_prints(d) for d in docs]
    holders: dict[int, list[int]] = defaultdict(list)
    for k, fps in enumerate(prints):
        for fp in set(fps):
            holders[fp].append(k)
    frequent = sorted(fp for fp, ks in holders.items() if len(ks) >= min_docs)
    out: set[int] = set()
    decided: dict[tuple[int, ...], bool] = {}
    for fp in frequent:
        ks = sorted(holders[fp], key=lambda k: docs[k].id)[:SAMPLE]
        key = tuple(ks)
        if key not in decided:
            decided[key] = _unrelated_holders(ks, docs, prints)
        if decided[key]:
            out.add(fp)
    return frozenset(out)


def _unrelated_holders(ks: list[int], docs: Sequence[NormalizedDoc], prints: list[list[int]]) -> bool:
    """Do these documents share only a small block, and nothing else?"""
    sets = [set(prints[k]) for k in ks]
    block = set.intersection(*sets)
    shares = [len(block) / max(len(prints[k]), 1) for k in ks]
    if statistics.median(shares) >= 0.5:
        return False
    rests = []
    for k in ks:
        toks: set[str] = set()
        for s in docs[k].sentences:
            if len(set(s.tokens)) >= MIN_TOKENS and fingerprint(s) not in block:
                toks.update(s.tokens)
        rests.append(toks)
    sims = [_jaccard(a, b) for a, b in combinations(rests, 2)]
    return statistics.median(sims) < UNRELATED
