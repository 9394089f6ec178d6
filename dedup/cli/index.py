"""``dedup index``: keep an index of articles, add to it every hour, ask it whether an article is a copy.

A thin layer over ``dedup.index.Index``.  ``add`` writes what changed as JSON
lines (to stdout, or ``--changes FILE``) and its summary to stderr; ``query``
answers in words, or as JSON with ``--json``.  Exit codes: 0 success (for
``query``: whatever the answer), 1 failure (bad input, index busy or built
with other parameters), 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from dedup.cli.options import Progress, build_config, config_options
from dedup.errors import PipelineError
from dedup.index import Index
from dedup.report.writer import ReportError, format_summary
from dedup.stages.ingest import IngestError
from dedup.storage.atomic import write_atomic

_FAILURES = (IngestError, PipelineError, ReportError)

_index_option = click.option("--index", "-i", "index_path", type=click.Path(path_type=Path), required=True,
                             envvar="DEDUP_INDEX", show_envvar=True, help="The index file (SQLite).")


@click.group("index")
def index_group() -> None:
    """Keep an index of articles: add new ones as they arrive, ask whether an article is a copy.

    Start with:  dedup index add FOLDER --index news.db
    """


def _open(path: Path, options: dict[str, Any] | None = None, readonly: bool = False,
          keep_texts: bool = True, must_exist: bool = True) -> Index:
    try:
        return Index.open(path, options, readonly, keep_texts, must_exist)
    except _FAILURES as e:
        raise click.ClickException(str(e)) from None


def _asked(options: dict[str, Any]) -> dict[str, Any]:
    """The options given on the command line (defaults are the index's own values)."""
    ctx = click.get_current_context()
    return {k: v for k, v in options.items()
            if ctx.get_parameter_source(k) not in (click.core.ParameterSource.DEFAULT, None)}


@index_group.command()
@click.argument("path", type=click.Path(path_type=Path))
@_index_option
@click.option("--changes", type=click.Path(path_type=Path), default=None,
              help="Write the changes (JSON lines) to this file instead of stdout.")
@click.option("--keep-texts/--refer-to-files", default=True, show_default=True,
              help="For a new index: store each article's text in it, or only where to read it again "
                   "(the files must then stay where they are).")
@click.option("--recompare/--no-recompare", default=None,
              help="Judge every pair of the index again under the statistics of the corpus as it now is "
                   "(as one `dedup run` over all of it), or only the pairs the new articles bring. "
                   "Default: again once the articles added since the index was last compared as a whole "
                   "are a quarter of what it held then.")
@config_options
@click.option("--quiet", "-q", is_flag=True, help="Print no summary.")
def add(path: Path, index_path: Path, changes: Path | None, keep_texts: bool, recompare: bool | None, quiet: bool,
        **options: Any) -> None:
    """Add the articles under PATH to the index, comparing them with everything in it.

    PATH is anything `dedup run` reads. An article already in the index (same id, same
    text) is left as it is; the same id with another text is an update. Prints what
    changed as JSON lines: documents added, updated, unchanged or skipped (with the
    reason), and clusters created, grown, merged, or whose canonical changed, and why.
    Only the pairs the new articles bring are judged, and pairs already judged keep
    their verdict, unless the articles added since the index was last compared as a
    whole reach a quarter of what it held then, or --recompare is given: then every
    pair is judged again. Parameters given here must be the index's own (they are
    stored when it is made).
    """
    build_config(options)  # a bad value is a usage error before anything is opened
    progress = Progress(quiet)
    with _open(index_path, _asked(options), keep_texts=keep_texts, must_exist=False) as ix:
        try:
            change = ix.add(path, progress, recompare)
        except _FAILURES as e:
            progress.close()
            raise click.ClickException(str(e)) from None
        except KeyboardInterrupt:
            progress.close()
            click.echo("dedup: interrupted; the index is as the last addition left it.", err=True)
            sys.exit(130)
    progress.close()
    lines = b"".join(orjson.dumps(e) + b"\n" for e in change.events)
    if changes is not None:
        write_atomic(changes, lines)
    else:
        sys.stdout.buffer.write(lines)
        sys.stdout.flush()
    if not quiet:
        click.echo(change.summary(index_path), err=True)


@index_group.command()
@click.argument("file", type=click.Path(allow_dash=True, path_type=Path), required=False)
@_index_option
@click.option("--text", "text", default=None, help="The article's text (instead of FILE).")
@click.option("--title", default=None, help="Its title.")
@click.option("--json", "as_json", is_flag=True, help="Answer as one JSON object.")
@click.option("--jobs", "-j", type=int, default=0, show_default=True, help="Worker processes; 0 uses every core.")
def query(file: Path | None, index_path: Path, text: str | None, title: str | None, as_json: bool,
          jobs: int) -> None:
    """Is this article a copy of something in the index? Reads FILE, - (stdin) or --text.

    Answers with the cluster it belongs to, the indexed articles it matches with their
    figures, and what the article has of its own. The index is not changed.
    """
    if (file is None) == (text is None):
        raise click.UsageError("give FILE (or - for stdin) or --text, not both")
    if text is None:
        data = sys.stdin.buffer.read() if str(file) == "-" else _read(file)  # type: ignore[arg-type]
        text = data.decode("utf-8", "replace")
    with _open(index_path, {"jobs": jobs} if jobs else {}, readonly=True) as ix:
        try:
            answer = ix.query(text, title)
        except _FAILURES as e:
            raise click.ClickException(str(e)) from None
    if as_json:
        click.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
    else:
        click.echo(render_answer(answer))


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as e:
        raise click.ClickException(f"{file}: {e.strerror or e}") from None


def render_answer(answer: dict[str, Any]) -> str:
    """The query's answer in a few lines: the verdict, the matches, the article's own content."""
    if answer.get("skipped"):
        return "not compared: " + "; ".join(answer["skipped"])
    if not answer["copy"]:
        return "not a copy of anything in the index"
    if answer["new_cluster"]:
        lines = [f"a copy of {answer['canonical']}, which is in no cluster yet: added, they would make one"]
    else:
        lines = [f"a copy: it belongs to cluster {answer['cluster']} (canonical {answer['canonical']})"]
    for m in answer["matches"]:
        lines.append(f"  matches {m['id']}: {m['relation']}, score {m['score']:.2f}")
    member = answer["member"]
    if member.get("canonical"):
        lines.append("  with it in the cluster, it would be the canonical: the others are copies of it")
        return "\n".join(lines)
    diff = member["diff"]
    lines.append(f"  against {answer['diffed_against']}: {member['relation']}; {100 * diff['unique_share']:.0f}% of it is its "
                 f"own, it keeps {100 * diff['kept_share']:.0f}% of that article")
    for kind, mark in (("added", "+"), ("changed", "~"), ("removed", "-")):
        for item in diff[kind]:
            lines.append(f"  {mark} {' '.join(item['text'].split())[:200]}")
    return "\n".join(lines)


@index_group.command("show")
@click.argument("cluster", required=False)
@_index_option
def show_command(cluster: str | None, index_path: Path) -> None:
    """List the index's clusters, or show one (an id merged into another resolves to it)."""
    with _open(index_path, readonly=True) as ix:
        try:
            if cluster is None:
                rows = ix.clusters()
                click.echo(f"{'cluster':<15} {'size':>5} {'batch':>5}  canonical")
                for r in rows:
                    click.echo(f"{r['cluster']:<15} {r['size']:>5} {r['batch']:>5}  {r['canonical']}")
                click.echo(f"{len(rows)} cluster(s)")
                return
            c = ix.cluster(cluster)
        except _FAILURES as e:
            raise click.ClickException(str(e)) from None
    if c["asked"] != c["cluster"]:
        click.echo(f"{c['asked']} was merged into {c['cluster']}")
    click.echo(f"cluster {c['cluster']} (made in batch {c['batch']}), {len(c['members'])} members")
    click.echo(f"  canonical {c['canonical']}: {c['canonical_reason']}")
    for m in c["members"]:
        click.echo(f"  {'*' if m == c['canonical'] else ' '} {m}")
    if c["aliases"]:
        click.echo(f"  aliases: {', '.join(c['aliases'])}")


@index_group.command()
@_index_option
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
def stats(index_path: Path, as_json: bool) -> None:
    """How many documents and clusters the index holds, and its size on disk."""
    with _open(index_path, readonly=True) as ix:
        s = ix.stats()
    if as_json:
        click.echo(orjson.dumps(s, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
        return
    click.echo(f"{s['index']}: {s['documents']} document(s), {s['clusters']} cluster(s) holding "
               f"{s['clustered']}, {s['aliases']} alias(es)")
    click.echo(f"  {s['batches']} addition(s), {s['segments']} segment(s); {s['bytes'] / 1e6:.1f} MB on disk, "
               f"{s['bytes_per_document']:,} bytes per document; texts stored for {s['texts_stored']}")


@index_group.command()
@_index_option
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="Folder for clusters.json, documents.jsonl, the Parquet tables, pages and report.html.")
@click.option("--pages/--no-pages", default=True, show_default=True, help="Write one Markdown page per cluster.")
@click.option("--jobs", "-j", type=int, default=0, show_default=True, help="Worker processes; 0 uses every core.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def export(index_path: Path, out_dir: Path, pages: bool, jobs: int, quiet: bool) -> None:
    """Write what `dedup run` writes, over every document in the index, with the index's cluster ids."""
    progress = Progress(quiet)
    with _open(index_path, {"pages": pages, "jobs": jobs}, readonly=True) as ix:
        try:
            result, _ = ix.export(out_dir, progress)
        except _FAILURES as e:
            progress.close()
            raise click.ClickException(str(e)) from None
    progress.close()
    if not quiet:
        click.echo(format_summary(result, out_dir, pages))


@index_group.command()
@_index_option
@click.option("--before", required=True, metavar="YYYY-MM-DD",
              help="Remove the documents dated before this day (undated ones: added before it).")
@click.option("--quiet", "-q", is_flag=True, help="Print no summary.")
def expire(index_path: Path, before: str, quiet: bool) -> None:
    """Remove old documents (a retention window); the clusters are compared again without them."""
    with _open(index_path) as ix:
        try:
            change = ix.expire(before)
        except _FAILURES as e:
            raise click.ClickException(str(e)) from None
    sys.stdout.buffer.write(b"".join(orjson.dumps(e) + b"\n" for e in change.events))
    sys.stdout.flush()
    if not quiet:
        click.echo(change.summary(index_path), err=True)


@index_group.command()
@_index_option
def compact(index_path: Path) -> None:
    """Rewrite the index's arrays as one segment and give freed space back to the disk."""
    with _open(index_path) as ix:
        try:
            sizes = ix.compact()
        except _FAILURES as e:
            raise click.ClickException(str(e)) from None
    click.echo(f"{index_path}: {sizes['bytes_before'] / 1e6:.1f} MB -> {sizes['bytes_after'] / 1e6:.1f} MB")
