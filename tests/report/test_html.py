"""OUT/report.html: self-contained, deterministic, and safe with hostile article text."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

import dedup.report.writer
import dedup.storage.atomic
from dedup.cli.app import main
from dedup.report import html as html_report

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</textarea>")
EVIL_ID = 'evil"><img src=x onerror=alert(1)>.txt'


def invoke(*args: object) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="dedup")
    assert isinstance(result.exception, (SystemExit, type(None))), result.output
    assert result.exit_code == 0, result.output
    return result


def evil_corpus(folder: Path) -> Path:
    """The seeds, plus two copies of seed 000 carrying markup in their text, id and title."""
    shutil.copytree(SEEDS, folder)
    base = (SEEDS / "000_dbd9cb72a0212c2f.txt").read_text(encoding="utf-8")
    extra = ("\n\nReaders wrote in to say <script>alert(1)</script> and also <img src=x onerror=alert(1)> "
             "in the comments under the story.\n\nThe form closed with </textarea> and nothing else was said.\n")
    (folder / "evil.txt").write_text(base + extra, encoding="utf-8")
    record = {"id": EVIL_ID, "title": "<script>alert(1)</script></textarea>", "text": extra + base}
    (folder / "feed.jsonl").write_bytes(orjson.dumps(record) + b"\n")
    return folder


class Tree(HTMLParser):
    """Every start tag with its attributes, and the page's text as a browser would show it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:
            self.text.append(data)


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("html") / "out"
    invoke("run", SEEDS, "--out", out, "-q", "--jobs", "1")
    return (out / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def evil_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    work = tmp_path_factory.mktemp("evil")
    invoke("run", evil_corpus(work / "in"), "--out", work / "out", "-q", "--jobs", "1")
    html = (work / "out" / "report.html").read_text(encoding="utf-8")
    return html, orjson.loads((work / "out" / "clusters.json").read_bytes())


def test_self_contained(seeds_report: str) -> None:
    assert seeds_report.startswith("<!DOCTYPE html>")
    tree = parse(seeds_report)
    tags = [t for t, _ in tree.tags]
    assert tags.count("script") == 1 and tags.count("style") == 1
    for tag, attrs in tree.tags:
        assert tag not in ("img", "link", "iframe", "object", "embed", "base", "form"), tag
        assert "src" not in attrs, (tag, attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href  # in-page links only
    assert not re.search(r"https?://", seeds_report.split("<main>")[0])  # nothing fetched from the head
    assert "url(" not in seeds_report and "@import" not in seeds_report


def test_overview_list_and_highlights(seeds_report: str) -> None:
    tree = parse(seeds_report)
    rows = [a for t, a in tree.tags if t == "tr" and "cluster-row" in (a.get("class") or "")]
    assert len(rows) == 1 and "000_dbd9cb72a0212c2f.txt" in rows[0]["data-search"]
    assert any(t == "input" and a.get("id") == "filter" for t, a in tree.tags)
    classes = [a.get("class") or "" for _, a in tree.tags]
    assert classes.count("bar") == 1 and classes.count("bar single") == 1  # size 3, and the singletons
    assert sum(c == "added" for c in classes) == 5 + 9  # 001 and 002's added sentences
    assert sum(c == "removed" for c in classes) == 7 + 11
    assert sum(c == "changed" for c in classes) == 2 * (6 + 6)  # both sides of each changed pair
    assert any(t == "ins" for t, _ in tree.tags) and any(t == "del" for t, _ in tree.tags)
    text = "".join(tree.text)
    assert "Blinken later met Palestinian president Mahmoud Abbas in Ramallah." in text
    assert "policy 'source'" in text


def test_csp_allows_only_the_page_script(seeds_report: str) -> None:
    script = re.search(r"<script>(.*?)</script>", seeds_report, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'" in seeds_report


def test_deterministic(tmp_path: Path, seeds_report: str) -> None:
    invoke("run", SEEDS, "--out", tmp_path / "again", "-q", "--jobs", "2")
    assert (tmp_path / "again" / "report.html").read_text(encoding="utf-8") == seeds_report


def test_hostile_text_is_escaped(evil_report: tuple[str, dict]) -> None:
    html, payload = evil_report
    members = {m["id"] for c in payload["clusters"] for m in c["members"]}
    assert {"evil.txt", EVIL_ID} <= members, "the hostile copies must be clustered, so their text is shown"
    for raw in PAYLOADS:
        assert raw not in html, f"{raw} appears unescaped"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/textarea&gt;" in html
    tree = parse(html)
    assert [t for t, _ in tree.tags].count("script") == 1
    assert not [t for t, _ in tree.tags if t in ("img", "textarea")]
    assert not [a for _, a in tree.tags for k in a if k.startswith("on")]  # no event handler attribute
    text = "".join(tree.text)
    for raw in PAYLOADS:
        assert raw in text, f"{raw} should show as literal text"
    assert EVIL_ID in text


def test_written_before_clusters_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []  # each file or folder as it is renamed into place
    real = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        order.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(dedup.storage.atomic.os, "replace", spy)
    result = invoke("run", SEEDS, "--out", tmp_path / "out", "--jobs", "1")
    assert order == ["documents.jsonl", "clusters", "documents.parquet", "pairs.parquet", "report.html", "clusters.json"]
    assert str(tmp_path / "out" / "report.html") in result.output


def test_limits_and_missing_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    invoke("run", SEEDS, "--out", tmp_path, "-q")
    payload = orjson.loads((tmp_path / "clusters.json").read_bytes())
    monkeypatch.setattr(html_report, "MAX_DETAILED", 0)
    page = html_report.render(payload, {})
    assert 'class="cluster"' not in page and "cluster-row" in page
    monkeypatch.setattr(html_report, "MAX_DETAILED", 5)
    page = html_report.render(payload, {})  # no texts: the highlighted spans alone
    assert 'class="gap"' in page and "Blinken later met" in page
    monkeypatch.setattr(html_report, "MAX_CLUSTERS", 0)
    assert "The 0 largest of 1 clusters are listed" in html_report.render(payload, {})
