"""``dedup explain``: the figures behind the verdict on one pair of documents.

Everything is computed by the pipeline's own stages (ingest, normalize,
shingle, signatures, verify); this module only gathers and prints it, plus
two views no stage needs: which LSH bands of the two signatures agree, and
the passages the two texts share word for word.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dedup.config import Config
from dedup.inspect.show import RunDirError, RunOutput, Styler, clean, wrap
from dedup.pipeline.firstpass import prepare
from dedup.stages.ingest import ingest
from dedup.stages.normalize import normalize, words_of
from dedup.stages.shingle import shingle_hashes
from dedup.stages.signatures import sign
from dedup.stages.verify import assess, decide, screened
from dedup.stages.weights import TermWeights
from dedup.types import Document, Evidence, NormalizedDoc

__all__ = ["Explanation", "FromRun", "explain_pair", "load_file", "load_from_run", "render", "shared_passages"]

PASSAGE_WORDS = 6  # shortest run of words quoted as a shared passage
MAX_QUOTED = 30  # aligned pairs / passages quoted at most
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Explanation:
    a: Document
    b: Document
    norm_a: NormalizedDoc
    norm_b: NormalizedDoc
    config: Config
    evidence: Evidence
    accepted: bool
    reason: str  # the verifier's one-line reason
    screened: bool  # containment too low: sentences were never aligned
    aligned: list[tuple[int, int, float]]  # (sentence of A, sentence of B, similarity)
    passages: list[tuple[int, int]]  # spans of A's text shared word for word with B
    bands: int
    rows: int
    matched_bands: list[int]
    weights_note: str
    where: dict[str, str]  # document id -> its place in the run (only with --run)


def _spans(doc: Document, norm: NormalizedDoc) -> tuple[list[str], list[tuple[int, int]]]:
    """The body's words (normalized) with their spans in the original text."""
    keys: list[str] = []
    spans: list[tuple[int, int]] = []
    for s in norm.sentences:
        for m in _TOKEN.finditer(doc.text, s.start, s.end):
            key = " ".join(words_of(m.group()))
            if key:
                keys.append(key)
                spans.append((m.start(), m.end()))
    return keys, spans


def shared_passages(a: Document, na: NormalizedDoc, b: Document, nb: NormalizedDoc,
                    k: int = PASSAGE_WORDS) -> list[tuple[int, int]]:
    """Spans of A's text whose words (k or more in a row) also stand in a row in B."""
    keys_a, spans_a = _spans(a, na)
    keys_b, _ = _spans(b, nb)
    grams_b = {tuple(keys_b[i:i + k]) for i in range(len(keys_b) - k + 1)}
    out: list[tuple[int, int]] = []
    run_end = -1  # index of the last word of the current run
    for i in range(len(keys_a) - k + 1):
        if tuple(keys_a[i:i + k]) not in grams_b:
            continue
        if out and i <= run_end + 1:
            run_end = i + k - 1
            out[-1] = (out[-1][0], spans_a[run_end][1])
        else:
            run_end = i + k - 1
            out.append((spans_a[i][0], spans_a[run_end][1]))
    return out


