"""The one frozen configuration object of a run, checked when built."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from typing import Any

CANONICAL_POLICIES = ("source", "coverage", "earliest", "longest")
DATE_ORDERS = ("dmy", "mdy")
ENGINES = ("local", "ray")
SEGMENTS = ("pairs", "words")  # how runs of a script written without spaces are read (stages.segment)
EXECUTION = ("jobs", "pages", "engine", "ray_address", "partitions")  # options that do not shape results
AUTO_LANGUAGE, NO_LANGUAGE = "auto", "none"  # --language: detect each document's; the neutral treatment for all
# The language codes a run accepts: every label of the detector's model (fastText's lid.176: ISO 639-1 where a
# language has a code there, ISO 639-3 or Wikipedia's codes otherwise), and Sesotho's (a Snowball stemmer).
LANGUAGES = frozenset((
    "af", "als", "am", "an", "ar", "arz", "as", "ast", "av", "az", "azb", "ba", "bar", "bcl", "be", "bg", "bh",
    "bn", "bo", "bpy", "br", "bs", "bxr", "ca", "cbk", "ce", "ceb", "ckb", "co", "cs", "cv", "cy", "da", "de",
    "diq", "dsb", "dty", "dv", "el", "eml", "en", "eo", "es", "et", "eu", "fa", "fi", "fr", "frr", "fy", "ga",
    "gd", "gl", "gn", "gom", "gu", "gv", "he", "hi", "hif", "hr", "hsb", "ht", "hu", "hy", "ia", "id", "ie",
    "ilo", "io", "is", "it", "ja", "jbo", "jv", "ka", "kk", "km", "kn", "ko", "krc", "ku", "kv", "kw", "ky",
    "la", "lb", "lez", "li", "lmo", "lo", "lrc", "lt", "lv", "mai", "mg", "mhr", "min", "mk", "ml", "mn", "mr",
    "mrj", "ms", "mt", "mwl", "my", "myv", "mzn", "nah", "nap", "nds", "ne", "new", "nl", "nn", "no", "oc",
    "or", "os", "pa", "pam", "pfl", "pl", "pms", "pnb", "ps", "pt", "qu", "rm", "ro", "ru", "rue", "sa", "sah",
    "sc", "scn", "sco", "sd", "sh", "si", "sk", "sl", "so", "sq", "sr", "st", "su", "sv", "sw", "ta", "te",
    "tg", "th", "tk", "tl", "tr", "tt", "tyv", "ug", "uk", "ur", "uz", "vec", "vep", "vi", "vls", "vo", "wa",
    "war", "wuu", "xal", "xmf", "yi", "yo", "yue", "zh",
))


class ConfigError(ValueError):
    """A configuration value is out of range; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class Config:
    """Every knob of a run.  Defaults are the documented defaults (README, Usage).

    Values are checked in ``__post_init__``; a bad value raises
    :class:`ConfigError` whose message names the option and the valid range.
    """

    # signatures
    num_perm: int = 256  # MinHash permutations
    seed: int = 1  # MinHash permutation seed (datasketch's default)
    shingle_size: int = 1  # content-word stems per shingle (1: reworded copies keep their words, not their phrasing)
    common_share: float = 0.05  # shingles in more than this share of documents are left out of signatures...
    common_min_docs: int = 50  # ...once they are in more than this many documents
    # candidates
    lsh_rows: int = 1  # signature values per LSH band (num_perm // lsh_rows bands): 1 proposes any pair in
    # proportion to its Jaccard, so copies with little overlap are compared (the verifier decides)
    max_bucket: int = 10  # an LSH bucket larger than this is split by one more MinHash value...
    lsh_split: int = 2  # ...up to this many times; still larger, it links its members to its first member only
    lsh_screen: float = 0.67  # a pair met in LSH whose MinHash-estimated containment is under this share of
    # min_containment is dropped before verification
    # verify
    min_containment: float = 0.3  # share of the smaller shingle set found in the other, checked before alignment
    sentence_similarity: float = 0.4  # weighted Dice of content words at which two sentences align
    min_coverage: float = 0.1  # share of the smaller document (by content-word weight) that must be aligned
    min_aligned: int = 2  # sentences that must align (unless the documents are identical)
    boilerplate_min_docs: int = 5  # a sentence in this many unrelated documents is boilerplate
    equivalent_only: bool = False  # accept only content-equivalent copies (Evidence.equivalent), not versions
    # cluster / canonical
    canonical: str = "source"
    # ingest
    min_words: int = 8  # documents with fewer words are skipped as too short
    max_file_mb: float = 20.0  # larger files (and, in a record shard, larger records) are skipped as too large
    text_field: str = "text"  # the field or column of a record that holds its text...
    id_field: str = "id"  # ...its id (unique ids are kept; others get path#N)...
    title_field: str = "title"  # ...and its metadata
    date_field: str = "date"
    source_field: str = "source"
    url_field: str = "url"
    language_field: str = "language"  # ...and its language (a code, e.g. de), which wins over ``language``
    date_order: str = "dmy"  # a numeric date such as 03/04/05 is read day first (dmy) or month first (mdy)
    # languages
    language: str = AUTO_LANGUAGE  # "auto": each document's own, detected from its body; "none": no stemming
    # and no stopwords for any; or a code (LANGUAGES) for every document a record does not give one for
    segment: str = "pairs"  # Han, kana and Thai runs as character pairs, or as a segmenter's words ("words")
    # output (does not shape results)
    pages: bool = True  # one Markdown page per cluster in OUT/clusters/; off for very many clusters
    # execution
    jobs: int = 0  # worker processes; 0 = all cores
    engine: str = "local"  # where the stages' tasks run: "local" (this machine's processes) or "ray"
    ray_address: str | None = None  # the Ray cluster to join ("auto", or host:port); None starts a local one
    partitions: int = 0  # tasks each parallel stage is cut into; 0 = by each stage's own task size

    def __post_init__(self) -> None:
        def need(cond: bool, name: str, msg: str) -> None:
            if not cond:
                value = getattr(self, name)
                raise ConfigError(f"{name.replace('_', '-')}={value!r}: {msg}")

        need(isinstance(self.num_perm, int) and 16 <= self.num_perm <= 1024, "num_perm",
             "use a whole number from 16 to 1024 (256 is the default)")
        need(isinstance(self.seed, int) and 0 <= self.seed < 2**32, "seed",
             "use a whole number from 0 to 4294967295")
        need(isinstance(self.shingle_size, int) and 1 <= self.shingle_size <= 10, "shingle_size",
             "use a whole number of words from 1 to 10")
        need(0.0 < self.common_share <= 1.0, "common_share", "use a share above 0 and at most 1, e.g. 0.05")
        need(isinstance(self.common_min_docs, int) and self.common_min_docs >= 1, "common_min_docs",
             "use a whole number of documents, 1 or more")
        need(isinstance(self.lsh_rows, int) and 1 <= self.lsh_rows <= self.num_perm, "lsh_rows",
             "use a whole number from 1 to num-perm, e.g. 1")
        need(isinstance(self.max_bucket, int) and self.max_bucket >= 2, "max_bucket",
             "use a whole number of 2 or more")
        need(isinstance(self.lsh_split, int) and 0 <= self.lsh_split <= 8, "lsh_split",
             "use a whole number of values from 0 (no splitting) to 8, e.g. 2")
        need(0.0 <= self.min_containment <= 1.0, "min_containment", "use a number from 0 to 1, e.g. 0.3")
        need(0.0 <= self.lsh_screen <= 1.0, "lsh_screen",
             "use a share of min-containment from 0 (no screen) to 1, e.g. 0.5")
        need(0.0 < self.sentence_similarity <= 1.0, "sentence_similarity",
             "use a number above 0 and at most 1, e.g. 0.4")
        need(0.0 < self.min_coverage <= 1.0, "min_coverage", "use a number above 0 and at most 1, e.g. 0.1")
        need(isinstance(self.min_aligned, int) and self.min_aligned >= 1, "min_aligned",
             "use a whole number of 1 or more")
        need(isinstance(self.boilerplate_min_docs, int) and self.boilerplate_min_docs >= 2, "boilerplate_min_docs",
             "use a whole number of documents, 2 or more")
        need(isinstance(self.equivalent_only, bool), "equivalent_only", "use True or False")
        need(self.canonical in CANONICAL_POLICIES, "canonical",
             f"choose one of {', '.join(CANONICAL_POLICIES)}")
        need(isinstance(self.min_words, int) and self.min_words >= 1, "min_words",
             "use a whole number of 1 or more")
        need(0 < self.max_file_mb <= 4000, "max_file_mb",
             "use a positive number of megabytes, at most 4000 (texts are indexed with 32-bit offsets)")
        need(self.segment in SEGMENTS, "segment",
             f"choose one of {', '.join(SEGMENTS)}: pairs reads Chinese, Japanese and Thai as character pairs, "
             "words as a segmenter's words (the segment extra)")
        need(self.date_order in DATE_ORDERS, "date_order",
             f"choose one of {', '.join(DATE_ORDERS)}: dmy reads 03/04/05 as 3 April 2005, mdy as March 4")
        for name in ("text_field", "id_field", "title_field", "date_field", "source_field", "url_field",
                     "language_field"):
            need(isinstance(getattr(self, name), str) and getattr(self, name).strip() != "", name,
                 "name a field or column, e.g. text")
        need(self.language in (AUTO_LANGUAGE, NO_LANGUAGE) or self.language in LANGUAGES, "language",
             f"use {AUTO_LANGUAGE} (detect each document's language), {NO_LANGUAGE} (no stemming or stopwords for "
             "any), or a language code in lower case, such as en, de, ru or zh (ISO 639-1), not a language's name")
        need(isinstance(self.pages, bool), "pages", "use True or False")
        need(isinstance(self.jobs, int) and self.jobs >= 0, "jobs",
             "use a whole number: 0 for all cores, or 1 or more")
        need(self.engine in ENGINES, "engine", f"choose one of {', '.join(ENGINES)}")
        need(self.ray_address is None or (isinstance(self.ray_address, str) and self.ray_address.strip() != ""),
             "ray_address", "give the cluster's address (host:port, or auto), or leave it out to start one")
        need(self.ray_address is None or self.engine == "ray", "ray_address",
             "a Ray address needs engine='ray' (--engine ray)")
        need(isinstance(self.partitions, int) and self.partitions >= 0, "partitions",
             "use a whole number: 0 for each stage's own task size, or 1 or more tasks")

    @property
    def workers(self) -> int:
        return self.jobs or (os.cpu_count() or 1)

    def to_dict(self) -> dict[str, Any]:
        """The parameters that shape results (where and how the run executes does not: ``EXECUTION``)."""
        d = asdict(self)
        for name in EXECUTION:
            d.pop(name)
        return d

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Config:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown option(s): {', '.join(unknown)}")
        return cls(**values)
