"""What a reader yields for each document of a file, before ids are settled, and the checks of its text.

Both readers, of plain files (``stages.ingest``) and of record shards
(``stages.records``), make ``Item`` objects: a document's fields, or the
reason it is skipped (``_Skip``), with where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dedup.config import Config
from dedup.stages.words import UNSPACED_RUN, pairs_of_unspaced
from dedup.types import SkipReason

MB = 1024 * 1024


class _Skip(Exception):
    def __init__(self, reason: SkipReason, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Items carry their _Skip from worker processes: unpickle with both arguments
        # (an Exception pickles only its args, and a result that cannot be unpickled stalls the pool).
        return (_Skip, (self.reason, self.detail))


@dataclass(slots=True)
class Item:
    """One document (or skipped record) of a file, before ids are settled."""

    path: str
    fallback_id: str  # relpath, or 'relpath#N' for a JSON record
    place: str  # where it is, for messages
    explicit_id: str | None = None
    fields: dict | None = None  # Document keyword arguments, except id and path
    skip: _Skip | None = None
    number: int = 0  # a shard's record: its line, record or row number (from 1); 0 for a plain file
    offset: int = -1  # a plain JSON lines record: the byte offset of its line


_WORDS = re.compile(r"\w+")


def _check_text(text: str, where: str, config: Config) -> None:
    if not text.strip():
        raise _Skip("empty", f"{where}: no text")
    words = 0
    for m in _WORDS.finditer(text):  # counting stops at the minimum
        if words >= config.min_words:
            return
        w = m.group()  # a run of a script written without spaces counts its character pairs, as normalize's
        words += 1 if w.isascii() or not UNSPACED_RUN.search(w) else len(pairs_of_unspaced([w]))
    if words < config.min_words:
        raise _Skip("too_short", f"{where}: {words} words; at least {config.min_words} needed (--min-words)")


def _scalar(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None
