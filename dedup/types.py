"""Core data types shared by every stage.

The flow is one-way: ``cli`` -> ``pipeline`` -> stages -> these types.  Stages
are functions over these frozen dataclasses; none of them holds global state,
so the same code runs in-process, in worker processes or on a cluster.

Offsets (``start``/``end``) are always character offsets into
``Document.text``: the decoded file for ``.txt``/``.md`` inputs, the extracted
visible text for ``.html``, the ``text`` field for JSON/JSONL records.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal, Protocol

import numpy as np

SkipReason = Literal[
    "binary",
    "empty",
    "too_short",
    "too_large",
    "unreadable",
    "invalid_json",
    "invalid_record",
    "duplicate_id",
    "unsupported",
]
DiffKind = Literal["added", "removed", "changed"]


class Progress(Protocol):
    """Where a run reports its progress: ``progress(stage, done, total)``.

    The read stage counts bytes (``done`` of ``total``) and passes the records
    read so far as ``records=``; the other stages count their own units.
    """

    def __call__(self, stage: str, done: int, total: int, /, **detail: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class Document:
    """One input article, as read from disk (ingest stage output)."""

    id: str  # path relative to the input root, '/' separators; 'path#N' or record id for JSON
    text: str  # original text; all offsets point into this string
    path: str  # file it came from, relative to the input root
    encoding: str  # 'utf-8', 'utf-8-sig', 'cp1252', 'latin-1', 'utf-16'
    format: str  # 'txt', 'md', 'html', 'json', 'jsonl'
    title: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) when one could be read
    source: str | None = None
    url: str | None = None
    language: str | None = None  # what its record's language field says (--language-field), as given


@dataclass(frozen=True, slots=True)
class DocInfo:
    """A compared document without its text: what a run keeps of every document.

    The texts stay on disk; the stages that need one read it again (``dedup.pipeline.docstore.DocStore``).
    """

    id: str
    path: str
    encoding: str
    format: str
    chars: int  # length of Document.text
    words: int  # words of article body after normalization
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    language: str | None = None  # its language's code (config.LANGUAGES); None when it has none
    language_reason: str | None = None  # why it got the neutral treatment (no stemming, no stopwords); None if not


@dataclass(frozen=True, slots=True)
class Locator:
    """Where a document can be read again: its file, and its place among the file's records."""

    full: str  # the path to open
    rel: str  # the path relative to the input root
    record: int = 0  # a plain file: index among the items it yields; a record shard: the record's number
    offset: int = -1  # a plain JSON lines shard: the byte offset of the record's line


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that is accounted for but not compared, with the reason."""

    id: str
    path: str
    reason: SkipReason
    detail: str  # one human-readable line naming the problem


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the article body with its place in the original text."""

    start: int
    end: int
    text: str  # the original characters, text[start:end]
    tokens: tuple[str, ...]  # normalized content-word stems (for alignment)
    words: tuple[str, ...]  # all normalized words, in order (for shingles)


SentenceRef = tuple[str, int, int, Hashable]
"""A sentence as the diff stage quotes it: its original text, start and end, and a key equal for equal words."""


@dataclass(frozen=True, slots=True)
class Dropped:
    """A line removed by normalization, and the rule that removed it."""

    start: int
    end: int
    rule: str  # e.g. 'comment_prompt', 'read_more', 'photo_credit', 'wire_header', 'rule_line'


@dataclass(frozen=True, slots=True)
class NormalizedDoc:
    """Normalize stage output: the body split into sentences, plus what was dropped."""

    id: str
    sentences: tuple[Sentence, ...]
    dropped: tuple[Dropped, ...] = ()
    language: str | None = "en"  # as DocInfo.language
    language_reason: str | None = None  # as DocInfo.language_reason

    @property
    def words(self) -> list[str]:
        return [w for s in self.sentences for w in s.words]

    @property
    def word_count(self) -> int:
        return sum(len(s.words) for s in self.sentences)


@dataclass(frozen=True, slots=True)
class SentenceSketch:
    """A sentence as the verify stage compares it: hashes only."""

    tokens: tuple[int, ...]  # its distinct content-stem hashes, sorted (shingle.token_hash)
    fingerprint: int  # its words, hashed (boilerplate.fingerprint)


@dataclass(frozen=True, slots=True)
class DocSketch:
    """A normalized document reduced to hashes (``shingle.sketch``): what verification needs, without text.

    Sentence k is sentence k of the ``NormalizedDoc`` it was made from.
    """

    id: str
    sentences: tuple[SentenceSketch, ...]
    word_count: int
    words_key: int  # hash of all words in order: equal keys mean the same words (identical texts)


@dataclass(frozen=True, slots=True)
class Signatures:
    """MinHash signatures of many documents, one row each (compact array)."""

    ids: tuple[str, ...]
    values: np.ndarray  # shape (n_docs, num_perm), dtype uint32 (datasketch 'affine32')
    shingle_counts: np.ndarray  # shape (n_docs,), number of distinct shingles


