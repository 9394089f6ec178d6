"""Shared fixtures: the five seed articles, read and normalized by the real stages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dedup.config import Config
from dedup.stages.ingest import ingest
from dedup.stages.normalize import normalize
from dedup.stages.shingle import shingle_hashes
from dedup.stages.signatures import sign
from dedup.stages.verify import evidence
from dedup.stages.weights import TermWeights
from dedup.types import Document, Evidence, NormalizedDoc

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"


def make_doc(text: str, doc_id: str = "doc.txt", date: str | None = None) -> Document:
    """A Document straight from text (no file needed)."""
    return Document(id=doc_id, text=text, path=doc_id, encoding="utf-8", format="txt", date=date)


def pair_evidence(a: NormalizedDoc, b: NormalizedDoc, config: Config | None = None,
                  weights: TermWeights | None = None) -> Evidence:
    """The verify stage's evidence for (A, B), with real shingles and signatures.

    ``weights`` default to term weights over the two documents themselves.
    """
    config = config or Config()
    if weights is None:
        weights = TermWeights.from_docs([a, b])
    ha, hb = shingle_hashes(a, config.shingle_size), shingle_hashes(b, config.shingle_size)
    sigs = sign([ha, hb], config.num_perm, config.seed)
    return evidence(a, b, ha, hb, sigs[0], sigs[1], config, weights)


@pytest.fixture(scope="session")
def seed_docs() -> dict[str, Document]:
    """Seed documents keyed by their three-digit prefix ('000' ... '004')."""
    docs, skipped = ingest(SEEDS_DIR, Config())
    assert not skipped
    return {d.id[:3]: d for d in docs}


@pytest.fixture(scope="session")
def seed_norms(seed_docs: dict[str, Document]) -> dict[str, NormalizedDoc]:
    return {k: normalize(d) for k, d in seed_docs.items()}


@pytest.fixture(scope="session")
def seed_weights(seed_norms: dict[str, NormalizedDoc]) -> TermWeights:
    """Term weights over the five seeds, as a run over the seed folder computes them."""
    return TermWeights.from_docs(seed_norms.values())


@pytest.fixture(scope="session")
def seed_run():
    """One pipeline run over the seed folder."""
    from dedup.pipeline.runner import run

    return run(SEEDS_DIR, Config(jobs=1))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240207)


@pytest.fixture(scope="session")
def records(tmp_path_factory) -> list[dict]:
    """80 generated articles, a fifth of them copies of others, as {"id", "text"} records (index tests)."""
    from index_helpers import generated

    return generated(80, tmp_path_factory.mktemp("gen"))


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster: a head that runs no tasks and two worker nodes of one CPU each.

    Yields its address; a run joins it with ``Config(engine="ray", ray_address=...)``."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False,
                                                             "object_store_memory": 200 * 2**20})
    try:
        for _ in range(2):
            cluster.add_node(num_cpus=1, object_store_memory=200 * 2**20)
        cluster.wait_for_nodes()
        yield cluster.address
    finally:
        cluster.shutdown()


@pytest.fixture(scope="session")
def generated_jsonl(tmp_path_factory) -> Path:
    """1,500 generated articles, a fifth of them copies of others, in one JSON lines file."""
    from index_helpers import generated

    folder = tmp_path_factory.mktemp("gen1500")
    generated(1500, folder)
    return folder / "articles.jsonl"
