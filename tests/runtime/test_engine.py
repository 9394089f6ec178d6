"""Engines: chunks cut the same way on every engine, and results in order whatever the partitions."""

from __future__ import annotations

from typing import Any

import pytest

from dedup.config import Config, ConfigError
from dedup.runtime.chunks import chunk_size, chunks_of
from dedup.runtime.engine import LocalEngine, collect, open_engine


def _tagged(chunk: list[int], ctx: int) -> list[tuple[int, int]]:
    return [(x * ctx, len(chunk)) for x in chunk]


@pytest.mark.parametrize(("n", "chunk", "partitions", "size"), [
    (10, 3, 0, 3), (10, 3, 1, 10), (10, 3, 3, 4), (10, 3, 20, 1), (0, 3, 4, 1), (5, 0, 0, 1)])
def test_chunk_size_follows_the_stage_or_the_partitions(n: int, chunk: int, partitions: int, size: int) -> None:
    assert chunk_size(n, chunk, partitions) == size


def test_chunks_of_are_consecutive_slices_covering_every_item() -> None:
    items = list(range(11))
    parts = chunks_of(items, 4)
    assert [list(p) for p in parts] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]


@pytest.mark.parametrize("partitions", [0, 1, 3, 7])
@pytest.mark.parametrize("workers", [1, 2])
def test_local_engine_gives_results_in_order_for_any_partitions(partitions: int, workers: int) -> None:
    engine = LocalEngine(workers, partitions)
    items = list(range(5000))
    out = collect(engine.map(_tagged, items, 3, "test", chunk=400))
    assert [x for x, _ in out] == [3 * i for i in items]
    expected_size = chunk_size(len(items), 400, partitions)
    assert max(n for _, n in out) == expected_size
    assert engine.traffic == {}  # the local engine moves nothing between machines


def test_open_engine_names_the_local_engine_by_default() -> None:
    engine: Any = open_engine("local", 2, 4)
    assert isinstance(engine, LocalEngine) and (engine.workers, engine.partitions) == (2, 4)


@pytest.mark.parametrize(("values", "fragment"), [
    ({"engine": "spark"}, "choose one of local, ray"),
    ({"partitions": -1}, "partitions=-1"),
    ({"ray_address": "10.0.0.1:6379"}, "needs engine='ray'"),
    ({"engine": "ray", "ray_address": " "}, "give the cluster's address"),
])
def test_engine_options_are_checked_when_the_config_is_built(values: dict, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        Config(**values)


def test_engine_options_do_not_shape_results() -> None:
    assert Config(engine="ray", ray_address="auto", partitions=5).to_dict() == Config().to_dict()
