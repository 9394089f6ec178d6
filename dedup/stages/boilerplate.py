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
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from dedup.kernels.counting import value_counts
from dedup.kernels.jaccard import _jaccards, _rest
from dedup.runtime.pool import parallel_map
from dedup.stages.shingle import fingerprint, sentence_arrays, sketch
from dedup.types import DocSketch, NormalizedDoc

SAMPLE = 8  # documents looked at per frequent sentence
UNRELATED = 0.15  # median Jaccard of the rest below which the documents are unrelated
MIN_TOKENS = 3


def _prints(doc: NormalizedDoc) -> list[int]:
    return [fingerprint(s) for s in doc.sentences if len(set(s.tokens)) >= MIN_TOKENS]


Sentences = tuple[np.ndarray, np.ndarray, np.ndarray]  # a document's stem hashes, per-sentence counts, fingerprints


def _sentences(sk: DocSketch) -> Sentences:
    return sentence_arrays([s.tokens for s in sk.sentences], [s.fingerprint for s in sk.sentences])


class Prints(Protocol):
    """Per document k (in id order), its distinct sentence fingerprints as a sorted uint64 array."""

    def __len__(self) -> int: ...
    def __getitem__(self, k: int) -> np.ndarray: ...


@dataclass
class Verdicts:
    """Decisions on samples of holders kept between runs over a growing corpus (an index's), by the
    samples' document ids: a sample's decision depends only on those documents' arrays, so it holds
    while they are unchanged (the caller leaves out samples with a document changed or removed).

    ``frequent_prints`` reads ``known`` and puts every sample it decided on, or found known, in
    ``used``: what to keep for the next run."""

    ids: Sequence[str]  # document k's id (documents in id order)
    known: dict[tuple[str, ...], bool]
    used: dict[tuple[str, ...], bool] = field(default_factory=dict)


def find_boilerplate(docs: Sequence[NormalizedDoc], min_docs: int) -> frozenset[int]:
    """Fingerprints of the boilerplate sentences among ``docs`` (documents in memory)."""
    order = sorted(range(len(docs)), key=lambda k: docs[k].id)
    ranked = [docs[k] for k in order]
    prints = [_prints(d) for d in ranked]
    rows = [np.unique(np.array(p, dtype=np.uint64)) for p in prints]
    return frequent_prints(rows, [len(p) for p in prints], lambda k: _sentences(sketch(ranked[k])), min_docs)


def frequent_prints(prints: Prints | Sequence[np.ndarray], n_prints: Sequence[int],
                    load: Callable[[int], Sentences], min_docs: int, workers: int = 1,
                    verdicts: Verdicts | None = None) -> frozenset[int]:
    """Fingerprints of the boilerplate sentences, from every document's fingerprints.

    ``n_prints[k]`` counts document k's fingerprints with repeats; ``load(k)``
    gives document k's sentences as arrays (its stem hashes, sentence by
    sentence; the count of each sentence's; each sentence's fingerprint),
    asked for only for the few sampled holders of a frequent sentence.
    Documents are indexed in id order.  With ``workers`` > 1 the samples of holders are
    judged in forked worker processes (``runtime.pool.parallel_map``) when there are enough.
    ``verdicts``: samples decided in an earlier run, not judged again.
    """
    n = len(prints)
    if n < min_docs:
        return frozenset()
    flat, offsets = getattr(prints, "flat", None), getattr(prints, "offsets", None)  # a store.CSR
    if flat is None or offsets is None:
        offsets = np.concatenate(([0], np.cumsum([len(prints[k]) for k in range(n)], dtype=np.int64)))
        flat = np.concatenate([prints[k] for k in range(n)]) if n else np.zeros(0, np.uint64)
    values, counts = value_counts(flat)
    frequent = values[counts >= min_docs]
    if len(frequent) == 0:
        return frozenset()
    at = _positions(flat, frequent)
    fps, rows = _samples(flat[at], np.searchsorted(offsets[1:], at, side="right"))
    # sentences held by the same documents are decided once
    distinct, which = np.unique(rows, axis=0, return_inverse=True)
    keys = [tuple(k for k in row if k >= 0) for row in distinct.tolist()]
    named = {key: tuple(verdicts.ids[k] for k in key) for key in keys} if verdicts is not None else {}
    unrelated = {key: verdicts.known[named[key]] for key in keys if named.get(key) in verdicts.known} \
        if verdicts is not None else {}
    todo = [key for key in keys if key not in unrelated]
    unrelated |= dict(zip(todo, parallel_map(_decide, todo, (prints, n_prints, load), workers, cost=2), strict=True))
    if verdicts is not None:
        verdicts.used = {named[key]: unrelated[key] for key in keys}
    verdict = np.array([unrelated[key] for key in keys], dtype=np.bool_)
    return frozenset(fps[verdict[which.ravel()]].tolist())


def _samples(fps: np.ndarray, holders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each frequent fingerprint once (sorted) and its first ``SAMPLE`` holders, one row each, padded with
    -1, from every (fingerprint, holder) met in document order (so each one's holders ascend)."""
    if len(fps) == 0:
        return fps, np.zeros((0, SAMPLE), dtype=np.int64)
    order = np.argsort(fps, kind="stable")
    fps, holders = fps[order], holders[order]
    starts = np.flatnonzero(np.concatenate(([True], fps[1:] != fps[:-1])))
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(fps))))
    rank = np.arange(len(fps)) - starts[group]
    first = rank < SAMPLE
    rows = np.full((len(starts), SAMPLE), -1, dtype=np.int64)
    rows[group[first], rank[first]] = holders[first]
    return fps[starts], rows


def _decide(keys: list[tuple[int, ...]], ctx: tuple[Prints | Sequence[np.ndarray], Sequence[int],
                                                      Callable[[int], Sentences]]) -> list[bool]:
    """``_unrelated_holders`` of each sample of documents (each document loaded once per call)."""
    prints, n_prints, load = ctx
    loaded: dict[int, Sentences] = {}

    def doc(k: int) -> Sentences:
        if k not in loaded:
            loaded[k] = load(k)
        return loaded[k]

    return [_unrelated_holders(key, prints, n_prints, doc) for key in keys]


def _positions(flat: np.ndarray, wanted: np.ndarray, block: int = 1 << 22) -> np.ndarray:
    """Where ``flat`` holds one of the sorted values ``wanted``: ``np.flatnonzero(np.isin(flat, wanted))``,
    a block at a time (``isin`` sorts the whole array with an index beside it)."""
    out = []
    for b in range(0, len(flat), block):
        part = flat[b:b + block]
        at = np.minimum(np.searchsorted(wanted, part), len(wanted) - 1)
        out.append(np.flatnonzero(wanted[at] == part) + b)
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def _unrelated_holders(ks: Sequence[int], prints: Prints | Sequence[np.ndarray], n_prints: Sequence[int],
                       doc: Callable[[int], Sentences]) -> bool:
    """Do these documents share only a small block, and nothing else?"""
    sets = [set(prints[k].tolist()) for k in ks]
    block = set.intersection(*sets)
    shares = [len(block) / max(n_prints[k], 1) for k in ks]
    if statistics.median(shares) >= 0.5:
        return False
    shared = np.array(sorted(block), dtype=np.uint64)
    rests = [_rest(*doc(k), shared, MIN_TOKENS) for k in ks]  # the stems of each one's counted sentences outside the block
    offsets = np.concatenate(([0], np.cumsum([len(r) for r in rests])))
    sims = _jaccards(np.concatenate(rests), offsets)
    return statistics.median(sims.tolist()) < UNRELATED
