"""Peer systems for bench/scale.py, each run as its own process so its time and memory are its own.

Usage::

    python bench/peers.py datasketch INPUT OUT_JSON [--num-perm 128] [--threshold 0.5] [--ngram 5]
    python bench/peers.py to-jsonl INPUT OUT_JSONL          # a folder of articles -> {"id", "text"} lines
    python bench/peers.py textdedup-clusters UF_PKL OUT_JSON  # run with text-dedup's own Python

INPUT is what ``dedup run`` takes: a folder of plain-text articles (searched
recursively; a document's id is its path below the folder, as dedup's) or a
``.jsonl`` file of ``{"id", "text"}`` records (the id is the record id).

``datasketch`` is the plain recipe from datasketch's documentation, the one
most users write: lower-cased ``\\w+`` words, word 5-gram shingles, one
``MinHash.update()`` per shingle (128 permutations), ``MinHashLSH`` at Jaccard
0.5, then connected components of every pair a query returns.  It writes
``{"system", "documents", "candidate_pairs", "clusters": [[id, ...], ...],
"seconds": {...}}`` with clusters of two or more documents only.

text-dedup's MinHash (``python -m text_dedup.minhash``) runs from bench/scale.py
in its own virtual environment; ``to-jsonl`` gives it its input, and
``textdedup-clusters`` turns the union-find it dumps with ``--debug`` into the
same clusters file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

_WORD = re.compile(r"\w+")


def iter_docs(inp: Path):
    """(id, text) for every document of a folder or a .jsonl file, ids as dedup gives them."""
    if inp.is_file():
        with open(inp, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    rec = json.loads(line)
                    yield str(rec.get("id", f"{inp.name}#{n}")), rec.get("text", "")
        return
    files = []
    for dirpath, dirnames, filenames in os.walk(inp):
        dirnames.sort()
        files.extend(os.path.join(dirpath, name) for name in sorted(filenames) if not name.startswith("."))
    for full in files:
        data = Path(full).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        yield os.path.relpath(full, inp).replace(os.sep, "/"), text


def components(ids: list[str], pairs) -> list[list[str]]:
    """Clusters of two or more documents from index pairs (dedup's own union-find)."""
    from dedup.stages.cluster import connected

    return [g for g in connected(ids, ((ids[i], ids[j]) for i, j in pairs)) if len(g) > 1]


def run_datasketch(inp: Path, out: Path, num_perm: int, threshold: float, ngram: int) -> dict:
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    t_read = t_hash = t_insert = 0.0
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    ids: list[str] = []
    sigs: list[MinHash] = []
    n_bytes = 0
    t = time.perf_counter()
    for doc_id, text in iter_docs(inp):
        n_bytes += len(text.encode("utf-8"))
        t1 = time.perf_counter()
        t_read += t1 - t
        words = _WORD.findall(text.lower())
        m = MinHash(num_perm=num_perm)
        for i in range(max(1, len(words) - ngram + 1)):
            m.update(" ".join(words[i:i + ngram]).encode("utf-8"))
        t2 = time.perf_counter()
        t_hash += t2 - t1
        lsh.insert(len(ids), m)
        ids.append(doc_id)
        sigs.append(m)
        t = time.perf_counter()
        t_insert += t - t2
    t3 = time.perf_counter()
    pairs = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    t4 = time.perf_counter()
    clusters = components(ids, pairs)
    t5 = time.perf_counter()
    result = {
        "system": f"datasketch MinHashLSH (word {ngram}-grams, {num_perm} perm, J>={threshold}, components)",
        "documents": len(ids), "bytes": n_bytes, "candidate_pairs": len(pairs), "clusters": clusters,
        "seconds": {"read": round(t_read, 3), "minhash": round(t_hash, 3), "lsh_insert": round(t_insert, 3),
                    "query": round(t4 - t3, 3), "components": round(t5 - t4, 3), "total": round(t5 - t0, 3)},
    }
    out.write_text(json.dumps(result) + "\n")
    return result


def to_jsonl(inp: Path, out: Path) -> int:
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for doc_id, text in iter_docs(inp):
            f.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
            n += 1
    return n


def textdedup_clusters(uf_pkl: Path, out: Path) -> int:
    """text-dedup's union-find (ids mapped back to record ids) -> clusters of two or more."""
    import pickle

    with open(uf_pkl, "rb") as f:
        uf = pickle.load(f)
    groups: dict[object, list[str]] = defaultdict(list)
    for x in list(uf.parent):
        groups[uf.find(x)].append(str(x))
    clusters = sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])
    out.write_text(json.dumps({"clusters": clusters}) + "\n")
    return len(clusters)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("datasketch")
    d.add_argument("input", type=Path)
    d.add_argument("out", type=Path)
    d.add_argument("--num-perm", type=int, default=128)
    d.add_argument("--threshold", type=float, default=0.5)
    d.add_argument("--ngram", type=int, default=5)
    j = sub.add_parser("to-jsonl")
    j.add_argument("input", type=Path)
    j.add_argument("out", type=Path)
    c = sub.add_parser("textdedup-clusters")
    c.add_argument("uf_pkl", type=Path)
    c.add_argument("out", type=Path)
    a = ap.parse_args(argv)
    if a.cmd == "datasketch":
        r = run_datasketch(a.input, a.out, a.num_perm, a.threshold, a.ngram)
        print(f"{r['documents']} documents, {r['candidate_pairs']} candidate pairs, {len(r['clusters'])} clusters, "
              f"{r['seconds']['total']} s")
    elif a.cmd == "to-jsonl":
        print(f"{to_jsonl(a.input, a.out)} records -> {a.out}")
    else:
        print(f"{textdedup_clusters(a.uf_pkl, a.out)} clusters -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
