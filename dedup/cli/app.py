"""Command line: a thin layer that parses options into a Config and calls the library.

Exit codes: 0 success; 1 the run failed (bad input, nothing to compare,
output not writable); 2 usage error (bad option value).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dedup._version import __version__
from dedup.cli.evaluate import eval_command
from dedup.cli.index import index_group
from dedup.cli.inspect import explain, show
from dedup.cli.options import Progress, build_config, config_options
from dedup.errors import PipelineError
from dedup.pipeline.precompile import cold
from dedup.pipeline.runner import run_to_dir
from dedup.report.writer import ReportError, format_summary
from dedup.stages.ingest import IngestError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="dedup")
def main() -> None:
    """Find the articles that are copies of one another, keep one, show what each copy changed.

    Start with:  dedup run FOLDER --out OUT
    """


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="Folder for clusters.json, documents.jsonl and one Markdown diff per cluster (clusters/).")
@config_options
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def run(path: Path, out_dir: Path, quiet: bool, **options: object) -> None:
    """Cluster the articles under PATH (a folder, searched recursively, or one file).

    Reads .txt, .md, .html, .json and .jsonl files (optionally .gz). Writes
    OUT/clusters.json (the clusters, canonical choices, evidence and diffs),
    OUT/documents.jsonl (every input with its status) and OUT/clusters/*.md.
    """
    config = build_config(options)
    progress = Progress(quiet)
    if not quiet and cold():  # one stat per kernel: whether its cache index exists
        click.echo("dedup: first run after install: compiling the kernels, once (about 10 s)...", err=True)
    try:
        result, _ = run_to_dir(path, out_dir, config, progress)
    except (IngestError, PipelineError, ReportError) as e:
        progress.close()
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        progress.close()
        click.echo("dedup: interrupted; no output file was left half-written.", err=True)
        sys.exit(130)
    progress.close()
    if not quiet:
        click.echo(format_summary(result, out_dir, config.pages))


main.add_command(show)
main.add_command(explain)


main.add_command(eval_command, name="eval")
main.add_command(index_group)


if __name__ == "__main__":  # pragma: no cover
    main()
