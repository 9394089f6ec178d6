"""The first pass per article: the compiled path (``sketch_stage.sketch_text``) against the Python stages it replaces.

Usage:  python bench/firstpass.py FOLDER [--limit N] [--repeat R] [--language auto|none|CODE]

Reads up to N files of FOLDER (sorted, as dedup reads them), then, in this one
process, sketches each text with the compiled path and with the Python stages
(``normalize.sentence_words`` + ``shingle.hash_sentences``), each in its language
(``--language``, as ``dedup run`` takes it), checks that every field is equal,
and prints microseconds per article for each, pass by pass (the memos of stems
start empty, so pass 1 also stems every word not seen before).  Also prints how
many texts the kernels cover, per script (the one most of a body's letters are
in) how many took the Python path and what an article costs there and on the
compiled path, the language detector's own time per article, and
``read_items``'s own time.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from dedup.config import Config
from dedup.stages import shingle
from dedup.stages import sketch as sketch_stage
from dedup.stages.ingest import discover, read_items
from dedup.stages.language import body_prefix, detect, main_script


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--language", default="auto")
    args = ap.parse_args()
    lang = Config(language=args.language).language
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

    def counted(text: str, language: str = "en", given: object = None) -> sketch_stage.TextSketch:
        calls["python"] += 1
        return python_sketch(text, language, given)

    sketch_stage._python_sketch = counted  # to count the texts the kernels leave to Python
    fast = [sketch_stage.sketch_text(t, lang) for t in texts]
    sketch_stage._python_sketch = python_sketch
    uncovered = calls["python"]
    slow = [python_sketch(t, lang) for t in texts]
    for text, a, b in zip(texts, fast, slow, strict=True):
        same = all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("spans", "tokens", "lengths", "prints",
                                                                          "terms"))
        if not (same and (a.word_count, a.key, a.language) == (b.word_count, b.key, b.language)):
            print(f"DIFFERENT: {text[:80]!r}")
            return 1
    n = len(texts)
    print(f"{n} texts from {len(files)} files; all equal; {n - uncovered} covered by the kernels, "
          f"{uncovered} through the Python stages")
    print(f"read_items          {t_read / len(files) * 1e6:8.0f} us per file")
    prefixes = [body_prefix(t, sk.spans) for t, sk in zip(texts, fast, strict=True)]
    best = min(_seconds(lambda: [detect(p) for p in prefixes]) for _ in range(3))
    print(f"detect language     {best / n * 1e6:8.0f} us per article ({lang}: "
          + ("detected on each" if lang == "auto" else "given, so not run by the pass") + ")")
    by_script: dict[str, list[int]] = defaultdict(list)
    for k, p in enumerate(prefixes):
        by_script[main_script(p)].append(k)
    print("script        texts  python path   compiled us   python us  (per article, second pass)")
    for script, rows in sorted(by_script.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        took = sum(not fast[k].compiled for k in rows)
        subset = [texts[k] for k in rows]
        times = [min(_seconds(lambda fn=fn, subset=subset: [fn(t, lang) for t in subset]) for _ in range(2)) / len(rows) * 1e6
                 for fn in (sketch_stage.sketch_text, python_sketch)]
        print(f"{script:12s} {len(rows):6d} {took:6d} ({100 * took / len(rows):3.0f}%) {times[0]:12.0f} "
              f"{times[1]:11.0f}")
    sketch_stage._VOCABS.clear()  # both paths start with empty memos: pass 1 stems every new word
    shingle._STEM_HASHES.clear()
    shingle.token_hash.cache_clear()
    for r in range(args.repeat):
        for name, fn in (("compiled", sketch_stage.sketch_text), ("python stages", python_sketch)):
            t0 = time.perf_counter()
            for t in texts:
                fn(t, lang)
            print(f"pass {r + 1}  {name:14s} {(time.perf_counter() - t0) / n * 1e6:8.0f} us per article")
    return 0


def _seconds(work: object) -> float:
    t0 = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - t0


if __name__ == "__main__":
    raise SystemExit(main())
