"""What the commands share: the options that build a Config, and progress on stderr."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import click

from dedup.config import CANONICAL_POLICIES, DATE_ORDERS, ENGINES, SEGMENTS, Config, ConfigError

_DEFAULTS = Config()


def config_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options that shape results, as in ``dedup run``; they arrive as keyword arguments."""
    for option in reversed(_OPTIONS):
        f = option(f)
    return f


def build_config(options: dict[str, Any]) -> Config:
    """A checked Config from parsed options; a bad value is a usage error that says how to fix it."""
    try:
        return Config(**options)
    except ConfigError as e:
        raise click.UsageError(f"--{e}") from None


_OPTIONS = [
    click.option("--canonical", type=click.Choice(CANONICAL_POLICIES), default=_DEFAULTS.canonical, show_default=True,
        help="How each cluster's representative is picked: the original the others derive from (earliest "
             "dated, then the one whose content the others share), the member covering most of the others' "
             "content, the earliest dated, or the longest."),
    click.option("--min-coverage", type=float, default=_DEFAULTS.min_coverage, show_default=True,
        help="Share of the smaller article's content words that must sit in aligned sentences for "
             "two articles to count as copies. Lower finds more partial copies."),
    click.option("--sentence-similarity", type=float, default=_DEFAULTS.sentence_similarity, show_default=True,
        help="Similarity (Dice of content words, rare words weighing more) at which two sentences "
             "align: verbatim ones score 1.0, reworded ones about 0.4-0.8."),
    click.option("--min-aligned", type=int, default=_DEFAULTS.min_aligned, show_default=True,
        help="Sentences that must align before two articles can count as copies."),
    click.option("--equivalent-only/--versions-too", "equivalent_only", default=_DEFAULTS.equivalent_only,
        show_default=True,
        help="Cluster only content-equivalent copies (identical or near-identical: re-posts, the same story "
             "under another id), leaving versions with content of their own (trimmed, extended, reworded, "
             "partial) apart."),
    click.option("--lsh-rows", type=int, default=_DEFAULTS.lsh_rows, show_default=True,
        help="Signature values per LSH band (num-perm / lsh-rows bands). With 1, any two articles are "
             "proposed for verification in proportion to their overlap, so short extracts of long "
             "stories are found; more rows propose fewer pairs and miss more of them."),
    click.option("--max-bucket", type=int, default=_DEFAULTS.max_bucket, show_default=True,
        help="An LSH bucket with more articles than this is split by one more signature value "
             "(see --lsh-split), so chance neighbours on a large corpus are not all compared."),
    click.option("--lsh-split", type=int, default=_DEFAULTS.lsh_split, show_default=True,
        help="Times a crowded LSH bucket is split; one still crowded then links its members to its "
             "first member only (a block of identical texts)."),
    click.option("--num-perm", type=int, default=_DEFAULTS.num_perm, show_default=True,
        help="MinHash permutations per signature."),
    click.option("--shingle-size", type=int, default=_DEFAULTS.shingle_size, show_default=True,
        help="Content words per shingle in the signatures."),
    click.option("--seed", type=int, default=_DEFAULTS.seed, show_default=True, help="MinHash permutation seed."),
    click.option("--min-words", type=int, default=_DEFAULTS.min_words, show_default=True,
        help="Articles with fewer words of body text are skipped as too short to compare."),
    click.option("--max-file-mb", type=float, default=_DEFAULTS.max_file_mb, show_default=True,
        help="Files larger than this are skipped as too large; in a record shard (JSON lines, JSON, CSV, "
             "TSV, Parquet, Arrow) the limit is one record's, whatever the shard's size."),
    click.option("--text-field", default=_DEFAULTS.text_field, show_default=True, metavar="NAME",
        help="The field (JSON) or column (CSV, TSV, Parquet, Arrow) of a record that holds its text."),
    click.option("--id-field", default=_DEFAULTS.id_field, show_default=True, metavar="NAME",
        help="The record field that holds its id; unique ids are kept, others become PATH#N."),
    click.option("--title-field", default=_DEFAULTS.title_field, show_default=True, metavar="NAME",
        help="The record field that holds its title."),
    click.option("--date-field", default=_DEFAULTS.date_field, show_default=True, metavar="NAME",
        help="The record field that holds its date."),
    click.option("--date-order", type=click.Choice(DATE_ORDERS), default=_DEFAULTS.date_order, show_default=True,
        help="How a numeric date whose first two fields could both be the month is read: day first "
             "(03/04/05 is 3 April 2005) or month first (March 4). A field over 12 is the day either way."),
    click.option("--source-field", default=_DEFAULTS.source_field, show_default=True, metavar="NAME",
        help="The record field that holds its source."),
    click.option("--url-field", default=_DEFAULTS.url_field, show_default=True, metavar="NAME",
        help="The record field that holds its URL."),
    click.option("--language", default=_DEFAULTS.language, show_default=True, metavar="CODE",
        help="The articles' language: auto detects each one's from its first 500 characters of body; a code "
             "(en, de, ru, zh: ISO 639-1) gives every article that language; none compares every article's "
             "words as they are, without stemming or stopwords. Languages with a Snowball stemmer are stemmed "
             "and lose their stopwords; the others are compared as with none."),
    click.option("--segment", type=click.Choice(SEGMENTS), default=_DEFAULTS.segment, show_default=True,
        help="How Chinese, Japanese and Thai, written without spaces, are cut into words: overlapping character "
             "pairs (no dictionary, any language), or the words a dictionary segmenter finds (rjieba, fugashi, "
             "pythainlp: pip install 'dedup[segment]')."),
    click.option("--language-field", default=_DEFAULTS.language_field, show_default=True, metavar="NAME",
        help="The record field that holds its language (a code such as de, de-AT, or a name such as German); "
             "where a record has one it wins over --language."),
    click.option("--pages/--no-pages", default=_DEFAULTS.pages, show_default=True,
        help="Write one Markdown page per cluster into OUT/clusters/. With --no-pages the folder is left out "
             "(a million articles make about 140,000 pages); clusters.json, the Parquet tables and "
             "report.html hold the same content."),
    click.option("--jobs", "-j", type=int, default=_DEFAULTS.jobs, show_default=True,
        help="Worker processes; 0 uses every core (with --engine ray and no --ray-address: the local Ray "
             "cluster's CPUs). Results are the same for any value."),
    click.option("--engine", type=click.Choice(ENGINES), default=_DEFAULTS.engine, show_default=True,
        help="Where the stages' tasks run: this machine's processes, or a Ray cluster (the ray extra: "
             "pip install -e '.[ray]'). The output is byte-identical on both."),
    click.option("--ray-address", default=None, metavar="ADDRESS",
        help="The Ray cluster to join (host:port as 'ray start --head' prints it, or auto); left out, "
             "--engine ray starts a local Ray cluster for the run and stops it after."),
    click.option("--partitions", type=int, default=_DEFAULTS.partitions, show_default=True,
        help="Tasks each parallel stage is cut into; 0 lets each stage choose its task size. Results are "
             "the same for any value."),
]


