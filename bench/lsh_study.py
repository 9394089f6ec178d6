"""LSH candidate-rule study: which rule keeps candidate pairs near-linear in N, and what recall it costs.

Usage::

    python bench/lsh_study.py scale CORPUS... [--json FILE] [--rules a,r3,...] [--jobs N] [--sample 200000]
    python bench/lsh_study.py fit FILE.json...           # growth exponents per rule, from scale runs
    python bench/lsh_study.py check [--seeds seeds] [--meter ../shared/data/meter/corpus] [--json FILE]

CORPUS is a folder made by ``bench/gen_corpus.py`` (``articles/`` beside
``labels.jsonl``).  Each document's shingle hashes are computed exactly as the
pipeline does (ingest, normalize, min_words, ``shingle_hashes(nd, 1)``, then
``drop_common``) and cached, with their MinHash signatures (128, 256 and 512
permutations, seed 1), in ``/tmp/lsh-study/`` so a second run skips the
normalization (100k documents: about 4 minutes the first time).  The package
is imported from PYTHONPATH first, so a snapshot of a commit can be measured
while the working tree is being edited::

    mkdir -p /tmp/lsh-study/src && git archive HEAD dedup | tar -x -C /tmp/lsh-study/src
    PYTHONPATH=/tmp/lsh-study/src .venv/bin/python bench/lsh_study.py scale ...

For every rule it reports the LSH pairs, the pairs left after
the screen (MinHash-estimated containment >= 0.15, as the pipeline), and for
the per-document caps the pairs kept, the recall of the true pairs (two
documents of one label group) before and after, by the variant's transform
(``var-var``: two variants of one original), and the seconds.

Rules (``--rules``, default all):
  a         the current rule: 128 perms, b=64 r=2, max_bucket 200
  r3 r4     128 perms, r rows, b = 128 // r
  p256r2 p256r3 p256r4 p512r3 p512r4   the same from 256- or 512-perm signatures (b = perms // r)
  mb20 mb10 p256mb10   r=2 with a smaller max_bucket (a bigger bucket links its members to its first)
  cap10 cap20   rule a, then each document keeps only its K best screened pairs by estimated
            containment (a pair stays if it is in the top K of either document)
  hits2 p256r2hits2   r=2 bands, but a pair needs equal keys in 2 or more bands (band voting)
  p256r3s20 p512r3s20 p256forest10s20   with the screen at 0.2 instead of 0.15
  auto      rows chosen from N (Indyk-Motwani: r grows as log N): 256 perms, the smallest r whose
            expected background LSH pairs per document, N/2 * E[1-(1-s^r)^b] over a sample of random
            pairs (J < 0.15), is at most --budget (default 2)
  forestM   LSH Forest style (Bawa et al. 2005): r=2 bands, but a bucket over M members is split by one
            more signature value, up to 4 more (2 for p256forestM), before the max_bucket rule applies:
            rows grow only where buckets are crowded, so raw pairs <= bands * N * M / 2

The background model: Jaccard s of ``--sample`` random pairs of different groups
(exact, from the hash sets).  P(LSH pair | s) = 1-(1-s^r)^b; P(also passes the
screen) uses r + Binomial(P - r, s) matching values.  The "model 1M" columns
(pairs per document at N = 1M: the model's background pairs plus the true pairs
found, scaled linearly) extrapolate each rule without a bucket or document cap;
``--grid`` prints the same for a grid of (perms, rows).  The model ignores
max_bucket, so it over-counts rule a at 50k and beyond, where buckets over 200
are linked as stars.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing as mp
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH (a snapshot) goes first
from dedup.config import Config
from dedup.stages.candidates import band_keys, estimated_containment
from dedup.stages.ingest import ingest
from dedup.stages.normalize import normalize
from dedup.stages.shingle import drop_common, shingle_hashes
from dedup.stages.signatures import sign

CACHE = Path("/tmp/lsh-study")
SCREEN = Config().min_containment / 2  # 0.15, the pipeline's screen
PERMS = (128, 256, 512)


@dataclass(frozen=True)
class Rule:
    perms: int = 128
    rows: int = 2
    bands: int = 64
    max_bucket: int = 200
    min_hits: int = 1
    cap: int = 0
    auto: bool = False
    screen: float = SCREEN
    forest: int = 0  # >0: a bucket over max_bucket is split by up to this many more rows (LSH Forest style)


def _r(perms: int, rows: int, **kw) -> Rule:
    return Rule(perms, rows, perms // rows, **kw)


RULES = {
    "a": _r(128, 2), "r3": _r(128, 3), "r4": _r(128, 4),
    "p256r2": _r(256, 2), "p256r3": _r(256, 3), "p256r4": _r(256, 4),
    "mb20": _r(128, 2, max_bucket=20), "mb10": _r(128, 2, max_bucket=10), "p256mb10": _r(256, 2, max_bucket=10),
    "cap10": _r(128, 2, cap=10), "cap20": _r(128, 2, cap=20),
    "hits2": _r(128, 2, min_hits=2), "p256r2hits2": _r(256, 2, min_hits=2),
    "p256r3s20": _r(256, 3, screen=0.2), "p512r3": _r(512, 3), "p512r3s20": _r(512, 3, screen=0.2),
    "p512r4": _r(512, 4),
    "auto": Rule(256, 0, 0, auto=True),
    "forest20": _r(128, 2, max_bucket=20, forest=4), "forest10": _r(128, 2, max_bucket=10, forest=4),
    "forest5": _r(128, 2, max_bucket=5, forest=4), "forest2": _r(128, 2, max_bucket=2, forest=4),
    "p256forest10": _r(256, 2, max_bucket=10, forest=2), "p256forest5": _r(256, 2, max_bucket=5, forest=2),
    "p256forest10s20": _r(256, 2, max_bucket=10, forest=2, screen=0.2),
}


# ------------------------------------------------------------------ corpus and cache
def _slug(path: Path) -> str:
    return f"{path.name}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"


def _doc_hashes(doc) -> np.ndarray | None:
    nd = normalize(doc)
    return shingle_hashes(nd, Config().shingle_size) if nd.word_count >= Config().min_words else None


def load(corpus: str, jobs: int = 1) -> dict:
    """ids, labels and per-document shingle hashes (after drop_common) and signatures, cached."""
    root = Path(corpus).resolve()
    src = root / "articles" if (root / "articles").is_dir() else root
    CACHE.mkdir(parents=True, exist_ok=True)
    cfg = Config()
    raw_file = CACHE / f"{_slug(root)}-hashes.npz"
    if raw_file.exists():
        z = np.load(raw_file)
        ids, flat, offs = list(z["ids"]), z["flat"], z["offs"]
    else:
        t0 = time.perf_counter()
        docs, _ = ingest(src, cfg)
        if jobs > 1:
            with mp.get_context("fork").Pool(jobs) as pool:
                hs = pool.map(_doc_hashes, docs, chunksize=200)
        else:
            hs = [_doc_hashes(d) for d in docs]
        ids = [d.id for d, h in zip(docs, hs) if h is not None]
        hs = [h for h in hs if h is not None]
        flat = np.concatenate(hs) if hs else np.empty(0, np.uint32)
        offs = np.concatenate(([0], np.cumsum([len(h) for h in hs]))).astype(np.int64)
        np.savez(raw_file, ids=np.array(ids), flat=flat, offs=offs)
        print(f"  cached {len(ids)} documents' shingle hashes in {time.perf_counter() - t0:.0f} s: {raw_file}",
              file=sys.stderr)
    raw = [flat[offs[k]:offs[k + 1]] for k in range(len(ids))]
    hashes = drop_common(raw, cfg.common_share, cfg.common_min_docs)
    data = {"corpus": str(root), "ids": ids, "hashes": hashes,
            "sizes": np.fromiter((len(h) for h in hashes), np.int64, len(hashes))}
    for p in PERMS:
        f = CACHE / f"{_slug(root)}-sig{p}.npz"
        if f.exists():
            data[p] = np.load(f)["values"]
        else:
            data[p] = sign(hashes, p, cfg.seed)
            np.savez(f, values=data[p])
    labels = root / "labels.jsonl"
    if labels.exists():
        lab = {}
        for line in labels.open():
            d = json.loads(line)
            lab[d.get("id", d.get("path"))] = d
        data["labels"] = [lab.get(i, {}) for i in ids]
    return data


def true_pairs(data: dict) -> tuple[np.ndarray, np.ndarray]:
    """Codes i*n+j of the pairs in one label group, and each pair's category (the variant's transform)."""
    n = len(data["ids"])
    groups: dict[str, list[int]] = {}
    for k, d in enumerate(data["labels"]):
        groups.setdefault(d["group"], []).append(k)
    codes, cats = [], []
    for members in groups.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                ti, tj = data["labels"][i]["transform"], data["labels"][j]["transform"]
                codes.append(i * n + j)
                cats.append(tj if ti == "original" else ti if tj == "original" else "var-var")
    order = np.argsort(codes)
    return np.array(codes, np.int64)[order], np.array(cats)[order]


# ------------------------------------------------------------------ background model
def background_sample(data: dict, size: int, seed: int = 0) -> dict:
    """Exact Jaccard, sizes of ``size`` random pairs of documents from different groups."""
    n = len(data["ids"])
    rng = np.random.default_rng(seed)
    i, j = rng.integers(0, n, size), rng.integers(0, n, size)
    keep = i != j
    if "labels" in data:
        g = np.array([d["group"] for d in data["labels"]])
        keep &= g[i] != g[j]
    i, j = np.minimum(i, j)[keep], np.maximum(i, j)[keep]
    hs = data["hashes"]
    inter = np.fromiter((len(np.intersect1d(hs[a], hs[b], assume_unique=True)) for a, b in zip(i, j)),
                        np.float64, len(i))
    sa, sb = data["sizes"][i].astype(np.float64), data["sizes"][j].astype(np.float64)
    return {"s": inter / np.maximum(sa + sb - inter, 1), "a": sa, "b": sb}


def _binom_sf(k: np.ndarray, n: int, p: np.ndarray) -> np.ndarray:
    """P(Binomial(n, p) >= k), vectorized over k and p."""
    try:
        from scipy.stats import binom
        return binom.sf(k - 1, n, p)
    except ImportError:  # the exact sum of terms, slower
        x = np.arange(n + 1)
        lc = np.array([math.lgamma(n + 1) - math.lgamma(v + 1) - math.lgamma(n - v + 1) for v in x])
        pp = np.clip(p, 1e-300, 1 - 1e-16)[:, None]
        logpmf = lc[None, :] + x[None, :] * np.log(pp) + (n - x[None, :]) * np.log1p(-pp)
        return np.where(x[None, :] >= k[:, None], np.exp(logpmf), 0.0).sum(axis=1)


def model(bg: dict, rule: Rule) -> tuple[float, float]:
    """Probability that a random background pair is an LSH pair, and that it is one and passes the screen."""
    s, a, b = bg["s"], bg["a"], bg["b"]
    q = s ** rule.rows  # one band's keys equal
    if rule.min_hits == 1:
        p_lsh = 1 - (1 - q) ** rule.bands
    else:
        p_lsh = _binom_sf(np.full(len(s), rule.min_hits), rule.bands, q)
    mn = np.minimum(a, b)
    jmin = rule.screen * mn / np.maximum(a + b - rule.screen * mn, 1e-9)  # containment >= 0.15 <=> J >= jmin
    need = np.ceil(jmin * rule.perms - 1e-9).astype(np.int64) - rule.rows * rule.min_hits
    p_screen = p_lsh * _binom_sf(need, rule.perms - rule.rows * rule.min_hits, s)
    return float(p_lsh.mean()), float(p_screen.mean())


def auto_rows(bg: dict, n: int, perms: int, budget: float) -> int:
    """Smallest r whose expected background LSH pairs per document, N/2 * E[1-(1-s^r)^b], is <= budget.

    Sampled pairs at J >= 0.15 are left out: they are likely copies (METER, seeds), not background.
    """
    low = bg["s"] < 0.15
    bg = {k: v[low] for k, v in bg.items()}
    for r in range(2, 9):
        if (n - 1) / 2 * model(bg, _r(perms, r))[0] <= budget:
            return r
    return 8


def exact_jaccard(hashes: list[np.ndarray], codes: np.ndarray, n: int) -> np.ndarray:
    return np.fromiter((len(np.intersect1d(hashes[c // n], hashes[c % n], assume_unique=True))
                        / len(np.union1d(hashes[c // n], hashes[c % n])) for c in codes), np.float64, len(codes))


def print_grid(bg: dict, tj: np.ndarray, cats: np.ndarray | None, title: str) -> dict:
    """Model only: background pairs per document at N=1M and expected recall, for (perms, rows) choices."""
    print(f"model grid ({title}): background pairs per document at N=1M (LSH, screened 0.15, screened 0.2); "
          "expected recall of the pairs (all, worst category); P(LSH pair) at J = 0.2, 0.25, 0.3")
    out = {}
    for p in (128, 256, 512, 1024):
        for r in (2, 3, 4, 5):
            rule = _r(p, r)
            pl, ps = model(bg, rule)
            ps20 = model(bg, replace(rule, screen=0.2))[1]
            rec = 1 - (1 - tj ** r) ** rule.bands
            worst = min((rec[cats == c].mean(), c) for c in set(cats)) if cats is not None else (rec.min(), "-")
            pj = [1 - (1 - j ** r) ** rule.bands for j in (0.2, 0.25, 0.3)]
            out[f"p{p}r{r}"] = [pl * 5e5, ps * 5e5, ps20 * 5e5, float(rec.mean()), float(worst[0])] + pj
            print(f"  {p:>5} perms {rule.bands:>4}x{r}: {pl * 5e5:>9.1f} {ps * 5e5:>8.2f} {ps20 * 5e5:>7.3f}   "
                  f"recall {rec.mean():.4f}, {worst[1]} {worst[0]:.4f}   " + " ".join(f"{x:.3f}" for x in pj))
    return out


# ------------------------------------------------------------------ rules
def _bucket_pairs(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pair codes i * n + j of the documents sharing a key; a bucket over max_bucket links to its first member.

    The pipeline's bucket rule at the time of this study (dedup/candidates.py has since moved to
    split buckets), kept here so the study's rules stay reproducible."""
    n = len(keys)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(sorted_keys)) + 1))
    sizes = np.diff(np.concatenate((starts, [n])))
    out: list[np.ndarray] = []
    for s, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        members = np.sort(order[s:s + size])
        if size > max_bucket:
            i, j = np.full(size - 1, members[0]), members[1:]
        else:
            i, j = np.triu_indices(size, k=1)
            i, j = members[i], members[j]
        out.append(i * n + j)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def lsh(values: np.ndarray, rule: Rule) -> tuple[np.ndarray, np.ndarray, int]:
    """Distinct pair codes, the number of bands each shares, and the raw band collisions."""
    found = [_bucket_pairs(band_keys(values, band, rule.rows), rule.max_bucket) for band in range(rule.bands)]
    allc = np.concatenate(found)
    codes, hits = np.unique(allc, return_counts=True)
    return codes, hits, len(allc)


