"""Index benchmark: build an index, add new articles to it, and query it one article at a time.

Usage::

    python bench/index_bench.py --base 20000 --add 1000 --queries 20 [--gen-dir /tmp/dedup-index-bench]
                                [--seed 1] [--jobs 0] [--json FILE] [--queries-only]
                                [--keep-base | --add-only [--warm]]

A corpus of ``base + add + 10 * queries`` articles is generated with
``bench/gen_corpus.py`` (seeded, JSON lines, a fifth of them planted copies)
into ``--gen-dir`` when missing.  The first ``base`` articles are added in one
addition (the build), the next ``add`` in a second; then ``--queries`` of the
articles are asked for one by one: half of them trimmed copies of indexed
articles (their first two thirds of paragraphs: the answer should be "a
copy"), half originals left out of the index (the answer should be "not a
copy").  Printed: wall time of the build, of the addition, of the first query
(which loads the index into memory and signs it) and of the others (median and
maximum), the index's bytes on disk per document, the peak
RSS of this process, and how many answers were as expected.  The index is
left in ``--gen-dir``; ``--queries-only`` asks the same questions of it again
without building it (after a change to the query path); ``--keep-base`` keeps a
copy of the built index, from which ``--add-only`` times the addition and the
queries again without building (after a change to the addition).  The copy
just made is partly out of the page cache; ``--warm`` reads it through once
before the addition, as an index in regular use would be read.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import gen_corpus  # noqa: E402

from dedup.index import Index  # noqa: E402


def corpus(n: int, gen_dir: Path, seed: int, base: int, add: int) -> Path:
    """The generated corpus split into ``base.jsonl``, ``add.jsonl`` and ``rest.jsonl`` (read line by line:
    the benchmark holds no more of it than its queries)."""
    out = gen_dir / f"n{n}-s{seed}"
    if not (out / "manifest.json").exists():  # written last: a corpus cut short is made again
        gen_corpus.generate(n, out, seed=seed, dup_share=0.2, fmt="jsonl", quiet=True)
    parts = out / f"split-{base}-{add}"
    if not (parts / "rest.jsonl").exists():
        parts.mkdir(exist_ok=True)
        with open(out / "articles.jsonl", "rb") as f, open(parts / "base.jsonl", "wb") as fb, \
                open(parts / "add.jsonl", "wb") as fa, open(parts / "rest.tmp", "wb") as fr:
            for k, line in enumerate(f):
                (fb if k < base else fa if k < base + add else fr).write(line)
        (parts / "rest.tmp").rename(parts / "rest.jsonl")
    return parts


def _lines(path: Path, wanted: set[int]) -> list[dict]:
    with open(path, "rb") as f:
        return [json.loads(line) for k, line in enumerate(f) if k in wanted]


def _trimmed(text: str) -> str:
    paras = [p for p in text.split("\n\n") if p.strip()]
    return "\n\n".join(paras[:max(2, 2 * len(paras) // 3)]) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", type=int, default=20000)
    ap.add_argument("--add", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--gen-dir", type=Path, default=Path("/tmp/dedup-index-bench"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--queries-only", action="store_true",
                    help="query the index an earlier run of the same sizes left in --gen-dir; build and add nothing")
    ap.add_argument("--keep-base", action="store_true",
                    help="keep a copy of the built index (before the addition) beside it, for --add-only")
    ap.add_argument("--add-only", action="store_true",
                    help="start from the copy --keep-base kept: time the addition and the queries, not the build")
    ap.add_argument("--warm", action="store_true",
                    help="with --add-only: read the copied index through once before the addition")
    args = ap.parse_args(argv)

    n = args.base + args.add + 10 * args.queries
    parts = corpus(n, args.gen_dir, args.seed, args.base, args.add)
    out = parts.parent
    db = args.gen_dir / f"index-{args.base}-{args.add}-s{args.seed}.db"
    base = Path(f"{db}.base")
    if args.queries_only and not db.exists():
        ap.error(f"--queries-only: no index at {db}; run once without it")
    if args.add_only and not base.exists():
        ap.error(f"--add-only: no copy of the built index at {base}; run once with --keep-base")
    for suffix in ("", "-wal", "-shm"):
        if not args.queries_only:
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    if args.add_only:
        shutil.copyfile(base, db)
        if args.warm:
            with open(db, "rb") as f:
                while f.read(1 << 24):
                    pass
    figures: dict[str, object] = {"base": args.base, "add": args.add, "queries": args.queries, "warm": args.warm}
    with Index.open(db, {"jobs": args.jobs}, must_exist=args.queries_only or args.add_only) as ix:
        if not args.queries_only:
            if not args.add_only:
                t = time.perf_counter()
                ix.add(parts / "base.jsonl")
                figures["build_s"] = round(time.perf_counter() - t, 2)
                if args.keep_base:
                    ix.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    shutil.copyfile(db, base)
            t = time.perf_counter()
            change = ix.add(parts / "add.jsonl")
            figures["add_s"] = round(time.perf_counter() - t, 2)
            figures["add_stages_s"] = change.stages  # the comparison's stages; the rest is loading and writing
            figures["add_counts"] = {k: v for k, v in change.counts.items() if v}
        stats = ix.stats()
        figures["bytes_per_document"] = stats["bytes_per_document"]
        figures["index_mb"] = round(stats["bytes"] / 1e6, 1)
        rng = random.Random(args.seed)
        picked = set(rng.sample(range(args.base), args.queries // 2))
        copies = [(_trimmed(r["text"]), True) for r in _lines(parts / "base.jsonl", picked)]
        rest = _lines(parts / "rest.jsonl", set(range(n - args.base - args.add)))
        rest_ids = {r["id"] for r in rest}
        with open(out / "labels.jsonl", "rb") as f:
            transform = {r["id"]: r["transform"] for r in map(json.loads, f) if r["id"] in rest_ids}
        originals = [(r["text"], False) for r in rest if transform[r["id"]] == "original"]
        asked = copies + rng.sample(originals, min(len(originals), args.queries - len(copies)))
        times, hits = [], 0
        for text, copy in asked:
            t = time.perf_counter()
            answer = ix.query(text)
            times.append(time.perf_counter() - t)
            hits += bool(answer["copy"]) == copy
            if bool(answer["copy"]) != copy:
                print(f"unexpected answer: copy={answer['copy']} for a{'' if copy else 'n original, not'} copy: "
                      f"{text[:80]!r}", file=sys.stderr)
        figures["first_query_ms"] = round(1000 * times[0], 1)  # loads the index into memory and signs it
        figures["query_median_ms"] = round(1000 * statistics.median(times[1:]), 1)
        figures["query_max_ms"] = round(1000 * max(times[1:]), 1)
        figures["query_answers_as_expected"] = f"{hits}/{len(asked)}"
    figures["peak_rss_mb_main"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["peak_rss_mb_largest_worker"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    for k, v in figures.items():
        print(f"{k:<28} {v}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
