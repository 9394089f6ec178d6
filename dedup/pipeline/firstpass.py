"""The pipeline's first pass: each document read, normalized and hashed once, then kept as compact arrays.

A run does not hold the corpus's texts.  This pass (in worker processes when
``--jobs`` allows, or as Ray tasks) reads each file (``ingest``), normalizes and hashes it in one
compiled pass (``stages.sketch.sketch_text``, equal to ``shingle.sketch(normalize(...))``),
and keeps of every document only:

- its metadata (``DocInfo``, with its language: ``stages.language``) and where
  to read it again (``Locator``), with a 64-bit digest of its text to notice a
  file that changed during the run;
- its distinct content-stem hashes, in one CSR array for the whole corpus
  (document frequencies and MinHash signatures; freed once signed, as
  ``Corpus.hashes`` can take them from the sentences), and its shingle
  hashes when shingles are longer than one word;
- its sentences as hashes (``storage.arrays.Sentences``): what the verify stage
  aligns, so verification reads no text at all;
- the fingerprints of its sentences (corpus boilerplate), and their spans
  in its text (what the diff stage quotes).

Only the canonical and diff stages read texts again, and only those of
cluster members (``pipeline.docstore.DocStore``); they do not normalize them again.

Memory: the workers hand back each chunk's arrays; the main process copies
each kind into one array part by part, freeing the parts as it goes, so no
array is ever held twice (``storage.arrays.gather``, ``take``).  Like ``pipeline.runner``, this
module wires stages; the stages themselves stay functions over the core types.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from dedup.config import Config
from dedup.pipeline.corpus import Corpus, DocArrays, corpus_of
from dedup.pipeline.docstore import DocStore, digest
from dedup.runtime import heap
from dedup.runtime.engine import Engine, LocalEngine
from dedup.stages import segment, spill
from dedup.stages.boilerplate import MIN_TOKENS
from dedup.stages.ingest import assign_ids, discover, read_items, skipped_of
from dedup.stages.items import Item
from dedup.stages.language import body_prefix, main_script
from dedup.stages.normalize import normalize
from dedup.stages.records import PART_BYTES, Part, iter_part, plan
from dedup.stages.shingle import shingle_hashes
from dedup.stages.sketch import sketch_text, warm
from dedup.storage.arrays import CSR, Sentences, gather, increasing, take
from dedup.types import DocInfo, Document, Locator, Progress, Skipped

FILES_PER_TASK = 256  # files a worker reads per task


# ---------------------------------------------------------------- the pass, per chunk of files


@dataclass
class _Chunk:
    """What a worker returns for a chunk of files: per item, light rows; per document, arrays."""

    items: list[Item]  # fields without the text (kept only for JSON records)
    locators: list[Locator]
    words: np.ndarray  # per item; -1 for a skipped one
    digests: np.ndarray  # of the text
    keys: np.ndarray  # of the words in order (shingle.words_key)
    shingles: tuple[np.ndarray, np.ndarray] | None
    prints: tuple[np.ndarray, np.ndarray]  # distinct fingerprints of sentences that count for boilerplate
    n_prints: np.ndarray  # such sentences, with repeats
    sentences: np.ndarray  # sentences per item
    sent_tokens: tuple[np.ndarray, np.ndarray]  # one row per sentence: its sorted distinct stem hashes
    sent_prints: np.ndarray  # one fingerprint per sentence
    sent_spans: np.ndarray  # (sentences, 2) uint32: each sentence's (start, end) in its text
    seconds: tuple[float, float]  # reading, then normalizing and hashing (one compiled pass)


def _sketch_chunk(tasks: list[list[Part]], config: Config) -> list[_Chunk]:
    """The pass over each task's parts: one chunk of arrays per task."""
    return [_sketch_task(task, config) for task in tasks]


