"""Shingle stage: word n-grams of content-word stems, hashed with xxhash.

Shingles are built over the content-word stems of the article body (function
words left out), so that a reworded copy, which keeps the names, numbers and
content words of its source but not its phrasing, still shares shingles with
it.  Each shingle is the UTF-8 bytes of its words joined by one space, hashed
with ``xxh32`` (seed 0): the same bytes and hash function can be handed to
``datasketch.MinHash(hashfunc=xxh32_intdigest)``, and the signatures agree.
"""

from __future__ import annotations

import numpy as np
import xxhash

from dedup.types import NormalizedDoc


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


def shingle_hashes(doc: NormalizedDoc, size: int) -> np.ndarray:
    return hash_shingles(shingles(doc, size))