RELATIONS = ("identical", "near_identical", "trimmed", "extended", "reworded", "partial", "unrelated")
"""Every ``Evidence.relation`` (``verify.relation``)."""
EQUIVALENT_COVERAGE = 0.95
"""A content-equivalent copy (a re-post, the same story under another id) is identical, or near-identical
with at least this share of each text in aligned sentences; any other copy is a version, with content of
its own or without some of the other's.  ``bench/equivalence.py`` calibrates the share on judged copies:
at 0.9 (near_identical's own bound) a one-paragraph extension and a light rewording still pass."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """The figures that decided whether two documents are copies."""

    minhash_jaccard: float  # estimate from the signatures
    jaccard: float  # exact Jaccard of the word-shingle sets
    containment_ab: float  # share of A's shingles found in B
    containment_ba: float  # share of B's shingles found in A
    aligned_sentences: int  # number of sentence pairs aligned
    coverage_a: float  # share of A's content words in aligned sentences
    coverage_b: float  # share of B's content words in aligned sentences
    order: float  # share of alignments in a common order (1.0 = same order)
    score: float  # the figure compared with the threshold
    relation: str  # one of RELATIONS

    @property
    def equivalent(self) -> bool:
        """A content-equivalent copy rather than a version (``EQUIVALENT_COVERAGE``)."""
        return self.relation == "identical" or (
            self.relation == "near_identical" and min(self.coverage_a, self.coverage_b) >= EQUIVALENT_COVERAGE)


@dataclass(frozen=True, slots=True)
class Edge:
    """A verified copy relation between two documents (a < b by id)."""

    a: str
    b: str
    evidence: Evidence
    accepted: bool
    reason: str  # why the pair was accepted or rejected, one line


@dataclass(frozen=True, slots=True)
class WordOp:
    """One step of a word-level diff inside a changed sentence."""

    op: Literal["equal", "insert", "delete"]
    text: str


@dataclass(frozen=True, slots=True)
class DiffItem:
    """One unit of a variant's own content compared with the canonical."""

    kind: DiffKind
    text: str  # original text quoted from the variant ('removed': from the canonical)
    start: int  # offsets into the variant's text ('removed': into the canonical's)
    end: int
    canonical_text: str | None = None  # 'changed' only: the aligned canonical sentence
    canonical_start: int | None = None
    canonical_end: int | None = None
    similarity: float | None = None  # 'changed' only
    words: tuple[WordOp, ...] = ()  # 'changed' only: canonical -> variant


@dataclass(frozen=True, slots=True)
class VariantDiff:
    """A variant's unique content against the cluster's canonical."""

    items: tuple[DiffItem, ...]
    unique_share: float  # share of the variant's characters that are its own (added or changed)
    kept_share: float  # share of the canonical's characters the variant keeps


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    canonical: bool
    evidence: Evidence | None = None  # against the canonical; None for the canonical itself
    diff: VariantDiff | None = None
    reason: str = ""  # why it is in the cluster: the verified edge that joined it
    derived_from: str | None = None  # the member it was copied from, when that can be told
    derived_reason: str = ""  # why that member (or why none)


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str  # stable, derived from the sorted member ids
    canonical: str
    canonical_reason: str
    members: tuple[Member, ...]  # canonical first, then by id


@dataclass(frozen=True, slots=True)
class ClusterHead:
    """A cluster without its evidence and diffs: what counts, file names and per-document rows need."""

    id: str
    canonical: str
    members: tuple[str, ...]  # member ids, in the cluster's order


@dataclass(frozen=True, slots=True)
class StageCount:
    """Documents in and out of one stage, with the reason for any difference."""

    stage: str
    docs_in: int
    docs_out: int
    seconds: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything a run produced; the report stage turns it into files."""

    documents: tuple[DocInfo, ...]  # compared documents (no texts), sorted by id
    skipped: tuple[Skipped, ...]  # sorted by id
    # multi-member clusters, sorted by id (the pipeline's: a dedup.storage.packed.PackedClusters)
    clusters: Sequence[Cluster]
    # every verified candidate pair, accepted or not, by (a, b) (the pipeline's: a dedup.storage.packed.EdgeTable)
    edges: Sequence[Edge]
    stages: tuple[StageCount, ...]
    candidate_pairs: int
    seconds: float
    meta: dict[str, object] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)  # id -> text of clustered documents, read on demand


def _reducer(cls: type) -> Callable[[object], tuple[type, tuple[object, ...]]]:
    """Pickle as (class, field values): results come back from worker processes by the hundred thousand,
    and dataclasses' own ``__setstate__`` for slotted classes calls ``fields()`` per object (~20 us).
    The values are taken by one ``attrgetter`` call (a generator of ``getattr`` cost 3x as much)."""
    names = cls.__match_args__  # type: ignore[attr-defined]
    get = attrgetter(*names)
    if len(names) == 1:
        return lambda self: (cls, (get(self),))
    return lambda self: (cls, get(self))


for _cls in (Document, DocInfo, Locator, Skipped, Sentence, Dropped, NormalizedDoc, SentenceSketch, DocSketch,
             Signatures, Evidence, Edge, WordOp, DiffItem, VariantDiff, Member, Cluster, ClusterHead, StageCount,
             RunResult):
    _cls.__reduce__ = _reducer(_cls)  # type: ignore[method-assign]
