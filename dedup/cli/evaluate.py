"""`dedup eval`: run the pipeline on PATH and score it against gold labels.

Exit codes: 0 success; 1 bad input (labels file missing or invalid, input path
missing, nothing to compare, output not writable); 2 usage error; 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dedup.cli.options import Progress, build_config, config_options
from dedup.errors import PipelineError
from dedup.evaluation.evaluate import (
    LabelError,
    Labels,
    dumps,
    evaluate,
    labels_from_records,
    load_labels,
)
from dedup.pipeline.runner import run
from dedup.report.plot import pr_curve_svg
from dedup.stages.ingest import IngestError
from dedup.storage.atomic import write_atomic

EVAL_JSON = "eval.json"
PR_CURVE = "pr_curve.svg"


def _ev_line(ev: dict[str, Any] | None) -> str:
    if ev is None:
        return ""
    return (f"score {ev['score']:.2f}, {ev['aligned_sentences']} aligned, coverage "
            f"{ev['coverage_a']:.2f}/{ev['coverage_b']:.2f}, jaccard {ev['jaccard']:.2f}, {ev['relation']}; ")


def format_text(payload: dict[str, Any], out_dir: Path) -> str:
    """The terminal report of an evaluation (no trailing newline)."""
    c, pw, bc = payload["counts"], payload["pairwise"], payload["bcubed"]
    lines = [
        (f"dedup eval: {c['inputs']} inputs, {c['labelled']} labelled and scored, {c['unlabelled']} without a "
        f"label (not scored); {c['skipped_scored_as_singletons']} labelled input(s) skipped by the pipeline, "
        "scored as singletons"),
    ]
    if c["labels_without_document"]:
        lines.append(f"  warning: {c['labels_without_document']} label(s) name no input of this run")
    lines += [
        (f"  {'pairwise':<12} P {pw['precision']:.4f}  R {pw['recall']:.4f}  F1 {pw['f1']:.4f}   "
        f"({c['true_pairs']} of {c['predicted_pairs']} predicted pairs right, {c['gold_pairs']} gold pairs)"),
        f"  {'B-cubed':<12} P {bc['precision']:.4f}  R {bc['recall']:.4f}  F1 {bc['f1']:.4f}",
        f"  {'ARI':<12} {payload['adjusted_rand']:.4f}",
        (f"  {'clusters':<12} {c['predicted_clusters']} predicted, {c['impure_clusters']} impure (more than one "
        f"gold group); {c['gold_groups_of_2_or_more']} gold groups of 2 or more"),
    ]
    merges = payload["false_merges"]
    lines.append(f"false merges: {c['false_merge_pairs']} pair(s) in one cluster with different groups"
                 + (f"; worst {len(merges)}, lowest score first:" if merges else ""))
    for k, m in enumerate(merges, 1):
        lines.append(f"  {k:>2}. {m['a']} [{m['group_a']}]  +  {m['b']} [{m['group_b']}]")
        lines.append(f"      {_ev_line(m['evidence'])}{m['why']}")
    misses = payload["misses"]
    never = c["missed_pairs"] - c["missed_pairs_with_candidate_edge"]
    lines.append(f"misses: {c['missed_pairs']} pair(s) of one group in different clusters "
                 f"({c['missed_pairs_with_candidate_edge']} had a candidate edge, {never} were never LSH "
                 "candidates)" + (f"; worst {len(misses)}, highest score first:" if misses else ""))
    for k, m in enumerate(misses, 1):
        lines.append(f"  {k:>2}. {m['a']}  +  {m['b']} [{m['group']}]")
        lines.append(f"      {_ev_line(m['evidence'])}{m['why']}")
    sw = payload["sweep"]
    lines.append(f"min_coverage sweep (* current): {sw['note']}; {c['gold_pairs'] - c['gold_pairs_with_candidate_edge']}"
                 f" of {c['gold_pairs']} gold pairs were never candidates")
    lines.append(f"  {'min_cov':>8} {'precision':>9} {'recall':>7} {'F1':>7} {'ARI':>7} {'clusters':>8}")
    for p in sw["points"]:
        mark = "*" if p["current"] else " "
        lines.append(f"  {mark}{p['min_coverage']:>7.2f} {p['precision']:>9.4f} {p['recall']:>7.4f} "
                     f"{p['f1']:>7.4f} {p['ari']:>7.4f} {p['clusters']:>8}")
    lines.append(f"output: {out_dir / EVAL_JSON}, {out_dir / PR_CURVE}")
    return "\n".join(lines)


@click.command("eval", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--labels", "labels_file", type=click.Path(path_type=Path), default=None,
              help="Gold labels: JSONL (one object per line) or CSV with a header, mapping a document id "
                   "to its group. Extra fields are allowed.")
@click.option("--label-field", default=None, metavar="FIELD",
              help="Read each document's group from this field of the input JSON/JSONL records instead "
                   "of a labels file.")
@click.option("--labels-id-field", "labels_id_field", default="id", show_default=True,
              help="Field (or CSV column) of the labels file "
              "holding the document id: the path relative to PATH, or the record id.")
@click.option("--group-field", default="group", show_default=True,
              help="Field (or CSV column) of the labels file holding the gold group.")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("eval"), show_default=True,
              help="Folder for eval.json and pr_curve.svg.")
@click.option("--show", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many of the worst false merges and misses to list.")
@config_options
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def eval_command(path: Path, labels_file: Path | None, label_field: str | None, labels_id_field: str, group_field: str,
                 out_dir: Path, show: int, quiet: bool, **options: object) -> None:
    """Score a run on PATH against gold labels: pairwise and B-cubed P/R/F1, adjusted Rand index.

    Runs the pipeline on PATH (as dedup run does, without writing its report),
    lists the worst false merges and misses with the evidence behind them, and
    sweeps --min-coverage from 0.05 to 0.95 over the verified candidate pairs.
    Writes OUT/eval.json and OUT/pr_curve.svg.

    Example:  dedup eval corpus --labels labels.jsonl --labels-id-field path --group-field thread
    """
    if (labels_file is None) == (label_field is None):
        raise click.UsageError("give exactly one of --labels FILE or --label-field FIELD")
    config = build_config(options)
    try:
        labels: Labels | None = load_labels(labels_file, labels_id_field, group_field) if labels_file else None
        result = run(path, config, Progress(quiet))
        if labels is None:
            labels = labels_from_records(path, str(label_field), config.max_file_mb)
        payload = evaluate(result, labels, config, str(path), show)
    except (LabelError, IngestError, PipelineError) as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        click.echo("dedup eval: interrupted; no output file was left half-written.", err=True)
        sys.exit(130)
    c = payload["counts"]
    current = next(p for p in payload["sweep"]["points"] if p["current"])
    svg = pr_curve_svg(
        payload["sweep"]["points"],
        title="Precision-recall as --min-coverage varies",
        subtitle=(f"{path.name or path}: {c['labelled']} labelled documents; current min_coverage "
                  f"{current['min_coverage']:.2f}: P {current['precision']:.3f}, R {current['recall']:.3f}, "
                  f"F1 {current['f1']:.3f}"),
        footer="Edges re-decided, not re-verified: pairs LSH never proposed stay missed at every threshold.",
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(out_dir / EVAL_JSON, dumps(payload))
        write_atomic(out_dir / PR_CURVE, svg.encode())
    except OSError as e:
        raise click.ClickException(f"{out_dir}: cannot write the output: {e.strerror or e}") from None
    if not quiet:
        click.echo(format_text(payload, out_dir))
