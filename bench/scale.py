"""Scale benchmark: dedup's cost per stage and end to end, side by side with peer systems.

Usage::

    python bench/scale.py CORPUS_DIR [--jobs N] [--json FILE]
    python bench/scale.py --sizes 20000,100000 [--gen-dir /tmp/dedup-scale] [--seed 1] [--dup-share 0.2]
                          [--jobs N] [--json FILE] [--svg bench/results/growth.svg]
    python bench/scale.py --report FILE.json     # the tables and the plot again, from a --json file
    options: --no-peers, --peers datasketch,text-dedup, --no-inprocess, --timeout SECONDS,
             --textdedup-venv DIR (repeatable; default: /tmp/textdedup312-venv, /tmp/textdedup-venv)

CORPUS_DIR is a folder made by ``bench/gen_corpus.py`` (``articles/`` or
``articles.jsonl`` beside ``labels.jsonl``), or any folder or ``.jsonl`` file
``dedup run`` takes (then quality is not scored).  With ``--sizes``, corpora
of each size are generated into ``--gen-dir`` when missing (seeded, so the same
sizes give the same corpora), every size is measured, and a growth table and an
SVG plot are written.

For each corpus it measures:

- dedup end to end: ``.venv/bin/dedup run CORPUS --out TMP -q --jobs N`` as a
  subprocess: wall time; peak RSS of its largest process (``/usr/bin/time -v``,
  i.e. the child's ``ru_maxrss``; ``os.wait4`` when GNU time is missing, which
  over-counts: a child forked from this process starts with its pages); peak
  PSS of its whole process tree (worker processes included, sampled every
  0.5 s from /proc); candidate pairs and clusters from its ``clusters.json``;
- dedup per stage: ``dedup.pipeline.run`` in this process, reading
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
import math
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
PY = sys.executable
DEDUP_BIN = Path(PY).with_name("dedup")
TEXTDEDUP_VENVS = [Path("/tmp/textdedup312-venv"), Path("/tmp/textdedup-venv")]
TRANSFORMS = ("exact", "trimmed", "extended", "reordered", "reworded", "ocr")
MB = 1e6
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

# --------------------------------------------------------------------------- measuring a process


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids[ppid].append(int(name))
    return kids


def _tree_pss_kb(root: int) -> int:
    """Proportional set size of ``root`` and all its descendants (shared pages counted once in total)."""
    kids = _children_map()
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, ()))
        for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith(key):
                            total += int(line.split()[1])
                            break
                break
            except OSError:
                continue
    return total


def measure(cmd: list[str], log: Path, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 0) -> dict:
    """Run ``cmd``; wall seconds, exit code, peak RSS (largest process), peak tree PSS, CPU seconds."""
    # GNU time reports the peak RSS of the command itself.  wait4 on a child forked from this (large)
    # process would also count the pages the child had before exec, so it is only the fallback.
    time_file = log.with_suffix(".time")
    if TIME_BIN:
        cmd = [TIME_BIN, "-v", "-o", str(time_file)] + cmd
    with open(log, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env, start_new_session=True)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.5):
                try:
                    peak[0] = max(peak[0], _tree_pss_kb(p.pid))
                except Exception:  # noqa: BLE001, S110 - a process vanishing mid-read
                    pass

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        timed_out = False
        if timeout:
            def kill() -> None:
                nonlocal timed_out
                timed_out = True
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            timer = threading.Timer(timeout, kill)
            timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:  # interrupted: take the system's processes down too
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            raise
        wall = time.perf_counter() - t0
        if timeout:
            timer.cancel()
        done.set()
        th.join()
        p.returncode = os.waitstatus_to_exitcode(status)
    maxrss_kb, cpu = ru.ru_maxrss, ru.ru_utime + ru.ru_stime
    if TIME_BIN and time_file.exists():
        rows = dict(line.strip().rsplit(": ", 1) for line in time_file.read_text().splitlines() if ": " in line)
        maxrss_kb = int(rows.get("Maximum resident set size (kbytes)", maxrss_kb))
        status_line = rows.get("Exit status")
        if status_line is not None and p.returncode == 0:
            p.returncode = int(status_line)
    return {"wall_s": round(wall, 2), "rc": p.returncode, "timed_out": timed_out,
            "peak_rss_mb": round(maxrss_kb / 1024, 1), "peak_tree_pss_mb": round(peak[0] / 1024, 1),
            "cpu_s": round(cpu, 2), "rss_source": "/usr/bin/time -v" if TIME_BIN else "wait4", "log": str(log)}


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


def run_dedup_cli(inp: Path, tmp: Path, jobs: int, timeout: float) -> dict:
    out = tmp / "dedup-out"
    m = measure([str(DEDUP_BIN), "run", str(inp), "--out", str(out), "-q", "--jobs", str(jobs)],
                tmp / "dedup.log", timeout=timeout)
    m["system"] = f"dedup (CLI, --jobs {jobs})"
    if m["rc"] == 0:
        payload = json.loads((out / "clusters.json").read_text())
        m["candidate_pairs"] = payload["counts"]["candidate_pairs"]
        m["verified_pairs"] = payload["counts"]["verified_pairs"]
        m["clusters"] = [[x["id"] for x in c["members"]] for c in payload["clusters"]]
        m["documents"] = payload["counts"]["documents"]
    else:
        m["error"] = _tail(m["log"])
    shutil.rmtree(out, ignore_errors=True)
    return m


def run_dedup_inprocess(inp: Path, jobs: int, n_bytes: int) -> dict:
    from dedup.config import Config
    from dedup.pipeline import run

    t0 = time.perf_counter()
    result = run(inp, Config(jobs=jobs))
    wall = time.perf_counter() - t0
    stages = []
    for s in result.stages:
        stages.append({"stage": s.stage, "docs_in": s.docs_in, "docs_out": s.docs_out, "seconds": round(s.seconds, 3),
                       "docs_per_s": round(s.docs_in / s.seconds, 1) if s.seconds else None,
                       "mb_per_s": round(n_bytes / MB / s.seconds, 2) if s.seconds else None, "note": s.note})
    out = {"wall_s": round(wall, 2), "pipeline_s": round(result.seconds, 2), "stages": stages,
           "candidate_pairs": result.candidate_pairs,
           "verified_pairs": sum(e.accepted for e in result.edges),
           "clusters": [[m.id for m in c.members] for c in result.clusters], "documents": len(result.documents)}
    del result
    return out


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
    print("  running dedup (CLI subprocess) ...", flush=True)
    systems["dedup"] = run_dedup_cli(inp, tmp, args.jobs, args.timeout)
    if not args.no_inprocess:
        print("  running dedup.pipeline.run in-process for per-stage figures ...", flush=True)
        rec["dedup_inprocess"] = run_dedup_inprocess(inp, args.jobs, n_bytes)
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


def print_corpus(rec: dict) -> None:
    n, nb = rec["documents"], rec["input_bytes"]
    ip = rec.get("dedup_inprocess")
    if ip:
        print(f"\ndedup per stage (dedup.pipeline.run in-process, jobs {rec['jobs']}; MB/s = {nb / MB:.1f} MB input "
              "/ stage seconds)")
        print(f"  {'stage':16}{'docs in':>9}{'docs out':>10}{'seconds':>10}{'share':>7}{'docs/s':>10}{'MB/s':>9}  note")
        tot = sum(s["seconds"] for s in ip["stages"]) or 1
        for s in ip["stages"]:
            print(f"  {s['stage']:16}{s['docs_in']:>9,}{s['docs_out']:>10,}{s['seconds']:>10.2f}"
                  f"{100 * s['seconds'] / tot:>6.0f}%{_f(s['docs_per_s'], 10, 0)}{_f(s['mb_per_s'], 9, 2)}  {s['note']}")
        print(f"  {'pipeline':16}{n:>9,}{'':>10}{ip['pipeline_s']:>10.2f}{'':>7}{n / ip['pipeline_s']:>10,.0f}"
              f"{nb / MB / ip['pipeline_s']:>9.2f}  candidate pairs {ip['candidate_pairs']:,}, "
              f"verified {ip['verified_pairs']:,}")
    print("\nend to end (each system a subprocess; peak RSS = its largest process (GNU time); "
          "tree PSS = all its processes, sampled)")
    print(f"  {'system':64}{'wall s':>9}{'docs/s':>9}{'MB/s':>7}{'CPU s':>8}{'peak RSS MB':>12}{'tree PSS MB':>12}"
          f"{'cand. pairs':>13}{'clusters':>9}")
    for name, s in rec["systems"].items():
        if s.get("rc") != 0:
            why = "timed out" if s.get("timed_out") else f"exit {s.get('rc')}"
            print(f"  {s['system']:64}{s['wall_s']:>9.1f}  FAILED ({why}): {s.get('error', '')[-300:]}")
            continue
        print(f"  {s['system']:64}{s['wall_s']:>9.1f}{n / s['wall_s']:>9,.0f}{nb / MB / s['wall_s']:>7.2f}"
              f"{s['cpu_s']:>8.1f}{s['peak_rss_mb']:>12,.0f}{s['peak_tree_pss_mb']:>12,.0f}"
              f"{_i(s.get('candidate_pairs'), 13)}{_i(s.get('n_clusters'), 9)}")
    if rec.get("text_dedup_missing"):
        print(f"  text-dedup: not run: {rec['text_dedup_missing']}")
    if rec["ratios"]:
        print("\nratios, dedup / peer (above 1: dedup slower or larger)")
        print(f"  {'peer':64}{'time':>8}{'peak RSS':>10}{'tree PSS':>10}")
        for name, r in rec["ratios"].items():
            print(f"  {rec['systems'][name]['system']:64}{r['time']:>7.2f}x{_f(r['peak_rss'], 9, 2)}x"
                  f"{_f(r['peak_tree_pss'], 9, 2)}x")
    rows = [(s["system"], s["quality"]) for s in rec["systems"].values() if "quality" in s]
    if rows:
        print("\nquality on the planted duplicates (pairwise, from clusters; recall by transform = variants "
              "clustered with their original)")
        print(f"  {'system':64}{'P':>7}{'R':>7}{'F1':>7}{'pred pairs':>11}{'true pairs':>11}{'bad clus':>9}  "
              + " ".join(f"{t[:8]:>8}" for t in TRANSFORMS))
        for name, q in rows:
            print(f"  {name:64}{q['precision']:>7.3f}{q['recall']:>7.3f}{q['f1']:>7.3f}{q['predicted_pairs']:>11,}"
                  f"{q['true_pairs']:>11,}{q['clusters_with_false_merges']:>9,}  "
                  + " ".join(_f(q["recall_by_transform"][t], 8, 3) for t in TRANSFORMS))
    sys.stdout.flush()


def _f(x, w: int, d: int) -> str:
    return f"{'-':>{w}}" if x is None else f"{x:>{w},.{d}f}"


def _i(x, w: int) -> str:
    return f"{'-':>{w}}" if x is None else f"{x:>{w},}"


# --------------------------------------------------------------------------- growth over sizes


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


def growth(recs: list[dict]) -> list[dict]:
    rows = []
    for r in recs:
        for key, s in r["systems"].items():
            if s.get("rc") == 0:
                rows.append({"documents": r["documents"], "system": key, "wall_s": s["wall_s"],
                             "peak_rss_mb": s["peak_rss_mb"], "peak_tree_pss_mb": s["peak_tree_pss_mb"],
                             "candidate_pairs": s.get("candidate_pairs"),
                             "f1": s.get("quality", {}).get("f1")})
    return rows


def print_growth(rows: list[dict], recs: list[dict]) -> dict:
    print("\ncost growth by corpus size")
    print(f"  {'system':18}{'documents':>11}{'wall s':>10}{'peak RSS MB':>13}{'tree PSS MB':>13}{'cand. pairs':>14}"
          f"{'pairs/doc':>10}{'F1':>7}")
    for r in sorted(rows, key=lambda r: (r["system"], r["documents"])):
        cp = r["candidate_pairs"]
        print(f"  {r['system']:18}{r['documents']:>11,}{r['wall_s']:>10.1f}{r['peak_rss_mb']:>13,.0f}"
              f"{r['peak_tree_pss_mb']:>13,.0f}{_i(cp, 14)}{_f(cp / r['documents'] if cp is not None else None, 10, 1)}"
              f"{_f(r['f1'], 7, 3)}")
    stage_rows = [(r["documents"], r["dedup_inprocess"]["stages"]) for r in recs if "dedup_inprocess" in r]
    if len(stage_rows) > 1:
        print("\n  dedup stage seconds by size")
        names = [s["stage"] for s in stage_rows[0][1]]
        print(f"  {'documents':>11}" + "".join(f"{n[:14]:>15}" for n in names))
        for n, st in stage_rows:
            print(f"  {n:>11,}" + "".join(f"{s['seconds']:>15.2f}" for s in st))
    # power-law exponent between the two largest sizes, and what it says for 1M documents
    fits = {}
    for system in sorted({r["system"] for r in rows}):
        pts = sorted((r for r in rows if r["system"] == system), key=lambda r: r["documents"])
        if len(pts) < 2:
            continue
        a, b = pts[-2], pts[-1]
        span = math.log(b["documents"] / a["documents"])
        f = {}
        for key in ("wall_s", "peak_tree_pss_mb", "candidate_pairs"):
            if a.get(key) and b.get(key):
                k = math.log(b[key] / a[key]) / span
                f[key] = {"exponent": round(k, 2), "at_1M": round(b[key] * (1e6 / b["documents"]) ** k, 1)}
        fits[system] = f
    if fits:
        print("\n  growth exponent k (cost ~ N^k, from the two largest sizes) and what it gives at 1,000,000 documents")
        for system, f in fits.items():
            parts = []
            for key, label, unit in (("wall_s", "time", "s"), ("peak_tree_pss_mb", "memory", "MB"),
                                     ("candidate_pairs", "candidate pairs", "")):
                if key in f:
                    parts.append(f"{label} k={f[key]['exponent']:.2f} -> {f[key]['at_1M']:,.0f}{' ' + unit if unit else ''}")
            print(f"  {system:18}" + "; ".join(parts))
    return fits


def write_svg(rows: list[dict], path: Path) -> None:
    """Three log-log panels: wall time, peak memory (tree PSS), candidate pairs, against documents."""
    colors = {"dedup": "#d62728", "datasketch": "#1f77b4"}
    palette = iter(["#2ca02c", "#9467bd", "#8c564b", "#ff7f0e"])
    systems = sorted({r["system"] for r in rows}, key=lambda s: (s != "dedup", s))
    for s in systems:
        colors.setdefault(s, next(palette, "#7f7f7f"))
    panels = [("wall_s", "wall time (s)"), ("peak_tree_pss_mb", "peak memory, process tree PSS (MB)"),
              ("candidate_pairs", "candidate pairs")]
    W, H, pw, ph, ml, mt = 1080, 400, 290, 270, 70, 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           (f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15">dedup cost growth with corpus size '
            '(log-log; dashed grey: proportional to N from the smallest dedup point)</text>')]
    xs = sorted({r["documents"] for r in rows})
    for k, (key, title) in enumerate(panels):
        x0 = ml + k * (pw + 70)
        pts = [(r["documents"], r[key], r["system"]) for r in rows if r.get(key)]
        if not pts:
            continue
        xlo, xhi = math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.15
        ys = [p[1] for p in pts]
        ylo, yhi = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)) + 1e-9)
        if yhi == ylo:
            yhi += 1

        def X(v: float, x0=x0, xlo=xlo, xhi=xhi) -> float:
            return x0 + (math.log10(v) - xlo) / (xhi - xlo) * pw

        def Y(v: float, ylo=ylo, yhi=yhi) -> float:
            return mt + ph - (math.log10(v) - ylo) / (yhi - ylo) * ph

        out.append(f'<rect x="{x0}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
        out.append(f'<text x="{x0 + pw / 2}" y="{mt - 8}" text-anchor="middle" font-size="12">{title}</text>')
        for e in range(ylo, yhi + 1):
            y = Y(10 ** e)
            out.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
            out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end">{_sci(10 ** e)}</text>')
        for v in xs:
            out.append(f'<line x1="{X(v):.1f}" x2="{X(v):.1f}" y1="{mt}" y2="{mt + ph}" stroke="#eee"/>')
            out.append(f'<text x="{X(v):.1f}" y="{mt + ph + 14}" text-anchor="middle">{_sci(v)}</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{mt + ph + 30}" text-anchor="middle">documents</text>')
        dp = sorted((p for p in pts if p[2] == "dedup"), key=lambda p: p[0])
        if dp:
            n0, v0 = dp[0][0], dp[0][1]
            n1 = max(xs)
            v1 = v0 * n1 / n0
            if v1 <= 10 ** yhi:
                out.append(f'<line x1="{X(n0):.1f}" y1="{Y(v0):.1f}" x2="{X(n1):.1f}" y2="{Y(v1):.1f}" '
                           'stroke="#aaa" stroke-dasharray="4,3"/>')
        for s in systems:
            sp = sorted((p for p in pts if p[2] == s), key=lambda p: p[0])
            if not sp:
                continue
            c = colors[s]
            if len(sp) > 1:
                out.append('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
                    c, " ".join(f"{X(a):.1f},{Y(b):.1f}" for a, b, _ in sp)))
            for a, b, _ in sp:
                out.append(f'<circle cx="{X(a):.1f}" cy="{Y(b):.1f}" r="3.5" fill="{c}"><title>{s}: {b:,.1f} at '
                           f'{a:,} documents</title></circle>')
    for j, s in enumerate(systems):
        x = ml + j * 190
        out.append(f'<rect x="{x}" y="{H - 22}" width="12" height="12" fill="{colors[s]}"/>')
        out.append(f'<text x="{x + 16}" y="{H - 12}">{s}</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n")


def _sci(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, nargs="?", help="a corpus folder from bench/gen_corpus.py (or any input)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="dedup --jobs and text-dedup num_proc")
    ap.add_argument("--sizes", help="comma-separated corpus sizes, generated into --gen-dir when missing")
    ap.add_argument("--gen-dir", type=Path, default=Path(tempfile.gettempdir()) / "dedup-scale")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-share", type=float, default=0.2)
    ap.add_argument("--peers", default="datasketch,text-dedup", help="which peers to run (comma-separated)")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-inprocess", action="store_true", help="skip the in-process run (no per-stage figures)")
    ap.add_argument("--textdedup-venv", type=Path, action="append",
                    help="a virtual environment with text-dedup installed (repeatable)")
    ap.add_argument("--timeout", type=float, default=0, help="seconds after which a system's process is killed")
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    ap.add_argument("--svg", type=Path, default=BENCH / "results" / "growth.svg", help="growth plot (--sizes)")
    ap.add_argument("--tmp", type=Path, default=None, help="where systems write their output (default: system temp)")
    ap.add_argument("--keep-tmp", action="store_true")
    ap.add_argument("--report", type=Path, help="print the tables (and write --svg) from a --json file; run nothing")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so a measured process group is killed too
    if args.report:
        recs = json.loads(args.report.read_text())["runs"]
        for rec in recs:
            print(f"\n=== {rec['corpus']}: {rec['documents']:,} documents, {rec['input_bytes'] / MB:,.1f} MB; "
                  f"jobs {rec['jobs']}")
            print_corpus(rec)
        if len(recs) > 1:
            rows = growth(recs)
            print_growth(rows, recs)
            write_svg(rows, args.svg)
            print(f"\nplot: {args.svg}")
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
