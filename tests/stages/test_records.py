"""dedup.stages.records: every shard format, read whole and in parts, broken shards, the field mapping,
records read again by their place, and records giving what the same articles give as files."""

from __future__ import annotations

import gzip
import io
import itertools
import json
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
import zstandard

from dedup import Config, run
from dedup.stages import records
from dedup.stages.ingest import read_items
from dedup.stages.records import iter_part, plan, read_record, shard_format

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").iterdir())
BODY = "The council approved the new budget for the city schools after a long debate on Tuesday night."


def rows(n: int = 40) -> list[dict]:
    return [{"id": f"r{i}", "text": f"{BODY} Item number {i} of the agenda.", "title": f"T{i}", "date": "2024-02-07"}
            for i in range(n)]


def jsonl(rs: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rs)


def write_shard(path: Path, rs: list[dict]) -> Path:
    name = path.name
    if name.endswith((".jsonl", ".ndjson")):
        path.write_bytes(jsonl(rs))
    elif name.endswith(".jsonl.gz"):
        path.write_bytes(gzip.compress(jsonl(rs)))
    elif name.endswith(".jsonl.zst"):
        path.write_bytes(zstandard.ZstdCompressor().compress(jsonl(rs)))
    elif name.endswith(".json"):
        path.write_bytes(orjson.dumps(rs))
    elif name.endswith((".csv", ".tsv")):
        sep = "\t" if name.endswith(".tsv") else ","
        import csv

        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rs[0]), delimiter=sep)
        w.writeheader()
        w.writerows(rs)
        path.write_text(buf.getvalue())
    elif name.endswith(".parquet"):
        pq.write_table(pa.Table.from_pylist(rs), path, row_group_size=7)
    elif name.endswith((".arrow", ".feather")):
        feather.write_feather(pa.Table.from_pylist(rs), path, chunksize=9)
    return path


FORMATS = ["a.jsonl", "a.jsonl.gz", "a.jsonl.zst", "a.json", "a.csv", "a.tsv", "a.parquet", "a.feather"]


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_gives_its_records_with_their_fields(tmp_path: Path, name: str) -> None:
    path = write_shard(tmp_path / name, rows())
    items = read_items(str(path), name, Config())
    assert [it.explicit_id for it in items] == [f"r{i}" for i in range(40)]
    assert all(it.skip is None for it in items)
    assert items[3].fields["text"] == rows()[3]["text"] and items[3].fields["title"] == "T3"
    assert items[3].fields["date"] == "2024-02-07"
    assert [it.number for it in items] == list(range(1, 41))


@pytest.mark.parametrize("name", FORMATS)
def test_each_record_can_be_read_again_by_its_place(tmp_path: Path, name: str) -> None:
    path = write_shard(tmp_path / name, rows())
    config = Config()
    for item in read_items(str(path), name, config)[::7]:
        again = read_record(str(path), name, item.number, item.offset, config)
        assert again is not None and again.fields == item.fields and again.explicit_id == item.explicit_id


