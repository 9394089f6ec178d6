"""Commands that inspect results: ``dedup show`` and ``dedup explain``.

Registered on the main group in ``dedup.cli.app``.  Errors are one line
(``Error: ...``) with exit code 1; a bad option value exits with 2.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import click

from dedup.config import Config, ConfigError
from dedup.inspect.explain import explain_pair, load_file, load_from_run, render
from dedup.inspect.show import (
    WIDTH,
    RunDirError,
    RunOutput,
    Styler,
    find_cluster,
    load_run,
    render_cluster,
    render_list,
    use_color,
)
from dedup.stages.ingest import IngestError

_DEFAULTS = Config()


def _same_as_run(name: str) -> str:
    return f"As for `dedup run` (default: the run's value with --run, else {getattr(_DEFAULTS, name):g})."


_color_option = click.option(
    "--color/--no-color", "color", default=None,
    help="Colour the output. Default: only on a terminal, and never when NO_COLOR is set.")


def _styler(color: bool | None) -> tuple[Styler, int]:
    on = use_color(sys.stdout, color)
    width = shutil.get_terminal_size((WIDTH, 24)).columns if sys.stdout.isatty() else WIDTH
    return Styler(on), max(min(width, 160), 60)


def _echo(lines: list[str], st: Styler) -> None:
    click.echo("\n".join(lines), color=st.color)


@click.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.argument("cluster_id", required=False)
@_color_option
def show(out_dir: Path, cluster_id: str | None, color: bool | None) -> None:
    """List the clusters of a finished run, or show one cluster's copies and what each changed.

    OUT_DIR is the --out folder of `dedup run`. Without CLUSTER_ID: a table of
    clusters (id, size, canonical, share of unique content, title). With it (or
    a unique prefix of it): the canonical and every copy's own content, added,
    removed and changed sentences with an inline word diff.
    """
    try:
        run = load_run(out_dir)
        st, width = _styler(color)
        if cluster_id is None:
            lines = render_list(run, st, width)
        else:
            lines = render_cluster(run, find_cluster(run, cluster_id), st, width)
    except RunDirError as e:
        raise click.ClickException(str(e)) from None
    _echo(lines, st)


@click.command()
@click.argument("a")
@click.argument("b")
@click.option("--run", "run_dir", type=click.Path(path_type=Path),
              help="Output folder of a finished run: A and B are then document ids of that run, and words "
                   "are weighted over the run's input, re-read from the folder recorded in clusters.json.")
@click.option("--input", "input_path", type=click.Path(), default=None,
              help="With --run: read the run's input from here instead of the recorded folder.")
@click.option("--min-coverage", type=float, help=_same_as_run("min_coverage"))
@click.option("--sentence-similarity", type=float, help=_same_as_run("sentence_similarity"))
@click.option("--min-aligned", type=int, help=_same_as_run("min_aligned"))
@click.option("--lsh-rows", type=int, help=_same_as_run("lsh_rows"))
@click.option("--num-perm", type=int, help=_same_as_run("num_perm"))
@click.option("--shingle-size", type=int, help=_same_as_run("shingle_size"))
@click.option("--seed", type=int, help=_same_as_run("seed"))
@_color_option
def explain(a: str, b: str, run_dir: Path | None, input_path: str | None, color: bool | None,
            **options: object) -> None:
    """Show why two articles are, or are not, copies: every figure behind the verdict.

    A and B are two files, or two document ids of a finished run given with
    --run OUT_DIR. Prints MinHash and exact Jaccard, containment both ways,
    whether LSH would pair them (and in which bands), the aligned sentences
    with their similarity, the passages they share word for word, the
    thresholds that decided, and the verdict.
    """
    if input_path is not None and run_dir is None:
        raise click.UsageError("--input only applies with --run OUT_DIR")
    overrides = {k: v for k, v in options.items() if v is not None}
    try:
        run = load_run(run_dir) if run_dir is not None else None
        base = _run_config(run, run_dir) if run is not None else Config()
        try:
            config = dataclasses.replace(base, **overrides)
        except ConfigError as e:
            raise click.UsageError(f"--{e}") from None
        if run is None:
            ex = explain_pair(load_file(a, config), load_file(b, config), config)
        else:
            got = load_from_run(run, a, b, config, input_path)
            lsh = run.payload.get("lsh")
            same_shape = lsh and not {"lsh_rows", "num_perm"} & set(overrides)
            banding = (int(lsh["bands"]), int(lsh["rows"])) if same_shape else None
            ex = explain_pair(got.a, got.b, config, got.weights, got.note, got.where, got.hashes, banding)
    except (RunDirError, IngestError, ConfigError) as e:
        raise click.ClickException(str(e)) from None
    st, width = _styler(color)
    _echo(render(ex, st, width), st)


def _run_config(run: RunOutput, run_dir: str) -> Config:
    """The options a run was made with; a run from a version with other options is a clear error."""
    try:
        return Config.from_dict(run.payload["parameters"])
    except ConfigError as e:
        raise RunDirError(f"{run_dir} was written by a dedup with other options ({e}; schema "
                          f"{run.payload.get('schema_version')}): run `dedup run` again with this version") from None
