"""The first pass (dedup.pipeline.firstpass) and its storage (dedup.storage.arrays).

Compact arrays that match the stages run on each document alone.

Covers CSR gathering, the per-document hashes and profiles, reading documents
again (and noticing a file that changed), and that ``--jobs`` with real worker
pools gives the same run as one process.
"""

from __future__ import annotations

import importlib.util
import pickle
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup.pipeline.firstpass
import dedup.pipeline.runner
import dedup.runtime.pool
from dedup.config import Config
from dedup.pipeline.docstore import StoreError
from dedup.pipeline.firstpass import prepare
from dedup.pipeline.runner import PipelineError, run
from dedup.stages.ingest import ingest, read_items
from dedup.stages.normalize import normalize
from dedup.stages.shingle import fingerprint, keep_uncommon, shingle_hashes
from dedup.stages.signatures import sign_csr
from dedup.stages.verify import verify_pair
from dedup.stages.weights import Deferred
from dedup.storage.arrays import CSR, RowSubset, SortedIndex, gather, take
from dedup.storage.packed import PackedClusters

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


@given(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=6), max_size=12), st.data())
@settings(max_examples=60, deadline=None)
def test_csr_take_gathers_rows_in_the_order_asked(rows: list[list[int]], data: st.DataObject) -> None:
    csr = CSR.concat([(np.array(r, dtype=np.uint32), np.array([len(r)])) for r in rows], np.uint32)
    assert [csr[k].tolist() for k in range(len(csr))] == rows
    order = data.draw(st.lists(st.integers(0, max(len(rows) - 1, 0)), max_size=20)) if rows else []
    taken = csr.take(np.array(order, dtype=np.int64), block=3)
    assert [taken[k].tolist() for k in range(len(taken))] == [rows[k] for k in order]


def test_row_subset_keeps_the_rows_asked_for_and_narrows() -> None:
    whole = np.arange(40, dtype=np.uint32).reshape(10, 4)
    sub = RowSubset.of(whole, np.array([7, 2, 7, 5]))
    assert len(sub) == 3 and sub[5].tolist() == whole[5].tolist() and sub[7].tolist() == whole[7].tolist()
    with pytest.raises(KeyError, match="row 3 is not among the 3 kept"):
        sub[3]
    fewer = sub.narrow(np.array([7, 2]))
    assert len(fewer) == 2 and fewer[2].tolist() == whole[2].tolist()
    with pytest.raises(KeyError):
        fewer[5]
    with pytest.raises(KeyError, match="row 9 is not among"):
        sub.narrow(np.array([2, 9]))
    assert len(RowSubset.of(whole, np.zeros(0, np.int64)).narrow(np.zeros(0, np.int64))) == 0
    with pytest.raises(ValueError, match="sorted, distinct"):
        RowSubset(np.array([3, 1]), whole[[3, 1]])


@given(st.sets(st.text(max_size=4), max_size=12), st.text(max_size=4))
@settings(max_examples=60, deadline=None)
def test_sorted_index_finds_each_id_and_only_those(ids: set[str], other: str) -> None:
    ordered = sorted(ids)
    index = SortedIndex(ordered)
    assert dict(index) == {d: k for k, d in enumerate(ordered)} and len(index) == len(ids)
    if other not in ids:
        assert other not in index
        with pytest.raises(KeyError):
            index[other]


