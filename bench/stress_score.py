"""Scoring a stress set: dedup's clusters against the labels (ARI, pairwise precision/recall,
per-transform table, margins, missed pairs and false merges) and the printed report."""

from __future__ import annotations

import json
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from stress_transforms import TRANSFORMS


def adjusted_rand_index(truth: list[str], pred: list[str]) -> float:
    """ARI from the contingency table (Hubert & Arabie), as sklearn computes it."""
    n = len(truth)
    if n < 2:
        return 1.0
    cont = Counter(zip(truth, pred))
    sum_ij = sum(math.comb(v, 2) for v in cont.values())
    sum_a = sum(math.comb(v, 2) for v in Counter(truth).values())
    sum_b = sum(math.comb(v, 2) for v in Counter(pred).values())
    expected = sum_a * sum_b / math.comb(n, 2)
    max_index = (sum_a + sum_b) / 2
    if max_index == expected:  # both partitions all singletons, or both one cluster
        return 1.0
    return (sum_ij - expected) / (max_index - expected)


def pair_scores(truth: list[str], pred: list[str]) -> dict[str, float]:
    """Pairwise precision / recall / F1 over all pairs of documents."""
    tp = sum(math.comb(v, 2) for v in Counter(zip(truth, pred)).values())
    true_pairs = sum(math.comb(v, 2) for v in Counter(truth).values())
    pred_pairs = sum(math.comb(v, 2) for v in Counter(pred).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "true_pairs": true_pairs, "predicted_pairs": pred_pairs, "correct_pairs": tp}


