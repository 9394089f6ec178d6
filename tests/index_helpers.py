"""Helpers shared by the index test files: a generated corpus with planted copies, as records with ids."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def generated(n: int, out: Path, seed: int = 5) -> list[dict]:
    """``n`` generated articles (a fifth of them copies of others), as {"id", "text"} records."""
    if str(REPO / "bench") not in sys.path:
        sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("gen_corpus", REPO / "bench" / "gen_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = mod
    spec.loader.exec_module(mod)
    mod.generate(n, out, seed=seed, dup_share=0.2, fmt="jsonl", source=SEEDS, jobs=1, quiet=True)
    return [orjson.loads(line) for line in (out / "articles.jsonl").read_bytes().splitlines()]


def members(clusters) -> set[frozenset[str]]:
    return {frozenset(m.id for m in c.members) for c in clusters}
