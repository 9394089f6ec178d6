"""dedup: find the articles that are copies of one another, keep one, show what each copy changed.

The public API::

    from dedup import Config, run, run_to_dir, validate

    result = run("articles/", Config(canonical="earliest"))   # a RunResult
    run_to_dir("articles/", "out", Config())                   # clusters.json, documents.jsonl, pages, report.html

The names are loaded on first use, so ``import dedup`` (and importing one of
its lower layers, such as ``dedup.types``) does not import the whole pipeline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dedup._version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from dedup.config import Config, ConfigError
    from dedup.errors import PipelineError
    from dedup.interop import lean_minhashes, signatures_from
    from dedup.pipeline.runner import run, run_to_dir
    from dedup.report.payload import validate
    from dedup.types import Cluster, Edge, Member, RunResult

_EXPORTS = {
    "Config": "dedup.config",
    "ConfigError": "dedup.config",
    "run": "dedup.pipeline.runner",
    "run_to_dir": "dedup.pipeline.runner",
    "PipelineError": "dedup.errors",
    "RunResult": "dedup.types",
    "Cluster": "dedup.types",
    "Member": "dedup.types",
    "Edge": "dedup.types",
    "validate": "dedup.report.payload",
    "lean_minhashes": "dedup.interop",
    "signatures_from": "dedup.interop",
}

__all__ = [
    "Cluster",
    "Config",
    "ConfigError",
    "Edge",
    "Member",
    "PipelineError",
    "RunResult",
    "__version__",
    "lean_minhashes",
    "run",
    "run_to_dir",
    "signatures_from",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dedup' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
