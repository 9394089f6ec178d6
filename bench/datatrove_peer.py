"""datatrove's MinHash dedup as a peer for bench/scale.py.

Two halves:

- run as a script with datatrove's own Python (``VENV/bin/python bench/datatrove_peer.py INPUT_DIR WORK``),
  it runs datatrove 0.10's four MinHash stages (signatures, buckets, cluster, filter) with its
  ``LocalPipelineExecutor``, ``--jobs`` tasks on as many workers, its default ``MinhashConfig``
  (5-grams, 14 buckets of 8 hashes) and a plain ``str.split`` word tokenizer: datatrove lowercases and
  strips punctuation before it tokenizes, so this keeps the same documents as its default spaCy
  tokenizer at several times the speed (its fastest fair configuration);
- imported by bench/scale.py (``run_datatrove``), it splits the JSONL input into one file per task
  (datatrove gives each task whole files), measures that process and turns the ``minhash_cluster_id``
  datatrove writes on every document back into clusters.

Set it up once: ``python3 -m venv /tmp/datatrove-venv && /tmp/datatrove-venv/bin/pip install
'datatrove[processing]==0.10.*' orjson spacy`` (its ``processing`` extra lacks both).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_datatrove(venv: Path, jsonl: Path, tmp: Path, jobs: int, timeout: float) -> dict:
    """Measure datatrove on ``jsonl`` (records with ``id`` and ``text``); its clusters of two or more."""
    sys.path.insert(0, str(HERE))
    from procmeasure import measure

    work = tmp / "datatrove"
    shutil.rmtree(work, ignore_errors=True)
    (work / "input").mkdir(parents=True)
    with open(jsonl, "rb") as f:
        lines = [line for line in f if line.strip()]
    per = -(-len(lines) // max(jobs, 1))
    for k in range(0, len(lines), per):
        (work / "input" / f"{k // per:05d}.jsonl").write_bytes(b"".join(lines[k:k + per]))
    del lines
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    cmd = [str(venv / "bin" / "python"), str(HERE / "datatrove_peer.py"), str(work / "input"), str(work), str(jobs)]
    m = measure(cmd, work / "run.log", env=env, timeout=timeout)
    m["system"] = f"datatrove MinHash (5-gram, 14x8, str.split tokenizer, {jobs} tasks)"
    if m["rc"] != 0:
        m["error"] = (work / "run.log").read_text(errors="replace")[-2000:]
        return m
    groups: dict[int, list[str]] = defaultdict(list)
    n = 0
    for folder in ("deduped", "removed"):
        for path in sorted((work / folder).glob("*.jsonl")):
            for line in path.read_text().splitlines():
                row = json.loads(line)
                n += 1
                cid = row.get("metadata", row).get("minhash_cluster_id", -1)
                if cid is not None and cid >= 0:
                    groups[cid].append(str(row["id"]))
    m["clusters"] = sorted(sorted(g) for g in groups.values() if len(g) > 1)
    m["candidate_pairs"] = None
    m["documents"] = n
    return m


def main(inp: str, work: str, jobs: str = "2") -> None:  # pragma: no cover - runs in datatrove's venv
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.word_tokenizers import WordTokenizer

    class Split(WordTokenizer):
        def word_tokenize(self, text):
            return text.split()

        def sent_tokenize(self, text):
            return [text]

        def span_tokenize(self, text):
            return [(0, len(text))]

    def shape(self, doc):  # the input's own shape (datatrove's default adapter drops falsy fields)
        return {"id": doc.id, "text": doc.text, **doc.metadata}

    tasks = int(jobs)
    cfg = MinhashConfig()

    def reader():
        return JsonlReader(inp, text_key="text", id_key="id", add_file_path=False)

    def writer(name):
        return JsonlWriter(f"{work}/{name}", compression=None, adapter=shape)

    step = {"skip_completed": False}
    s1 = LocalPipelineExecutor([reader(), MinhashDedupSignature(f"{work}/sigs", config=cfg, language=Split())],
                               tasks=tasks, workers=tasks, logging_dir=f"{work}/logs/1", **step)
    s2 = LocalPipelineExecutor([MinhashDedupBuckets(f"{work}/sigs", f"{work}/buckets", config=cfg)],
                               tasks=cfg.num_buckets, workers=tasks, logging_dir=f"{work}/logs/2", depends=s1, **step)
    s3 = LocalPipelineExecutor([MinhashDedupCluster(f"{work}/buckets", f"{work}/remove_ids", config=cfg,
                                                    save_cluster_id=True)],
                               tasks=1, logging_dir=f"{work}/logs/3", depends=s2, **step)
    s4 = LocalPipelineExecutor([reader(), MinhashDedupFilter(f"{work}/remove_ids", exclusion_writer=writer("removed"),
                                                             load_cluster_ids=True), writer("deduped")],
                               tasks=tasks, workers=tasks, logging_dir=f"{work}/logs/4", depends=s3, **step)
    s4.run()


if __name__ == "__main__":
    main(*sys.argv[1:])
