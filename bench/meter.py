"""METER benchmark: dedup's defaults against a plain MinHash-LSH baseline.

Usage:  python bench/meter.py ../shared/data/meter  [--out DIR] [--skip-baseline] [--batches K [--seed S]]

The folder must hold ``corpus/`` and ``labels.jsonl`` (see its README).
Prints the two figures its README defines, for both systems, then how often dedup names the original:
the clusters holding PA and newspaper texts whose canonical is a PA text, and the newspaper members
whose ``derived_from`` is a PA text of their story.  The two figures:

- linkage: share of the newspaper texts that share a cluster with at least
  one PA text of their own story;
- thread precision: of all pairs of texts sharing a cluster, the share whose
  two texts have the same thread.

With ``--batches K``, dedup also adds the corpus to a new index in K batches
(the files shuffled by ``--seed``; ``--recompare auto|always|never``: when an
addition judges every pair again) and the index's clusters are scored the same
way: what a newsroom gets when the same articles arrive over time.

The baseline is the recipe most users write from datasketch's docs: word
5-gram shingles, 128 permutations, MinHashLSH at Jaccard 0.5, connected
components.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from dedup.config import Config
from dedup.pipeline.runner import run_to_dir
from dedup.stages.cluster import connected
from dedup.types import Cluster


def score(clusters: list[list[str]], labels: dict[str, dict]) -> dict[str, float]:
    """Linkage and thread precision of a clustering (lists of corpus-relative paths)."""
    pairs = same = 0
    linked = set()
    for members in clusters:
        for a, b in itertools.combinations(members, 2):
            pairs += 1
            same += labels[a]["thread"] == labels[b]["thread"]
        pa_stories = {labels[m]["story"] for m in members if labels[m]["side"] == "PA"}
        linked |= {m for m in members if labels[m]["side"] == "newspapers" and labels[m]["story"] in pa_stories}
    n_news = sum(1 for v in labels.values() if v["side"] == "newspapers")
    return {
        "linkage": len(linked) / n_news,
        "thread_precision": same / pairs if pairs else 1.0,
        "pairs": pairs,
        "clusters": sum(1 for c in clusters if len(c) > 1),
        "largest": max((len(c) for c in clusters), default=0),
    }


def run_dedup(corpus: Path, out: Path) -> tuple[list[list[str]], float, list[Cluster]]:
    t0 = time.perf_counter()
    result, _ = run_to_dir(corpus, out, Config())
    clusters = [[m.id for m in c.members] for c in result.clusters]
    return clusters, time.perf_counter() - t0, list(result.clusters)


def run_index(corpus: Path, batches: int, seed: int, recompare: bool | None = None
              ) -> tuple[list[list[str]], float, list[Cluster]]:
    """The corpus added to a new index in ``batches`` shuffled batches; its clusters as exported.
    ``recompare`` as ``Index.add`` takes it (None: its default)."""
    from dedup.index import Index

    files = sorted(p.relative_to(corpus) for p in corpus.rglob("*") if p.is_file())
    random.Random(seed).shuffle(files)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with Index.open(Path(tmp) / "meter.db") as ix:
            for k in range(batches):
                folder = Path(tmp) / f"batch{k}"
                for rel in files[k::batches]:
                    (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(corpus / rel, folder / rel)
                ix.add(folder, recompare=recompare)
            result = ix.result()
        return [[m.id for m in c.members] for c in result.clusters], time.perf_counter() - t0, list(result.clusters)


def originals(clusters: list[Cluster], labels: dict[str, dict]) -> dict[str, int]:
    """How often the original is named: clusters holding PA and newspaper texts whose canonical is a PA
    text, and newspaper members whose ``derived_from`` is a PA text of their own story."""
    mixed = pa_canonical = told = from_pa = 0
    for c in clusters:
        sides = {labels[m.id]["side"] for m in c.members if m.id in labels}
        if sides == {"PA", "newspapers"}:
            mixed += 1
            pa_canonical += labels[c.canonical]["side"] == "PA"
        for m in c.members:
            if m.id in labels and labels[m.id]["side"] == "newspapers" and m.derived_from in labels:
                told += 1
                src = labels[m.derived_from]
                from_pa += src["side"] == "PA" and src["story"] == labels[m.id]["story"]
    return {"mixed_clusters": mixed, "pa_canonical": pa_canonical, "newspapers_told": told,
            "newspapers_from_pa": from_pa}


def run_baseline(corpus: Path, paths: list[str]) -> tuple[list[list[str]], float]:
    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    sigs = {}
    for p in paths:
        words = re.findall(r"\w+", (corpus / p).read_bytes().decode("cp1252", errors="replace").lower())
        m = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            m.update(" ".join(words[i:i + 5]).encode())
        sigs[p] = m
        lsh.insert(p, m)
    pairs = [(p, q) for p in paths for q in lsh.query(sigs[p]) if q != p]
    clusters = connected(paths, pairs)
    return clusters, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("meter", type=Path, help="folder with corpus/ and labels.jsonl")
    ap.add_argument("--out", type=Path, help="where dedup writes its report (default: a temporary folder)")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--batches", type=int, default=0, help="also add the corpus to an index in this many batches")
    ap.add_argument("--seed", type=int, default=1, help="how the files are shuffled into batches")
    ap.add_argument("--recompare", choices=("auto", "always", "never"), default="auto",
                    help="with --batches: when an addition judges every pair again (auto: the index's default)")
    args = ap.parse_args()
    corpus = args.meter / "corpus"
    labels = {r["path"]: r for r in map(json.loads, (args.meter / "labels.jsonl").read_text().splitlines())}

    out = args.out or Path(tempfile.mkdtemp(prefix="dedup-meter-"))
    clusters, secs, found = run_dedup(corpus, out)
    clusters = [[m for m in c if m in labels] for c in clusters]
    rows = {"dedup (defaults)": {**score(clusters, labels), "seconds": secs, "originals": originals(found, labels)}}
    if args.batches:
        when = {"auto": None, "always": True, "never": False}[args.recompare]
        iclusters, isecs, ifound = run_index(corpus, args.batches, args.seed, when)
        rows[f"dedup index ({args.batches} batches, recompare {args.recompare})"] = {
            **score([[m for m in c if m in labels] for c in iclusters], labels), "seconds": isecs,
            "originals": originals(ifound, labels)}
    if not args.skip_baseline:
        base, bsecs = run_baseline(corpus, sorted(labels))
        rows["MinHash-LSH baseline (5-grams, J>=0.5)"] = {**score(base, labels), "seconds": bsecs}

    print(f"METER: {len(labels)} labelled texts, {sum(v['side'] == 'newspapers' for v in labels.values())} newspaper")
    print(f"{'system':42} {'linkage':>8} {'thread P':>9} {'clusters':>9} {'largest':>8} {'time s':>7}")
    for name, r in rows.items():
        print(f"{name:42} {r['linkage']:8.3f} {r['thread_precision']:9.4f} {r['clusters']:9d} "
              f"{r['largest']:8d} {r['seconds']:7.1f}")
    for name, r in rows.items():
        if "originals" not in r:
            continue
        o = r["originals"]
        print(f"{name}: canonical: a PA text in {o['pa_canonical']} of {o['mixed_clusters']} clusters holding PA and "
              f"newspaper texts; derived_from: a PA text of their story for {o['newspapers_from_pa']} of "
              f"{o['newspapers_told']} newspaper members that name one")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
