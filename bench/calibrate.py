"""Calibrate the verification thresholds on all three data sets at once.

Usage:  python bench/calibrate.py ../shared/data/meter [--grid min_coverage=0.05,0.1,0.15,0.2]
                                  [--grid sentence_similarity=0.35,0.4,0.45]

For each combination it prints, side by side:
- seeds: whether the seeds come out as {000, 001, 002}, {003}, {004};
- METER: linkage and thread precision (see bench/meter.py);
- stress set (bench/stress.py, seed 7): adjusted Rand index.

One set of defaults must serve all three; the README's table comes from here.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

from dedup.config import Config
from dedup.pipeline.runner import run

sys.path.insert(0, str(Path(__file__).resolve().parent))
import meter
import stress

REPO = Path(__file__).resolve().parent.parent
WANT = [["000", "001", "002"]]


def seeds_ok(config: Config) -> bool:
    result = run(REPO / "seeds", config)
    groups = sorted(sorted(m.id[:3] for m in c.members) for c in result.clusters)
    return groups == WANT


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("meter", type=Path, help="folder with corpus/ and labels.jsonl")
    ap.add_argument("--grid", action="append", default=[], help="NAME=v1,v2,... (a Config field); repeatable")
    args = ap.parse_args()
    grid = dict(g.split("=", 1) for g in args.grid) or {"min_coverage": "0.05,0.1,0.15,0.2,0.3"}
    names = list(grid)
    values = [[float(v) if "." in v else int(v) for v in grid[n].split(",")] for n in names]
    labels = {r["path"]: r for r in map(json.loads, (args.meter / "labels.jsonl").read_text().splitlines())}
    stress_dir = Path(tempfile.mkdtemp(prefix="dedup-stress-"))
    stress.generate(args.meter / "corpus", stress_dir, seed=7)

    default = Config()
    print(f"{'':30} {'seeds':>6} {'METER link':>10} {'thread P':>9} {'stress ARI':>10}")
    for combo in itertools.product(*values):
        changes = dict(zip(names, combo, strict=True))
        config = Config(**{**default.to_dict(), **changes, "jobs": default.jobs})
        result = run(args.meter / "corpus", config)
        clusters = [[m.id for m in c.members if m.id in labels] for c in result.clusters]
        m = meter.score(clusters, labels)
        s = stress.score(stress_dir, config)
        mark = " *" if all(getattr(default, k) == v for k, v in changes.items()) else ""
        label = ", ".join(f"{k}={v}" for k, v in changes.items()) + mark
        print(f"{label:30} {('ok' if seeds_ok(config) else 'WRONG'):>6} {m['linkage']:10.3f} "
              f"{m['thread_precision']:9.4f} {s['ari']:10.4f}", flush=True)
    print("* = current default")
    return 0


if __name__ == "__main__":
    sys.exit(main())
