"""Sketch stage: the first pass's normalize and hash in one compiled pass, without Python per word.

``sketch_text(text)`` returns what ``shingle.hash_sentences(normalize.sentence_words(text))``
returns, as arrays, several times faster.  In order:

1. ``_lines``: each line as ``normalize._paragraphs`` sees it (blank, opens or
   closes a paragraph, the span the line rules look at);
2. the line rules themselves, regular expressions, in Python (one match a line, for the lines
   ``linescan._may_rule`` cannot rule out);
3. ``_paragraph_spans``: the kept paragraphs;
4. ``_scan``: the sentence split, the trimming of sentences, the word pattern and
   the word fixes, writing the words as UTF-8 (one space between words) with a
   64-bit hash of each;
5. the document's language (``stages.language.choose``: given, or detected
   from the first sentences);
6. the stem of each word in that language from a compiled memo
   (``vocab.Vocabulary``, one per language); words not seen before are
   stemmed in Python; ``_sentence_sets`` then sorts each sentence's distinct
   stem hashes.

Python's own character predicates (``isspace``, ``isalnum``, ``islower``,
``isdecimal``, ``isdigit``, ``casefold``) are copied into tables once, so the
kernels answer as Python does.  Fingerprints and the words key are ``xxh3_64``
of the same bytes as before.  Folding (quotes and dashes, NFKC, casefold) is
taken character by character from ``text.tables.expansions`` ("ß" -> "ss",
"½" -> "1⁄2", "ﬁ" -> "fi"), which equals folding the whole sentence unless a
combining mark could compose with an expanded character.  Such a text, and one
with characters beyond the Basic Multilingual Plane, goes through the Python
stages; both paths give equal results.

The Python stages are the reference: ``_python_sketch`` (``stages.normalize``
then ``stages.shingle``) is what the compiled path is tested against, text by
text and on generated texts, in ``tests/stages/test_sketch.py``.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

import numpy as np
import xxhash

from dedup.kernels.linescan import RULED, _lines, _paragraph_spans
from dedup.kernels.textscan import _scan, _sentence_sets, any_of
from dedup.kernels.vocab import MISSING, Vocabulary
from dedup.stages.language import Language, choose
from dedup.stages.normalize import (
    _ANY_RULE,
    _fold_chars,
    classify_line,
    sentence_words,
    stem,
)
from dedup.stages.shingle import hash_sentences, sentence_arrays, token_hash
from dedup.text.tables import expansions, rule_prefixes, tables, unspaced


class TextSketch(NamedTuple):
    """A document's sentences as the first pass keeps them."""

    spans: np.ndarray  # (sentences, 2) int64: start and end in the text
    tokens: np.ndarray  # uint32: per sentence its sorted distinct stem hashes, one after another
    lengths: np.ndarray  # int64: how many of ``tokens`` each sentence has
    prints: np.ndarray  # uint64: per sentence the fingerprint of its words
    word_count: int
    key: int  # the words key (``shingle.words_key``)
    terms: np.ndarray  # uint32: the document's distinct stem hashes, sorted
    language: Language  # the document's language and treatment (``stages.language``)
    compiled: bool  # read by the kernels; False: by the Python stages (several times slower)


def _stem_hash(word: bytes, key: str | None) -> int:
    st = stem(word.decode(), key)
    return -1 if st is None else token_hash(st)


_VOCABS: dict[str | None, Vocabulary] = {}  # per language (``Language.key``): a word's hash -> its stem's
# xxh32, -1 for a stopword; one table per language, so that a stem never leaks into another language


def _vocab(key: str | None) -> Vocabulary:
    table = _VOCABS.get(key)
    if table is None:
        table = _VOCABS[key] = Vocabulary()
    return table


def warm() -> None:
    """Build the tables and load the kernels now (before worker processes fork, so that they inherit them)."""
    sketch_text("Warm up the kernels.\nBy Jo Smith\n")
    sketch_text("Warm up the kernels \u2019 for other scripts.\n")  # not ASCII: the unspaced-script check too
    sketch_text("Warm up the language detector with a sentence long enough for it to read.\n", "auto")


def sketch_text(text: str, language: str = "en", given: object = None, segment: str = "pairs") -> TextSketch:
    """The document's sentences as hashes: ``hash_sentences(sentence_words(text), key)``, as arrays, with the
    stems of its language: ``choose(text, spans, given, language)`` (``given``: its record's language field,
    ``language``: ``config.language``; English unless told)."""
    folded = _fold_chars(text)
    ex = expansions()
    if not (folded.isascii() or unicodedata.is_normalized("NFKC", folded)) and (
            ex.marks.search(folded) or not unicodedata.is_normalized("NFKC", ex.unnormalized.sub(" ", folded))):
        return _python_sketch(text, language, given, segment)  # folding would not be character by character
    flags, table, lengths = tables()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not folded.isascii() and any_of(cp, unspaced()):
        return _python_sketch(text, language, given, segment)  # scripts written without spaces: in Python
    covered, lines, rules, kinds = _lines(cp, flags, ex.length, *rule_prefixes())
    if not covered:
        return _python_sketch(text, language, given, segment)
    dropped = np.zeros(len(lines), dtype=np.bool_)
    for i in np.flatnonzero(kinds & RULED).tolist():  # the line rules are regular expressions: Python's
        a, b = rules[i].tolist()
        if a < 0:
            dropped[i] = classify_line(text[lines[i, 0]:lines[i, 1]]) is not None
        elif a < b:
            dropped[i] = _ANY_RULE.match(text[a:b]) is not None
    spans, ranges, counts, buf, word_hashes, starts = _scan(cp, _paragraph_spans(lines, kinds, dropped), flags,
                                                            ex.length, ex.codes, table, lengths)
    data = buf.tobytes()
    lang = choose(text, spans, given, language)
    vocab = _vocab(lang.key)
    stems, missing = vocab.lookup(word_hashes)
    if missing:
        new = np.flatnonzero(stems == MISSING)
        ends = np.append(starts[1:] - 1, len(data))
        stems[new] = [_stem_hash(data[a:b], lang.key)
                      for a, b in zip(starts[new].tolist(), ends[new].tolist(), strict=True)]
        vocab.insert(word_hashes[new], stems[new])
    flat, lengths, terms = _sentence_sets(stems, counts)
    xxh = xxhash.xxh3_64_intdigest
    prints = np.fromiter((xxh(data[a:b]) for a, b in ranges.tolist()), dtype=np.uint64, count=len(ranges))
    return TextSketch(spans, flat, lengths, prints, len(word_hashes), xxh(data.replace(b" ", b"\x1f")), terms,
                      lang, True)


def _python_sketch(text: str, language: str = "en", given: object = None, segment: str = "pairs") -> TextSketch:
    spans, words, _ = sentence_words(text, segment)
    lang = choose(text, spans, given, language)
    toks, prints, word_count, key = hash_sentences(words, lang.key)
    flat, lengths, fps = sentence_arrays(toks, prints)
    return TextSketch(np.array(spans, dtype=np.int64).reshape(-1, 2), flat, lengths, fps, word_count, key,
                      np.unique(flat), lang, False)
