"""Synthetic stress set with exact ground truth, and a scorer for dedup.

Usage::

    python bench/stress.py generate SOURCE_DIR OUT_DIR [--seed 7] [--n-stories 150]
    python bench/stress.py score OUT_DIR [--json FILE] [dedup options, e.g. --min-coverage 0.3]
    python bench/stress.py run SOURCE_DIR [--seed 7] [--n-stories 150] [--keep DIR] [--json FILE] [dedup options]

``generate`` reads a folder of real articles (made for the METER corpus,
``../shared/data/meter/corpus``; any folder of plain-text articles works, one
story per file), cleans them into prose paragraphs and writes::

    OUT_DIR/articles/<16 hex digits>.txt   the stress set (names are random: they reveal nothing)
    OUT_DIR/labels.jsonl                   {"id", "group", "transform", "base", "source", ...} per file
    OUT_DIR/manifest.json                  generator settings and counts

Ground truth is exact by construction.  Each *base* is one real story (at most
one text per METER thread, i.e. domain/catchline, and no two chosen texts share
more than a trace of wording (see ``stress_gen.select``), so two bases are never copies of each other); its variants are
made from it by one labelled transform each and share its group.  Independent
texts of the same domains (METER courts/showbiz texts of threads not used as
bases) are singletons, each its own group.  Shared boilerplate blocks are put
on many unrelated files; they must not cause merges.

``score`` runs ``dedup.pipeline.runner.run`` on ``OUT_DIR/articles`` and prints the
Adjusted Rand Index, pairwise precision/recall, a per-transform table and the
worst failures (missed variant->base pairs with the verify reason of their
edge, and false merges).  ``run`` does both, into a temporary folder.

Everything is drawn from ``random.Random(seed)``: the same source folder and
seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

from stress_gen import generate
from stress_score import print_report, score

__all__ = ["generate", "main", "score"]

# --------------------------------------------------------------------------- CLI

_CLASHES = {"seed", "min_words"}  # Config fields whose names the generator's options use


def _add_dedup_options(p: argparse.ArgumentParser) -> None:
    from dedup.config import Config

    g = p.add_argument_group("dedup options (Config fields; defaults are dedup's; "
                             "seed and min-words are --dedup-seed, --dedup-min-words)")
    for f in dataclasses.fields(Config):
        typ = type(f.default)
        flag = f.name.replace("_", "-")
        if f.name in _CLASHES:
            flag = "dedup-" + flag
        g.add_argument("--" + flag, dest="cfg_" + f.name, type=typ, default=None, metavar=typ.__name__.upper())
    p.add_argument("--json", type=Path, help="write the figures to this JSON file")
    p.add_argument("--failures", type=int, default=10, help="how many missed pairs and false merges to list")


def _config(args: argparse.Namespace):
    from dedup.config import Config

    values = {k[4:]: v for k, v in vars(args).items() if k.startswith("cfg_") and v is not None}
    return Config(**values)


def _add_generate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--n-stories", type=int, default=150, help="number of base stories")
    p.add_argument("--min-words", type=int, default=150, help="words a base needs after cleaning")
    p.add_argument("--min-single-words", type=int, default=80, help="words an independent singleton needs")
    p.add_argument("--variant-rate", type=float, default=0.35, help="chance of each transform per base")
    p.add_argument("--boilerplate-rate", type=float, default=0.35, help="chance a file gets boilerplate")


def _gen_kwargs(args: argparse.Namespace) -> dict:
    return {"seed": args.seed, "n_stories": args.n_stories, "min_words": args.min_words,
            "min_single_words": args.min_single_words, "variant_rate": args.variant_rate,
            "boilerplate_rate": args.boilerplate_rate}


def _print_manifest(m: dict) -> None:
    print(f"generated {m['files']} files: {m['bases']} bases, {m['independent']} independent singletons, "
          f"{m['files'] - m['bases'] - m['independent']} variants, {m['with_boilerplate']} with boilerplate "
          f"(seed {m['seed']}, {m['source_texts']} source texts, {m['refused_for_overlap']} refused for overlap, "
          f"{m['seconds']:.1f} s)")
    print("  " + ", ".join(f"{k} {v}" for k, v in m["by_transform"].items()))


def _finish(s: dict, args: argparse.Namespace, extra: dict | None = None) -> None:
    print_report(s)
    if args.json:
        payload = dict(s, **(extra or {}))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write OUT_DIR/articles, OUT_DIR/labels.jsonl")
    g.add_argument("source", type=Path)
    g.add_argument("out", type=Path)
    _add_generate_options(g)
    s = sub.add_parser("score", help="run dedup on OUT_DIR/articles and score it")
    s.add_argument("out", type=Path)
    _add_dedup_options(s)
    r = sub.add_parser("run", help="generate into a temporary folder, then score")
    r.add_argument("source", type=Path)
    r.add_argument("--keep", type=Path, help="generate here instead of a temporary folder, and keep it")
    _add_generate_options(r)
    _add_dedup_options(r)
    args = ap.parse_args(argv)

    if args.cmd == "generate":
        _print_manifest(generate(args.source, args.out, **_gen_kwargs(args)))
        return 0
    if args.cmd == "score":
        manifest_path = args.out / "manifest.json"
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        _finish(score(args.out, _config(args), args.failures), args, {"manifest": manifest})
        return 0
    config = _config(args)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dedup-stress-") as tmp:
        out = args.keep or Path(tmp)
        manifest = generate(args.source, out, **_gen_kwargs(args))
        _print_manifest(manifest)
        print()
        result = score(out, config, args.failures)
    _finish(result, args, {"manifest": manifest, "total_seconds": round(time.perf_counter() - t0, 2)})
    print(f"\ntotal {time.perf_counter() - t0:.1f} s (generate {manifest['seconds']:.1f} s, "
          f"dedup {result['dedup_seconds']:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