class Progress:
    """Progress on stderr: a rewritten line on a terminal, sparse lines otherwise, only after 2 s."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.monotonic()
        self.last = 0.0
        self.tty = sys.stderr.isatty()
        self.shown = False
        self.stage = ""
        self.stage_start = self.start
        self.stage_done = 0

    def __call__(self, stage: str, done: int, total: int, /, records: int | None = None, **_: Any) -> None:
        """``records``: the read stage counts bytes, and says how many records it has read so far."""
        now = time.monotonic()
        if stage != self.stage:  # rates count from the stage's first report
            self.stage, self.stage_start, self.stage_done = stage, now, done
        if self.quiet or now - self.start < 2.0 or now - self.last < (0.2 if self.tty else 10.0):
            return
        self.last = now
        mb = records is not None
        shown = f"{done / 1e6:,.1f}/{total / 1e6:,.1f} MB" if mb else f"{done:,}/{total:,}"
        line = f"{stage}: {shown} ({100 * done / max(total, 1):.0f}%)"
        if mb:
            line += f", {records:,} records"
        line += f", {now - self.start:.0f} s elapsed"
        span, moved = now - self.stage_start, done - self.stage_done
        if span >= 1.0 and moved > 0:
            rate = moved / span
            line += f", {rate / 1e6:,.1f} MB/s" if mb else f", {rate:,.0f}/s"
            if done < total:
                line += f", ~{(total - done) / rate:.0f} s left in this stage"
        if self.tty:
            click.echo("\r\033[K" + line, nl=False, err=True)
            self.shown = True
        else:
            click.echo(line, err=True)

    def close(self) -> None:
        if self.shown:
            click.echo("\r\033[K", nl=False, err=True)