def _sketch_task(parts: list[Part], config: Config) -> _Chunk:
    t_read = t_sketch = 0.0
    items: list[Item] = []
    locators: list[Locator] = []
    words: list[int] = []
    digests: list[int] = []
    keys: list[int] = []
    n_prints: list[int] = []
    n_sent: list[int] = []
    shingles: list[np.ndarray] = []
    prints: list[np.ndarray] = []
    sent_tokens: list[np.ndarray] = []
    sent_lengths: list[np.ndarray] = []
    sent_prints: list[np.ndarray] = []
    sent_spans: list[np.ndarray] = []
    empty32, empty64 = np.zeros(0, np.uint32), np.zeros(0, np.uint64)
    for part in parts:
        t0 = time.perf_counter()
        stream = iter_part(part, config) if part.fmt else iter(read_items(part.full, part.rel, config))
        spilled = spill.Writer(part.spill) if part.spill else None
        for r, item in enumerate(stream):
            t_read += time.perf_counter() - t0
            items.append(item)
            if spilled is not None and item.skip is None:
                locators.append(Locator(part.spill, part.rel, item.number, spilled.write(item.fields)))
            else:
                locators.append(Locator(part.full, part.rel, item.number if part.fmt else r, item.offset))
            if item.skip is not None:
                words.append(-1)
                digests.append(0)
                keys.append(0)
                n_prints.append(0)
                n_sent.append(0)
                shingles.append(empty32)
                prints.append(empty64)
                t0 = time.perf_counter()
                continue
            t0 = time.perf_counter()
            text = item.fields["text"]
            sk = sketch_text(text, config.language, item.fields.get("language"), config.segment)  # = sketch(normalize())
            if config.shingle_size != 1:
                shingles.append(shingle_hashes(normalize(Document(id=item.fallback_id, path=item.path, **item.fields),
                                                         sk.language, config.segment), config.shingle_size))
            counted = sk.prints[sk.lengths >= MIN_TOKENS].tolist()
            prints.append(np.array(sorted(set(counted)), dtype=np.uint64))
            n_prints.append(len(counted))
            n_sent.append(len(sk.lengths))
            sent_tokens.append(sk.tokens)
            sent_lengths.append(sk.lengths)
            sent_prints.append(sk.prints)
            sent_spans.append(sk.spans)
            words.append(sk.word_count)
            keys.append(sk.key)
            digests.append(digest(text))
            item.fields = {k: v for k, v in item.fields.items() if k != "text"} | {
                "chars": len(text), "language": sk.language.code, "language_reason": sk.language.reason}
            if not sk.compiled:  # the Python stages read it: several times slower; the run says so, by script
                item.fields["python_path"] = main_script(body_prefix(text, sk.spans))
            t_sketch += time.perf_counter() - t0
            t0 = time.perf_counter()
        if spilled is not None:
            spilled.close()
    return _Chunk(items, locators, np.array(words, dtype=np.int64), np.array(digests, dtype=np.uint64),
                  np.array(keys, dtype=np.uint64),
                  None if config.shingle_size == 1 else _pack(shingles, np.uint32), _pack(prints, np.uint64),
                  np.array(n_prints, dtype=np.int64), np.array(n_sent, dtype=np.int64),
                  (_join(sent_tokens, np.uint32), _join(sent_lengths, np.uint32)), _join(sent_prints, np.uint64),
                  _join(sent_spans, np.uint32).reshape(-1, 2), (t_read, t_sketch))


def _tasks(parts: list[Part]) -> list[list[Part]]:
    """Parts grouped into tasks: up to FILES_PER_TASK parts, and no more than about a shard part's bytes."""
    tasks: list[list[Part]] = []
    size = 0
    for part in parts:
        if not tasks or len(tasks[-1]) >= FILES_PER_TASK or size + part.size > PART_BYTES:
            tasks.append([])
            size = 0
        tasks[-1].append(part)
        size += part.size
    return tasks


