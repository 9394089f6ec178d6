"""Clustering quality metrics: pairwise P/R/F1, B-cubed P/R/F1, adjusted Rand index.

Every function takes two mappings over the *same* items -- ``pred`` (item ->
predicted cluster key) and ``gold`` (item -> gold group key) -- and is pure.
All figures come from the contingency table (counts of items per
(cluster, group) cell), so they cost O(n) time and O(cells) memory: pairs are
counted with ``math.comb``, never enumerated.  A singleton is simply a cluster
key of its own.

Conventions for empty denominators: with no predicted pairs, pairwise
precision is 1.0 (nothing was claimed, so nothing was claimed wrongly); with
no gold pairs, pairwise recall is 1.0 (nothing to find).  ARI is 1.0 in its
degenerate cases (both clusterings all singletons, or both one cluster, or
fewer than two items), which are exactly the cases where its denominator is 0
and the two clusterings are identical.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from math import comb

__all__ = [
    "PRF",
    "Contingency",
    "PairCounts",
    "Scores",
    "adjusted_rand",
    "bcubed",
    "contingency",
    "pair_counts",
    "pairwise",
    "scores",
]


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and their harmonic mean F1."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, precision: float, recall: float) -> PRF:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1)


@dataclass(frozen=True, slots=True)
class PairCounts:
    """Pairs of items counted over the contingency table (exact integers)."""

    together_both: int  # pairs in one predicted cluster AND one gold group (true positives)
    together_pred: int  # pairs sharing a predicted cluster
    together_gold: int  # pairs sharing a gold group
    total: int  # all pairs, C(n, 2)

    @property
    def false_merges(self) -> int:
        """Pairs in one predicted cluster but different gold groups."""
        return self.together_pred - self.together_both

    @property
    def misses(self) -> int:
        """Pairs in one gold group but different predicted clusters."""
        return self.together_gold - self.together_both


@dataclass(frozen=True, slots=True)
class Contingency:
    """Item counts per (predicted, gold) cell, with the row and column sums."""

    cells: Mapping[tuple[Hashable, Hashable], int]
    pred_sizes: Mapping[Hashable, int]
    gold_sizes: Mapping[Hashable, int]
    n: int


def contingency(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Contingency:
    """The contingency table of two labelings of the same items (ValueError if the items differ)."""
    if len(pred) != len(gold) or pred.keys() != gold.keys():
        only_pred = sorted(map(str, pred.keys() - gold.keys()))[:3]
        only_gold = sorted(map(str, gold.keys() - pred.keys()))[:3]
        raise ValueError(f"pred and gold must label the same items (only in pred: {only_pred}, "
                         f"only in gold: {only_gold})")
    cells: Counter[tuple[Hashable, Hashable]] = Counter((p, gold[item]) for item, p in pred.items())
    pred_sizes: Counter[Hashable] = Counter()
    gold_sizes: Counter[Hashable] = Counter()
    for (p, g), k in cells.items():
        pred_sizes[p] += k
        gold_sizes[g] += k
    return Contingency(cells, pred_sizes, gold_sizes, len(pred))


def _pairs_of(table: Contingency) -> PairCounts:
    return PairCounts(
        together_both=sum(comb(k, 2) for k in table.cells.values()),
        together_pred=sum(comb(k, 2) for k in table.pred_sizes.values()),
        together_gold=sum(comb(k, 2) for k in table.gold_sizes.values()),
        total=comb(table.n, 2),
    )


def pair_counts(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PairCounts:
    """Pair counts of two labelings of the same items, in O(n)."""
    return _pairs_of(contingency(pred, gold))


def _pairwise_of(c: PairCounts) -> PRF:
    precision = c.together_both / c.together_pred if c.together_pred else 1.0
    recall = c.together_both / c.together_gold if c.together_gold else 1.0
    return PRF.of(precision, recall)


def pairwise(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PRF:
    """Pairwise precision/recall/F1: of the pairs put together, the share that belong together, and back."""
    return _pairwise_of(pair_counts(pred, gold))


def _bcubed_of(table: Contingency) -> PRF:
    if not table.n:
        return PRF(1.0, 1.0, 1.0)
    # An item in cell (p, g) has precision k/|p| and recall k/|g|; the k items of the cell sum to k^2/|.|.
    p = sum(k * k / table.pred_sizes[c] for (c, _), k in table.cells.items()) / table.n
    r = sum(k * k / table.gold_sizes[g] for (_, g), k in table.cells.items()) / table.n
    return PRF.of(p, r)


def bcubed(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PRF:
    """B-cubed precision/recall/F1 (Bagga & Baldwin 1998): per-item shares, averaged over items."""
    return _bcubed_of(contingency(pred, gold))


def _ari_of(c: PairCounts) -> float:
    # ARI = (index - expected) / (max - expected), index = together_both,
    # expected = A*B/N, max = (A+B)/2.  Multiplied through by 2N to stay in exact integers.
    a, b, n = c.together_pred, c.together_gold, c.total
    numerator = 2 * (c.together_both * n - a * b)
    denominator = n * (a + b) - 2 * a * b
    if denominator == 0:  # both all singletons, both one cluster, or n < 2: identical clusterings
        return 1.0
    return numerator / denominator


def adjusted_rand(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985): 1.0 identical, ~0 chance agreement, may go negative."""
    return _ari_of(pair_counts(pred, gold))


@dataclass(frozen=True, slots=True)
class Scores:
    """All three figures of one clustering against the gold groups."""

    pairs: PairCounts
    pairwise: PRF
    bcubed: PRF
    ari: float


def scores(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Scores:
    """Pairwise, B-cubed and ARI from one contingency table."""
    table = contingency(pred, gold)
    pairs = _pairs_of(table)
    return Scores(pairs, _pairwise_of(pairs), _bcubed_of(table), _ari_of(pairs))
