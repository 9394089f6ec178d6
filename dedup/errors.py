"""The errors a run raises, at the bottom of the import graph so that every layer can raise them.

Catch ``PipelineError`` to catch any failed run: the input cannot be read
(``IngestError``), a file changed while the run read it (``StoreError``), or
the output cannot be written (``ReportError``).  A bad option value is a
``dedup.config.ConfigError`` instead, raised when the ``Config`` is built.
Every message is one line that names the file or folder.
"""

from __future__ import annotations


class PipelineError(Exception):
    """A run cannot go on (nothing to compare, a file changed under it, ...); the message is one line."""