def _runs(cols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort order of the rows by ``cols``, and the start and size of each run of equal rows."""
    order = np.lexsort(cols[::-1])
    change = np.zeros(len(order), bool)
    change[0] = True
    for c in cols:
        change[1:] |= c[order][1:] != c[order][:-1]
    starts = np.flatnonzero(change)
    return order, starts, np.diff(np.append(starts, len(order)))


def forest_lsh(values: np.ndarray, extra: np.ndarray, rule: Rule) -> tuple[np.ndarray, np.ndarray, int]:
    """Banding as ``lsh``, but a bucket over max_bucket is split by one more signature value at a time
    (from ``extra``: permutations the bands do not use, 512-perm values 256-511), up to ``rule.forest``
    more (LSH Forest: rows grow where the buckets are crowded); a bucket still too big then links its
    members to its first one, as the pipeline does.  Raw pairs <= bands * N * max_bucket / 2."""
    n = len(values)
    found = []
    for band in range(rule.bands):
        cols = [values[:, band * rule.rows + c] for c in range(rule.rows)]
        rows_left = np.arange(n)
        for level in range(rule.forest + 1):
            order, starts, sizes = _runs(cols)
            big = sizes > rule.max_bucket
            last = level == rule.forest
            for s, size in zip(starts[(sizes > 1) & (~big | last)], sizes[(sizes > 1) & (~big | last)]):
                members = np.sort(rows_left[order[s:s + size]])
                if size > rule.max_bucket:
                    i, j = np.full(size - 1, members[0]), members[1:]
                else:
                    i, j = np.triu_indices(size, k=1)
                    i, j = members[i], members[j]
                found.append(i * n + j)
            if last or not big.any():
                break
            keep = np.concatenate([order[s:s + size] for s, size in zip(starts[big], sizes[big])])
            rows_left = rows_left[keep]
            cols = [c[keep] for c in cols] + [extra[rows_left, band * rule.forest + level]]
    allc = np.concatenate(found) if found else np.empty(0, np.int64)
    codes, hits = np.unique(allc, return_counts=True)
    return codes, hits, len(allc)


def cap_pairs(pairs: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Mask of the pairs in the top ``k`` by score of either of their documents."""
    m = len(pairs)
    ends = np.concatenate([pairs[:, 0], pairs[:, 1]])
    sc = np.concatenate([score, score])
    idx = np.concatenate([np.arange(m), np.arange(m)])
    order = np.lexsort((-sc, ends))
    e = ends[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(e)) + 1))
    rank = np.arange(len(e)) - np.repeat(starts, np.diff(np.concatenate((starts, [len(e)]))))
    keep = np.zeros(m, bool)
    keep[idx[order][rank < k]] = True
    return keep


