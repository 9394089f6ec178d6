"""The texts left on disk: a document is read again from its file when a later stage needs its text.

The first pass keeps no text; it records where each document was read
(a ``Locator``: its file, and in a record shard the record's number and byte
offset) and a digest of its text.  ``DocStore`` reads the document
again on demand and checks the digest, so a file that changed during the run
is an error that names it, never a silent wrong diff.
"""

from __future__ import annotations

import numpy as np
import xxhash

from dedup.config import Config
from dedup.errors import PipelineError
from dedup.stages.ingest import read_items
from dedup.stages.records import read_record, shard_format
from dedup.types import Document, Locator


class StoreError(PipelineError):
    """A document read again is not the one the first pass read (the file changed during the run)."""



class DocStore:
    """Reads documents again on demand, and checks each against the digest the first pass took."""

    def __init__(self, ids: list[str], locators: list[Locator], digests: np.ndarray, config: Config,
                 keep: object = None) -> None:
        """``keep``: what must live as long as the texts are read (the first pass's spill folder)."""
        self.ids, self.locators, self.digests, self.config = ids, locators, digests, config
        self._kept = keep

    def __getstate__(self) -> dict:
        """Sent to a worker without what it keeps alive: the worker reads the texts, this process owns them."""
        return {**self.__dict__, "_kept": None}

    def document(self, k: int) -> Document:
        return self._read(k, metadata=True)

    def text(self, k: int) -> str:
        """Document k's text (its header lines are not parsed for metadata again)."""
        return self._read(k, metadata=False).text

    def _read(self, k: int, metadata: bool) -> Document:
        loc = self.locators[k]
        if shard_format(loc.rel)[0] is not None:  # one record of a shard, by its offset or row group
            item = read_record(loc.full, loc.rel, loc.record, loc.offset, self.config)
        else:
            items = read_items(loc.full, loc.rel, self.config, metadata)
            item = items[loc.record] if loc.record < len(items) else None
        if item is None or item.skip is not None or digest(item.fields["text"]) != self.digests[k]:
            raise StoreError(f"{loc.rel}: the file changed while dedup was running (read again to compare "
                             f"{self.ids[k]!r}); run again on a folder that is not being written to")
        return Document(id=self.ids[k], path=item.path, **item.fields)


def digest(text: str) -> int:
    """64-bit hash of a text, to notice a file that changed between two reads."""
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))
