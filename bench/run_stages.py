"""Run dedup on one input as ``dedup run`` does, and write its per-stage figures as JSON.

Usage:  python bench/run_stages.py INPUT OUT_DIR STAGES_JSON [--jobs N] [--set OPTION=VALUE ...]

``bench/scale.py`` measures this process (wall time, peak RSS, tree PSS): one
run gives both the end-to-end figures and the per-stage ones.  It calls
``dedup.pipeline.runner.run_to_dir``, the library call behind ``dedup run``, with
progress on stderr every 10 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from dedup.cli.options import Progress
from dedup.config import Config
from dedup.pipeline.runner import run_to_dir

MB = 1024 * 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("stages_json", type=Path)
    ap.add_argument("--jobs", "-j", type=int, default=0)
    ap.add_argument("--input-bytes", type=int, default=0, help="for MB/s per stage")
    ap.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                    help="a Config field other than its default, e.g. num_perm=128 (repeatable)")
    args = ap.parse_args()
    overrides = {k: json.loads(v) for k, v in (kv.split("=", 1) for kv in args.set)}
    progress = Progress(quiet=False)
    t0 = time.perf_counter()
    result, _ = run_to_dir(args.input, args.out, Config(jobs=args.jobs, **overrides), progress)
    progress.close()
    wall = time.perf_counter() - t0
    nb = args.input_bytes
    stages = [{"stage": s.stage, "docs_in": s.docs_in, "docs_out": s.docs_out, "seconds": round(s.seconds, 3),
               "docs_per_s": round(s.docs_in / s.seconds, 1) if s.seconds else None,
               "mb_per_s": round(nb / MB / s.seconds, 2) if s.seconds and nb else None, "note": s.note}
              for s in result.stages]
    args.stages_json.write_text(json.dumps({
        "wall_s": round(wall, 2), "pipeline_s": round(result.seconds, 2), "stages": stages,
        "candidate_pairs": result.candidate_pairs, "verified_pairs": sum(e.accepted for e in result.edges),
        "documents": len(result.documents), "engine": result.meta.get("engine")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
