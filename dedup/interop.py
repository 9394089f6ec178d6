"""datasketch interoperation: dedup's MinHash signatures as ``LeanMinHash`` objects, and back.

dedup's signatures are bit for bit datasketch's ``MinHash(num_perm, seed)``
over 32-bit shingle hashes (``stages.signatures``), so they can move both ways:

- out: ``lean_minhashes(texts)`` gives one ``datasketch.LeanMinHash`` per text,
  to insert into a user's own ``MinHashLSH``, ``MinHashLSHForest`` or storage;
- in: ``signatures_from(minhashes)`` turns a user's ``MinHash`` or
  ``LeanMinHash`` objects (any shingling) into the signature matrix that
  ``candidate_pairs`` (dedup's LSH, with its crowded-bucket splitting) takes.

A text is signed on its own here: its distinct content-stem shingles, with no
corpus to leave common shingles out of (a run leaves out shingles found in
more than ``common_share`` of its documents, so a run's signatures of the same
texts can differ where a corpus has such shingles).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from dedup.config import Config
from dedup.stages.candidates import banding
from dedup.stages.candidates import candidate_pairs as _lsh_pairs
from dedup.stages.normalize import normalize
from dedup.stages.shingle import shingle_hashes
from dedup.stages.signatures import sign
from dedup.types import Document

if TYPE_CHECKING:  # pragma: no cover
    from datasketch import LeanMinHash, MinHash

SCHEME = "affine32"  # datasketch's permutation scheme that ``stages.signatures`` reproduces


def signatures(texts: Iterable[str], config: Config | None = None) -> np.ndarray:
    """MinHash signatures of ``texts``, one uint32 row of ``config.num_perm`` values per text."""
    config = config or Config()
    hashes = [shingle_hashes(normalize(Document(id=str(i), text=t, path=str(i), encoding="utf-8", format="txt"),
                                       config.language), config.shingle_size) for i, t in enumerate(texts)]
    return sign(hashes, config.num_perm, config.seed)


def lean_minhashes(texts: Iterable[str] | np.ndarray, config: Config | None = None) -> list[LeanMinHash]:
    """One ``datasketch.LeanMinHash`` per text (or per row of a signature matrix), with dedup's seed."""
    from datasketch import LeanMinHash

    config = config or Config()
    values = texts if isinstance(texts, np.ndarray) else signatures(texts, config)
    if values.ndim != 2 or values.shape[1] != config.num_perm:
        raise ValueError(f"signatures must be an (n, {config.num_perm}) array, not {values.shape}")
    return [LeanMinHash(seed=config.seed, hashvalues=row, scheme=SCHEME) for row in values]


def signatures_from(minhashes: Iterable[MinHash | LeanMinHash], config: Config | None = None) -> np.ndarray:
    """The signature matrix of datasketch ``MinHash``/``LeanMinHash`` objects, checked against ``config``.

    Each must have ``config.num_perm`` permutations and ``config.seed``: MinHashes of
    another seed are other permutations, and their values cannot be compared.
    """
    config = config or Config()
    rows = []
    for i, m in enumerate(minhashes):
        values = np.asarray(m.hashvalues)
        scheme = getattr(m, "scheme", SCHEME)
        if scheme != SCHEME:
            raise ValueError(f"minhash {i}: scheme {scheme!r}; dedup's signatures are datasketch's {SCHEME!r}")
        if m.seed != config.seed or len(values) != config.num_perm:
            raise ValueError(f"minhash {i}: seed {m.seed} and {len(values)} permutations; this configuration "
                             f"signs with seed {config.seed} and {config.num_perm} (make them with "
                             f"MinHash(num_perm={config.num_perm}, seed={config.seed}) or change the Config)")
        rows.append(values.astype(np.uint32))
    return np.stack(rows) if rows else np.empty((0, config.num_perm), dtype=np.uint32)


def candidate_pairs(signatures: np.ndarray | Sequence[MinHash | LeanMinHash],
                    config: Config | None = None) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, that dedup's LSH proposes for these signatures, with ``config``'s banding."""
    config = config or Config()
    values = signatures if isinstance(signatures, np.ndarray) else signatures_from(signatures, config)
    shape = banding(config.num_perm, config.lsh_rows, config.max_bucket, config.lsh_split)
    return [(int(i), int(j)) for i, j in _lsh_pairs(np.ascontiguousarray(values, dtype=np.uint32), shape)]
