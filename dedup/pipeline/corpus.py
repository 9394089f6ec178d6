"""The corpus as the comparing stages see it: each document's compact arrays, and statistics over all.

``DocArrays`` is a set of documents without their texts, in id order: metadata,
where to read each again, a digest of its text, its sentences as hashes
(``storage.arrays.Sentences``), the fingerprints that count for boilerplate, and
its shingle hashes when shingles are longer than one word.  The first pass makes
one from the input files; the index (``dedup.index``) keeps them and joins
those of earlier additions with new ones.

``corpus_of`` adds what depends on the whole set -- document frequencies,
corpus-common shingles, boilerplate sentences, term weights (over the
documents of each stem's languages) -- and gives the
``Corpus`` the later stages read.  The statistics depend only on the set of
documents, never on how it was put together, so a corpus joined from parts
compares exactly as one read at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np

from dedup.config import Config
from dedup.kernels.counting import value_counts
from dedup.pipeline.docstore import DocStore
from dedup.runtime import heap
from dedup.stages.boilerplate import Verdicts, frequent_prints
from dedup.stages.frequencies import Frequencies, frequencies
from dedup.stages.shingle import keep_uncommon
from dedup.stages.weights import Deferred, Profile, TermWeights
from dedup.storage.arrays import CSR, LRU, Sentences, SortedIndex
from dedup.storage.runs import Runs
from dedup.types import DocInfo, Document, Locator, SentenceRef, Skipped


class TextStore(Protocol):
    """Where document k's text is read again (``DocStore``; the index keeps its own)."""

    ids: list[str]

    def text(self, k: int) -> str: ...

    def document(self, k: int) -> Document: ...


MANY_RUNS = 4096  # runs of rows above which joining copies row by row (and len/16 above this)