def explain_pair(a: Document, b: Document, config: Config, weights: TermWeights | None = None,
                 weights_note: str = "", where: dict[str, str] | None = None,
                 hashes: tuple[np.ndarray, np.ndarray] | None = None,
                 banding: tuple[int, int] | None = None) -> Explanation:
    """Run the verify stage's checks on (A, B) and keep every figure.

    ``weights`` and ``hashes`` default to what the two documents give alone; a
    run's corpus gives its own (see :func:`load_from_run`).  ``banding`` is the
    run's (bands, rows); by default, the config's.
    """
    na, nb = (normalize(d, config.language, config.segment) for d in (a, b))  # each in its language, as a run does
    if weights is None:
        weights = TermWeights.from_docs([na, nb])
        weights_note = "over these two documents only (a run weighs words over its whole corpus)"
    if hashes is None:
        hashes = (shingle_hashes(na, config.shingle_size), shingle_hashes(nb, config.shingle_size))
    ha, hb = hashes
    sig = sign([ha, hb], config.num_perm, config.seed)
    ev, pairs = assess(na, nb, ha, hb, sig[0], sig[1], config, weights)
    ok, why = decide(ev, config)
    bands, rows = banding or (config.num_perm // config.lsh_rows, config.lsh_rows)
    matched = [k for k in range(bands)
               if np.array_equal(sig[0][k * rows:(k + 1) * rows], sig[1][k * rows:(k + 1) * rows])]
    return Explanation(a, b, na, nb, config, ev, ok, why, screened(ev, config), pairs, shared_passages(a, na, b, nb),
                       bands, rows, matched, weights_note, where or {})


def load_file(path: str | os.PathLike, config: Config) -> Document:
    """The one document in a file (raises RunDirError with a one-line message otherwise)."""
    if not os.path.isfile(path):
        raise RunDirError(f"no such file: {path}" + ("" if not os.path.exists(path) else " (it is a folder)"))
    docs, skipped = ingest(path, config)
    if skipped and not docs:
        raise RunDirError(f"{path} cannot be compared: {skipped[0].reason}: {skipped[0].detail}")
    if len(docs) != 1:
        raise RunDirError(f"{path} holds {len(docs)} documents; give a file with one article, "
                          "or document ids with --run OUT")
    return docs[0]


def _resolve_input(run: RunOutput, override: str | None) -> Path:
    recorded = override or run.payload["input"]
    tries = [Path(recorded)]
    if not override and not Path(recorded).is_absolute():
        tries.append(run.out_dir.parent / recorded)  # run started next to its output folder
    for p in tries:
        if p.exists():
            return p
    raise RunDirError(f"the run's input {recorded!r} (recorded in {run.out_dir / 'clusters.json'}) is not "
                      "found from here; run from the folder the run started in, or give --input PATH")


def _where(run: RunOutput, doc_id: str) -> str:
    row = run.documents.get(doc_id)
    if row is None:
        return "not in documents.jsonl"
    if row["status"] == "clustered":
        return f"in cluster {row['cluster']}" + (", as its canonical" if row["canonical"] else "")
    if row["status"] == "skipped":
        return f"skipped in the run ({row['reason']})"
    return "a singleton (in no cluster)"


@dataclass(frozen=True)
class FromRun:
    """The two documents of a run, with what the run's corpus gives them."""

    a: Document
    b: Document
    weights: TermWeights
    hashes: tuple[np.ndarray, np.ndarray]
    note: str
    where: dict[str, str]


def load_from_run(run: RunOutput, id_a: str, id_b: str, config: Config, input_override: str | None = None
                  ) -> FromRun:
    """Re-ingest the run's input: the two documents, the corpus's term weights and shingles, their places.

    The corpus is prepared by the pipeline's own functions, as ``dedup.pipeline.runner.run``
    prepares it: documents too short left out, common shingles dropped, boilerplate found.
    """
    root = _resolve_input(run, input_override)
    corpus = prepare(root, config)
    index = corpus.index
    for doc_id in (id_a, id_b):
        if doc_id not in index:
            short = any(s.id == doc_id and s.reason == "too_short" for s in corpus.skipped)
            what = "too short to compare" if short else "not"
            raise RunDirError(f"document {clean(doc_id)!r} is {what} in the run's input {root} "
                              f"({_where(run, doc_id)}); ids are listed in {run.out_dir / 'documents.jsonl'}")
    n = len(corpus.infos)
    note = f"over the run's corpus: {n} documents re-ingested from {root}"
    known = {i for i, r in run.documents.items() if r["status"] != "skipped"}
    if run.documents and known != set(index):
        note += " (the input has changed since the run, so figures may differ from it)"
    ka, kb = index[id_a], index[id_b]
    return FromRun(corpus.store.document(ka), corpus.store.document(kb), corpus.weights,
                   (corpus.hashes(ka), corpus.hashes(kb)), note, {i: _where(run, i) for i in (id_a, id_b)})


# ---------------------------------------------------------------- rendering


def _ok(st: Styler, passed: bool) -> str:
    return st("pass", fg="green") if passed else st("FAIL", fg="red", bold=True)


def verdict(ex: Explanation) -> str:
    ev, lsh = ex.evidence, bool(ex.matched_bands)
    if ex.accepted and lsh:
        return f"copies ({ev.relation}): {ex.reason}"
    if ex.accepted:
        return (f"the verifier accepts them as copies ({ex.reason}), but no LSH band of {ex.rows} row(s) "
                "would propose the pair, so a run does not compare them")
    return f"not copies: {ex.reason}"


def render(ex: Explanation, st: Styler, width: int) -> list[str]:
    ev, c = ex.evidence, ex.config

    def h(text: str) -> str:
        return st(text, bold=True)

    out = [h("Documents")]
    for side, doc, nd in (("A", ex.a, ex.norm_a), ("B", ex.b, ex.norm_b)):
        title = f" — {clean(doc.title)}" if doc.title else ""
        place = f"; {ex.where[doc.id]}" if doc.id in ex.where else ""
        out.append(f"  {side}  {clean(doc.id)}{title} ({len(nd.sentences)} sentences, {nd.word_count} words{place})")
    out += wrap([(f"term weights {ex.weights_note}", {})], width, "  ", st)
    out += ["", h(f"Shingles ({c.shingle_size}-word content-stem shingles, {c.num_perm} MinHash permutations)"),
            f"  MinHash estimate of Jaccard  {ev.minhash_jaccard:.4f}",
            f"  exact Jaccard                {ev.jaccard:.4f}",
            f"  containment A in B           {ev.containment_ab:.4f}  (share of A's shingles found in B)",
            f"  containment B in A           {ev.containment_ba:.4f}  (share of B's shingles found in A)"]
    chance = 1.0 - (1.0 - ev.jaccard ** ex.rows) ** ex.bands
    out += ["", h(f"LSH ({ex.bands} bands of {ex.rows} row(s); buckets over {c.max_bucket} split "
                  f"up to {c.lsh_split} time(s))")]
    if ex.matched_bands:
        shown = ", ".join(map(str, ex.matched_bands[:20])) + (" ..." if len(ex.matched_bands) > 20 else "")
        out.append(f"  would pair them: yes, {len(ex.matched_bands)} of {ex.bands} bands agree: {shown}")
        out.append("  (unless every such band's bucket was crowded and split them apart)")
    else:
        out.append(f"  would pair them: no, none of the {ex.bands} bands agree")
    out.append(f"  chance of sharing a band at Jaccard {ev.jaccard:.2f}: {chance:.2f}")
    out += ["", h(f"Aligned sentences (weighted Dice >= {c.sentence_similarity:g}, one to one)")]
    if ex.screened:
        out.append(f"  not aligned: shingle containment {max(ev.containment_ab, ev.containment_ba):.4f} is below "
                   f"min-containment {c.min_containment:g}")
    else:
        out.append(f"  {len(ex.aligned)} pair(s); coverage of A {ev.coverage_a:.4f}, of B {ev.coverage_b:.4f}; "
                   f"in order {ev.order:.2f}")
        if ex.aligned:
            out.append("  (similarity, then sentence n of A and its counterpart in B)")
    for i, j, sim in ex.aligned[:MAX_QUOTED]:
        pad = " " * 13
        out += wrap([(ex.norm_a.sentences[i].text, {})], width, f"  {sim:.2f}  {'A' + str(i + 1):<4} ", st, pad)
        out += wrap([(ex.norm_b.sentences[j].text, {"fg": "cyan"})], width, f"        {'B' + str(j + 1):<4} ", st, pad)
    if len(ex.aligned) > MAX_QUOTED:
        out.append(f"  ... and {len(ex.aligned) - MAX_QUOTED} more")
    out += ["", h(f"Shared passages ({PASSAGE_WORDS} or more words in a row, quoted from A)")]
    if not ex.passages:
        out.append("  none")
    for s, e in ex.passages[:MAX_QUOTED]:
        out += wrap([(f'"{ex.a.text[s:e]}"', {"fg": "green"})], width, "  ", st)
    if len(ex.passages) > MAX_QUOTED:
        out.append(f"  ... and {len(ex.passages) - MAX_QUOTED} more")
    contain = max(ev.containment_ab, ev.containment_ba)
    rows = [("lsh-rows", f"{ex.rows}", f"{len(ex.matched_bands)} band(s) agree", bool(ex.matched_bands)),
            ("min-containment", f"{c.min_containment:g}", f"containment {contain:.4f}", contain >= c.min_containment),
            ("min-aligned", f"{c.min_aligned}", f"{ev.aligned_sentences} aligned", ev.aligned_sentences >= c.min_aligned),
            ("min-coverage", f"{c.min_coverage:g}", f"score {ev.score:.4f}", ev.score >= c.min_coverage)]
    out += ["", h("Thresholds")]
    if ev.relation == "identical":
        out.append("  the texts have the same words: identical, no threshold applies")
    else:
        out += [f"  {name:<16} {val:<6} {fig:<22} {_ok(st, ok)}" for name, val, fig, ok in rows]
    good = ex.accepted and bool(ex.matched_bands)
    out += ["", h("Verdict: ") + st(verdict(ex), fg="green" if good else "red", bold=True)]
    return out