def test_a_large_json_lines_file_is_read_in_parts_that_give_the_whole(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rs = rows(500)
    data = jsonl(rs[:100]) + b"\n\n" + jsonl(rs[100:])  # blank lines keep their line numbers
    path = tmp_path / "big.jsonl"
    path.write_bytes(data)
    monkeypatch.setattr(records, "PART_BYTES", 4000)
    parts = plan(str(path), "big.jsonl")
    assert len(parts) > 5 and parts[0].start == 0 and parts[-1].stop == len(data)
    assert all(a.stop == b.start for a, b in itertools.pairwise(parts))
    assert all(data[p.start - 1:p.start] == b"\n" for p in parts[1:])  # every part starts on a line
    config = Config()
    pieces = [it for p in parts for it in iter_part(p, config)]
    monkeypatch.setattr(records, "PART_BYTES", 1 << 30)
    whole = read_items(str(path), "big.jsonl", config)
    assert [(i.number, i.offset, i.explicit_id, i.fields) for i in pieces] == \
        [(i.number, i.offset, i.explicit_id, i.fields) for i in whole]
    assert whole[100].number == 103 and data[whole[100].offset:].startswith(orjson.dumps(rs[100]))


def test_the_size_limit_bounds_a_record_not_the_shard(tmp_path: Path) -> None:
    big = "word " * 300_000  # 1.5 MB
    rs = [*rows(3), {"id": "huge", "text": big}, *rows(2)]
    path = write_shard(tmp_path / "a.jsonl", rs)
    config = Config(max_file_mb=1.0)
    assert path.stat().st_size > 1024 * 1024
    items = read_items(str(path), "a.jsonl", config)
    assert [it.skip.reason if it.skip else None for it in items] == [None, None, None, "too_large", None, None]
    assert "a.jsonl line 4" in items[3].skip.detail and "--max-file-mb" in items[3].skip.detail
    pq.write_table(pa.Table.from_pylist(rs), tmp_path / "a.parquet")
    items = read_items(str(tmp_path / "a.parquet"), "a.parquet", config)
    assert [it.skip.reason if it.skip else None for it in items] == [None, None, None, "too_large", None, None]


def test_field_mapping(tmp_path: Path) -> None:
    rs = [{"uid": f"u{i}", "body": r["text"], "headline": r["title"]} for i, r in enumerate(rows(5))]
    for name in ("a.jsonl", "a.csv", "a.parquet"):
        path = write_shard(tmp_path / name, rs)
        config = Config(text_field="body", id_field="uid", title_field="headline")
        items = read_items(str(path), name, config)
        assert [it.explicit_id for it in items] == [f"u{i}" for i in range(5)]
        assert items[0].fields["title"] == "T0" and items[0].fields["text"] == rs[0]["body"]


@pytest.mark.parametrize("name", ["a.csv", "a.parquet", "a.feather"])
def test_a_table_without_the_text_column_is_skipped_saying_how_to_name_it(tmp_path: Path, name: str) -> None:
    path = write_shard(tmp_path / name, [{"id": "x", "body": BODY}])
    (item,) = read_items(str(path), name, Config())
    assert item.skip.reason == "invalid_record" and item.fallback_id == name
    assert "no 'text' column" in item.skip.detail and "body" in item.skip.detail
    assert "--text-field" in item.skip.detail


def test_records_without_a_usable_text_are_skipped_one_by_one(tmp_path: Path) -> None:
    rs = [*rows(2), {"id": "none", "text": None}, {"id": "num", "text": 5}, {"id": "short", "text": "too short"}]
    pq.write_table(pa.Table.from_pylist([{**r, "text": None if r["text"] is None else str(r["text"])} for r in rs]),
                   tmp_path / "a.parquet")
    items = read_items(str(tmp_path / "a.parquet"), "a.parquet", Config())
    assert [it.skip.reason if it.skip else None for it in items] == [None, None, "invalid_record", "too_short",
                                                                     "too_short"]
    assert items[2].skip.detail == "a.parquet row 3: record has no string 'text' field"


def test_a_truncated_compressed_shard_keeps_the_records_before_the_break(tmp_path: Path) -> None:
    data = gzip.compress(jsonl(rows(200)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[:len(data) // 2])
    items = read_items(str(path), "cut.jsonl.gz", Config())
    good, last = items[:-1], items[-1]
    assert len(good) > 20 and all(it.skip is None for it in good)
    assert last.skip.reason == "unreadable" and last.fallback_id == f"cut.jsonl.gz#{len(good) + 1}..."
    assert last.skip.detail.startswith(f"cut.jsonl.gz line {len(good) + 1} and after: ")
    assert f"({len(good)} record(s) before it were read)" in last.skip.detail


def test_a_json_array_broken_midway_keeps_the_records_before(tmp_path: Path) -> None:
    text = orjson.dumps(rows(10)).decode()
    cut = text[:text.index('"r6"')] + '"r6", "text": '
    (tmp_path / "a.json").write_text(cut)
    items = read_items(str(tmp_path / "a.json"), "a.json", Config())
    assert [it.explicit_id for it in items[:-1]] == [f"r{i}" for i in range(6)]
    assert items[-1].skip.reason == "invalid_json" and "a.json record 7 and after" in items[-1].skip.detail


def test_a_corrupt_parquet_file_is_skipped_whole_with_its_name(tmp_path: Path) -> None:
    path = write_shard(tmp_path / "a.parquet", rows(30))
    path.write_bytes(path.read_bytes()[:200])
    (item,) = read_items(str(path), "a.parquet", Config())
    assert item.skip.reason == "unreadable" and item.skip.detail.startswith("a.parquet: ")


def test_shard_names() -> None:
    assert shard_format("x/a.jsonl.gz") == ("jsonl", "gzip") and shard_format("a.ndjson") == ("jsonl", None)
    assert shard_format("a.csv.zst") == ("csv", "zstd") and shard_format("a.feather") == ("arrow", None)
    assert shard_format("a.txt")[0] is None and shard_format("a.parquet.gz")[0] is None


def _seed_records() -> list[dict]:
    return [{"id": p.name, "text": p.read_text(encoding="utf-8")} for p in SEEDS]


def _clusters(result) -> list:
    return [(c.id, c.canonical, [(m.id, m.reason, m.evidence, m.diff) for m in c.members]) for c in result.clusters]


@pytest.mark.parametrize("name", ["seeds.jsonl", "seeds.jsonl.gz", "seeds.csv", "seeds.parquet", "seeds.feather"])
def test_records_give_the_clusters_the_same_articles_give_as_files(tmp_path: Path, name: str) -> None:
    as_files = run(ROOT / "seeds", Config())
    shard = write_shard(tmp_path / name, _seed_records())
    as_records = run(shard, Config())
    assert _clusters(as_records) == _clusters(as_files)
    assert [d.id for d in as_records.documents] == [d.id for d in as_files.documents]
    member = as_records.clusters[0].members[1].id
    assert as_records.texts[member] == as_files.texts[member]


def test_run_takes_dicts_and_arrow_tables() -> None:
    as_files = _clusters(run(ROOT / "seeds", Config()))
    assert _clusters(run(iter(_seed_records()), Config())) == as_files
    assert _clusters(run(pa.Table.from_pylist(_seed_records()), Config())) == as_files


def test_run_refuses_what_is_not_records() -> None:
    from dedup import PipelineError

    with pytest.raises(PipelineError, match="record 2: a str, not a dict"):
        run([{"text": BODY}, "oops"])
    with pytest.raises(PipelineError, match="takes a path, an iterable of dicts or a pyarrow Table"):
        run(42)


def test_a_shard_in_a_folder_with_plain_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for p in SEEDS[:2]:
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    write_shard(folder / "more.jsonl", _seed_records()[2:])
    result = run(folder, Config())
    assert sorted(d.id for d in result.documents) == sorted(p.name for p in SEEDS)
    assert _clusters(result) == _clusters(run(ROOT / "seeds", Config()))
    assert json.loads(json.dumps([d.path for d in result.documents])).count("more.jsonl") == 3