def run_rules(data: dict, names: list[str], budget: float, bg: dict | None) -> dict:
    """Apply each rule; per rule the pair codes at each step and the seconds."""
    n = len(data["ids"])
    memo: dict[tuple, tuple] = {}
    out = {}
    for name in names:
        rule = RULES[name]
        if rule.auto:
            rule = _r(rule.perms, auto_rows(bg, n, rule.perms, budget) if bg is not None and n > 100 else 2)
        values = data[rule.perms]
        key = (rule.perms, rule.rows, rule.bands, rule.max_bucket, rule.forest)  # rules differing only after LSH share it
        t0 = time.perf_counter()
        if key not in memo and rule.forest:
            memo[key] = (*forest_lsh(values, data[512][:, 256:], rule), time.perf_counter() - t0)
        elif key not in memo:
            memo[key] = (*lsh(values, rule), time.perf_counter() - t0)
        codes, hits, raw, t_lsh = memo[key]
        t1 = time.perf_counter()
        if rule.min_hits > 1:
            codes = codes[hits >= rule.min_hits]
        pairs = np.stack([codes // n, codes % n], axis=1)
        est = estimated_containment(pairs, values, data["sizes"])
        ok = est >= rule.screen
        screened = codes[ok]
        t2 = time.perf_counter()
        kept = screened[cap_pairs(pairs[ok], est[ok], rule.cap)] if rule.cap else screened
        t3 = time.perf_counter()
        out[name] = {"rule": rule, "lsh": codes, "screened": screened, "kept": kept, "raw": raw,
                     "seconds": {"lsh": t_lsh, "screen": t2 - t1, "cap": t3 - t2}}
    return out


# ------------------------------------------------------------------ scale
def _recall(found: np.ndarray, tcodes: np.ndarray, tcats: np.ndarray) -> dict:
    hit = np.isin(tcodes, found, assume_unique=True)
    r = {"all": float(hit.mean()) if len(hit) else 1.0}
    for c in sorted(set(tcats)):
        r[c] = float(hit[tcats == c].mean())
    return r


def scale(args) -> None:
    import dedup
    print(f"dedup package: {Path(dedup.__file__).parent}")
    names = args.rules.split(",") if args.rules else list(RULES)
    runs = []
    for corpus in args.corpora:
        t0 = time.perf_counter()
        data = load(corpus, args.jobs)
        n = len(data["ids"])
        t_load = time.perf_counter() - t0
        tcodes, tcats = true_pairs(data)
        bg = background_sample(data, args.sample)
        res = run_rules(data, names, args.budget, bg)
        print(f"\n{corpus}: {n:,} documents, {len(tcodes):,} true pairs, loaded in {t_load:.0f} s; "
              f"background sample {len(bg['s']):,} pairs, mean J {bg['s'].mean():.4f}, max {bg['s'].max():.3f}")
        print(f"{'rule':<12}{'b x r':>8}{'LSH pairs':>12}{'screened':>10}{'kept':>9}{'R lsh':>7}{'R kept':>7}"
              f"{'rew':>7}{'trim':>7}{'ocr':>7}{'v-v':>7}{'sec':>7}   model 1M: LSH/doc kept/doc")
        rows, check = {}, {}
        for name, r in res.items():
            rule = r["rule"]
            rec_lsh, rec_kept = _recall(r["lsh"], tcodes, tcats), _recall(r["kept"], tcodes, tcats)
            sec = sum(r["seconds"].values())
            p_lsh, p_scr = model(bg, rule)
            true_lsh, true_scr = (int(np.isin(r[k], tcodes).sum()) for k in ("lsh", "screened"))
            pure = not (rule.cap or rule.max_bucket < 200)
            # N = 1M: the model's background pairs, plus the true pairs found at this N, scaled linearly
            at1m = ((p_lsh * 5e11 + true_lsh / n * 1e6) / 1e6, (p_scr * 5e11 + true_scr / n * 1e6) / 1e6) if pure else None
            rows[name] = {"rule": rule.__dict__, "n": n, "lsh_pairs": len(r["lsh"]), "raw_collisions": r["raw"],
                          "screened": len(r["screened"]), "kept": len(r["kept"]), "recall_lsh": rec_lsh,
                          "recall_kept": rec_kept, "seconds": r["seconds"], "per_doc_at_1m": at1m}
            if pure:
                check[name] = (len(r["lsh"]) - true_lsh, round(p_lsh * n * (n - 1) / 2),
                               len(r["screened"]) - true_scr, round(p_scr * n * (n - 1) / 2))
            print(f"{name:<12}{f'{rule.bands}x{rule.rows}':>8}{len(r['lsh']):>12,}{len(r['screened']):>10,}"
                  f"{len(r['kept']):>9,}{rec_lsh['all']:>7.4f}{rec_kept['all']:>7.4f}{rec_kept.get('reworded', 1):>7.4f}"
                  f"{rec_kept.get('trimmed', 1):>7.4f}{rec_kept.get('ocr', 1):>7.4f}{rec_kept.get('var-var', 1):>7.4f}"
                  f"{sec:>7.1f}   " + (f"{at1m[0]:>8.1f}{at1m[1]:>8.2f}" if at1m else f"{'-':>8}{'-':>8}"))
        print("model check, background pairs measured/predicted (LSH; screened): "
              + "; ".join(f"{k} {a:,}/{b:,}; {c:,}/{d:,}" for k, (a, b, c, d) in check.items()))
        grid = print_grid(bg, exact_jaccard(data["hashes"], tcodes, n), tcats, f"{n:,} documents") if args.grid else None
        runs.append({"corpus": corpus, "n": n, "true_pairs": len(tcodes),
                     "true_by_cat": {c: int((tcats == c).sum()) for c in sorted(set(tcats))},
                     "bg_mean_j": float(bg["s"].mean()), "rules": rows, "model_check": check, "grid": grid})
        if args.json:  # after every corpus, so an interrupted run keeps what it measured
            Path(args.json).write_text(json.dumps({"runs": runs}, indent=1, default=str))
    if len(runs) > 1:
        print_fit(runs)


def print_fit(runs: list[dict]) -> None:
    """Per rule, over the sizes that have it: log-log slopes of LSH and kept pairs vs N."""
    runs = sorted(runs, key=lambda r: r["n"])
    print("\ngrowth exponents (log-log least squares over the sizes that have the rule; last = the two "
          "largest)\n" f"{'rule':<13}{'LSH all':>8}{'last':>6}{'kept all':>9}{'last':>6}   kept pairs per document at N")
    for name in RULES:
        have = [r for r in runs if name in r["rules"]]
        if len(have) < 2:
            continue
        ns = np.log([r["n"] for r in have])
        cols = []
        for key in ("lsh_pairs", "kept"):
            y = np.log([max(r["rules"][name][key], 1) for r in have])
            cols += [np.polyfit(ns, y, 1)[0], (y[-1] - y[-2]) / (ns[-1] - ns[-2])]
        per = "  ".join(f"{r['n'] // 1000}k {r['rules'][name]['kept'] / r['n']:.2f}" for r in have)
        print(f"{name:<13}{cols[0]:>8.2f}{cols[1]:>6.2f}{cols[2]:>9.2f}{cols[3]:>6.2f}   {per}")


def fit(args) -> None:
    """Merge the runs of each size (rules may come from several files), then fit."""
    by_n: dict[int, dict] = {}
    for f in args.files:
        for run in json.loads(Path(f).read_text())["runs"]:
            by_n.setdefault(run["n"], {**run, "rules": {}})["rules"].update(run["rules"])
    print_fit(list(by_n.values()))


# ------------------------------------------------------------------ seeds and METER
def _verified(corpus: str, data: dict, codes: np.ndarray) -> np.ndarray:
    """Mask of the pairs the pipeline's verify stage accepts (its term weights, boilerplate and config)."""
    from dedup.stages.boilerplate import find_boilerplate
    from dedup.stages.verify import verify_pair
    from dedup.stages.weights import TermWeights
    cfg = Config()
    root = Path(corpus).resolve()
    docs, _ = ingest(root / "articles" if (root / "articles").is_dir() else root, cfg)
    norms = [nd for nd in map(normalize, docs) if nd.word_count >= cfg.min_words]
    assert [nd.id for nd in norms] == data["ids"], "documents differ from the cached ones"
    weights = TermWeights.from_docs(norms, find_boilerplate(norms, cfg.boilerplate_min_docs))
    hs, sig, n = data["hashes"], data[cfg.num_perm], len(norms)
    return np.array([verify_pair(norms[c // n], norms[c % n], hs[c // n], hs[c % n], sig[c // n], sig[c % n],
                                 cfg, weights).accepted for c in codes], bool)


def check(args) -> None:
    names = args.rules.split(",") if args.rules else list(RULES)
    report: dict = {}
    if args.seeds:
        data = load(args.seeds)
        n, ids, hs = len(data["ids"]), data["ids"], data["hashes"]
        res = run_rules(data, names, args.budget, background_sample(data, 1000))
        want = np.array([a * n + b for a in range(3) for b in range(a + 1, 3)])
        ok = _verified(args.seeds, data, want)
        tag = [f"{ids[c // n][:3]}-{ids[c % n][:3]}" for c in want]
        print(f"\nseeds ({args.seeds}, {n} documents): the copy pairs; verify accepts: {ok.tolist()}")
        for c, t, j in zip(want, tag, exact_jaccard(hs, want, n)):
            inter = len(np.intersect1d(hs[c // n], hs[c % n]))
            print(f"  {t}: J {j:.3f}, containment {inter / min(len(hs[c // n]), len(hs[c % n])):.3f}; P(LSH pair) "
                  + ", ".join(f"{nm} {1 - (1 - j ** RULES[nm].rows) ** RULES[nm].bands:.3f}" for nm in names
                              if not RULES[nm].auto and RULES[nm].max_bucket == 200 and not RULES[nm].cap))
        report["seeds"] = {}
        for name, r in res.items():
            found = np.isin(want, r["kept"])
            report["seeds"][name] = dict(zip(tag, found.tolist()))
            print(f"  {name:<12} kept: " + "  ".join(f"{t} {'yes' if f else 'NO'}" for t, f in zip(tag, found)))
    if args.meter:
        data = load(args.meter)
        n, ids = len(data["ids"]), data["ids"]
        lab = {}
        for line in (Path(args.meter).resolve().parent / "labels.jsonl").open():
            d = json.loads(line)
            lab[d["path"]] = d
        thread = np.array([lab.get(i, {}).get("thread", f"?{i}") for i in ids])
        res = run_rules(data, names, args.budget, background_sample(data, args.sample))
        union = np.unique(np.concatenate([r["kept"] for r in res.values()]))
        t0 = time.perf_counter()
        edges = union[_verified(args.meter, data, union)]
        base, base_edges = res["a"]["kept"], np.intersect1d(edges, res["a"]["kept"])
        print(f"\nMETER ({n} documents): {len(union):,} pairs kept by some rule, verified in "
              f"{time.perf_counter() - t0:.0f} s: {len(edges):,} accepted ({len(base_edges):,} of them from rule a). "
              "Per rule: pairs kept; rule a's kept pairs lost (same thread / cross thread); verified edges kept, "
              "rule a's verified edges lost")
        ej = exact_jaccard(data["hashes"], edges, n)
        print("  J of the verified edges: quantiles 0/1/5/10/50% "
              + " ".join(f"{q:.3f}" for q in np.quantile(ej, [0, .01, .05, .1, .5])))
        report["meter"] = {"verified_edges": len(edges), "edge_j_quantiles": np.quantile(ej, [0, .01, .05, .1, .5]).tolist()}
        print("  expected share of the verified edges an LSH pair, 1-(1-J^r)^b (model): " + ", ".join(
            f"{p}x{r} {np.mean(1 - (1 - ej ** r) ** (p // r)):.3f}" for p in (128, 256, 512, 1024) for r in (2, 3, 4)))
        for name, r in res.items():
            lost = np.setdiff1d(base, r["kept"], assume_unique=True)
            same = thread[lost // n] == thread[lost % n]
            e_kept = np.isin(edges, r["kept"]).sum()
            e_lost = len(np.setdiff1d(base_edges, r["kept"], assume_unique=True))
            report["meter"][name] = {"kept": len(r["kept"]), "lost": len(lost), "lost_same_thread": int(same.sum()),
                                     "edges_kept": int(e_kept), "edges_lost": e_lost,
                                     "rows": r["rule"].rows, "bands": r["rule"].bands}
            print(f"  {name:<12}{r['rule'].bands:>4}x{r['rule'].rows}: "
                  f"kept {len(r['kept']):>6,}; lost {len(lost):>5,} ({int(same.sum()):>5,} / {int((~same).sum()):>5,}); "
                  f"edges {e_kept:>5,} of {len(edges):,}, lost {e_lost:>4,}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--rules", help="comma-separated rule names (default: all)")
    common.add_argument("--budget", type=float, default=2.0, help="auto rule: background candidates per document")
    common.add_argument("--sample", type=int, default=200_000, help="random pairs for the background model")
    common.add_argument("--json")
    s = sub.add_parser("scale", parents=[common])
    s.add_argument("--grid", action="store_true", help="also the model grid of (perms, rows) at N=1M")
    s.add_argument("corpora", nargs="+")
    s.add_argument("--jobs", type=int, default=1, help="processes for the first (uncached) normalization")
    f = sub.add_parser("fit")
    f.add_argument("files", nargs="+")
    c = sub.add_parser("check", parents=[common])
    c.add_argument("--seeds", default=str(Path(__file__).resolve().parent.parent / "seeds"))
    c.add_argument("--meter", default=str(Path(__file__).resolve().parent.parent.parent / "shared/data/meter/corpus"))
    args = p.parse_args(argv)
    {"scale": scale, "fit": fit, "check": check}[args.cmd](args)


if __name__ == "__main__":
    main()