@dataclass
class DocArrays:
    """Documents without their texts, in id order: what comparing them needs (see the module doc)."""

    infos: list[DocInfo]
    locators: list[Locator]
    digests: np.ndarray  # uint64: of each text (``docstore.digest``)
    sentences: Sentences
    prints: CSR  # uint64: each document's distinct fingerprints of sentences that count for boilerplate
    n_prints: np.ndarray  # int64: such sentences per document, with repeats
    shingles: CSR | None  # uint32 distinct shingle hashes; None when shingle_size is 1

    def __len__(self) -> int:
        return len(self.infos)

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.infos]

    def take(self, rows: np.ndarray) -> DocArrays:
        """Documents ``rows``, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        se = self.sentences
        picked = CSR(np.arange(len(se.prints), dtype=np.int64), se.doc.astype(np.int64)).take(rows)
        sentences = Sentences(CSR(se.tokens.flat, se.tokens.offsets.astype(np.int64)).take(picked.flat),
                              se.prints[picked.flat], picked.offsets, se.words[rows], se.keys[rows],
                              se.spans[picked.flat])
        return DocArrays([self.infos[r] for r in rows.tolist()], [self.locators[r] for r in rows.tolist()],
                         self.digests[rows], sentences, self.prints.take(rows), self.n_prints[rows],
                         None if self.shingles is None else self.shingles.take(rows))

    @classmethod
    def join(cls, parts: list[DocArrays]) -> DocArrays:
        """The documents of ``parts`` together, in id order (ids distinct across the parts)."""
        ids = [i.id for p in parts for i in p.infos]
        order = sorted(range(len(ids)), key=ids.__getitem__)
        if len(parts) == 1 and order == list(range(len(ids))):
            return parts[0]
        runs = Runs.of([len(p) for p in parts], np.array(order, dtype=np.int64))
        if len(runs) > max(MANY_RUNS, len(ids) // 16):  # parts interleaved row by row: gather row by row
            return cls._concat(parts).take(np.array(order, dtype=np.int64))
        sent = [p.sentences for p in parts]
        in_sentences = runs.inner([s.doc for s in sent])
        in_tokens = in_sentences.inner([s.tokens.offsets for s in sent])
        sentences = Sentences(CSR(in_tokens.gather([s.tokens.flat for s in sent], np.uint32),
                                  in_sentences.offsets([np.diff(s.tokens.offsets) for s in sent])),
                              in_sentences.gather([s.prints for s in sent], np.uint64),
                              runs.offsets([np.diff(s.doc) for s in sent]), runs.gather([s.words for s in sent]),
                              runs.gather([s.keys for s in sent]),
                              in_sentences.gather([s.spans for s in sent], np.uint32))

        def csr(rows: list[CSR], dtype: type) -> CSR:
            return CSR(runs.inner([r.offsets for r in rows]).gather([r.flat for r in rows], dtype),
                       runs.offsets([r.lengths() for r in rows]))

        infos = [i for p in parts for i in p.infos]
        locators = [loc for p in parts for loc in p.locators]
        return cls([infos[k] for k in order], [locators[k] for k in order], runs.gather([p.digests for p in parts]),
                   sentences, csr([p.prints for p in parts], np.uint64), runs.gather([p.n_prints for p in parts]),
                   None if parts[0].shingles is None else
                   csr([p.shingles for p in parts], np.uint32))  # type: ignore[misc]

    @classmethod
    def _concat(cls, parts: list[DocArrays]) -> DocArrays:
        """The documents of ``parts`` one part after another."""
        sent = [p.sentences for p in parts]
        n_sent = np.concatenate([np.diff(s.doc) for s in sent])
        sentences = Sentences(CSR.concat([(s.tokens.flat, np.diff(s.tokens.offsets)) for s in sent], np.uint32),
                              np.concatenate([s.prints for s in sent]).astype(np.uint64, copy=False),
                              np.concatenate(([0], np.cumsum(n_sent, dtype=np.int64))),
                              np.concatenate([s.words for s in sent]), np.concatenate([s.keys for s in sent]),
                              np.concatenate([s.spans for s in sent]).astype(np.uint32, copy=False))
        shingles = None if parts[0].shingles is None else \
            CSR.concat([(p.shingles.flat, p.shingles.lengths()) for p in parts], np.uint32)  # type: ignore[union-attr]
        return cls([i for p in parts for i in p.infos], [loc for p in parts for loc in p.locators],
                   np.concatenate([p.digests for p in parts]), sentences,
                   CSR.concat([(p.prints.flat, p.prints.lengths()) for p in parts], np.uint64),
                   np.concatenate([p.n_prints for p in parts]), shingles)


@dataclass
class Corpus:
    """Everything the comparing stages need of the corpus; document k is the k-th by id."""

    infos: list[DocInfo]
    skipped: list[Skipped]
    shingles: CSR | None  # distinct shingle hashes (uint32) per document; None when shingle_size is 1: the
    # document's content stems, which its sentences hold (``sentences.tokens``)
    common: np.ndarray  # sorted shingle hashes left out of signatures and containment (drop_common)
    weights: TermWeights
    store: TextStore
    seconds: dict[str, float]  # time per stage of the pass (ingest, normalize; shingle's is in normalize's)
    files: int
    too_short: int  # documents skipped as too short after normalization (among ``skipped``)
    sentences: Sentences
    python_path: dict[str, int] = field(default_factory=dict)  # documents the first pass's Python stages read
    # (several times slower than its kernels), by the script most of their body is in
    frequencies: Frequencies | None = None  # the stems' document frequencies the weights were made from

    def profile(self, k: int) -> Profile:
        """Document k as sentence alignment sees it, from the arrays (kept for the last documents asked for)."""
        return self.__dict__.setdefault("_profiles", LRU()).get(k, lambda: self._build_profile(k))

    def deferred(self, k: int) -> Deferred:
        """Document k for the verifier: its profile is built only if the pair gets as far as alignment."""
        se = self.sentences
        return Deferred(self.infos[k].id, int(se.words[k]), int(se.keys[k]), lambda: self.profile(k))

    def _build_profile(self, k: int) -> Profile:
        se = self.sentences
        tokens, offsets, prints = se.rows(k)
        return self.weights.build(self.infos[k].id, tokens, offsets, prints, int(se.words[k]), int(se.keys[k]))

    def sentence_refs(self, k: int) -> list[SentenceRef]:
        """Document k's sentences as the diff stage quotes them: (text, start, end, fingerprint of its words).

        The text is read again (``DocStore.text`` checks it is the one the first pass
        read); the spans are the first pass's, so nothing is normalized again.
        """
        text = self.store.text(k)
        se = self.sentences
        lo, hi = int(se.doc[k]), int(se.doc[k + 1])
        return [(text[s:e], s, e, p) for (s, e), p in zip(se.spans[lo:hi].tolist(), se.prints[lo:hi].tolist(),
                                                          strict=True)]

    def warm(self) -> None:
        """Build the lazy lookups now, so that forked workers inherit them instead of each building its own."""
        _ = self.index

    @cached_property
    def index(self) -> SortedIndex:
        """Document id -> k (the store's ids are sorted, as the documents are)."""
        return SortedIndex(self.store.ids)

    def signed(self) -> tuple[np.ndarray, np.ndarray, bool]:
        """What the signatures are made from, as ``signatures.sign_csr`` takes it: (flat, offsets,
        distinct).  By default each document's sentence stems, which repeat across its sentences."""
        if self.shingles is not None:
            return self.shingles.flat, self.shingles.offsets, True
        se = self.sentences
        return se.tokens.flat, se.tokens.offsets[se.doc].astype(np.int64), False

    def hashes(self, k: int) -> np.ndarray:
        """Document k's shingle hashes as the comparing stages see them (corpus-common ones left out,
        ``shingle.keep_uncommon``'s rule; kept for the last documents asked for)."""
        return self.__dict__.setdefault("_hashes", LRU()).get(k, lambda: self._build_hashes(k))

    def _build_hashes(self, k: int) -> np.ndarray:
        if self.shingles is not None:
            row = self.shingles[k]
        else:  # a document's terms: its sentences' stems, distinct and sorted
            row = np.sort(self.sentences.rows(k)[0])
            row = row[np.concatenate(([True], row[1:] != row[:-1]))] if len(row) else row
        return keep_uncommon(row, self.common)


def common_hashes(n: int, max_share: float, min_docs: int, frequencies: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The shingle hashes found in more than ``max(min_docs, max_share * n)`` of ``n`` documents (see
    ``drop_common``), from ``frequencies``: each hash (sorted) and the number of documents it is in."""
    limit = max(min_docs, int(max_share * n))
    if n <= limit:
        return np.zeros(0, np.uint32)
    values, counts = frequencies
    return values[counts > limit]


def corpus_of(docs: DocArrays, config: Config, store: TextStore | None = None, skipped: list[Skipped] | None = None,
              too_short: int = 0, files: int = 0, seconds: dict[str, float] | None = None,
              python_path: dict[str, int] | None = None, verdicts: Verdicts | None = None,
              freq: Frequencies | None = None) -> Corpus:
    """The corpus of ``docs`` with its statistics: document frequencies, common shingles, boilerplate, weights.

    ``store`` reads texts again (by default from where the first pass read them); ``verdicts``:
    boilerplate decisions of an earlier run over these documents' ids (``boilerplate.Verdicts``);
    ``freq``: these documents' stem frequencies, added up from parts (counted here when not given)."""
    sentences = docs.sentences
    store = store or DocStore(docs.ids, docs.locators, docs.digests, config)
    if freq is None or freq.docs != len(docs):
        freq = frequencies_of(docs, config.workers)
    values, df = freq.values, freq.df
    n = len(docs)
    common = common_hashes(n, config.common_share, config.common_min_docs,
                           value_counts(docs.shingles.flat) if docs.shingles is not None else (values, df))
    boilerplate = frequent_prints(docs.prints, docs.n_prints.tolist(), sentences.arrays,
                                  config.boilerplate_min_docs, config.workers, verdicts)
    weights = TermWeights(values, df, n, boilerplate, freq.reach())
    heap.trim()
    return Corpus(docs.infos, sorted(skipped or [], key=lambda x: x.id), docs.shingles, common, weights, store,
                  seconds or {"ingest": 0.0, "normalize": 0.0, "shingle": 0.0}, files, too_short, sentences,
                  dict(python_path or {}), freq)


def frequencies_of(docs: DocArrays, threads: int = 1) -> Frequencies:
    """Each stem's documents, overall and per language: from each document's sentences' stems."""
    se = docs.sentences
    return frequencies(se.tokens.flat, se.tokens.offsets[se.doc], [d.language for d in docs.infos], threads)
