"""Words of the scripts written without spaces: overlapping character pairs, or a segmenter's words.

A run of Han, kana, Thai, Lao, Khmer or Myanmar letters (``text.rules.UNSPACED``)
has no spaces to cut it into words.  ``--segment pairs`` (the default) reads it
as its overlapping character pairs: no dictionary, any language, and a copy
shares most of its pairs with its source.  ``--segment words`` reads it as the
words a dictionary segmenter finds, by script: a run with kana as Japanese
(fugashi, MeCab with unidic-lite), a run of Han alone as Chinese (rjieba, the
jieba-rs dictionary), a Thai run by pythainlp's ``newmm``.  Words are fewer
and each says more than a pair, so a reworded copy keeps fewer of them; a
run in Lao, Khmer or Myanmar, for which no segmenter is packaged, stays
pairs.  The segmenters come with the ``segment`` extra
(``pip install 'dedup[segment]'``); each is deterministic (a dictionary and
a lattice search, no sampling), so the words depend on the text alone.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Callable
from functools import cache

from dedup.config import SEGMENTS
from dedup.errors import PipelineError

__all__ = ["SEGMENTS", "check", "pairs", "words"]
PACKAGES = {"Japanese": ("fugashi", "unidic_lite"), "Chinese": ("rjieba",), "Thai": ("pythainlp",)}
_EXTRA = "pip install 'dedup[segment]'"


def pairs(run: str) -> list[str]:
    """A run's overlapping character pairs (a run of one character as itself)."""
    return [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]


def check(segment: str) -> None:
    """Raise ``PipelineError`` naming what to install when ``segment`` is ``words`` and a segmenter is missing."""
    if segment != "words":
        return
    missing = sorted({p for names in PACKAGES.values() for p in names if importlib.util.find_spec(p) is None})
    if missing:
        raise PipelineError(f"--segment words needs {', '.join(missing)} (the segment extra: {_EXTRA}); "
                            "or use --segment pairs")


def words(run: str, segment: str) -> list[str]:
    """The words of one run of ``UNSPACED`` letters, as ``segment`` reads them (see the module doc)."""
    if segment == "pairs" or len(run) == 1:
        return pairs(run)
    cut = _segmenter(_script(run))
    if cut is None:
        return pairs(run)
    return [w for w in cut(run) if w and not w.isspace()]


def _script(run: str) -> str:
    if any("\u3040" <= ch <= "\u30ff" or "\u31f0" <= ch <= "\u31ff" or "\uff66" <= ch <= "\uff9f" for ch in run):
        return "Japanese"
    first = ord(run[0])
    if 0x0E00 <= first <= 0x0E7F:
        return "Thai"
    if 0x3400 <= first <= 0x9FFF or 0xF900 <= first <= 0xFAFF:
        return "Chinese"
    return "other"  # Lao, Khmer, Myanmar


@cache
def _segmenter(script: str) -> Callable[[str], list[str]] | None:
    """The script's segmenter, loaded on first use (None: the script has none here)."""
    try:
        if script == "Japanese":
            import fugashi

            tagger = fugashi.Tagger()  # finds unidic-lite's dictionary
            return lambda run: [w.surface for w in tagger(run)]
        if script == "Chinese":
            import rjieba

            return lambda run: list(rjieba.cut(run))
        if script == "Thai":
            from pythainlp.tokenize import word_tokenize

            # Folding (NFKC) wrote SARA AM as NIKHAHIT + SARA AA, which the dictionary does not know: it
            # reads the run as written, and each word is folded back.
            return lambda run: [unicodedata.normalize("NFKC", w) for w in
                                word_tokenize(run.replace("\u0e4d\u0e32", "\u0e33"), engine="newmm",
                                              keep_whitespace=False)]
    except ImportError as err:
        raise PipelineError(f"--segment words: {script} needs {', '.join(PACKAGES[script])} "
                            f"({err}; the segment extra: {_EXTRA})") from None
    return None
