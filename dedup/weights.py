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
from collections import OrderedDict
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from dedup.shingle import sketch, token_hash, token_set_hashes
from dedup.types import DocSketch, NormalizedDoc

PROFILES = 2048  # sentence profiles kept (the documents being compared now)


class TermWeights:
    """Smoothed IDF over a set of documents; unknown stems weigh as if seen once.

    Document frequencies are kept per stem hash (``shingle.token_hash``) in two
    sorted arrays, so a million documents' vocabulary costs a few MB.  Weights
    are asked for by stem (``weights("hama")``) or by stem hash (``weights.of(h)``).
    """

    __slots__ = ("n_docs", "boilerplate", "_values", "_df", "_cache", "_profiles")

    def __init__(self, values: np.ndarray, df: np.ndarray, n_docs: int,
                 boilerplate: frozenset[int] = frozenset()) -> None:
        self.n_docs = n_docs
        self.boilerplate = boilerplate  # sentence fingerprints that count for nothing (dedup.boilerplate)
        self._values = values  # sorted distinct stem hashes
        self._df = df  # documents holding each
        self._cache: dict[int, float] = {}
        self._profiles: OrderedDict[tuple[str, bool], tuple[DocSketch | NormalizedDoc, Profile]] = OrderedDict()

    @classmethod
    def from_docs(cls, docs: Iterable[NormalizedDoc], boilerplate: frozenset[int] = frozenset()) -> TermWeights:
        sets = [token_set_hashes(d) for d in docs]
        flat = np.concatenate(sets) if sets else np.zeros(0, np.uint32)
        values, df = np.unique(flat, return_counts=True)
        return cls(values, df, len(sets), boilerplate)

    def df(self, token: str) -> int:
        return self._df_of(token_hash(token))

    def _df_of(self, h: int) -> int:
        k = int(np.searchsorted(self._values, h))
        return int(self._df[k]) if k < len(self._values) and self._values[k] == h else 0

    def of(self, h: int) -> float:
        """The weight of the stem whose hash is ``h``."""
        w = self._cache.get(h)
        if w is None:
            w = self._cache[h] = math.log(1.0 + self.n_docs / max(self._df_of(h), 1))
        return w

    def __call__(self, token: str) -> float:
        return self.of(token_hash(token))

    def total(self, tokens: Iterable[str]) -> float:
        return math.fsum(self(t) for t in set(tokens))

    def profile(self, doc: DocSketch | NormalizedDoc) -> Profile:
        """The document's sentence token hashes and their weights (memoized for the last documents seen)."""
        is_sketch = isinstance(doc, DocSketch)
        key = (doc.id, is_sketch)
        hit = self._profiles.get(key)
        if hit is not None and hit[0] is doc:
            self._profiles.move_to_end(key)
            return hit[1]
        sk = doc if is_sketch else sketch(doc)
        empty: tuple[int, ...] = ()
        sets = tuple(empty if self.boilerplate and s.fingerprint in self.boilerplate else s.tokens
                     for s in sk.sentences)
        of = self.of
        p = Profile(sets, tuple(math.fsum(of(h) for h in st) for st in sets))
        self._profiles[key] = (doc, p)
        if len(self._profiles) > PROFILES:
            self._profiles.popitem(last=False)
        return p


class Profile(NamedTuple):
    """Per sentence: its distinct content-stem hashes (sorted) and their total weight."""

    sets: tuple[tuple[int, ...], ...]
    mass: tuple[float, ...]
