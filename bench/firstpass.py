"""The first pass per article: the compiled path (``sketch_stage.sketch_text``) against the Python stages it replaces.

Usage:  python bench/firstpass.py FOLDER [--limit N] [--repeat R]

Reads up to N files of FOLDER (sorted, as dedup reads them), then, in this one
process, sketches each text with the compiled path and with the Python stages
(``normalize.sentence_words`` + ``shingle.hash_sentences``), checks that every
field is equal, and prints microseconds per article for each, pass by pass (the
memos of stems start empty, so pass 1 also stems every word not seen before).  Also
prints how many texts the kernels cover and ``read_items``'s own time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from dedup.config import Config
from dedup.kernels.vocab import Vocabulary
from dedup.stages import shingle
from dedup.stages import sketch as sketch_stage
from dedup.stages.ingest import discover, read_items


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    files, _ = discover(args.folder)
    files = files[:args.limit]
    config = Config()
    t0 = time.perf_counter()
    items = [it for rel, full in files for it in read_items(full, rel, config)]
    t_read = time.perf_counter() - t0
    texts = [it.fields["text"] for it in items if it.skip is None]
    if not texts:
        print(f"{args.folder}: no readable text")
        return 1
    sketch_stage.warm()
    calls = {"python": 0}
    python_sketch = sketch_stage._python_sketch

    def counted(text: str) -> sketch_stage.TextSketch:
        calls["python"] += 1
        return python_sketch(text)

    sketch_stage._python_sketch = counted  # to count the texts the kernels leave to Python
    fast = [sketch_stage.sketch_text(t) for t in texts]
    sketch_stage._python_sketch = python_sketch
    uncovered = calls["python"]
    slow = [python_sketch(t) for t in texts]
    for text, a, b in zip(texts, fast, slow, strict=True):
        same = all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("spans", "tokens", "lengths", "prints",
                                                                          "terms"))
        if not (same and (a.word_count, a.key) == (b.word_count, b.key)):
            print(f"DIFFERENT: {text[:80]!r}")
            return 1
    n = len(texts)
    print(f"{n} texts from {len(files)} files; all equal; {n - uncovered} covered by the kernels, "
          f"{uncovered} through the Python stages")
    print(f"read_items          {t_read / len(files) * 1e6:8.0f} us per file")
    sketch_stage._VOCAB = Vocabulary()  # both paths start with empty memos: pass 1 stems every new word
    shingle._STEM_HASH.clear()
    shingle.token_hash.cache_clear()
    for r in range(args.repeat):
        for name, fn in (("compiled", sketch_stage.sketch_text), ("python stages", python_sketch)):
            t0 = time.perf_counter()
            for t in texts:
                fn(t)
            print(f"pass {r + 1}  {name:14s} {(time.perf_counter() - t0) / n * 1e6:8.0f} us per article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