def _chunks(tasks: list[list[Part]], config: Config, engine: Engine) -> Iterator[tuple[_Chunk, int]]:
    """The pass over the tasks, a chunk at a time as the workers finish them, in order, with its task's bytes."""
    sizes = iter([sum(p.size for p in task) for task in tasks])
    # about one document a plain file, or per 4 KB of a shard: workers start for about 200 documents
    documents = sum(1 if p.fmt is None else max(1, p.size // 4096) for task in tasks for p in task)
    cost = 10 * documents / max(len(tasks), 1)
    for chunk in engine.map(_sketch_chunk, tasks, config, "first pass", chunk=1, cost=cost):
        yield from ((ch, next(sizes)) for ch in chunk)


def _join(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _pack(rows: list[np.ndarray], dtype: type) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    return (np.concatenate(rows).astype(dtype, copy=False) if rows else np.zeros(0, dtype)), lengths


# ---------------------------------------------------------------- the whole pass


@dataclass
class Pass:
    """What the first pass made of an input: its documents as arrays, and what it skipped."""

    docs: DocArrays
    skipped: list[Skipped]  # sorted by id
    too_short: int  # documents skipped as too short after normalization (among ``skipped``)
    files: int
    seconds: dict[str, float]  # time per stage of the pass (ingest, normalize; shingle's is in normalize's)
    python_path: dict[str, int]  # compared documents the Python stages read, by the script most of their body is in
    spill: tempfile.TemporaryDirectory | None = None  # where spilled records are read again (``stages.spill``):
    # hold it as long as the documents' texts are read


def prepare(root: str | os.PathLike, config: Config, progress: Progress | None = None,
            engine: Engine | None = None) -> Corpus:
    """Read, normalize and hash every document under ``root``; the corpus as compact arrays."""
    p = first_pass(root, config, progress, engine)
    store = DocStore(p.docs.ids, p.docs.locators, p.docs.digests, config, keep=p.spill)
    return corpus_of(p.docs, config, store, p.skipped, p.too_short, p.files, p.seconds, p.python_path)


def first_pass(root: str | os.PathLike, config: Config, progress: Progress | None = None,
               engine: Engine | None = None) -> Pass:
    """Read, normalize and hash every document under ``root``, into arrays (no corpus statistics yet).

    ``engine`` runs the tasks (by default this machine's, ``config.workers`` processes)."""
    segment.check(config.segment)  # a missing segmenter is said before any work
    engine = engine or LocalEngine(config.workers, config.partitions)
    t_start = time.perf_counter()
    heap.prefer_mmap()
    warm()  # the compiled first pass's tables and kernels, inherited by forked workers
    files, items = discover(root)
    parts = [part for rel, full in files for part in plan(full, rel)]
    del files
    spill_dir = None  # for the records that cannot be read again by position (stages.spill)
    if any(spill.needed(p.fmt, p.compression) for p in parts):
        spill_dir = tempfile.TemporaryDirectory(prefix="dedup-spill-")
        parts = [replace(p, spill=os.path.join(spill_dir.name, f"{k}{spill.SUFFIX}"))
                 if spill.needed(p.fmt, p.compression) else p for k, p in enumerate(parts)]
    n0 = len(items)  # folders that could not be listed: skipped items with no arrays
    locators = [Locator(it.path, it.path, 0) for it in items]
    none64, none32 = np.full(n0, -1, dtype=np.int64), np.zeros(n0, dtype=np.uint64)
    per_item: dict[str, list[np.ndarray]] = {"words": [none64], "digests": [none32], "keys": [none32],
                                             "n_prints": [none64 + 1], "n_sent": [none64 + 1]}
    shingles = [(np.zeros(0, np.uint32), np.zeros(n0, np.int64))]
    prints = [(np.zeros(0, np.uint64), np.zeros(n0, np.int64))]
    sent_tokens: list[tuple[np.ndarray, np.ndarray]] = []
    sent_prints: list[np.ndarray] = []
    sent_spans: list[np.ndarray] = []
    work = [0.0, 0.0]
    n_files = len({p.rel for p in parts})
    total_bytes, done_bytes = sum(p.size for p in parts), 0
    for ch, size in _chunks(_tasks(parts), config, engine):
        done_bytes += size
        if progress:
            progress("read", done_bytes, total_bytes, records=len(items) + len(ch.items))
        items += ch.items
        locators += ch.locators
        for name, arr in (("words", ch.words), ("digests", ch.digests), ("keys", ch.keys),
                          ("n_prints", ch.n_prints), ("n_sent", ch.sentences)):
            per_item[name].append(arr)
        if ch.shingles is not None:
            shingles.append(ch.shingles)
        prints.append(ch.prints)
        sent_tokens.append(ch.sent_tokens)
        sent_prints.append(ch.sent_prints)
        sent_spans.append(ch.sent_spans)
        work = [w + x for w, x in zip(work, ch.seconds)]
    del parts  # the workers' locators hold the paths from here on (a million files: ~200 MB of strings)
    words, digests, keys, n_prints, n_sent = (np.concatenate(per_item[k]) for k in
                                              ("words", "digests", "keys", "n_prints", "n_sent"))
    del per_item
    if progress:
        progress("index", 0, 1)  # what follows is in this process: ids, arrays, frequencies, boilerplate
    ids = assign_ids(items)
    skipped = skipped_of(ids, items)
    ingested = [r for r, it in enumerate(items) if it.skip is None]
    for r in ingested:
        if words[r] < config.min_words:
            skipped.append(Skipped(ids[r], items[r].path, "too_short",
                                   f"{items[r].path}: {words[r]} words of article body after normalization; "
                                   f"at least {config.min_words} needed (--min-words)"))
    kept = sorted((r for r in ingested if words[r] >= config.min_words), key=lambda r: ids[r])
    rows = np.array(kept, dtype=np.int64)

    # Each kind of array: the kept documents' rows, in id order, copied part by part as each part is freed.
    every = len(rows) == len(items) and increasing(rows, len(items))  # all kept, already in id order
    doc_rows = None if every else rows
    corpus_shingles = None if config.shingle_size == 1 else gather(shingles, np.uint32, doc_rows)
    del shingles
    if every:
        sent_rows, doc = None, np.concatenate(([0], np.cumsum(n_sent, dtype=np.int64)))
    else:  # the kept documents' sentences, document by document
        taken = CSR(np.arange(int(n_sent.sum()), dtype=np.int64),
                    np.concatenate(([0], np.cumsum(n_sent, dtype=np.int64)))).take(rows)
        sent_rows, doc = taken.flat, taken.offsets
        del taken
    sentences = Sentences(gather(sent_tokens, np.uint32, sent_rows), take(sent_prints, np.uint64, sent_rows),
                          doc, words[rows], keys[rows], take(sent_spans, np.uint32, sent_rows, width=2))
    del sent_rows
    corpus_prints = gather(prints, np.uint64, doc_rows)

    infos = [_info(ids[r], items[r], int(words[r])) for r in kept]
    slow = Counter(items[r].fields["python_path"] for r in kept if "python_path" in items[r].fields)
    docs = DocArrays(infos, [locators[r] for r in kept], digests[rows], sentences, corpus_prints, n_prints[rows],
                     corpus_shingles)
    del items, locators
    wall = time.perf_counter() - t_start
    busy = sum(work) or 1.0
    seconds = {"ingest": wall * work[0] / busy, "normalize": wall * work[1] / busy, "shingle": 0.0}
    return Pass(docs, sorted(skipped, key=lambda x: x.id), len(ingested) - len(kept), n_files, seconds,
                dict(sorted(slow.items(), key=lambda kv: (-kv[1], kv[0]))), spill_dir)


def _info(doc_id: str, item: Item, words: int) -> DocInfo:
    f = item.fields
    return DocInfo(doc_id, item.path, f["encoding"], f["format"], f["chars"], words,
                   f.get("title"), f.get("date"), f.get("source"), f.get("url"), f["language"], f["language_reason"])
