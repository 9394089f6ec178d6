"""Reading real articles for the generators: decoding and stripping METER wire markup.

Shared by ``stress_gen.py`` (the stress set's bases) and ``markov.py`` (the
corpus generator's training text).  Each caller filters the paragraphs
returned here by its own rules (headlines, sign-offs, short lines, ...).
"""

from __future__ import annotations

import re
from pathlib import Path

_RULE_LINE = re.compile(r"^\s*[-=_*~]{5,}\s*$")
_WIRE_HEADER = re.compile(r"^\s*\d{1,2}:\d{2}\s+\d{1,2}/\d{1,2}/\d{2,4}:?\s+Page\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
_TAG = re.compile(r"<[A-Za-z/!][^<>\n]*>")  # one METER PA file is wrapped in HTML
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'\-]*(?:\s+(?:and\s+)?[A-Z][\w.'\-]*){0,6}\s*(?:,.*)?$")


def decode(data: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else cp1252 with replacement characters."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def text_files(root: Path) -> list[Path]:
    """Every file under ``root`` whose name does not start with '.', sorted by path."""
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def read_text(path: Path) -> str:
    return decode(path.read_bytes())


def tidy(par: str) -> str:
    """PA typography -> plain text: `` '' ` quotes, ' _ ' dashes, '#' for the pound sign; spaces collapsed."""
    par = par.replace("``", '"').replace("''", '"').replace("`", "'")
    par = re.sub(r"\s_\s", " - ", par)
    par = re.sub(r"#(?=\d)", "\u00a3", par)  # PA writes the pound sign as '#'
    par = _CONTROL.sub(" ", par)
    return re.sub(r"\s+", " ", par).strip()


def is_byline(par: str) -> bool:
    """'By Stephen Howard, PA News' and the like (short lines only)."""
    return bool(_BYLINE.match(par)) and len(par) < 90


def wire_paragraphs(text: str) -> list[str]:
    """Wire text (or plain text) -> tidied paragraphs, unfiltered.

    Drops HTML tags, rule lines, PA page headers ("16:54 01/03/00: Page 1 (ZSM)
    COURTS X"), `<` line ends and control characters; a paragraph ends at a
    blank line, a `<` line end or a line that starts with a control character
    (PA's paragraph mark, ^Y).
    """
    text = _TAG.sub("\n", text)
    paras: list[str] = []
    cur: list[str] = []

    def flush() -> None:
        if cur:
            paras.append(" ".join(cur))
            cur.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _RULE_LINE.match(raw) or _WIRE_HEADER.match(_CONTROL.sub("", raw)):
            flush()
            continue
        if raw[:1] and _CONTROL.match(raw[:1]):
            flush()
        line = _CONTROL.sub(" ", raw).strip()
        ends = line.endswith("<")
        line = line.rstrip("<").strip()
        if not line:
            flush()
            continue
        cur.append(line)
        if ends:
            flush()
    flush()
    return [tidy(par) for par in paras]
