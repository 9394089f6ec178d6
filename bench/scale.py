"""Scale benchmark: dedup's cost per stage and end to end, side by side with peer systems.

Usage::

    python bench/scale.py CORPUS_DIR [--jobs N] [--json FILE]
    python bench/scale.py --sizes 20000,100000 [--gen-dir /tmp/dedup-scale] [--seed 1] [--dup-share 0.2]
                          [--jobs N] [--json FILE] [--svg bench/results/growth.svg]
    python bench/scale.py --report FILE.json     # the tables and the plot again, from a --json file
    options: --no-peers, --peers datasketch,text-dedup,datatrove, --timeout SECONDS, --datatrove-venv DIR,
             --textdedup-venv DIR (repeatable; default: /tmp/textdedup312-venv, /tmp/textdedup-venv)

CORPUS_DIR is a folder made by ``bench/gen_corpus.py`` (``articles/`` or
``articles.jsonl`` beside ``labels.jsonl``), or any folder or ``.jsonl`` file
``dedup run`` takes (then quality is not scored).  With ``--sizes``, corpora
of each size are generated into ``--gen-dir`` when missing (seeded, so the same
sizes give the same corpora), every size is measured, and a growth table and an
SVG plot are written.

For each corpus it measures:

- dedup, in one subprocess (``bench/run_stages.py``: ``dedup.pipeline.runner.run_to_dir``,
  the call behind ``dedup run``, writing the same output files): wall time;
  peak RSS of its largest process (``/usr/bin/time -v``, i.e. the child's
  ``ru_maxrss``; ``os.wait4`` when GNU time is missing, which over-counts: a
  child forked from this process starts with its pages); peak PSS of its whole
  process tree (worker processes included, sampled every 0.5 s from /proc);
  candidate pairs and clusters from its ``clusters.json``; and per stage, from
  ``RunResult.stages`` (name, documents in and out, seconds): documents per
  second and MB per second (the corpus's input bytes / stage seconds);
- peers, each in its own process, timed and measured the same way:
  the plain datasketch recipe (bench/peers.py: word 5-grams, one
  ``MinHash.update()`` per shingle, 128 permutations, ``MinHashLSH`` at 0.5,
  connected components) and text-dedup's MinHash (5-grams, 128 permutations,
  threshold 0.5, ``num_proc`` = jobs) from its own virtual environment, reading
  the corpus as local JSONL through ``datasets`` with HF_DATASETS_OFFLINE=1;
- ratios: dedup's time and peak memory divided by each peer's;
- quality on the planted duplicates: pairwise precision, recall and F1 of each
  system's clusters against ``labels.jsonl`` groups, and per transform the
  share of variants that share a cluster with their original.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from datatrove_peer import run_datatrove
from gen_article import TRANSFORMS
from procmeasure import measure
from scale_report import MB, growth, print_corpus, print_growth, report, write_svg

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
PY = sys.executable
DEDUP_BIN = Path(PY).with_name("dedup")
TEXTDEDUP_VENVS = [Path("/tmp/textdedup312-venv"), Path("/tmp/textdedup-venv")]

# --------------------------------------------------------------------------- a system's log


def _tail(path: str, n: int = 5) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


# --------------------------------------------------------------------------- corpus and labels


def resolve(corpus: Path) -> tuple[Path, Path | None]:
    """(what dedup runs on, labels.jsonl or None)."""
    labels = corpus / "labels.jsonl" if corpus.is_dir() else None
    if corpus.is_dir() and (corpus / "articles").is_dir():
        inp = corpus / "articles"
    elif corpus.is_dir() and (corpus / "articles.jsonl").is_file():
        inp = corpus / "articles.jsonl"
    else:
        inp, labels = corpus, None
    return inp, labels if labels and labels.is_file() else None


def input_size(inp: Path) -> tuple[int, int]:
    """(files, bytes) of the input."""
    if inp.is_file():
        return 1, inp.stat().st_size
    n = b = 0
    for dirpath, _dirs, files in os.walk(inp):
        for name in files:
            n += 1
            b += os.path.getsize(os.path.join(dirpath, name))
    return n, b


def read_labels(path: Path) -> dict[str, dict]:
    with open(path) as f:
        return {r["id"]: r for r in map(json.loads, f)}


def quality(clusters: list[list[str]], labels: dict[str, dict]) -> dict:
    """Pairwise precision / recall of clusters against label groups; recall by transform."""
    def c2(n: int) -> int:
        return n * (n - 1) // 2

    true_pairs = sum(c2(n) for n in Counter(r["group"] for r in labels.values()).values())
    pred_pairs = tp = 0
    cluster_of: dict[str, int] = {}
    false_merge = 0
    for k, members in enumerate(clusters):
        members = [m for m in members if m in labels]
        pred_pairs += c2(len(members))
        groups = Counter(labels[m]["group"] for m in members)
        tp += sum(c2(n) for n in groups.values())
        false_merge += len(groups) > 1
        for m in members:
            cluster_of[m] = k
    by_t: dict[str, list[int]] = {t: [0, 0] for t in TRANSFORMS}
    for r in labels.values():
        t = r.get("transform")
        if t in by_t:
            by_t[t][1] += 1
            c = cluster_of.get(r["id"])
            by_t[t][0] += c is not None and c == cluster_of.get(r["base"])
    p = tp / pred_pairs if pred_pairs else 1.0
    rc = tp / true_pairs if true_pairs else 1.0
    return {"precision": round(p, 4), "recall": round(rc, 4), "f1": round(2 * p * rc / (p + rc), 4) if p + rc else 0.0,
            "predicted_pairs": pred_pairs, "true_pairs": true_pairs, "true_positive_pairs": tp,
            "clusters_with_false_merges": false_merge,
            "recall_by_transform": {t: round(a / b, 4) if b else None for t, (a, b) in by_t.items()}}


# --------------------------------------------------------------------------- the systems


def run_dedup(inp: Path, tmp: Path, jobs: int, timeout: float, n_bytes: int, sets: list[str] = ()) -> dict:
    """One run of ``dedup.pipeline.runner.run_to_dir`` (what ``dedup run`` calls) in a subprocess: end to end and per stage."""
    out, stages = tmp / "dedup-out", tmp / "dedup-stages.json"
    m = measure([PY, str(BENCH / "run_stages.py"), str(inp), str(out), str(stages), "--jobs", str(jobs),
                 "--input-bytes", str(n_bytes), *(a for kv in sets for a in ("--set", kv))],
                tmp / "dedup.log", timeout=timeout)
    m["system"] = f"dedup (run_to_dir, --jobs {jobs}{''.join(', ' + kv for kv in sets)})"
    if m["rc"] == 0:
        payload = json.loads((out / "clusters.json").read_text())
        m["candidate_pairs"] = payload["counts"]["candidate_pairs"]
        m["verified_pairs"] = payload["counts"]["verified_pairs"]
        m["clusters"] = [[x["id"] for x in c["members"]] for c in payload["clusters"]]
        m["documents"] = payload["counts"]["documents"]
        m["stages"] = json.loads(stages.read_text())
    else:
        m["error"] = _tail(m["log"])
    shutil.rmtree(out, ignore_errors=True)
    return m


def run_datasketch(inp: Path, tmp: Path, timeout: float) -> dict:
    out = tmp / "datasketch.json"
    m = measure([PY, str(BENCH / "peers.py"), "datasketch", str(inp), str(out)], tmp / "datasketch.log",
                timeout=timeout)
    m["system"] = "datasketch recipe (5-gram, 128 perm, LSH 0.5, 1 process)"
    if m["rc"] == 0:
        r = json.loads(out.read_text())
        m.update(candidate_pairs=r["candidate_pairs"], clusters=r["clusters"], documents=r["documents"],
                 internal_seconds=r["seconds"])
    else:
        m["error"] = _tail(m["log"])
    return m


def _textdedup_version(venv: Path) -> str | None:
    py = venv / "bin" / "python"
    if not py.exists():
        return None
    r = subprocess.run([str(py), "-c", "import importlib.metadata as m; print(m.version('text-dedup'))"],
                       capture_output=True, text=True, check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def run_textdedup(venv: Path, version: str, jsonl: Path, ids: list[str], tmp: Path, jobs: int,
                  timeout: float) -> dict:
    """text-dedup's MinHash (5-grams, 128 permutations, threshold 0.5) on local JSONL, offline."""
    work = tmp / f"textdedup-{version}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(work / "hf")}
    py = str(venv / "bin" / "python")
    if tuple(int(x) for x in version.split(".")[:3]) >= (0, 4, 1):
        (work / "config.toml").write_text(f"""[input]
input_type = "local_files"
file_type = "json"
[input.read_arguments]
path = "json"
data_files = "{jsonl}"
split = "train"
cache_dir = "{work / 'cache'}"

[algorithm]
algorithm_name = "minhash"
text_column = "text"
num_perm = 128
threshold = 0.5
ngram_size = 5
num_proc = {jobs}

[output]
output_dir = "{work / 'out'}"
save_clusters = true
keep_index_column = true

[debug]
logging_level = 20
""")
        cmd = [py, "-m", "text_dedup.minhash"]
    else:
        cmd = [py, "-m", "text_dedup.minhash", "--path", "json", "--data_files", str(jsonl), "--split", "train",
               "--cache_dir", str(work / "cache"), "--output", str(work / "out"), "--column", "text",
               "--idx_column", "id", "--debug", "--ngram", "5", "--num_perm", "128", "--threshold", "0.5",
               "--num_proc", str(jobs)]
    m = measure(cmd, work / "run.log", cwd=work, env=env, timeout=timeout)
    m["system"] = f"text-dedup {version} MinHash (5-gram, 128 perm, 0.5, num_proc {jobs})"
    if m["rc"] != 0:
        m["error"] = _tail(m["log"], 8)
        return m
    clusters: dict[object, list[str]] = defaultdict(list)
    if (work / "out" / "clusters.pickle").exists():  # 0.4.1: {row index: cluster id} for duplicates
        with open(work / "out" / "clusters.pickle", "rb") as f:
            mapping = pickle.load(f)
        for idx, cid in mapping.items():
            clusters[cid].append(ids[int(idx)])
    else:  # 0.4.0: its union-find, ids mapped back, turned into clusters by its own Python
        subprocess.run([py, str(BENCH / "peers.py"), "textdedup-clusters", str(work / "out" / "uf.pkl"),
                        str(work / "clusters.json")], check=True, capture_output=True)
        for k, g in enumerate(json.loads((work / "clusters.json").read_text())["clusters"]):
            clusters[k] = g
    m["clusters"] = sorted(sorted(g) for g in clusters.values() if len(g) > 1)
    m["candidate_pairs"] = None
    m["documents"] = len(ids)
    shutil.rmtree(work / "cache", ignore_errors=True)
    shutil.rmtree(work / "hf", ignore_errors=True)
    return m


