"""Verify stage: check each candidate pair against the real texts.

A candidate pair becomes an edge only if its sentences align.  Sentences are
compared by the Dice coefficient of their content-word stems, each stem
weighted by its rarity in the run (``dedup.stages.weights``), so a reworded sentence
that keeps its names, numbers and telling words still aligns while two
sentences that only share the story's topic words do not; pairs are matched
one to one, best first.  The decision rests on *coverage*: the share
of a document's content words that sit in aligned sentences.  A trimmed or
extended copy covers the shorter text almost wholly even when plain Jaccard is
low; an independent report of the same event shares a quote or two, not most
of its sentences.

Every edge carries the figures that decided it (see ``Evidence``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

import numpy as np

from dedup.config import Config
from dedup.kernels.align import align_sentences
from dedup.stages.shingle import words_key
from dedup.stages.signatures import estimate_jaccard
from dedup.stages.weights import Deferred, Profile, TermWeights
from dedup.types import DocSketch, Edge, Evidence, NormalizedDoc

MIN_TOKENS = 3  # sentences with fewer content words carry too little to align
Doc = Profile | Deferred | DocSketch | NormalizedDoc  # verification needs only a Profile; the others become one


def align(a: Doc, b: Doc, threshold: float, weights: TermWeights) -> list[tuple[int, int, float]]:
    """One-to-one sentence alignment (i in a, j in b, similarity), sorted by i.

    Similarity is the weighted Dice coefficient of the two sentences' content
    stems.  Pairs at or above ``threshold`` are taken best first (ties by
    position); only sentences with at least ``MIN_TOKENS`` distinct content
    words take part.  The loop is compiled (``kernels.align``).
    """
    pa, pb = weights.profile(a), weights.profile(b)
    i, j, sim = align_sentences(pa.tokens, pa.offsets, pa.weights, pa.sizes, pa.mass,
                                pb.tokens, pb.offsets, pb.sizes, pb.mass, float(threshold), MIN_TOKENS)
    return list(zip(i.tolist(), j.tolist(), sim.tolist()))


def in_order_share(pairs: list[tuple[int, int, float]]) -> float:
    """Share of aligned pairs on the longest common order (1.0: same order)."""
    if not pairs:
        return 0.0
    tails: list[int] = []  # longest increasing subsequence of j, in O(n log n)
    for _, j, _ in pairs:
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
        else:
            tails[k] = j
    return len(tails) / len(pairs)


def coverage(doc: Doc, aligned: Mapping[int, float] | set[int], weights: TermWeights) -> float:
    """Share of the document's content-word weight that sits in aligned sentences.

    ``aligned`` maps sentence index -> similarity of its alignment; each
    sentence counts in proportion to it, so a verbatim sentence counts whole
    and a loosely aligned one (two leads on the same event) only in part.
    A plain set counts every sentence whole.
    """
    sims = aligned if isinstance(aligned, Mapping) else dict.fromkeys(aligned, 1.0)
    p = weights.profile(doc)
    sizes, mass = p.sizes.tolist(), p.mass.tolist()
    total = sum(m for z, m in zip(sizes, mass) if z >= MIN_TOKENS)
    return sum(mass[i] * sim for i, sim in sims.items() if sizes[i] >= MIN_TOKENS) / total if total else 0.0


def same_words(a: Doc, b: Doc) -> bool:
    """The same words in the same order (punctuation, case and layout aside)."""
    return a.word_count == b.word_count and _words_key(a) == _words_key(b)


def _words_key(doc: Doc) -> int:
    return words_key(doc) if isinstance(doc, NormalizedDoc) else doc.words_key


def relation(identical: bool, n_aligned: int, cov_a: float, cov_b: float, mean_sim: float) -> str:
    """How A relates to B: identical, near_identical, trimmed, extended, reworded, partial, unrelated."""
    if identical:
        return "identical"
    if n_aligned == 0:
        return "unrelated"
    if mean_sim < 0.7:
        return "reworded"
    if cov_a >= 0.9 and cov_b >= 0.9:
        return "near_identical"
    if cov_a >= 0.8 > cov_b:
        return "trimmed"
    if cov_b >= 0.8 > cov_a:
        return "extended"
    return "partial"


def evidence(a: Doc, b: Doc, hashes_a: np.ndarray, hashes_b: np.ndarray,
             sig_a: np.ndarray, sig_b: np.ndarray, config: Config, weights: TermWeights) -> Evidence:
    """All figures for the pair (A, B)."""
    return assess(a, b, hashes_a, hashes_b, sig_a, sig_b, config, weights)[0]


def assess(a: Doc, b: Doc, hashes_a: np.ndarray, hashes_b: np.ndarray,
           sig_a: np.ndarray, sig_b: np.ndarray, config: Config, weights: TermWeights
           ) -> tuple[Evidence, list[tuple[int, int, float]]]:
    """The figures for (A, B) and the sentence alignment behind them (empty when screened out)."""
    inter = len(np.intersect1d(hashes_a, hashes_b, assume_unique=True))
    union = len(hashes_a) + len(hashes_b) - inter
    c_ab = inter / len(hashes_a) if len(hashes_a) else 0.0
    c_ba = inter / len(hashes_b) if len(hashes_b) else 0.0
    identical = same_words(a, b)
    pairs = [] if max(c_ab, c_ba) < config.min_containment and not identical \
        else align(a, b, config.sentence_similarity, weights)
    cov_a = coverage(a, {i: sim for i, _, sim in pairs}, weights) if pairs else 0.0
    cov_b = coverage(b, {j: sim for _, j, sim in pairs}, weights) if pairs else 0.0
    mean_sim = sum(s for _, _, s in pairs) / len(pairs) if pairs else 0.0
    rel = relation(identical, len(pairs), cov_a, cov_b, mean_sim)
    score = 1.0 if rel == "identical" else max(cov_a, cov_b)
    ev = Evidence(
        minhash_jaccard=estimate_jaccard(sig_a, sig_b),
        jaccard=inter / union if union else 0.0,
        containment_ab=c_ab,
        containment_ba=c_ba,
        aligned_sentences=len(pairs),
        coverage_a=cov_a,
        coverage_b=cov_b,
        order=in_order_share(pairs),
        score=score,
        relation=rel,
    )
    return ev, pairs


def screened(ev: Evidence, config: Config) -> bool:
    """Too little shingle overlap for the sentences to be aligned at all."""
    return ev.relation != "identical" and max(ev.containment_ab, ev.containment_ba) < config.min_containment


def decide(ev: Evidence, config: Config) -> tuple[bool, str]:
    """Accept or reject a pair from its evidence; the reason is one line."""
    if ev.relation == "identical":
        return True, "identical text"
    if screened(ev, config):
        return False, (f"shingle containment {max(ev.containment_ab, ev.containment_ba):.2f} "
                       f"below {config.min_containment:.2f}, sentences not aligned")
    if ev.aligned_sentences < config.min_aligned:
        return False, f"{ev.aligned_sentences} aligned sentence(s), fewer than {config.min_aligned}"
    if ev.score < config.min_coverage:
        return False, f"coverage {ev.score:.2f} below {config.min_coverage:.2f}"
    if config.equivalent_only and not ev.equivalent:
        return False, f"a version ({ev.relation}), not a content-equivalent copy (--equivalent-only)"
    return True, f"{ev.aligned_sentences} sentences aligned, coverage {ev.score:.2f} >= {config.min_coverage:.2f}"


def verify_pair(a: Doc, b: Doc, hashes_a: np.ndarray, hashes_b: np.ndarray,
                sig_a: np.ndarray, sig_b: np.ndarray, config: Config, weights: TermWeights) -> Edge:
    ev = evidence(a, b, hashes_a, hashes_b, sig_a, sig_b, config, weights)
    ok, why = decide(ev, config)
    return Edge(a.id, b.id, ev, ok, why)
