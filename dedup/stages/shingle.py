"""Shingle stage: word n-grams of content-word stems, hashed with xxhash.

Shingles are built over the content-word stems of the article body (function
words left out), so that a reworded copy, which keeps the names, numbers and
content words of its source but not its phrasing, still shares shingles with
it.  Each shingle is the UTF-8 bytes of its words joined by one space, hashed
with ``xxh32`` (seed 0): the same bytes and hash function can be handed to
``datasketch.MinHash(hashfunc=xxh32_intdigest)``, and the signatures agree.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import xxhash

from dedup.stages.normalize import WordMemo, stem
from dedup.types import DocSketch, NormalizedDoc, Sentence, SentenceSketch

KEEP_AT_LEAST = 5  # a document left with fewer uncommon shingles keeps all of its own


def shingle_tokens(doc: NormalizedDoc) -> list[str]:
    """The token stream shingles are made from: content-word stems, in order."""
    return [t for s in doc.sentences for t in s.tokens]


def shingles(doc: NormalizedDoc, size: int) -> list[bytes]:
    """Distinct shingles of ``size`` tokens, in first-seen order.

    A document shorter than ``size`` tokens yields one shingle of all its tokens.
    """
    toks = shingle_tokens(doc)
    if not toks:
        return []
    if len(toks) <= size:
        grams = [" ".join(toks)]
    else:
        grams = [" ".join(toks[i:i + size]) for i in range(len(toks) - size + 1)]
    return [g.encode() for g in dict.fromkeys(grams)]


def hash_shingles(items: list[bytes]) -> np.ndarray:
    """xxh32 of each shingle, as a uint32 array of distinct values."""
    h = xxhash.xxh32_intdigest
    return np.unique(np.fromiter((h(b) for b in items), dtype=np.uint32, count=len(items)))


@lru_cache(maxsize=1 << 20)
def token_hash(token: str) -> int:
    """xxh32 of one token's UTF-8 bytes (memoized: a corpus repeats its vocabulary)."""
    return xxhash.xxh32_intdigest(token.encode())


def token_set_hashes(doc: NormalizedDoc) -> np.ndarray:
    """The document's distinct content-stem hashes, sorted (its one-word shingles)."""
    toks = {t for s in doc.sentences for t in s.tokens}
    return np.unique(np.fromiter((token_hash(t) for t in toks), dtype=np.uint32, count=len(toks)))


def shingle_hashes(doc: NormalizedDoc, size: int) -> np.ndarray:
    """The document's distinct shingle hashes (the same values as ``hash_shingles(shingles(doc, size))``)."""
    if size == 1:
        return token_set_hashes(doc)
    return hash_shingles(shingles(doc, size))


def keep_uncommon(hashes: np.ndarray, common: np.ndarray, keep_at_least: int = KEEP_AT_LEAST) -> np.ndarray:
    """``hashes`` without the corpus-common ones, unless fewer than ``keep_at_least`` would be left.

    ``common`` sorted (as ``pipeline.corpus.common_hashes`` gives it) is searched as it is; in any other
    order it is sorted first.  A binary search per hash, not ``np.isin`` (which sorts both sides
    again): verify asks this of every document it compares."""
    if len(common) == 0 or len(hashes) == 0:
        return hashes
    if len(common) > 1 and not bool(np.all(common[1:] >= common[:-1])):
        common = np.sort(common)
    at = np.minimum(np.searchsorted(common, hashes), len(common) - 1)
    kept = hashes[common[at] != hashes]
    return kept if len(kept) >= keep_at_least else hashes


def drop_common(hash_sets: list[np.ndarray], max_share: float, min_docs: int,
                keep_at_least: int = KEEP_AT_LEAST) -> list[np.ndarray]:
    """Leave out the shingles found in more than ``max(min_docs, max_share * N)`` documents.

    Words that half the corpus uses (the topic's vocabulary: "police", "court",
    "minister") make unrelated articles look alike and flood the LSH buckets;
    the names, numbers and details that single a story out are what copies
    share.  A document left with fewer than ``keep_at_least`` shingles keeps
    all of its own.  Depends only on the set of documents, not their order.
    """
    n = len(hash_sets)
    limit = max(min_docs, int(max_share * n))
    if n <= limit or not hash_sets:
        return hash_sets
    values, counts = np.unique(np.concatenate(hash_sets), return_counts=True)
    common = values[counts > limit]
    return [keep_uncommon(h, common, keep_at_least) for h in hash_sets]


def fingerprint(sentence: Sentence) -> int:
    """A 64-bit fingerprint of the sentence's words (case, punctuation and layout aside)."""
    return xxhash.xxh3_64_intdigest(" ".join(sentence.words).encode())


def words_key(doc: NormalizedDoc) -> int:
    """A 64-bit hash of the document's words in order (equal for texts with the same words)."""
    return xxhash.xxh3_64_intdigest("\x1f".join(doc.words).encode("utf-8", "surrogatepass"))


_STEM_HASHES: dict[str | None, WordMemo] = {}  # per language (``Language.key``): word -> its stem's hash


def stem_hashes(key: str | None) -> WordMemo:
    """The memo of word -> stem hash (None for a stopword) in language ``key``: one per language, so that a
    word's stem in one language is never taken for another's."""
    memo = _STEM_HASHES.get(key)
    if memo is None:
        memo = _STEM_HASHES[key] = WordMemo(lambda w: None if (st := stem(w, key)) is None else token_hash(st))
    return memo


def hash_sentences(words: list[list[str]], key: str | None = "en") -> tuple[list[tuple[int, ...]], list[int], int, int]:
    """What ``sketch`` keeps, from ``normalize.sentence_words``'s words, without making objects; the content
    stems are those of language ``key`` (``language.Language.key``).

    Returns, per sentence, its sorted distinct stem hashes and its fingerprint;
    then the word count and the words key.
    """
    get = stem_hashes(key).__getitem__
    xxh = xxhash.xxh3_64_intdigest
    tokens: list[tuple[int, ...]] = []
    prints: list[int] = []
    for ws in words:
        hs = set(map(get, ws))
        hs.discard(None)
        tokens.append(tuple(sorted(hs)))  # type: ignore[arg-type]
        prints.append(xxh(" ".join(ws).encode()))
    all_words = "\x1f".join("\x1f".join(ws) for ws in words)
    return tokens, prints, sum(map(len, words)), xxh(all_words.encode("utf-8", "surrogatepass"))


def sentence_arrays(tokens: list[tuple[int, ...]], prints: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentences given as per-sentence stem-hash tuples and fingerprints, as arrays: the hashes one
    sentence after another (uint32), each sentence's count of them (int64), the fingerprints (uint64)."""
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    flat = np.fromiter((h for t in tokens for h in t), dtype=np.uint32, count=int(lengths.sum()))
    return flat, lengths, np.array(prints, dtype=np.uint64)


def sketch(doc: NormalizedDoc) -> DocSketch:
    """The document as hashes: per sentence its sorted distinct stem hashes and its fingerprint."""
    sentences = tuple(SentenceSketch(tuple(sorted({token_hash(t) for t in s.tokens})), fingerprint(s))
                      for s in doc.sentences)
    return DocSketch(doc.id, sentences, doc.word_count, words_key(doc))