# --------------------------------------------------------------------------- one corpus


def bench_corpus(corpus: Path, args: argparse.Namespace) -> dict:
    inp, labels_path = resolve(corpus)
    n_files, n_bytes = input_size(inp)
    labels = read_labels(labels_path) if labels_path else None
    n_docs = len(labels) if labels else n_files
    tmp = Path(tempfile.mkdtemp(prefix="dedup-scale-", dir=args.tmp))
    rec: dict = {"corpus": str(corpus), "input": str(inp), "documents": n_docs, "input_bytes": n_bytes,
                 "jobs": args.jobs, "systems": {}}
    print(f"\n=== {corpus}: {n_docs:,} documents, {n_bytes / MB:,.1f} MB"
          + (f", {sum(r['transform'] != 'original' for r in labels.values()):,} planted variants" if labels else "")
          + f"; jobs {args.jobs}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)

    systems = rec["systems"]
    print("  running dedup (one subprocess: end to end and per stage) ...", flush=True)
    systems["dedup"] = run_dedup(inp, tmp, args.jobs, args.timeout, n_bytes, args.set)
    if "stages" in systems["dedup"]:
        rec["dedup_inprocess"] = dict(systems["dedup"].pop("stages"), clusters=systems["dedup"].get("clusters"))
    peers = [] if args.no_peers else [p.strip() for p in args.peers.split(",") if p.strip()]
    if "datasketch" in peers:
        print("  running the datasketch recipe ...", flush=True)
        systems["datasketch"] = run_datasketch(inp, tmp, args.timeout)
    if "text-dedup" in peers:
        venvs = args.textdedup_venv or TEXTDEDUP_VENVS
        found = [(v, _textdedup_version(v)) for v in venvs]
        found = [(v, ver) for v, ver in found if ver]
        rec["text_dedup_found"] = {str(v): ver for v, ver in found}
        if not found:
            rec["text_dedup_missing"] = "no virtual environment with text-dedup in " + ", ".join(map(str, venvs))
            print(f"  text-dedup: {rec['text_dedup_missing']}")
        else:
            if inp.is_file():
                jsonl = inp
            else:
                jsonl = tmp / "articles.jsonl"
                subprocess.run([PY, str(BENCH / "peers.py"), "to-jsonl", str(inp), str(jsonl)], check=True,
                               capture_output=True)
            with open(jsonl) as f:
                ids = [str(json.loads(line)["id"]) for line in f if line.strip()]
            for venv, ver in found:
                print(f"  running text-dedup {ver} ({venv}) ...", flush=True)
                systems[f"text-dedup {ver}"] = run_textdedup(venv, ver, jsonl, ids, tmp, args.jobs, args.timeout)
    if "datatrove" in peers:
        if not args.datatrove_venv or not (args.datatrove_venv / "bin" / "python").exists():
            rec["datatrove_missing"] = f"no --datatrove-venv with datatrove ({args.datatrove_venv})"
            print(f"  datatrove: {rec['datatrove_missing']}")
        else:
            jsonl = inp if inp.is_file() else tmp / "articles.jsonl"
            if not jsonl.exists():
                subprocess.run([PY, str(BENCH / "peers.py"), "to-jsonl", str(inp), str(jsonl)], check=True,
                               capture_output=True)
            print(f"  running datatrove ({args.datatrove_venv}) ...", flush=True)
            systems["datatrove"] = run_datatrove(args.datatrove_venv, jsonl, tmp, args.jobs, args.timeout)
    for s in systems.values():
        if s.get("clusters") is not None:
            s["n_clusters"] = len(s["clusters"])
            if labels:
                s["quality"] = quality(s["clusters"], labels)
    if labels and "dedup_inprocess" in rec:
        rec["dedup_inprocess"]["quality"] = quality(rec["dedup_inprocess"]["clusters"], labels)
    d = systems["dedup"]
    rec["ratios"] = {}
    for name, s in systems.items():
        if name == "dedup" or s.get("rc") != 0 or d.get("rc") != 0:
            continue
        rec["ratios"][name] = {
            "time": round(d["wall_s"] / s["wall_s"], 2),
            "peak_rss": round(d["peak_rss_mb"] / s["peak_rss_mb"], 2) if s["peak_rss_mb"] else None,
            "peak_tree_pss": round(d["peak_tree_pss_mb"] / s["peak_tree_pss_mb"], 2) if s["peak_tree_pss_mb"] else None,
        }
    print_corpus(rec)
    if not args.keep_tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    for s in systems.values():  # the JSON keeps figures, not cluster lists
        s.pop("clusters", None)
    if "dedup_inprocess" in rec:
        rec["dedup_inprocess"].pop("clusters", None)
    return rec


def ensure_corpus(size: int, args: argparse.Namespace) -> Path:
    d = args.gen_dir / f"n{size}-seed{args.seed}-dup{args.dup_share:g}"
    man = d / "manifest.json"
    if man.exists():
        m = json.loads(man.read_text())
        if m.get("n") == size and (d / "labels.jsonl").exists():
            return d
    print(f"generating {size:,} articles into {d} ...", flush=True)
    subprocess.run([PY, str(BENCH / "gen_corpus.py"), str(size), str(d), "--seed", str(args.seed), "--dup-share",
                    str(args.dup_share), "--force", "--jobs", str(args.jobs)], check=True)
    return d

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, nargs="?", help="a corpus folder from bench/gen_corpus.py (or any input)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="dedup --jobs and text-dedup num_proc")
    ap.add_argument("--sizes", help="comma-separated corpus sizes, generated into --gen-dir when missing")
    ap.add_argument("--gen-dir", type=Path, default=Path(tempfile.gettempdir()) / "dedup-scale")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-share", type=float, default=0.2)
    ap.add_argument("--peers", default="datasketch,text-dedup",
                    help="which peers to run (comma-separated): datasketch, text-dedup, datatrove")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                    help="run dedup with a Config field other than its default, e.g. num_perm=128 (repeatable)")
    ap.add_argument("--textdedup-venv", type=Path, action="append",
                    help="a virtual environment with text-dedup installed (repeatable)")
    ap.add_argument("--datatrove-venv", type=Path, help="a virtual environment with datatrove 0.10 (peer 'datatrove')")
    ap.add_argument("--timeout", type=float, default=0, help="seconds after which a system's process is killed")
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    ap.add_argument("--svg", type=Path, default=BENCH / "results" / "growth.svg", help="growth plot (--sizes)")
    ap.add_argument("--tmp", type=Path, default=None, help="where systems write their output (default: system temp)")
    ap.add_argument("--keep-tmp", action="store_true")
    ap.add_argument("--report", type=Path, help="print the tables (and write --svg) from a --json file; run nothing")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so a measured process group is killed too
    if args.report:
        report(args.report, args.svg)
        return 0
    if not args.corpus and not args.sizes:
        ap.error("give CORPUS_DIR, --sizes or --report")
    if not DEDUP_BIN.exists():
        ap.error(f"{DEDUP_BIN} not found: run this with the project's virtual environment's Python")
    recs = []
    if args.corpus:
        recs.append(bench_corpus(args.corpus, args))
    if args.sizes:
        for size in (int(x) for x in args.sizes.split(",")):
            recs.append(bench_corpus(ensure_corpus(size, args), args))
            if args.json:  # written after every size, so a long series keeps what it has
                args.json.write_text(json.dumps({"runs": recs}, indent=2) + "\n")
    payload: dict = {"runs": recs}
    if len(recs) > 1 or args.sizes:
        rows = growth(recs)
        payload["growth"] = rows
        payload["fits"] = print_growth(rows, recs)
        write_svg(rows, args.svg)
        print(f"\nplot: {args.svg}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"figures: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
