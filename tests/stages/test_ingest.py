"""Ingest stage: real files in tmp_path, one behaviour per test."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import orjson
import pytest

from dedup.config import Config
from dedup.stages.ingest import IngestError, ingest
from dedup.stages.metadata import normalize_date, text_metadata

ROOT = Path(__file__).resolve().parents[2]
BODY = ("The council voted on Tuesday to close the old library. Residents said they were "
        "disappointed by the decision and would appeal it.\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def run(root: Path, **cfg):
    docs, skipped = ingest(root, Config(**cfg))
    return {d.id: d for d in docs}, {s.id: s for s in skipped}


def test_plain_text_and_markdown(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Council Closes Library\n\n" + BODY)
    write(tmp_path / "b.md", "---\ntitle: 'Front Matter Title'\ndate: 2024-03-01\nsource: Gazette\n---\n\n" + BODY)
    write(tmp_path / "c.MD", "# Markdown Heading\n\n" + BODY)
    write(tmp_path / "d.text", "Title: Labelled\nDate: 5 March 2024\nSource: Wire\n\n" + BODY)
    write(tmp_path / "e.sub", BODY)
    docs, skipped = run(tmp_path)
    assert not skipped
    assert docs["a.txt"].title == "Council Closes Library" and docs["a.txt"].format == "txt"
    assert docs["a.txt"].text == "Council Closes Library\n\n" + BODY  # nothing removed
    b = docs["b.md"]
    assert (b.title, b.date, b.source, b.format) == ("Front Matter Title", "2024-03-01", "Gazette", "md")
    assert docs["c.MD"].title == "Markdown Heading"
    d = docs["d.text"]
    assert (d.title, d.date, d.source) == ("Labelled", "2024-03-05", "Wire")
    assert docs["e.sub"].format == "txt" and docs["e.sub"].title is None


def test_line_endings_are_normalised(tmp_path: Path) -> None:
    write(tmp_path / "crlf.txt", BODY.replace("\n", "\r\n") + "old mac line\rend\n")
    docs, _ = run(tmp_path)
    assert "\r" not in docs["crlf.txt"].text
    assert docs["crlf.txt"].text.endswith("old mac line\nend\n")


def test_header_dates_and_titles() -> None:
    assert text_metadata(" date 2024-02-07 Doha — Israeli Prime Minister said.")["date"] == "2024-02-07"
    assert text_metadata("February 07, 2024: Israeli Prime Minister said.")["date"] == "2024-02-07"
    meta = text_metadata("Published: 09:49, February 8, 2024 | Updated: 10:13, February 9, 2024\n"
                         "Short Headline Here\nBy Xinhua\n\nBody text. More.")
    assert meta == {"title": "Short Headline Here", "date": "2024-02-08", "source": "Xinhua", "url": None}
    assert text_metadata("07/02/2024\n\nBody text goes here.")["date"] == "2024-02-07"  # day first by default
    assert text_metadata("07/02/2024\n\nBody text goes here.", "mdy")["date"] == "2024-07-02"
    # a wire header: time, numeric date with a two-digit year, then the page line
    wire = "   23:19 27/01/00: Page 1 (HHH) SHOWBIZ Posh\n  ---\nWEIGHT LOSS DID WORRY ME\nBy Emma Hibbs, PA News<\n"
    assert text_metadata(wire) == text_metadata(wire, "mdy") == {
        "title": "WEIGHT LOSS DID WORRY ME", "date": "2000-01-27", "source": "Emma Hibbs, PA News", "url": None}
    assert text_metadata("1.2.3.4 release notes\n\nBody text goes here.")["date"] is None  # not a date
    assert text_metadata("The first line is a sentence. It has a period.\n\nMore.")["title"] is None
    assert text_metadata("Long line " * 20 + "\n\nMore.")["title"] is None
    assert normalize_date("2024-02-07T10:00:00Z") == "2024-02-07"
    assert normalize_date("Feb 7th, 2024") == "2024-02-07"
    assert normalize_date("2024-02-30") is None and normalize_date("soon") is None
    assert normalize_date("31/12/99") == normalize_date("12/31/99") == "1999-12-31"  # a field over 12 is the day
    assert normalize_date("03/04/05") == "2005-04-03" and normalize_date("03/04/05", "mdy") == "2005-03-04"
    assert normalize_date("3.4.2005") == "2005-04-03" and normalize_date("31/02/2005") is None


def test_gzip_by_extension_and_by_magic(tmp_path: Path) -> None:
    write(tmp_path / "a.txt.gz", gzip.compress(BODY.encode()))
    write(tmp_path / "b.txt", gzip.compress(BODY.encode()))  # gzipped without saying so
    write(tmp_path / "c.jsonl.gz", gzip.compress(orjson.dumps({"id": "r1", "text": BODY}) + b"\n"))
    docs, skipped = run(tmp_path)
    assert not skipped
    assert docs["a.txt.gz"].text == BODY and docs["b.txt"].text == BODY
    assert docs["r1"].format == "jsonl"


def test_html_visible_text_and_metadata(tmp_path: Path) -> None:
    page = """<!doctype html><html><head><title>Library to Close</title>
    <meta property="og:site_name" content="The Gazette">
    <meta property="article:published_time" content="2024-02-07T09:00:00+01:00">
    <link rel="canonical" href="https://example.com/library">
    <style>p { color: red }</style><script>var tracking = 1;</script></head>
    <body><nav>Home | News | Sport</nav><header>Site banner</header>
    <article><h1>Library to close</h1><p>The council voted on Tuesday to close the
    old library.</p><script>alert(1)</script><p>Residents were <b>disappointed</b>.<br>They will appeal.</p>
    <ul><li>First point</li><li>Second point</li></ul><!-- a comment --><div hidden>secret</div></article>
    <aside>Related stories</aside><footer>Copyright</footer><noscript>Enable JS</noscript></body></html>"""
    write(tmp_path / "page.HTML", page)
    docs, skipped = run(tmp_path)
    doc = docs["page.HTML"]
    assert not skipped and doc.format == "html"
    for junk in ("alert(1)", "tracking", "color: red", "Home | News", "Site banner", "Related",
                 "Copyright", "Enable JS", "a comment", "secret"):
        assert junk not in doc.text
    assert doc.text == ("Library to close\n\nThe council voted on Tuesday to close the old library.\n\n"
                        "Residents were disappointed.\nThey will appeal.\n\nFirst point\n\nSecond point")
    assert (doc.title, doc.date, doc.source, doc.url) == (
        "Library to Close", "2024-02-07", "The Gazette", "https://example.com/library")


def test_html_without_article_uses_body_and_time_tag(tmp_path: Path) -> None:
    write(tmp_path / "p.htm", "<html><head><meta property='og:title' content='OG Title'>"
          "<meta property='og:url' content='https://x.test/a'></head><body><nav>menu</nav>"
          f"<p><time datetime='2023-11-05'>Nov 5</time> {BODY}</p></body></html>")
    docs, _ = run(tmp_path)
    doc = docs["p.htm"]
    assert doc.text.startswith("Nov 5 The council voted") and "menu" not in doc.text
    assert (doc.title, doc.date, doc.url) == ("OG Title", "2023-11-05", "https://x.test/a")


def test_json_list_and_object(tmp_path: Path) -> None:
    records = [{"id": 7, "text": BODY, "title": "T", "date": "2024-01-02T03:04:05Z", "source": "S", "url": "u"},
               {"text": BODY, "date": "last Tuesday"},
               {"title": "no text"},
               "not an object"]
    write(tmp_path / "list.json", orjson.dumps(records))
    write(tmp_path / "one.json", orjson.dumps({"text": BODY}))
    write(tmp_path / "broken.json", b'{"text": "unterminated')
    docs, skipped = run(tmp_path)
    assert set(docs) == {"7", "list.json#2", "one.json#1"}
    d = docs["7"]
    assert (d.title, d.date, d.source, d.url, d.path, d.format) == ("T", "2024-01-02", "S", "u", "list.json", "json")
    assert docs["list.json#2"].date == "last Tuesday"  # kept as given
    assert {k: s.reason for k, s in skipped.items()} == {
        "list.json#3": "invalid_json", "list.json#4": "invalid_json", "broken.json": "invalid_json"}
    assert "text" in skipped["list.json#3"].detail and "list.json" in skipped["list.json#3"].detail


def test_jsonl_bad_line_and_duplicate_id(tmp_path: Path) -> None:
    lines = [orjson.dumps({"id": "a", "text": BODY}), b"", orjson.dumps({"id": "b", "text": BODY}),
             b"{not json", orjson.dumps({"id": "a", "text": BODY + " again"}), orjson.dumps({"text": BODY})]
    write(tmp_path / "feed.ndjson", b"\n".join(lines) + b"\n")
    docs, skipped = run(tmp_path)
    assert set(docs) == {"a", "b", "feed.ndjson#6"}
    assert docs["a"].text == BODY  # the first one wins
    bad, dup = skipped["feed.ndjson#4"], skipped["feed.ndjson#5"]
    assert bad.reason == "invalid_json" and "line 4" in bad.detail
    assert dup.reason == "duplicate_id" and "line 5" in dup.detail and "line 1" in dup.detail


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", orjson.dumps({"id": "x", "text": BODY}))
    write(tmp_path / "b.json", orjson.dumps([{"id": "x", "text": BODY}]))
    docs, skipped = run(tmp_path)
    assert docs["x"].path == "a.jsonl"
    assert skipped["b.json#1"].reason == "duplicate_id" and "a.jsonl line 1" in skipped["b.json#1"].detail


def test_binary_and_unsupported(tmp_path: Path) -> None:
    write(tmp_path / "image.dat", PNG)
    write(tmp_path / "noise", os.urandom(3000).replace(b"\x00", b"\x01"))  # no NUL: control share decides
    write(tmp_path / "photo.PNG", PNG)
    write(tmp_path / "report.pdf.gz", gzip.compress(b"%PDF-1.4"))
    docs, skipped = run(tmp_path)
    assert not docs
    assert skipped["image.dat"].reason == "binary" and skipped["noise"].reason == "binary"
    assert skipped["photo.PNG"].reason == "unsupported" and ".png" in skipped["photo.PNG"].detail
    assert skipped["report.pdf.gz"].reason == "unsupported"


def test_wire_control_characters_are_text(tmp_path: Path) -> None:
    wire = "".join(f"\x19Line {i} of the wire story about the court case.<\n" for i in range(40))
    write(tmp_path / "wire.txt", ("  " + "-" * 72 + "\n\n  12:01 26/01/00: Page 1 (HHH) COURTS X\n"
                                  "STORY HEADLINE HERE<\n\x19By A Reporter, PA News<\n" + wire).encode("cp1252"))
    docs, skipped = run(tmp_path)
    doc = docs["wire.txt"]
    assert not skipped and doc.encoding == "utf-8" and "\x19Line 3" in doc.text
    assert (doc.title, doc.source, doc.date) == ("STORY HEADLINE HERE", "A Reporter, PA News", "2000-01-26")


def test_encodings(tmp_path: Path) -> None:
    write(tmp_path / "cp.txt", b"He said \x93half\x94 is \xbd of the whole, and the rest was lost in the long night.")
    write(tmp_path / "latin.txt", b"Odd byte \x81 here makes cp1252 fail, so latin one is used for this text.")
    write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + BODY.encode())
    write(tmp_path / "u16.txt", BODY.encode("utf-16"))
    write(tmp_path / "u8.txt", "Caf\u00e9 \u201cquoted\u201d " + BODY)
    docs, skipped = run(tmp_path)
    assert not skipped
    assert docs["cp.txt"].encoding == "cp1252"
    assert "\u201chalf\u201d" in docs["cp.txt"].text and "\u00bd" in docs["cp.txt"].text
    assert docs["latin.txt"].encoding == "latin-1" and "\x81" in docs["latin.txt"].text
    assert docs["bom.txt"].encoding == "utf-8-sig" and docs["bom.txt"].text == BODY
    assert docs["u16.txt"].encoding == "utf-16" and docs["u16.txt"].text == BODY
    assert docs["u8.txt"].encoding == "utf-8"


def test_empty_short_large_unreadable(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "blank.md", " \n\t\n")
    write(tmp_path / "short.txt", "Only five words are here.")
    write(tmp_path / "big.txt", BODY * 20)  # ~2.5 KB > 0.001 MB
    write(tmp_path / "bomb.txt.gz", gzip.compress(b"a " * 5000))  # small on disk, large inside
    write(tmp_path / "corrupt.txt.gz", gzip.compress(BODY.encode())[:30])
    write(tmp_path / "fake.gz", BODY)
    docs, skipped = run(tmp_path, max_file_mb=0.001)
    assert not docs
    reasons = {k: s.reason for k, s in skipped.items()}
    assert reasons == {"empty.txt": "empty", "blank.md": "empty", "short.txt": "too_short",
                       "big.txt": "too_large", "bomb.txt.gz": "too_large",
                       "corrupt.txt.gz": "unreadable", "fake.gz": "unreadable"}
    assert skipped["short.txt"].detail.endswith("5 words; at least 8 needed (--min-words)")
    assert f"{len((BODY * 20).encode()):,} bytes" in skipped["big.txt"].detail
    assert "0.001 MB" in skipped["big.txt"].detail and "--max-file-mb" in skipped["big.txt"].detail
    assert "decompressed" in skipped["bomb.txt.gz"].detail


def test_dangling_symlink_and_fifo_are_unreadable(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # must not be opened (it would block)
    write(tmp_path / "ok.txt", BODY)
    docs, skipped = run(tmp_path)
    assert list(docs) == ["ok.txt"]
    assert skipped["gone.txt"].reason == "unreadable" and "No such file" in skipped["gone.txt"].detail
    assert skipped["pipe.txt"].reason == "unreadable" and "not a regular file" in skipped["pipe.txt"].detail


def test_errors_for_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file or folder"):
        ingest(tmp_path / "nope", Config())
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    write(tmp_path / "empty" / ".hidden.txt", BODY)
    with pytest.raises(IngestError, match="folder has no files"):
        ingest(tmp_path / "empty", Config())
    write(tmp_path / "allbad" / "x.txt", "")
    docs, skipped = ingest(tmp_path / "allbad", Config())  # all skipped: not an error here
    assert not docs and [s.reason for s in skipped] == ["empty"]


def test_nested_ids_hidden_and_symlinks(tmp_path: Path) -> None:
    write(tmp_path / "in" / "b" / "c" / "deep.txt", BODY)
    write(tmp_path / "in" / "a.txt", BODY)
    write(tmp_path / "in" / ".git" / "x.txt", BODY)
    write(tmp_path / "in" / ".hidden.txt", BODY)
    write(tmp_path / "outside" / "o.txt", BODY)
    (tmp_path / "in" / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    docs, skipped = run(tmp_path / "in")
    assert sorted(docs) == ["a.txt", "b/c/deep.txt"] and not skipped
    assert docs["b/c/deep.txt"].path == "b/c/deep.txt"


def test_single_file_root(tmp_path: Path) -> None:
    path = write(tmp_path / "sub" / "one.txt", BODY)
    docs, skipped = run(path)
    assert list(docs) == ["one.txt"] and docs["one.txt"].path == "one.txt" and not skipped
    jl = write(tmp_path / "sub" / "r.jsonl", orjson.dumps({"text": BODY}))
    assert list(run(jl)[0]) == ["r.jsonl#1"]


def test_every_file_accounted_for_once_and_deterministic(tmp_path: Path) -> None:
    files = {"z.txt": BODY, "a/b.md": BODY, "a/empty.txt": "", "img.jpg": PNG, "bin": PNG,
             "p.html": f"<p>{BODY}</p>", "n/m.jsonl": orjson.dumps({"text": BODY}) + b"\n{bad\n",
             "short.txt": "three words only", "cp.txt": b"\x93quoted\x94 " + BODY.encode()}
    for name, data in files.items():
        write(tmp_path / name, data)
    docs, skipped = ingest(tmp_path, Config())
    assert [d.id for d in docs] == sorted(d.id for d in docs)
    assert [s.id for s in skipped] == sorted(s.id for s in skipped)
    ids = [d.id for d in docs] + [s.id for s in skipped]
    assert len(ids) == len(set(ids))
    paths = {d.path for d in docs} | {s.path for s in skipped}
    assert paths == set(files)
    plain = [p for p in [d.path for d in docs] + [s.path for s in skipped] if not p.endswith("jsonl")]
    assert sorted(plain) == sorted(set(plain))  # one result per non-JSON file
    assert ingest(tmp_path, Config()) == (docs, skipped)


def test_seeds() -> None:
    docs, skipped = ingest(ROOT / "seeds", Config())
    assert not skipped and len(docs) == 5
    by = {d.id[:3]: d for d in docs}
    assert all(d.id == d.path and d.id.endswith(".txt") and "/" not in d.id for d in docs)
    assert [by[k].date for k in ("000", "001", "002", "003")] == ["2024-02-07"] * 3 + ["2024-02-08"]
    assert by["001"].title == "Netanyahu Vows Total Victory Over Hamas"
    assert by["000"].title is None and by["002"].title is None
    assert by["003"].source == "Xinhua"
    assert all(d.encoding == "utf-8" for d in docs)
