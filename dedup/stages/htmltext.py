"""Visible article text and metadata from an HTML page (BeautifulSoup + lxml).

Only what a reader sees as the article is kept: scripts, styles, navigation,
headers, footers, asides, forms, frames, SVG and hidden elements are dropped;
the first ``<article>`` with the most text (else ``<main>``, else ``<body>``)
is read.  Every block element (paragraph, heading, list item, table cell...)
becomes its own paragraph, separated by a blank line; ``<br>`` becomes a line
break; other whitespace is collapsed to single spaces as a browser shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction

DROP = frozenset({
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "form", "iframe", "svg", "head", "object", "embed", "canvas", "button", "select",
})
BLOCK = frozenset({
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hgroup", "hr", "html", "li", "main", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction, CData)
_SPACE = re.compile(r"[ \t\n\r\f\v\xa0]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass(frozen=True, slots=True)
class HtmlText:
    text: str  # extracted visible text; paragraphs separated by a blank line
    title: str | None
    date: str | None  # as written in the page (the caller normalises it)
    source: str | None
    url: str | None


def _meta(soup: BeautifulSoup, *keys: str) -> str | None:
    """The content of the first <meta name=KEY> or <meta property=KEY> found, in key order."""
    for key in keys:
        for attr in ("property", "name", "itemprop"):
            tag = soup.find("meta", attrs={attr: re.compile(rf"^{re.escape(key)}$", re.I)})
            if isinstance(tag, Tag):
                value = str(tag.get("content") or "").strip()
                if value:
                    return value
    return None


def _is_hidden(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(tag.get("style") or "")))


def _container(soup: BeautifulSoup) -> Tag | BeautifulSoup:
    articles = [a for a in soup.find_all("article") if isinstance(a, Tag)]
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    for name in ("main", "body"):
        tag = soup.find(name)
        if isinstance(tag, Tag):
            return tag
    return soup


def _visible_text(root: Tag | BeautifulSoup) -> str:
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        joined = "".join(current)
        current.clear()
        lines = (_SPACE.sub(" ", line).strip() for line in joined.split("\n"))
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)

    # Iterative walk (deeply nested pages must not hit the recursion limit).
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, Tag):
            name = (node.name or "").lower()
            if leaving:
                if name in BLOCK:
                    flush()
                continue
            if name in DROP or _is_hidden(node):
                continue
            if name == "br":
                current.append("\n")
                continue
            if name in BLOCK:
                flush()
            if name == "pre":  # keep its lines; only trailing spaces go
                text = node.get_text().replace("\r\n", "\n").replace("\r", "\n")
                block = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
                if block.strip():
                    blocks.append(block)
                continue
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
            current.append(_SPACE.sub(" ", str(node)))
    flush()
    return "\n\n".join(blocks)


def extract(markup: str) -> HtmlText:
    """Visible article text of ``markup`` plus title, date, site name and URL."""
    soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title")
    title = _SPACE.sub(" ", title_tag.get_text()).strip() if isinstance(title_tag, Tag) else ""
    title = title or _meta(soup, "og:title")
    date = _meta(soup, "date", "article:published_time", "datePublished", "dc.date")
    if date is None:
        time_tag = soup.find("time", attrs={"datetime": True})
        if isinstance(time_tag, Tag):
            date = str(time_tag.get("datetime") or "").strip() or None
    canonical = soup.find("link", attrs={"rel": "canonical", "href": True})
    url = str(canonical.get("href")).strip() if isinstance(canonical, Tag) else None
    return HtmlText(
        text=_visible_text(_container(soup)),
        title=title or None,
        date=date,
        source=_meta(soup, "og:site_name"),
        url=url or _meta(soup, "og:url"),
    )