@given(st.lists(st.lists(st.lists(st.integers(0, 2**32 - 1), max_size=4), max_size=5), max_size=6), st.data())
@settings(max_examples=80, deadline=None)
def test_gather_and_take_give_the_rows_of_the_joined_parts(parts: list[list[list[int]]],
                                                          data: st.DataObject) -> None:
    """The first pass's part-by-part copy equals joining the parts and taking the rows: all of them
    (None), an increasing subset (streamed, parts freed as copied) or any order (joined first)."""
    rows = [r for part in parts for r in part]
    n = len(rows)
    kind = data.draw(st.sampled_from(["all", "increasing", "any"]))
    if kind == "all":
        order = None
    elif kind == "increasing":
        order = sorted(data.draw(st.sets(st.integers(0, n - 1), max_size=n))) if n else []
    else:
        order = data.draw(st.lists(st.integers(0, n - 1), max_size=8)) if n else []
    want = rows if order is None else [rows[k] for k in order]
    arg = None if order is None else np.array(order, dtype=np.int64)
    csr_parts = [(np.array([x for r in part for x in r], dtype=np.uint32),  # lengths as the workers send them
                  np.array([len(r) for r in part], dtype=np.uint32)) for part in parts]
    got = gather(csr_parts, np.uint32, arg)
    assert csr_parts == [] and [got[k].tolist() for k in range(len(got))] == want
    firsts = [np.array([[r[0] if r else 0, len(r)] for r in part], dtype=np.uint32).reshape(-1, 2)
              for part in parts]
    pairs = take(firsts, np.uint32, arg, width=2)
    assert firsts == [] and pairs.tolist() == [[r[0] if r else 0, len(r)] for r in want]
    lengths = [np.array([len(r) for r in part], dtype=np.uint64) for part in parts]
    assert take(lengths, np.uint64, arg).tolist() == [len(r) for r in want]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The seeds, a copy of one, a too-short note and a binary file."""
    root = tmp_path_factory.mktemp("corpus")
    for p in sorted(SEEDS.iterdir()):
        (root / p.name).write_bytes(p.read_bytes())
    first = min(SEEDS.iterdir())
    (root / "zz_copy.txt").write_bytes(first.read_bytes())
    (root / "note.txt").write_text("Too short.\n")
    (root / "blob.bin").write_bytes(b"\x00\x01\x02" * 50)
    return root


def test_prepare_keeps_per_document_what_the_stages_give_alone(folder: Path) -> None:
    config = Config(jobs=1)
    corpus = prepare(folder, config)
    docs, skipped = ingest(folder, config)
    assert [d.id for d in corpus.infos] == sorted(d.id for d in docs)
    assert {s.id for s in corpus.skipped} == {s.id for s in skipped}  # nothing lost: each input kept or skipped
    by_id = {d.id: d for d in docs}
    for k, info in enumerate(corpus.infos):
        doc = by_id[info.id]
        nd = normalize(doc)
        assert info.chars == len(doc.text) and info.words == nd.word_count and info.path == doc.path
        assert np.array_equal(corpus.hashes(k), keep_uncommon(shingle_hashes(nd, 1), corpus.common))
        direct = corpus.weights.profile(nd)
        from_arrays = corpus.profile(k)
        for field in ("tokens", "offsets", "weights", "sizes", "mass"):
            assert np.array_equal(getattr(direct, field), getattr(from_arrays, field)), field
        assert (direct.word_count, direct.words_key) == (from_arrays.word_count, from_arrays.words_key)
        assert corpus.store.document(k).text == doc.text == corpus.store.text(k)
        assert corpus.store.document(k).title == doc.title  # read again with its metadata
        # the diff stage's sentences: the spans normalize gives, keyed by the fingerprint of their words
        assert corpus.sentence_refs(k) == [(x.text, x.start, x.end, fingerprint(x)) for x in nd.sentences]


def test_a_deferred_document_verifies_as_its_profile_and_is_built_only_to_align(folder: Path) -> None:
    config = Config(jobs=1)
    corpus = prepare(folder, config)
    sigs, _ = sign_csr(*corpus.signed()[:2], config.num_perm, config.seed, corpus.common,
                       distinct=corpus.signed()[2])
    built: list[str] = []

    def deferred(k: int) -> Deferred:
        d = corpus.deferred(k)
        return d._replace(make=lambda: built.append(d.id) or d.make())

    screened = 0
    for i in range(len(corpus.infos)):
        for j in range(i + 1, len(corpus.infos)):
            args = (corpus.hashes(i), corpus.hashes(j), sigs[i], sigs[j], config, corpus.weights)
            built.clear()
            lazy = verify_pair(deferred(i), deferred(j), *args)
            assert lazy == verify_pair(corpus.profile(i), corpus.profile(j), *args)
            if "not aligned" in lazy.reason:
                screened += 1
                assert built == []
            else:
                assert built
    assert screened > 0


def test_a_file_changed_during_the_run_is_an_error_naming_it(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for p in sorted(SEEDS.iterdir()):
        (root / p.name).write_bytes(p.read_bytes())
    corpus = prepare(root, Config(jobs=1))
    victim = corpus.infos[0]
    (root / victim.path).write_text("Rewritten while dedup was running. " * 20)
    with pytest.raises(StoreError, match=victim.path):
        corpus.store.document(0)
    with pytest.raises(StoreError, match=victim.path):
        corpus.store.text(0)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A few hundred generated articles with planted copies (bench/gen_corpus.py, trained on the seeds)."""
    if str(REPO / "bench") not in sys.path:
        sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("gen_corpus", REPO / "bench" / "gen_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = gen
    spec.loader.exec_module(gen)
    out = tmp_path_factory.mktemp("gen")
    gen.generate(300, out, seed=5, dup_share=0.3, fmt="txt", source=SEEDS, jobs=1, quiet=True)
    return out / "articles"


def _fingerprint(result) -> tuple:
    return (result.documents, result.skipped, result.clusters, result.edges, result.candidate_pairs,
            [(s.stage, s.docs_in, s.docs_out, s.note) for s in result.stages])


def test_jobs_give_the_same_run_with_real_worker_pools(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = run(generated, Config(jobs=1))
    assert one.clusters, "the generated corpus has planted copies"
    # Make every stage hand its work to forked workers, in many small tasks.
    monkeypatch.setattr(dedup.runtime.pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(dedup.runtime.pool, "_CHUNK", 7)
    monkeypatch.setattr(dedup.pipeline.firstpass, "FILES_PER_TASK", 5)
    monkeypatch.setattr(dedup.pipeline.runner, "GROUPS_PER_TASK", 3)
    two = run(generated, Config(jobs=2))
    assert _fingerprint(two) == _fingerprint(one)
    assert dict(two.texts.items()) == dict(one.texts.items())
    # The clusters come back packed by the workers, in id order, and unpack to the same objects.
    assert isinstance(two.clusters, PackedClusters) and [h.id for h in two.clusters.heads] == sorted(
        c.id for c in one.clusters) and list(two.clusters) == list(one.clusters)


def test_skipped_inputs_come_back_from_worker_processes(generated: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A skipped file's reason travels from a worker to the main process (it once could not be unpickled,
    which stalled the pool on any folder of 2,000 files or more with one skipped input)."""
    folder = tmp_path / "in"
    shutil.copytree(generated, folder)
    (folder / "empty.txt").write_text("")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "short.txt").write_text("Too short.\n")
    one = run(folder, Config(jobs=1))
    assert {s.reason for s in one.skipped} >= {"empty", "binary", "too_short"}
    monkeypatch.setattr(dedup.runtime.pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(dedup.pipeline.firstpass, "FILES_PER_TASK", 5)
    two = run(folder, Config(jobs=2))
    assert two.skipped == one.skipped and two.clusters == one.clusters


def test_a_skipped_item_survives_pickling() -> None:
    item = read_items(str(next(SEEDS.glob("000_*.txt"))), "000.txt", Config(min_words=10_000))[0]
    assert item.skip is not None
    back = pickle.loads(pickle.dumps(item))
    assert (back.skip.reason, back.skip.detail) == (item.skip.reason, item.skip.detail) == ("too_short", back.skip.detail)


def test_nothing_to_compare_is_a_pipeline_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Too short.\n")
    with pytest.raises(PipelineError, match="nothing to compare"):
        run(tmp_path, Config(jobs=1))
