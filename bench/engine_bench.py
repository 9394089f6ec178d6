"""Engine benchmark: the same corpus on the local engine and on Ray, end to end, with what Ray moves.

Usage::

    python bench/engine_bench.py --sizes 100000,1000000 [--gen-dir /tmp/dedup-engine-bench] [--jobs 2]
                                 [--engines local,ray] [--out bench/results/NAME]

For each size, a corpus is generated when missing (``bench/gen_corpus.py``, seeded: one JSONL file
with planted copies), then dedup runs on it once per engine, each in its own process
(``bench/run_stages.py``, the call behind ``dedup run``), measured by ``bench/procmeasure.py``: wall
time, peak PSS of the whole process tree (for Ray: the driver, its GCS, raylet and every worker),
and each stage's seconds (CPU seconds are in ``results.json`` but count only the processes the run
waited for: Ray's workers are not among them).  For Ray it also records, per stage, the tasks and the bytes
sent to them (the stage's shared input, put once in the object store, and each task's chunk) and
received from them (their pickled results).  The outputs of the engines are compared byte for byte
(``clusters.json``, ``documents.jsonl``).  With ``--engine ray`` and no address, the run starts a
local Ray cluster of ``--jobs`` CPUs, which counts in its time.

Writes ``results.json`` and ``results.md`` (the tables) into ``--out``.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from gen_corpus import generate  # noqa: E402
from procmeasure import measure  # noqa: E402

MB = 1e6


def corpus(gen_dir: Path, n: int) -> Path:
    folder = gen_dir / f"n{n}-s1"
    if not (folder / "articles.jsonl").exists():
        generate(n, folder, seed=1, dup_share=0.2, fmt="jsonl", quiet=True)
    return folder / "articles.jsonl"


def one_run(source: Path, work: Path, engine: str, jobs: int) -> dict:
    out = work / f"out-{engine}"
    stages_json = work / f"stages-{engine}.json"
    cmd = [sys.executable, str(BENCH / "run_stages.py"), str(source), str(out), str(stages_json), "--jobs", str(jobs),
           "--input-bytes", str(source.stat().st_size), "--set", "pages=false"]
    if engine != "local":
        cmd += ["--set", f'engine="{engine}"']
    figures = measure(cmd, work / f"run-{engine}.log")
    if figures["rc"] != 0:
        raise SystemExit(f"{engine} run failed (rc {figures['rc']}); see {figures['log']}")
    return figures | json.loads(stages_json.read_text()) | {"out": str(out)}


def table(size: int, runs: dict[str, dict]) -> list[str]:
    first = next(iter(runs.values()))
    lines = [f"## {size:,} articles", "", "| engine | wall s | tree PSS MB | " +
             " | ".join(f"{s['stage']} s" for s in first["stages"]) + " |",
             "|---|---:|---:|" + "---:|" * len(first["stages"])]
    for name, r in runs.items():
        lines.append(f"| {name} | {r['wall_s']:.1f} | {r['peak_tree_pss_mb']:,.0f} | " +
                     " | ".join(f"{s['seconds']:.1f}" for s in r["stages"]) + " |")
    if "ray" in runs and "local" in runs:
        ratio = runs["ray"]["wall_s"] / runs["local"]["wall_s"]
        lines += ["", f"Ray / local wall time: {ratio:.2f}; outputs identical: {runs['ray']['identical']}"]
        moved = runs["ray"]["engine"]["stages"]
        lines += ["", "| stage on Ray | tasks | MB sent | MB received |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {t['tasks']} | {t['sent'] / MB:,.1f} | {t['received'] / MB:,.1f} |" for k, t in moved.items()]
    return lines + [""]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--gen-dir", type=Path, default=Path("/tmp/dedup-engine-bench"))
    ap.add_argument("--engines", default="local,ray")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    md = ["# dedup on the local engine and on Ray", ""]
    for size in (int(s) for s in args.sizes.split(",")):
        source = corpus(args.gen_dir, size)
        work = args.gen_dir / f"runs-{size}"
        work.mkdir(parents=True, exist_ok=True)
        runs = {}
        for engine in args.engines.split(","):
            print(f"{size:,} articles on {engine}...", flush=True)
            runs[engine] = one_run(source, work, engine, args.jobs)
            print(f"  {runs[engine]['wall_s']:.1f} s, tree PSS {runs[engine]['peak_tree_pss_mb']:,.0f} MB", flush=True)
        if "local" in runs:
            base = Path(runs["local"]["out"])
            for r in runs.values():
                r["identical"] = all(filecmp.cmp(base / f, Path(r["out"]) / f, shallow=False)
                                     for f in ("clusters.json", "documents.jsonl"))
        results[str(size)] = runs
        md += table(size, runs)
        (args.out / "results.json").write_text(json.dumps(results, indent=1))
        (args.out / "results.md").write_text("\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