def read_labels(out_dir: Path) -> list[dict]:
    with open(out_dir / "labels.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(out_dir: Path, config: Any = None, n_failures: int = 10) -> dict:
    """Run dedup on ``out_dir/articles`` and score it against ``out_dir/labels.jsonl``."""
    from dedup.config import Config
    from dedup.pipeline.runner import run

    config = config or Config()
    labels = read_labels(out_dir)
    lab = {row["id"]: row for row in labels}
    t0 = time.perf_counter()
    result = run(out_dir / "articles", config)
    seconds = time.perf_counter() - t0

    pred: dict[str, str] = {}
    for c in result.clusters:
        for m in c.members:
            pred[m.id] = c.id
    seen = {d.id for d in result.documents} | {s.id for s in result.skipped}
    unknown = sorted(seen - set(lab))
    if unknown:
        raise SystemExit(f"{out_dir}: {len(unknown)} document(s) without a label, e.g. {unknown[0]}")
    missing = sorted(set(lab) - seen)
    if missing:
        raise SystemExit(f"{out_dir}: {len(missing)} labelled file(s) not seen by dedup, e.g. {missing[0]}")
    ids = sorted(lab)
    cluster_of = {i: pred.get(i, "single:" + i) for i in ids}
    truth = [lab[i]["group"] for i in ids]
    predicted = [cluster_of[i] for i in ids]

    members: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        members[cluster_of[i]].append(i)
    edges = {(e.a, e.b): e for e in result.edges}

    def edge(a: str, b: str):
        return edges.get((min(a, b), max(a, b)))

    def merged_elsewhere(i: str) -> bool:
        return any(lab[j]["group"] != lab[i]["group"] for j in members[cluster_of[i]])

    # closest calls: the best score / shingle containment of any candidate pair joining a file to another group
    cross: dict[str, float] = defaultdict(float)
    cross_c: dict[str, float] = defaultdict(float)
    for e in result.edges:
        if lab[e.a]["group"] != lab[e.b]["group"]:
            for x in (e.a, e.b):
                cross[x] = max(cross[x], e.evidence.score)
                cross_c[x] = max(cross_c[x], e.evidence.containment_ab, e.evidence.containment_ba)

    rows = []
    missed = []
    for kind in ("base",) + TRANSFORMS + ("independent",):
        its = [i for i in ids if lab[i]["transform"] == kind]
        if not its:
            continue
        row: dict[str, Any] = {"transform": kind, "n": len(its)}
        if kind not in ("base", "independent"):
            hit = [i for i in its if cluster_of[i] == cluster_of[lab[i]["base"]]]
            row["with_base"] = len(hit) / len(its)
            missed += [i for i in its if cluster_of[i] != cluster_of[lab[i]["base"]]]
            scores = [e.evidence.score if e is not None else 0.0 for e in (edge(i, lab[i]["base"]) for i in its)]
            row["min_base_score"] = min(scores)
        row["merged_elsewhere"] = sum(map(merged_elsewhere, its)) / len(its)
        row["max_cross_score"] = max(cross[i] for i in its)
        row["max_cross_containment"] = max(cross_c[i] for i in its)
        rows.append(row)
    bp = [i for i in ids if lab[i]["boilerplate"]]
    rows.append({"transform": "with boilerplate", "n": len(bp),
                 "merged_elsewhere": sum(map(merged_elsewhere, bp)) / len(bp) if bp else 0.0,
                 "max_cross_score": max((cross[i] for i in bp), default=0.0),
                 "max_cross_containment": max((cross_c[i] for i in bp), default=0.0)})

    def describe_edge(a: str, b: str) -> dict:
        e = edge(a, b)
        if e is None:
            return {"edge": None, "reason": "not a candidate"}
        reason = e.reason
        if e.accepted and cluster_of[a] != cluster_of[b]:
            reason += " (accepted, but the two ended in different clusters)"
        return {"edge": "accepted" if e.accepted else "rejected", "reason": reason,
                "score": round(e.evidence.score, 3), "aligned": e.evidence.aligned_sentences}

    # missed variant->base pairs: easiest transforms first, round-robin so each transform shows up
    by_kind: dict[str, list[str]] = defaultdict(list)
    for i in missed:
        by_kind[lab[i]["transform"]].append(i)
    order: list[str] = []
    while any(by_kind.values()):
        for kind in TRANSFORMS:
            if by_kind[kind]:
                order.append(by_kind[kind].pop(0))
    missed_out = [{"variant": i, "base": lab[i]["base"], "transform": lab[i]["transform"],
                   "group": lab[i]["group"], "source": lab[i]["source"], "params": lab[i]["params"],
                   **describe_edge(i, lab[i]["base"])} for i in order]

    false_pairs = []
    for ms in members.values():
        for x in range(len(ms)):
            for y in range(x + 1, len(ms)):
                a, b = ms[x], ms[y]
                if lab[a]["group"] != lab[b]["group"]:
                    d = describe_edge(a, b)
                    false_pairs.append({
                        "a": a, "b": b, "groups": [lab[a]["group"], lab[b]["group"]],
                        "transforms": [lab[a]["transform"], lab[b]["transform"]],
                        "sources": [lab[a]["source"], lab[b]["source"]],
                        "boilerplate": [lab[a]["boilerplate"], lab[b]["boilerplate"]], **d})
    false_pairs.sort(key=lambda f: (-(f.get("score") or 0.0), f["a"], f["b"]))

    groups = defaultdict(set)
    for i in ids:
        groups[lab[i]["group"]].add(i)
    exact_groups = sum(1 for g, m in groups.items() if set(members[cluster_of[next(iter(m))]]) == m)
    return {
        "files": len(ids), "groups": len(groups), "skipped": {s.id: s.reason for s in result.skipped},
        "clusters": len(result.clusters), "candidate_pairs": result.candidate_pairs,
        "verified_pairs": sum(1 for e in result.edges if e.accepted),
        "ari": adjusted_rand_index(truth, predicted), "pairwise": pair_scores(truth, predicted),
        "groups_exact": exact_groups / len(groups),
        "by_transform": rows, "missed": missed_out[:max(0, n_failures)], "missed_total": len(missed_out),
        "false_merges": false_pairs[:max(0, n_failures)], "false_merges_total": len(false_pairs),
        "config": config.to_dict(), "dedup_seconds": round(seconds, 2),
    }


def print_report(s: dict, out=sys.stdout) -> None:
    w = out.write
    pw = s["pairwise"]
    w(f"stress set: {s['files']} files, {s['groups']} groups; dedup: {s['clusters']} clusters, "
      f"{s['candidate_pairs']} candidate pairs, {s['verified_pairs']} verified, {len(s['skipped'])} skipped, "
      f"{s['dedup_seconds']:.1f} s\n")
    w(f"ARI {s['ari']:.4f}   pairwise precision {pw['precision']:.4f}  recall {pw['recall']:.4f}  "
      f"F1 {pw['f1']:.4f}   groups recovered exactly {s['groups_exact']:.3f}\n\n")
    w(f"{'transform':<18}{'n':>5}  {'with base':>9}  {'merged elsewhere':>16}  {'min base score':>14}  "
      f"{'max cross score':>15}  {'max cross contain':>17}\n")
    for r in s["by_transform"]:
        wb = f"{r['with_base']:.3f}" if "with_base" in r else "-"
        mb = f"{r['min_base_score']:.2f}" if "min_base_score" in r else "-"
        w(f"{r['transform']:<18}{r['n']:>5}  {wb:>9}  {r['merged_elsewhere']:>16.3f}  {mb:>14}  "
          f"{r['max_cross_score']:>15.2f}  {r['max_cross_containment']:>17.2f}\n")
    w("\n'with base': share of the variants in the same cluster as their base (recall by transform);\n"
      "'merged elsewhere': share of the files that share a cluster with a file of another group;\n"
      f"'min base score': lowest verify score (coverage) of a variant->base pair (0: not a candidate), "
      f"threshold {s['config']['min_coverage']};\n"
      "'max cross score' / 'max cross contain': highest verify score / shingle containment of any candidate\n"
      f"pair joining the file to another group (containment is checked first, at {s['config'].get('min_containment')}; "
      "below it the score stays 0).\n")
    if s["skipped"]:
        w(f"skipped: {dict(Counter(s['skipped'].values()))}\n")
    w(f"\nmissed variant->base pairs: {s['missed_total']}; first {len(s['missed'])}:\n")
    for f in s["missed"]:
        w(f"  {f['transform']:<13} {f['variant']} -> {f['base']}  [{f['source']}]  {f['params']}\n"
          f"      {f['reason']}\n")
    w(f"\nfalse merges (pairs across groups in one cluster): {s['false_merges_total']}; "
      f"first {len(s['false_merges'])}:\n")
    for f in s["false_merges"]:
        w(f"  {f['a']} ({f['transforms'][0]}, {f['sources'][0]}) ~ {f['b']} ({f['transforms'][1]}, "
          f"{f['sources'][1]})  boilerplate {f['boilerplate']}\n      {f['reason']}\n")
