"""Generating the stress set: real sources cleaned and selected, variants made, files and labels written.

See ``stress.py`` for the layout of the output and how the set is built.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

from stress_transforms import TRANSFORMS, transform
from stress_words import BOILERPLATE
from textsource import is_byline, read_text, text_files, wire_paragraphs

# --------------------------------------------------------------------------- reading and cleaning

_METER = re.compile(r"(?:^|/)(PA|newspapers)/rawtexts/([^/]+)/([^/]+)/([^/]+)/[^/]+$")
_SIGN_OFF = re.compile(r"^(?:ends?|mfl?|more|ap|pa|nnnn|\d{1,4})\W*$", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'\-]*(?:\s+(?:and\s+)?[A-Z][\w.'\-]*){0,6}\s*(?:,.*)?$")
_WEB_JUNK = re.compile(r"^(?:read more|also read|published:|updated:|date:?\s+[\d/.-]+$|\(photo|photo:|share\b)",
                       re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Source:
    """One real article, cleaned into paragraphs."""

    path: str  # relative to the source folder, '/' separators
    side: str  # 'PA', 'newspapers' or 'other'
    domain: str
    thread: str  # METER domain/catchline; the path itself for other folders
    paragraphs: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(_WORD.findall(p)) for p in self.paragraphs)


def _keep(par: str) -> bool:
    if len(_WORD.findall(par)) < 3 or _SIGN_OFF.match(par) or _WEB_JUNK.match(par):
        return False
    if par.startswith("(") and par.endswith(")"):  # (reopens), (Pic later), (corrects ...)
        return False
    if is_byline(par):
        return False
    letters = [c for c in par if c.isalpha()]
    return any(c.islower() for c in letters)  # an all-capitals line is a headline


def clean_paragraphs(text: str) -> list[str]:
    """Wire text (or plain text) -> clean prose paragraphs.

    Drops rule lines, PA page headers, `<` line ends, control characters
    (``textsource.wire_paragraphs``), then headlines, bylines, sign-offs and
    repeated paragraphs.
    """
    out: list[str] = []
    seen: set[str] = set()
    for par in wire_paragraphs(text):
        if _keep(par) and par.lower() not in seen:
            seen.add(par.lower())
            out.append(par)
    return out


def read_sources(root: Path) -> list[Source]:
    """Every readable text under ``root``, cleaned, sorted by path.

    In a METER-shaped folder only files under ``(PA|newspapers)/rawtexts/<domain>/<date>/<catchline>/``
    are taken (the stray readme notes are not articles).
    """
    files = text_files(root)
    rels = [p.relative_to(root).as_posix() for p in files]
    meter = any(_METER.search(r) for r in rels)
    out = []
    for path, rel in zip(files, rels):
        m = _METER.search(rel)
        if meter and not m:
            continue
        paras = clean_paragraphs(read_text(path))
        if not paras:
            continue
        if m:
            side, domain, _date, catch = m.groups()
            out.append(Source(rel, side, domain, f"{domain}/{catch}", tuple(paras)))
        else:
            out.append(Source(rel, "other", "other", rel, tuple(paras)))
    return out


def _grams(src: Source, n: int = 5) -> set[str]:
    words = [w.lower() for p in src.paragraphs for w in _WORD.findall(p)]
    return {" ".join(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


_NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")


def _names(src: Source) -> set[str]:
    return set(_NAME.findall(" ".join(src.paragraphs)))


def select(sources: list[Source], rng: Random, n_stories: int, min_words: int,
           min_single_words: int) -> tuple[list[Source], list[Source], int]:
    """Bases (one PA text per thread) and independent singletons (one text per other thread).

    No two chosen texts may be copies, even in part.  METER files the same
    copy under two catchlines now and then (beckett/chief, bbc/bbcstreet), and
    PA reuses background paragraphs across a person's stories, so a text is
    refused when, against a text already chosen, it shares 4 or more word
    5-grams, or 2 or more and a rare name (a capitalised word pair found in at
    most 2 threads).  Returns (bases, singletons, refused).
    """
    by_thread: dict[str, list[Source]] = defaultdict(list)
    for s in sources:
        by_thread[s.thread].append(s)
    name_df: Counter[str] = Counter()
    for srcs in by_thread.values():
        name_df.update(set().union(*(_names(s) for s in srcs)))
    threads = sorted(by_thread)
    rng.shuffle(threads)
    gram_owner: dict[str, list[int]] = defaultdict(list)
    name_owner: dict[str, list[int]] = defaultdict(list)
    refused = 0

    def take(src: Source, idx: int) -> bool:
        nonlocal refused
        grams, names = _grams(src), {n for n in _names(src) if name_df[n] <= 2}
        shared = Counter(i for g in grams for i in gram_owner.get(g, ()))
        named = {i for n in names for i in name_owner.get(n, ())}
        if any(k >= 4 or (k >= 2 and i in named) for i, k in shared.items()):
            refused += 1
            return False
        for g in grams:
            gram_owner[g].append(idx)
        for n in names:
            name_owner[n].append(idx)
        return True

    bases: list[Source] = []
    rest: list[str] = []
    for t in threads:
        cands = [s for s in by_thread[t] if s.side in ("PA", "other") and s.words >= min_words
                 and len(s.paragraphs) >= 4]
        if len(bases) < n_stories and cands:
            best = max(cands, key=lambda s: (s.words, s.path))  # the fullest take of the story
            if take(best, len(bases)):
                bases.append(best)
                continue
        rest.append(t)
    singles: list[Source] = []
    for t in rest:
        cands = sorted((s for s in by_thread[t] if s.words >= min_single_words), key=lambda s: s.path)
        rng.shuffle(cands)
        for cand in cands[:3]:
            if take(cand, 100000 + len(singles)):
                singles.append(cand)
                break
    return bases, singles, refused


# --------------------------------------------------------------------------- generation

@dataclass
class Item:
    id: str
    group: str
    transform: str
    text: str
    source: str
    domain: str
    base: str | None = None
    boilerplate: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def _dress(paragraphs: list[str], rng: Random, rate: float) -> tuple[str, list[str]]:
    """Add shared boilerplate to some files; returns (file text, block names)."""
    blocks: list[str] = []
    if rng.random() < rate:
        blocks = sorted(rng.sample(sorted(BOILERPLATE), rng.randint(1, 2)))
    head = [BOILERPLATE[b][1] for b in blocks if BOILERPLATE[b][0] == "header"]
    foot = [BOILERPLATE[b][1] for b in blocks if BOILERPLATE[b][0] == "footer"]
    return "\n\n".join(head + list(paragraphs) + foot) + "\n", blocks


def generate(source_dir: Path, out_dir: Path, seed: int = 7, n_stories: int = 150, min_words: int = 150,
             min_single_words: int = 80, variant_rate: float = 0.35, boilerplate_rate: float = 0.35) -> dict:
    """Write the stress set; returns the manifest."""
    t0 = time.perf_counter()
    rng = Random(seed)
    sources = read_sources(source_dir)
    bases, singles, refused = select(sources, rng, n_stories, min_words, min_single_words)
    if not bases:
        raise SystemExit(f"{source_dir}: no text with at least {min_words} words and 4 paragraphs to use as a base")
    used_names: set[str] = set()

    def name() -> str:
        while True:
            n = f"{rng.getrandbits(64):016x}.txt"
            if n not in used_names:
                used_names.add(n)
                return n

    items: list[Item] = []
    for g, src in enumerate(bases):
        group = f"g{g:03d}"
        paras = list(src.paragraphs)
        text, blocks = _dress(paras, rng, boilerplate_rate)
        base = Item(name(), group, "base", text, src.path, src.domain, None, blocks,
                    {"words": src.words, "paragraphs": len(paras)})
        items.append(base)
        for kind in TRANSFORMS:
            if rng.random() >= variant_rate:
                continue
            if kind == "exact":
                items.append(Item(name(), group, kind, base.text, src.path, src.domain, base.id, list(blocks)))
                continue
            body, params = transform(kind, paras, rng)
            text, vblocks = _dress(body, rng, boilerplate_rate)
            items.append(Item(name(), group, kind, text, src.path, src.domain, base.id, vblocks, params))
    for s, src in enumerate(singles):
        text, blocks = _dress(list(src.paragraphs), rng, boilerplate_rate)
        items.append(Item(name(), f"s{s:03d}", "independent", text, src.path, src.domain, None, blocks,
                          {"words": src.words, "side": src.side}))

    articles = out_dir / "articles"
    if articles.exists():
        shutil.rmtree(articles)
    articles.mkdir(parents=True)
    for it in items:
        (articles / it.id).write_bytes(it.text.encode("utf-8"))
    with open(out_dir / "labels.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for it in sorted(items, key=lambda it: it.id):
            row = {k: v for k, v in dataclasses.asdict(it).items() if k != "text"}
            fh.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
    manifest = {
        "seed": seed, "source": str(source_dir), "n_stories": n_stories, "min_words": min_words,
        "min_single_words": min_single_words, "variant_rate": variant_rate, "boilerplate_rate": boilerplate_rate,
        "source_texts": len(sources), "refused_for_overlap": refused,
        "files": len(items), "bases": len(bases), "independent": len(singles),
        "by_transform": dict(sorted(Counter(it.transform for it in items).items())),
        "with_boilerplate": sum(1 for it in items if it.boilerplate),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    manifest["seconds"] = round(time.perf_counter() - t0, 2)
    return manifest
