"""The public API: the names ``dedup`` exports, ``python -m dedup``, and datasketch interoperation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

import dedup
from dedup import Config, ConfigError, PipelineError, run, run_to_dir, validate
from dedup.interop import candidate_pairs, lean_minhashes, signatures, signatures_from
from dedup.stages.candidates import lsh_params

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").iterdir())


def test_public_names_resolve_to_their_defining_modules() -> None:
    from dedup.pipeline import runner
    from dedup.report import payload
    from dedup.types import Cluster, Member, RunResult

    assert dedup.run is runner.run and dedup.run_to_dir is runner.run_to_dir
    assert dedup.validate is payload.validate and dedup.RunResult is RunResult
    assert (dedup.Cluster, dedup.Member) == (Cluster, Member)
    assert set(dedup.__all__) <= set(dir(dedup))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        dedup.nothing  # noqa: B018


def test_run_and_validate_through_the_api(tmp_path: Path) -> None:
    result = run(ROOT / "seeds", Config())
    assert [sorted(m.id for m in c.members) for c in result.clusters] == [
        [p.name for p in SEEDS[:3]]]
    run_to_dir(ROOT / "seeds", tmp_path, Config())
    import orjson

    validate(orjson.loads((tmp_path / "clusters.json").read_bytes()))
    with pytest.raises(ConfigError, match="min-coverage"):
        Config(min_coverage=1.5)
    with pytest.raises(PipelineError, match="no such file or folder"):
        run(tmp_path / "missing")  # an IngestError, which is a PipelineError


def test_python_dash_m_runs_the_command_line(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "dedup", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"dedup, version {dedup.__version__}"
    done = subprocess.run([sys.executable, "-m", "dedup", "run", "seeds", "--out", str(tmp_path), "-q"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "clusters.json").read_bytes() == (ROOT / "out" / "clusters.json").read_bytes()


def test_lean_minhashes_go_into_a_users_datasketch_index() -> None:
    texts = [p.read_text() for p in SEEDS]
    minhashes = lean_minhashes(texts)
    assert all(isinstance(m, LeanMinHash) and len(m) == 256 for m in minhashes)
    values = signatures(texts)
    for i, m in enumerate(minhashes):
        assert np.array_equal(m.hashvalues, values[i])
        for j in range(len(texts)):
            assert m.jaccard(minhashes[j]) == float(np.mean(values[i] == values[j]))
    lsh = MinHashLSH(threshold=0.35, num_perm=256)
    for i, m in enumerate(minhashes):
        lsh.insert(str(i), m)
    assert {"0", "1"} <= set(lsh.query(minhashes[0]))  # the wire copy and its trimmed reprint


def test_a_users_minhashes_come_into_dedups_lsh() -> None:
    rng = np.random.default_rng(7)
    vocab = [f"w{i}".encode() for i in range(400)]
    docs = [set(rng.choice(400, 60, replace=False).tolist()) for _ in range(12)]
    docs.append(set(list(docs[0])[:55]) | {399})  # a near copy of document 0
    minhashes = []
    for d in docs:
        m = MinHash(num_perm=128, seed=3)
        m.update_batch([vocab[w] for w in sorted(d)])
        minhashes.append(m)
    config = Config(num_perm=128, seed=3, lsh_rows=4, max_bucket=1000)
    values = signatures_from(minhashes, config)
    assert values.dtype == np.uint32 and values.shape == (13, 128)
    assert np.array_equal(signatures_from([LeanMinHash(m) for m in minhashes], config), values)
    ours = set(candidate_pairs(minhashes, config))
    bands, rows = 128 // 4, 4
    theirs = MinHashLSH(num_perm=128, params=(bands, rows))
    for i, m in enumerate(minhashes):
        theirs.insert(i, m)
    expected = {(min(i, j), max(i, j)) for i, m in enumerate(minhashes) for j in theirs.query(m) if i != j}
    assert ours == expected and (0, 12) in ours
    assert lsh_params(0.5, 128)[0] * lsh_params(0.5, 128)[1] <= 128


def test_minhashes_of_another_seed_or_size_are_refused() -> None:
    with pytest.raises(ValueError, match="seed 2 and 256 permutations; this configuration signs with seed 1"):
        signatures_from([MinHash(num_perm=256, seed=2)])
    with pytest.raises(ValueError, match="minhash 1: seed 1 and 64 permutations"):
        signatures_from([MinHash(num_perm=256), MinHash(num_perm=64)])
