"""`dedup run --language` and `--language-field`: each document's language in documents.jsonl, given or detected."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from cli_helpers import invoke, no_traceback

from dedup.report.writer import validate

LANGUAGES = json.loads((Path(__file__).resolve().parents[1] / "data" / "languages.json").read_text("utf-8"))


def _text(lang: str, part: str = "a") -> str:
    return "\n\n".join(LANGUAGES[lang][part]) + "\n"


def _rows(out: Path) -> dict[str, dict]:
    rows = [orjson.loads(line) for line in (out / "documents.jsonl").read_bytes().splitlines()]
    for row in rows:
        validate(row, "documents")
    return {r["id"]: r for r in rows}


def _run(tmp_path: Path, *args: object) -> tuple[dict[str, dict], str]:
    out = tmp_path / "out"
    result = invoke("run", *args, "--out", out, "-j", "1")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    return _rows(out), result.stdout


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for lang in ("german", "russian", "urdu", "chinese"):
        (folder / f"{lang}.txt").write_text(_text(lang), encoding="utf-8")
    (folder / "short.txt").write_text("Ja und nein, alt und neu, ab und zu.\n", encoding="utf-8")  # 9 words
    return folder


def test_each_document_gets_its_detected_language(tmp_path: Path) -> None:
    rows, summary = _run(tmp_path, _folder(tmp_path))
    assert {k: r["language"] for k, r in rows.items()} == {
        "german.txt": "de", "russian.txt": "ru", "urdu.txt": "ur", "chinese.txt": "zh", "short.txt": None}
    assert rows["german.txt"]["language_reason"] is None and rows["russian.txt"]["language_reason"] is None
    assert rows["urdu.txt"]["language_reason"].startswith("detected ur: no Snowball stemmer")
    assert rows["short.txt"]["language_reason"].startswith("too short to tell")
    assert "languages         de 1, none 1, ru 1, ur 1, zh 1" in summary
    assert "python path       1 document (Han 1) read by the Python stages" in summary
    clusters = orjson.loads((tmp_path / "out" / "clusters.json").read_bytes())
    normalize = next(s for s in clusters["stages"] if s["stage"] == "normalize")
    assert normalize["note"].endswith("; 1 document(s) (Han) took the Python path, several times slower per "
                                      "article than the compiled one")
    assert clusters["parameters"]["language"] == "auto"  # the language options are parameters (schema 2.3)


def test_language_gives_every_document_one_language(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    rows, _ = _run(tmp_path, folder, "--language", "de")
    assert {r["language"] for r in rows.values()} == {"de"}
    rows, _ = _run(tmp_path, folder, "--language", "none")
    assert {(r["language"], r["language_reason"]) for r in rows.values()} == {(None, "--language none")}


def test_language_field_wins_where_a_record_has_one(tmp_path: Path) -> None:
    shard = tmp_path / "articles.jsonl"
    records = [{"id": "given", "lang": "ru-RU", "text": _text("german")},
               {"id": "named", "lang": "German", "text": _text("russian", "b")},
               {"id": "detected", "text": _text("russian")},
               {"id": "unknown", "lang": "klingon", "text": _text("german", "b")}]
    shard.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    rows, _ = _run(tmp_path, shard, "--language-field", "lang", "--language", "auto")
    assert {k: r["language"] for k, r in rows.items()} == {"given": "ru", "named": "de", "detected": "ru",
                                                           "unknown": None}
    assert "not a language code dedup knows" in rows["unknown"]["language_reason"]
    rows, _ = _run(tmp_path, shard)  # the default field is "language": these records have none
    assert {k: r["language"] for k, r in rows.items()} == {"given": "de", "named": "ru", "detected": "ru",
                                                           "unknown": "de"}


def test_bad_language_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("run", _folder(tmp_path), "--out", tmp_path / "out", "--language", "xx")
    no_traceback(result)
    assert result.exit_code == 2
    assert "Error: --language='xx': use auto (detect each document's language), none" in result.stderr


def test_segment_words_is_a_parameter_and_a_bad_value_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "zh"
    folder.mkdir()
    (folder / "a.txt").write_text(_text("chinese"), encoding="utf-8")
    (folder / "trimmed.txt").write_text("\n\n".join(LANGUAGES["chinese"]["a"][:-1]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", folder, "--out", out, "-j", "1", "--segment", "words")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    clusters = orjson.loads((out / "clusters.json").read_bytes())
    assert clusters["parameters"]["segment"] == "words"
    assert [sorted(m["id"] for m in c["members"]) for c in clusters["clusters"]] == [["a.txt", "trimmed.txt"]]
    result = invoke("run", folder, "--out", tmp_path / "bad", "--segment", "jieba")
    no_traceback(result)
    assert result.exit_code == 2 and "--segment" in result.stderr and "'pairs', 'words'" in result.stderr
    assert not (tmp_path / "bad").exists()
