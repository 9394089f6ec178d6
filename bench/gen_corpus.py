"""Seeded generator of realistic article corpora with planted near-duplicates.

Usage::

    python bench/gen_corpus.py N OUT_DIR [--seed 1] [--dup-share 0.2] [--format txt|jsonl]
                               [--source DIR] [--jobs J] [--force]

Text comes from a word-level Markov chain of order 2, trained on real news:
the METER corpus (``../shared/data/meter/corpus`` beside the repository, PA wire
copy and UK newspapers; wire markup stripped) when present, else the
repository's ``seeds/``, or any folder given with ``--source``.  Proper nouns
and numbers in the training text become placeholders, filled per article from
its own cast (people from a built-in list of first names and surnames, places,
organisations) and its own numbers, so two unrelated articles share topic
words but not their names and figures, and are not near-duplicates.

Articles are about 3,000 characters: paragraphs of one to three sentences.
``--dup-share`` of the articles (exactly ``round(N * share)``) are *variants*
of another generated article, each made by one labelled transform:

=========== ===============================================================
exact       a verbatim copy
trimmed     the first 30-90% of the text (whole sentences; wire copy cut from the bottom)
extended    an extra paragraph (2-3 more sentences of the same story) inserted
reordered   the paragraphs in another order
reworded    about 10% of the words swapped for synonyms from a built-in table
ocr         1-3% of the characters edited (look-alike swaps, substitutions, drops, doublings)
=========== ===============================================================

Output::

    OUT_DIR/articles/NNNN/NNNNNNNN.txt   (--format txt; at most 1000 files per folder)
    OUT_DIR/articles.jsonl               (--format jsonl; {"id", "text"} per line)
    OUT_DIR/labels.jsonl                 {"id", "group", "transform", "base", "chars", ...} per article
    OUT_DIR/manifest.json                settings, counts, timing

A label's ``id`` is the document id ``dedup run`` gives the article when run on
``OUT_DIR/articles`` (its path below that folder) or on ``OUT_DIR/articles.jsonl``
(the record id).  ``group`` is the id of the original article of the group (an
original without variants is its own group); ``base`` is that original for a
variant and null for an original.

Determinism: work is cut into blocks of 1000 articles (one folder each); each
block draws from generators seeded with (seed, block number), and a variant's
original is always in its own block.  The same source, N, seed and options give
byte-identical output for any ``--jobs``.  Blocks run in forked worker
processes and are written as they finish (streaming: memory does not grow with N).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing as mp
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
from gen_article import (
    TRANSFORMS,
    Cast,
    extended,
    ocr,
    paragraphs_of,
    reordered,
    reworded,
    text_of,
    trimmed,
)
from markov import EOS, ROWSEP, Chain, build_chain, walk

try:
    import orjson

    def _dumps(obj) -> str:
        return orjson.dumps(obj).decode("utf-8")
except ImportError:  # the same bytes, only slower
    def _dumps(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

REPO = Path(__file__).resolve().parents[1]
DEFAULT_METER = REPO.parent / "shared" / "data" / "meter" / "corpus"
SEEDS = REPO / "seeds"
BLOCK = 1000  # articles per block and per folder

# --------------------------------------------------------------------------- blocks

_CHAIN: Chain | None = None  # set in the parent before forking workers
_OPTS: dict = {}


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def dup_count(start: int, end: int, share: float) -> int:
    """Variants among articles [start, end): the totals add up to round(N * share) exactly."""
    return _round(end * share) - _round(start * share)


def doc_id(k: int, fmt: str) -> str:
    return f"{k // BLOCK:04d}/{k:08d}.txt" if fmt == "txt" else f"{k:08d}"


def make_block(b: int) -> tuple[bytes, bytes, dict]:
    """Articles [b*BLOCK, min(N, (b+1)*BLOCK)): (article bytes for jsonl or b'', label bytes, counts)."""
    chain = _CHAIN
    assert chain is not None
    n_total, seed, share, fmt, out_dir = (_OPTS[k] for k in ("n", "seed", "share", "format", "out"))
    start, end = b * BLOCK, min(n_total, (b + 1) * BLOCK)
    size = end - start
    d = dup_count(start, end, share)
    n_orig = size - d
    rng = np.random.default_rng([seed, b])
    r = random.Random(f"gen_corpus:{seed}:{b}")

    # sentence streams for the originals: ~3,000 characters each plus a spare paragraph for 'extended'
    targets = [r.randint(2500, 3500) for _ in range(n_orig)]
    casts = [Cast(r) for _ in range(n_orig)]
    streams: list[list[str]] = [[] for _ in range(n_orig)]
    lengths = [0] * n_orig
    carry = [""] * n_orig  # an unfinished sentence (text with placeholders), continued by the next walk
    vocab = chain.vocab
    need = list(range(n_orig))
    state = None
    steps = 700
    while need:
        words, st = walk(chain, rng, len(need), steps, None if state is None else state[need])
        if state is None:
            state = st
        else:
            state[need] = st
        # one join for the whole block: a row separator token ends every article's row
        words = np.concatenate([words, np.full((len(need), 1), chain.rowsep, dtype=words.dtype)], axis=1)
        rows = " ".join(map(vocab.__getitem__, words.ravel().tolist())).split(ROWSEP)
        for row_k, i in enumerate(need):
            text = carry[i] + rows[row_k]
            last = text.rfind(EOS)
            if last < 0:
                carry[i] = text
                continue
            carry[i] = text[last + 1:]
            text = casts[i].fill(text[:last], first=not streams[i])
            sents = [x.strip() for x in text.split(EOS)]
            streams[i].extend(x for x in sents if x)
            lengths[i] += len(text)
        # an article needs its target length and three spare sentences
        need = [i for i in need if lengths[i] < targets[i] + 600 or len(streams[i]) < 6]
        steps = 200

    originals = []
    for i in range(n_orig):
        sents = streams[i]
        have = 0
        k = 0
        while k < len(sents) - 3 and (have < targets[i] or k < 3):
            have += len(sents[k]) + 1
            k += 1
        body, spare = sents[:k], []
        while k < len(sents) and (len(spare) < 2 or sum(map(len, spare)) < 250) and len(spare) < 4:
            spare.append(sents[k])  # the paragraph an 'extended' variant adds: 2-4 sentences, 250+ characters
            k += 1
        originals.append((paragraphs_of(r, body), spare))

    # roles: positions shuffled so that a variant does not sit next to its original
    pos = list(range(size))
    r.shuffle(pos)
    orig_pos, var_pos = pos[:n_orig], pos[n_orig:]
    ids = [doc_id(start + p, fmt) for p in range(size)]
    texts: list[str] = [""] * size
    labels: list[dict] = [{}] * size
    for i, p in enumerate(orig_pos):
        t = text_of(originals[i][0])
        texts[p] = t
        labels[p] = {"id": ids[p], "group": ids[p], "transform": "original", "base": None, "chars": len(t)}
    has_variants: list[int] = []
    fresh = list(range(n_orig))
    r.shuffle(fresh)
    counts = dict.fromkeys(("original",) + TRANSFORMS, 0)
    counts["original"] = n_orig
    for p in var_pos:
        if has_variants and (r.random() < 0.3 or not fresh):
            i = r.choice(has_variants)  # a third original of the same story, a fourth, ...
        elif fresh:
            i = fresh.pop()
            has_variants.append(i)
        else:
            i = r.randrange(n_orig)  # only when share > 0.5 leaves no originals to spare
        paras, spare = originals[i]
        t = TRANSFORMS[r.randrange(len(TRANSFORMS))]
        extra: dict = {}
        if t == "exact":
            text = text_of(paras)
        elif t == "trimmed":
            q, extra = trimmed(r, paras)
            text = text_of(q)
        elif t == "extended":
            q, extra = extended(r, paras, spare)
            text = text_of(q)
        elif t == "reordered":
            q, extra = reordered(r, paras)
            text = text_of(q)
        elif t == "reworded":
            text, extra = reworded(r, text_of(paras))
        else:
            text, extra = ocr(r, text_of(paras))
        base = ids[orig_pos[i]]
        texts[p] = text
        labels[p] = {"id": ids[p], "group": base, "transform": t, "base": base, "chars": len(text), **extra}
        counts[t] += 1

    if fmt == "txt":
        folder = out_dir / "articles" / f"{b:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for p in range(size):
            (out_dir / "articles" / ids[p]).write_text(texts[p], encoding="utf-8")
        art = b""
    else:
        art = "".join(_dumps({"id": ids[p], "text": texts[p]}) + "\n" for p in range(size)).encode("utf-8")
    lab = "".join(_dumps(lab) + "\n" for lab in labels).encode("utf-8")
    counts["bytes"] = sum(len(t.encode("utf-8")) for t in texts)
    return art, lab, counts


def generate(n: int, out_dir: Path, seed: int = 1, dup_share: float = 0.2, fmt: str = "txt",
             source: Path | None = None, jobs: int = 0, force: bool = False, quiet: bool = False) -> dict:
    """Write the corpus; returns the manifest."""
    global _CHAIN, _OPTS
    if n < 1:
        raise SystemExit("Error: N must be 1 or more")
    if not 0 <= dup_share <= 0.9:
        raise SystemExit("Error: --dup-share must be from 0 to 0.9")
    if source is None:
        source = DEFAULT_METER if DEFAULT_METER.is_dir() else SEEDS
    out_dir = Path(out_dir)
    targets = [out_dir / "articles", out_dir / "articles.jsonl", out_dir / "labels.jsonl", out_dir / "manifest.json"]
    if any(t.exists() for t in targets):
        if not force:
            raise SystemExit(f"Error: {out_dir} already holds a corpus; use --force to replace it")
        for t in targets:
            if t.is_dir():
                shutil.rmtree(t)
            elif t.exists():
                t.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    _CHAIN = build_chain(Path(source))
    t_chain = time.perf_counter() - t0
    _OPTS = {"n": n, "seed": seed, "share": dup_share, "format": fmt, "out": out_dir}
    blocks = range((n + BLOCK - 1) // BLOCK)
    jobs = jobs or os.cpu_count() or 1
    totals: dict[str, int] = {}
    t1 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        art_f = stack.enter_context(open(out_dir / "articles.jsonl", "wb")) if fmt == "jsonl" else None
        lab_f = stack.enter_context(open(out_dir / "labels.jsonl", "wb"))
        if jobs > 1 and len(blocks) > 1:
            pool = stack.enter_context(mp.get_context("fork").Pool(min(jobs, len(blocks))))
            _drain(pool.imap(make_block, blocks), art_f, lab_f, totals, n, t1, quiet)
        else:
            _drain(map(make_block, blocks), art_f, lab_f, totals, n, t1, quiet)
    secs = time.perf_counter() - t1
    manifest = {
        "n": n, "seed": seed, "dup_share": dup_share, "format": fmt, "source": str(source),
        "chain": {"sentences": _CHAIN.sentences, "tokens": _CHAIN.tokens, "vocab": len(_CHAIN.vocab),
                  "states": len(_CHAIN.cnt), "seconds": round(t_chain, 2)},
        "counts": {k: v for k, v in totals.items() if k != "bytes"},
        "variants": n - totals.get("original", 0), "bytes": totals.get("bytes", 0),
        "seconds": round(secs, 2), "articles_per_second": round(n / secs, 1) if secs else None,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    _CHAIN = None
    return manifest


def _drain(results, art_f, lab_f, totals, n, t1, quiet) -> None:
    done = 0
    for art, lab, counts in results:
        if art_f:
            art_f.write(art)
        lab_f.write(lab)
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
        done += counts["original"] + sum(counts[t] for t in TRANSFORMS)
        if not quiet and (done % 50000 < BLOCK or done == n):
            el = time.perf_counter() - t1
            print(f"  {done:,}/{n:,} articles, {el:.1f} s, {done / el:,.0f}/s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-share", type=float, default=0.2, help="share of articles that are planted variants")
    ap.add_argument("--format", choices=("txt", "jsonl"), default="txt")
    ap.add_argument("--source", type=Path, help="folder of real articles for the chain "
                    "(default: ../shared/data/meter/corpus if present, else seeds/)")
    ap.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0: all cores)")
    ap.add_argument("--force", action="store_true", help="replace a corpus already in OUT_DIR")
    ap.add_argument("--quiet", "-q", action="store_true")
    a = ap.parse_args(argv)
    m = generate(a.n, a.out, a.seed, a.dup_share, a.format, a.source, a.jobs, a.force, a.quiet)
    if not a.quiet:
        print(f"{m['n']:,} articles ({m['variants']:,} planted variants: "
              + ", ".join(f"{k} {v}" for k, v in m["counts"].items() if k != "original")
              + f"), {m['bytes'] / 1e6:,.1f} MB, in {m['seconds']} s ({m['articles_per_second']:,}/s) "
              f"+ {m['chain']['seconds']} s building the chain -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
