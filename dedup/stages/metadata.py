"""Metadata of a text: title, date, source and url from its front matter and first lines; dates read.

``text_metadata`` reads YAML front matter and the first six non-blank lines
(a date line, ``Title:``-style fields, a byline, a Markdown title, a short
headline); ``normalize_date`` turns the dates it finds, and the date fields of
records and HTML pages, into ISO dates (``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {m: i for i, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
     "aug august", "sep sept september", "oct october", "nov november", "dec december"], 1)
    for m in names.split()}
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE = (rf"(?:(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?!\d)"
         rf"|(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})\b"
         rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}})\b"
         r"|(?P<n1>\d{1,2})(?P<sep>[/.])(?P<n2>\d{1,2})(?P=sep)(?P<n3>\d{4}|\d{2})(?![\d.]*\d))")  # numeric
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?,?\s+)?"
_DATE_ANY = re.compile(rf"\s*{_WEEKDAY}{_DATE}", re.I)
_DATE_LABELLED = re.compile(
    rf"(?:dated?|published|posted|(?:last\s+)?updated)(?:\s+on)?\s*[:\-\u2013\u2014]?\s*{_TIME}{_WEEKDAY}{_DATE}", re.I)
_DATE_LEADING = re.compile(
    rf"{_TIME}{_WEEKDAY}{_DATE}(?:[ T]\d{{1,2}}:\d{{2}}\S*)?\s*(?:$|[:|\-\u2013\u2014])", re.I)
_FIELD = re.compile(r"(title|date|source|url)\s*:\s*(.+)", re.I)
_BYLINE = re.compile(r"By\s+([A-Z][^.]{1,70})$")
_MD_TITLE = re.compile(r"#\s+(.+?)\s*#*$")
_RULE = re.compile(r"[-=_*~#+\s]+$")
_STAMP = re.compile(r"(?:\d{1,2}[:.]\d{2},?\s+)?\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")  # a stamp that is no date
_STRIP = "".join(map(chr, range(0x21))) + "\x7f<"  # whitespace, control chars, wire '<' line ends


def normalize_date(value: str | None, order: str = "dmy") -> str | None:
    """'2024-02-07T10:00Z', 'February 7, 2024', '7 Feb 2024', '07/02/24' -> '2024-02-07'; None if not a date.

    ``order`` reads a numeric date whose first two fields could both be the month: ``dmy`` (day
    first, as most of the world writes it) or ``mdy`` (month first, as in the US).  A field over 12
    is the day whatever the order."""
    m = _DATE_ANY.match(value) if value else None
    return _match_date(m, order) if m else None


def _match_date(m: re.Match[str], order: str) -> str | None:
    g = m.groupdict()
    if g["n1"]:
        first, second = int(g["n1"]), int(g["n2"])
        day, month = (first, second) if order == "dmy" else (second, first)
        if month > 12 >= day:  # unambiguous the other way round
            day, month = month, day
        year = int(g["n3"])
        if len(g["n3"]) == 2:  # as strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068
            year += 1900 if year >= 69 else 2000
        y, mo, d = str(year), str(month), str(day)
    else:
        y, mo, d = ((g["y"], g["m"], g["d"]) if g["y"] else (g["y1"], g["m1"], g["d1"]) if g["y1"]
                    else (g["y2"], g["m2"], g["d2"]))
    month = int(mo) if mo.isdigit() else _MONTHS[mo.lower().rstrip(".")]
    try:
        return dt.date(int(y), month, int(d)).isoformat()
    except ValueError:
        return None


def _line_date(line: str, order: str) -> str | None:
    m = _DATE_LABELLED.match(line) or _DATE_LEADING.match(line)
    return _match_date(m, order) if m else None


def text_metadata(text: str, date_order: str = "dmy") -> dict[str, str | None]:
    """Title, date, source, url from YAML front matter and the first six non-blank lines
    (``date_order``: see ``normalize_date``)."""
    meta: dict[str, str | None] = dict.fromkeys(("title", "date", "source", "url"))
    lines = text.split("\n", 80)[:80]
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, min(len(lines), 40)) if lines[j].strip() in ("---", "...")), None)
        if end is not None:
            for line in lines[1:end]:
                m = _FIELD.match(line.strip())
                if m and not meta[m.group(1).lower()]:
                    meta[m.group(1).lower()] = m.group(2).strip().strip("'\"") or None
            meta["date"] = normalize_date(meta["date"], date_order) or meta["date"]
            start = end + 1
    cleaned = [line.strip(_STRIP) for line in lines[start:]]
    header: set[int] = set()  # lines that carry metadata
    other: set[int] = set()  # rule lines and numeric time stamps: neither metadata nor title
    for i in [i for i, line in enumerate(cleaned) if line][:6]:
        line = cleaned[i]
        date, field, byline, md = _line_date(line, date_order), _FIELD.match(line), _BYLINE.match(line), _MD_TITLE.match(line)
        if date:
            meta["date"] = meta["date"] or date
        elif field and field.group(1).lower() != "date":
            meta[field.group(1).lower()] = meta[field.group(1).lower()] or field.group(2).strip()
        elif byline:
            meta["source"] = meta["source"] or byline.group(1).strip()
        elif md and not meta["title"]:
            meta["title"] = md.group(1)
        else:
            if _RULE.match(line) or _STAMP.match(line):
                other.add(i)
            continue
        header.add(i)
    # Title: the first non-header line, if short, not ending like a sentence or clause, followed by a
    # blank line or a header line (byline, date), and not continued by a lowercase line.
    first = next((i for i, line in enumerate(cleaned) if line and i not in header | other), None)
    if meta["title"] is None and first is not None:
        line, after = cleaned[first], first + 1
        following = next((cleaned[j] for j in range(after, len(cleaned)) if cleaned[j]), "")
        if (len(line) < 120 and not re.search(r"[.,;:\-\u2013\u2014][\"'\u201d\u2019)\]]*$", line)
                and not re.search(r"\w\w\.\s+[A-Z]", line) and not following[:1].islower()
                and after < len(cleaned) and (not cleaned[after] or after in header)):
            meta["title"] = line
    return meta
