"""Document frequencies of stems, over all documents and per language, that add up across parts.

Term weights (``stages.weights``) count, for each stem, the documents that
hold it and the documents of the languages that use it.  Both are sums over
documents, so the frequencies of two disjoint sets of documents added together
are those of their union, exactly: an index keeps them and adds a new batch's
instead of counting a million documents again.

Each language's table is counted from its documents, but for the largest
language's, which is the whole corpus's less the others' (the same numbers,
without a second pass over most of the corpus).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dedup.kernels.counting import merge_counts, row_frequencies
from dedup.storage.arrays import CSR

Table = tuple[np.ndarray, np.ndarray]  # sorted distinct stems (uint32), and the documents holding each (int64)


@dataclass
class Frequencies:
    """In how many documents each stem occurs, over all ``docs`` and per language (None: no language)."""

    docs: int
    values: np.ndarray
    df: np.ndarray
    languages: dict[str | None, tuple[np.ndarray, np.ndarray, int]]  # language -> (stems, df, its documents)

    def plus(self, other: Frequencies) -> Frequencies:
        """The frequencies of both sets of documents together (the sets disjoint)."""
        langs = dict(self.languages)
        for lang, (v, d, n) in other.languages.items():
            if lang in langs:
                mv, md = merge_counts(langs[lang][0], langs[lang][1], v, d)
                langs[lang] = (mv, md, langs[lang][2] + n)
            else:
                langs[lang] = (v, d, n)
        values, df = merge_counts(self.values, self.df, other.values, other.df)
        return Frequencies(self.docs + other.docs, values, df, langs)

    def reach(self) -> np.ndarray | None:
        """Per stem of ``values``, the documents in the languages whose documents use it; None when every
        document is of one language (it is ``docs``)."""
        if len(self.languages) <= 1:
            return None
        reach = np.zeros(len(self.values), dtype=np.int64)
        for v, d, n in self.languages.values():
            reach[np.searchsorted(self.values, v[d > 0])] += n
        return reach


def frequencies(flat: np.ndarray, offsets: np.ndarray, languages: list[str | None], threads: int = 1) -> Frequencies:
    """The frequencies of documents whose stems are ``flat[offsets[k]:offsets[k + 1]]`` (repeats allowed)
    and whose languages are ``languages``."""
    offsets = np.asarray(offsets, dtype=np.int64)
    values, df = row_frequencies(flat, offsets, threads=threads)
    groups: dict[str | None, list[int]] = {}
    for k, lang in enumerate(languages):
        groups.setdefault(lang, []).append(k)
    langs: dict[str | None, tuple[np.ndarray, np.ndarray, int]] = {}
    if len(groups) == 1:
        (lang,) = groups
        langs[lang] = (values, df, len(languages))
    elif groups:
        largest = max(groups, key=lambda g: (len(groups[g]), g or ""))
        rest = df.copy()
        for lang, rows in groups.items():
            if lang == largest:
                continue
            part = CSR(flat, offsets).take(np.array(rows, dtype=np.int64))
            v, d = row_frequencies(part.flat, part.offsets, threads=threads)
            langs[lang] = (v, d, len(rows))
            rest[np.searchsorted(values, v)] -= d
        kept = rest > 0
        langs[largest] = (values[kept], rest[kept], len(groups[largest]))
    return Frequencies(len(languages), values, df, dict(sorted(langs.items(), key=lambda kv: kv[0] or "")))
