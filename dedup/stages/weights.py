"""Term weights: how much a shared content word says about copying.

Two independent reports of one event share its topic words ("Hamas",
"ceasefire", "court"); a copy also shares the rarer words -- names, numbers,
details.  Each stem is weighted by a smoothed inverse document frequency over
the documents of the run, ``log(1 + N / df)``, so sentence similarity and
coverage count the words that single a text out, not the ones every report
of the story uses.  Boilerplate sentences (``dedup.stages.boilerplate``) weigh
nothing.  The weights depend only on the set of documents, never on their
order.

In a run of several languages ``N`` is, for each stem, the number of documents
in the languages that use it (``frequencies.Frequencies.reach``): a language without
stopwords (the neutral treatment, ``stages.language``) has its function words
in nearly all of its own documents, so they weigh about ``log 2``, as "the"
would in an English run, however few that language's documents are among the
run's.  Counted over the whole run instead, Urdu's کے، میں، نے in the 10 Urdu
documents of a run of 1,000 would weigh ``log 101``, two thirds of a word
found once.  In a run of one language ``N`` is the run's size for every stem.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np

from dedup.kernels.align import sentence_mass
from dedup.stages.shingle import sentence_arrays, sketch, token_hash, token_set_hashes
from dedup.types import DocSketch, NormalizedDoc

PROFILES = 2048  # profiles kept (the documents being compared now)
_EMPTY_BP = np.zeros(0, dtype=np.uint64)


class Profile(NamedTuple):
    """A document as sentence alignment sees it: flat arrays, sentence by sentence (``kernels.align``)."""

    id: str
    tokens: np.ndarray  # uint32: each sentence's distinct content-stem hashes, sorted
    offsets: np.ndarray  # int64: sentence s is tokens[offsets[s]:offsets[s + 1]]
    weights: np.ndarray  # float64: one per token
    sizes: np.ndarray  # int64 per sentence: stems that count (0 for a boilerplate sentence)
    mass: np.ndarray  # float64 per sentence: their total weight
    word_count: int
    words_key: int  # equal keys: the same words in the same order


class Deferred(NamedTuple):
    """A document whose profile is made only if alignment needs it: a pair screened out (too few shared
    stems to align) needs only the id, word count and words key."""

    id: str
    word_count: int
    words_key: int
    make: Callable[[], Profile]


class TermWeights:
    """Smoothed IDF over a set of documents; unknown stems weigh as if seen once.

    Document frequencies are kept per stem hash (``shingle.token_hash``) in sorted
    arrays, so a million documents' vocabulary costs a few MB.  Weights are asked
    for by stem (``weights("hama")``) or by stem hash (``weights.of(h)``).
    """

    __slots__ = ("_bp", "_df", "_idf", "_profiles", "_unknown", "_values", "boilerplate", "n_docs")

    def __init__(self, values: np.ndarray, df: np.ndarray, n_docs: int,
                 boilerplate: frozenset[int] = frozenset(), reach: np.ndarray | None = None) -> None:
        """``reach``: per stem, the documents in the languages that use it (``Frequencies.reach``); None: ``n_docs``."""
        self.n_docs = n_docs
        self.boilerplate = boilerplate  # sentence fingerprints that count for nothing (dedup.stages.boilerplate)
        self._bp = np.array(sorted(boilerplate), dtype=np.uint64) if boilerplate else _EMPTY_BP
        self._values = np.asarray(values, dtype=np.uint32)  # sorted distinct stem hashes
        self._df = np.asarray(df, dtype=np.int64)  # documents holding each
        # math.log, not numpy's vectorized log: the same value on every machine and path
        if reach is None:
            self._idf = np.array([math.log(1.0 + n_docs / max(d, 1)) for d in self._df.tolist()], dtype=np.float64)
        else:
            self._idf = np.array([math.log(1.0 + r / max(d, 1)) for d, r in zip(self._df.tolist(), reach.tolist())],
                                 dtype=np.float64)
        self._unknown = math.log(1.0 + n_docs)
        self._profiles: OrderedDict[tuple[str, bool], tuple[object, Profile]] = OrderedDict()

    @classmethod
    def from_docs(cls, docs: Iterable[NormalizedDoc], boilerplate: frozenset[int] = frozenset()) -> TermWeights:
        sets = [token_set_hashes(d) for d in docs]
        flat = np.concatenate(sets) if sets else np.zeros(0, np.uint32)
        values, df = np.unique(flat, return_counts=True)
        return cls(values, df, len(sets), boilerplate)

    def _find(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = np.searchsorted(self._values, hashes)
        k = np.minimum(k, max(len(self._values) - 1, 0))
        found = self._values[k] == hashes if len(self._values) else np.zeros(len(hashes), dtype=bool)
        return k, found

    def weights_of(self, hashes: np.ndarray) -> np.ndarray:
        """The weight of each stem hash (float64)."""
        if not len(self._values):
            return np.full(len(hashes), self._unknown)
        k, found = self._find(hashes)
        return np.where(found, self._idf[k], self._unknown)

    def df(self, token: str) -> int:
        k, found = self._find(np.array([token_hash(token)], dtype=np.uint32))
        return int(self._df[k[0]]) if len(self._values) and found[0] else 0

    def of(self, h: int) -> float:
        """The weight of the stem whose hash is ``h``."""
        return float(self.weights_of(np.array([h], dtype=np.uint32))[0])

    def __call__(self, token: str) -> float:
        return self.of(token_hash(token))

    def total(self, tokens: Iterable[str]) -> float:
        """The total weight of a set of stems, summed in hash order (as sentence masses are)."""
        hashes = np.array(sorted({token_hash(t) for t in tokens}), dtype=np.uint32)
        m = 0.0
        for w in self.weights_of(hashes).tolist():
            m += w
        return m

    def build(self, doc_id: str, tokens: np.ndarray, offsets: np.ndarray, prints: np.ndarray, word_count: int,
              words_key: int) -> Profile:
        """A profile from flat arrays (``prints``: one sentence fingerprint per sentence)."""
        sizes = np.diff(offsets)
        if len(self._bp):
            k = np.minimum(np.searchsorted(self._bp, prints), len(self._bp) - 1)
            sizes = np.where(self._bp[k] == prints, 0, sizes)
        w = self.weights_of(tokens)
        return Profile(doc_id, tokens, offsets, w, sizes, sentence_mass(offsets, w, sizes), word_count, words_key)

    def profile(self, doc: DocSketch | NormalizedDoc | Profile | Deferred) -> Profile:
        """The document's profile (memoized for the last documents seen)."""
        if isinstance(doc, Profile):
            return doc
        if isinstance(doc, Deferred):
            return doc.make()
        is_sketch = isinstance(doc, DocSketch)
        key = (doc.id, is_sketch)
        hit = self._profiles.get(key)
        if hit is not None and hit[0] is doc:
            self._profiles.move_to_end(key)
            return hit[1]
        sk = doc if is_sketch else sketch(doc)
        tokens, lengths, prints = sentence_arrays([s.tokens for s in sk.sentences],
                                                  [s.fingerprint for s in sk.sentences])
        offsets = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64))).astype(np.int64)
        p = self.build(sk.id, tokens, offsets, prints, sk.word_count, sk.words_key)
        self._profiles[key] = (doc, p)
        if len(self._profiles) > PROFILES:
            self._profiles.popitem(last=False)
        return p
