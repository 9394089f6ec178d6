"""Calibrating "content-equivalent or a version": dedup's relations against judged copies.

Usage::

    python bench/equivalence.py [--n 5000] [--seed 3] [--gen-dir /tmp/dedup-equivalence] [--json FILE]

A corpus from ``bench/gen_corpus.py`` holds planted copies, each made by one
transform of its original.  Judged content-equivalent: ``exact`` (a re-post),
``ocr`` (the same text with 1-3% of its characters garbled) and ``reordered``
(the same paragraphs in another order).  Judged versions, each with content of
its own or without some of the original's: ``trimmed``, ``extended``,
``reworded``.  For every planted copy the verified pair with its original is
looked up, and its relation and coverages are tabulated per transform; then
dedup's rule (``Evidence.equivalent``: identical, or near_identical with both
coverages at least ``types.EQUIVALENT_COVERAGE``) and a sweep of a plain
``identical or min(coverage_a, coverage_b) >= t`` rule are scored against the
judgement (precision and recall of "equivalent").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import gen_corpus  # noqa: E402

from dedup import Config, run  # noqa: E402
from dedup.types import EQUIVALENT_COVERAGE  # noqa: E402

JUDGED_EQUIVALENT = {"exact", "ocr", "reordered"}
JUDGED_VERSION = {"trimmed", "extended", "reworded"}


def _prf(pairs: list[tuple[bool, bool]]) -> dict[str, float]:
    tp = sum(1 for said, truth in pairs if said and truth)
    fp = sum(1 for said, truth in pairs if said and not truth)
    fn = sum(1 for said, truth in pairs if not said and truth)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "accuracy": round(sum(said == truth for said, truth in pairs) / max(len(pairs), 1), 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--gen-dir", type=Path, default=Path("/tmp/dedup-equivalence"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.gen_dir / f"n{args.n}-s{args.seed}"
    if not (out / "manifest.json").exists():
        gen_corpus.generate(args.n, out, seed=args.seed, dup_share=0.2, fmt="jsonl", quiet=True)
    labels = {r["id"]: r for r in map(json.loads, (out / "labels.jsonl").read_text().splitlines())}
    result = run(out / "articles.jsonl", Config())
    edge = {}
    for e in result.edges:
        if e.accepted:
            edge[(e.a, e.b)] = edge[(e.b, e.a)] = e.evidence
    rows: list[dict] = []
    for doc_id, lab in sorted(labels.items()):
        t = lab["transform"]
        if t not in JUDGED_EQUIVALENT | JUDGED_VERSION:
            continue
        ev = edge.get((doc_id, lab["base"]))
        rows.append({"transform": t, "found": ev is not None, "relation": ev.relation if ev else None,
                     "min_coverage": min(ev.coverage_a, ev.coverage_b) if ev else None,
                     "equivalent": ev.equivalent if ev else None})
    by: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        by[r["transform"]][r["relation"] or "not found"] += 1
    print(f"{'transform':<10} {'copies':>6}  relations to the original")
    for t in sorted(by):
        print(f"{t:<10} {sum(by[t].values()):>6}  " + ", ".join(f"{k} {v}" for k, v in by[t].most_common()))
    found = [r for r in rows if r["found"]]
    truth = [r["transform"] in JUDGED_EQUIVALENT for r in found]
    figures: dict[str, object] = {"copies": len(rows), "found": len(found),
                                  "rule": _prf([(r["equivalent"], t) for r, t in zip(found, truth)])}
    sweep = {}
    for t in (0.8, 0.85, 0.9, 0.93, 0.95, 0.97):
        sweep[str(t)] = _prf([(r["relation"] == "identical" or r["min_coverage"] >= t, y)
                              for r, y in zip(found, truth)])
    figures["min_coverage_sweep"] = sweep
    print(f"rule (identical, or near_identical with both coverages >= {EQUIVALENT_COVERAGE}): {figures['rule']}")
    for t, f in sweep.items():
        print(f"min coverage >= {t}: {f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
