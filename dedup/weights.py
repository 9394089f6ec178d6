"""Term weights: how much a shared content word says about copying.

Two independent reports of one event share its topic words ("Hamas",
"ceasefire", "court"); a copy also shares the rarer words -- names, numbers,
details.  Each stem is weighted by a smoothed inverse document frequency over
the documents of the run, ``log(1 + N / df)``, so sentence similarity and
coverage count the words that single a text out, not the ones every report
of the story uses.  Boilerplate sentences (``dedup.boilerplate``) weigh
nothing.  The weights depend only on the set of documents, never on their
order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from dedup.boilerplate import fingerprint
from dedup.types import NormalizedDoc


class TermWeights:
    """Smoothed IDF over a set of documents; unknown stems weigh as if seen once."""

    __slots__ = ("n_docs", "boilerplate", "_df", "_cache", "_profiles")

    def __init__(self, df: Counter[str], n_docs: int, boilerplate: frozenset[int] = frozenset()) -> None:
        self.n_docs = n_docs
        self.boilerplate = boilerplate  # sentence fingerprints that count for nothing (dedup.boilerplate)
        self._df = df
        self._cache: dict[str, float] = {}
        self._profiles: dict[str, tuple[NormalizedDoc, Profile]] = {}

    @classmethod
    def from_docs(cls, docs: Iterable[NormalizedDoc], boilerplate: frozenset[int] = frozenset()) -> TermWeights:
        df: Counter[str] = Counter()
        n = 0
        for d in docs:
            n += 1
            df.update({t for s in d.sentences for t in s.tokens})
        return cls(df, n, boilerplate)

    def __call__(self, token: str) -> float:
        w = self._cache.get(token)
        if w is None:
            w = self._cache[token] = math.log(1.0 + self.n_docs / max(self._df.get(token, 1), 1))
        return w

    def total(self, tokens: Iterable[str]) -> float:
        return sum(self(t) for t in tokens)

    def profile(self, doc: NormalizedDoc) -> Profile:
        """The document's sentence token sets and their weights (memoized per document)."""
        hit = self._profiles.get(doc.id)
        if hit is not None and hit[0] is doc:
            return hit[1]
        sets = tuple(frozenset() if self.boilerplate and fingerprint(s) in self.boilerplate else frozenset(s.tokens)
                     for s in doc.sentences)
        p = Profile(sets, tuple(self.total(st) for st in sets))
        self._profiles[doc.id] = (doc, p)
        return p


class Profile(NamedTuple):
    """Per sentence: the set of content stems and its total weight."""

    sets: tuple[frozenset[str], ...]
    mass: tuple[float, ...]
