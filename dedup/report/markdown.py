"""Markdown rendering of one cluster: who is in it, and what each copy changed.

Article text is untrusted input.  Everything quoted from an article (and every
id or title) is escaped so it renders as the literal characters and cannot
open a heading, list, table, link, HTML tag, code block or emphasis of its
own; quoted blocks carry ``> `` on every line so a line break in the article
cannot end the quote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dedup.types import Cluster, DiffItem, DocInfo, Member, WordOp

__all__ = ["cluster_filename", "escape_inline", "quote", "render_cluster", "word_diff"]

# Characters with a meaning anywhere in a CommonMark / GFM line.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# Characters that mean something at the start of a line (after the escaping above).
_LINE_START = re.compile(r"^([#>+=\-]|\d+(?=[.)]))")
_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
_NO_SPACE_BEFORE = frozenset(",.;:!?)]}'\"’”")


def cluster_filename(cluster_id: str) -> str:
    """The Markdown file name for a cluster id: only ``[A-Za-z0-9._-]``, never hidden."""
    name = _SAFE_NAME.sub("_", cluster_id) or "_"
    if name.startswith("."):
        name = "_" + name[1:]
    return f"{name}.md"


def escape_inline(text: str) -> str:
    """Escape ``text`` for use inside one Markdown line (table cell, heading, paragraph)."""
    text = _NEWLINES.sub(" ", text).replace("\t", " ")
    return _INLINE.sub(r"\\\1", text)


def _escape_line(line: str) -> str:
    # Leading blanks would turn a quoted line into a code block; they carry no meaning in prose.
    line = _INLINE.sub(r"\\\1", line.lstrip(" \t"))
    m = _LINE_START.match(line)
    if m:
        if m.group(1)[0].isdigit():  # "1." / "1)" -> "1\." / "1\)"
            end = m.end()
            line = line[:end] + "\\" + line[end:]
        else:
            line = "\\" + line
    return line


def quote(text: str) -> str:
    """``text`` as a Markdown block quote: escaped, ``> `` on every line."""
    lines = _NEWLINES.split(text.strip("\r\n"))
    return "\n".join((f"> {_escape_line(line)}" if line.strip() else ">") for line in lines)


def _mark(text: str, marker: str) -> str:
    """Wrap escaped ``text`` in ``marker``, keeping surrounding blanks outside the markers."""
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def word_diff(words: tuple[WordOp, ...]) -> str:
    """Inline word diff, canonical -> variant: ``~~deleted~~`` and ``**inserted**``."""
    out: list[str] = []
    prev_space = True
    for op in words:
        text = escape_inline(op.text)
        if not text:
            continue
        # Separate tokens that carry no blanks of their own (tokenised word lists).
        if out and not prev_space and not text[0].isspace() and op.text[0] not in _NO_SPACE_BEFORE:
            out.append(" ")
        if op.op == "delete":
            out.append(_mark(text, "~~"))
        elif op.op == "insert":
            out.append(_mark(text, "**"))
        else:
            out.append(text)
        prev_space = text[-1].isspace()
    return "".join(out).strip()


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100.0 * float(x):.1f}%"


def _offsets(start: int, end: int) -> str:
    return f"`{int(start)}–{int(end)}`"


def _doc_label(doc_id: str, docs: Mapping[str, DocInfo]) -> str:
    doc = docs.get(doc_id)
    label = escape_inline(doc_id)
    if doc is not None and doc.title:
        label += f" — {escape_inline(doc.title)}"
    return label


def _items(member: Member, kind: str) -> list[DiffItem]:
    if member.diff is None:
        return []
    return [it for it in member.diff.items if it.kind == kind]


def _variant_section(member: Member, canonical_id: str, docs: Mapping[str, DocInfo]) -> list[str]:
    out = [f"## Variant {_doc_label(member.id, docs)}", ""]
    ev = member.evidence
    if ev is not None:
        out.append(
            f"Relation **{escape_inline(ev.relation)}**, score {float(ev.score):.4f}; "
            f"{int(ev.aligned_sentences)} sentences aligned with the canonical."
        )
    if member.diff is not None:
        out.append(
            f"{_pct(member.diff.unique_share)} of this copy's text is its own; "
            f"it keeps {_pct(member.diff.kept_share)} of the canonical's text."
        )
    if member.derived_reason:
        reason = member.derived_reason
        out.append(f"{escape_inline(reason[:1].upper() + reason[1:])}." if member.derived_from else
                   f"Copied from: not told ({escape_inline(member.derived_reason)}).")
    if ev is not None or member.diff is not None or member.derived_reason:
        out.append("")
    if member.diff is None:
        return out + ["_No diff was computed for this copy._", ""]

    added, removed, changed = (_items(member, k) for k in ("added", "removed", "changed"))
    if not (added or removed or changed):
        return out + ["_No added, removed or changed sentences: the copy says what the canonical says._", ""]

    if added:
        out += [f"### Added ({len(added)})", "", "Text only this copy has (offsets into this copy):", ""]
        for it in added:
            out += [_offsets(it.start, it.end), "", quote(it.text), ""]
    if removed:
        out += [
            f"### Removed ({len(removed)})",
            "",
            f"Text of the canonical ({escape_inline(canonical_id)}) this copy leaves out "
            "(offsets into the canonical):",
            "",
        ]
        for it in removed:
            out += [_offsets(it.start, it.end), "", quote(it.text), ""]
    if changed:
        out += [f"### Changed ({len(changed)})", "", "Sentences this copy rewrote (canonical, then this copy):", ""]
        for it in changed:
            where = (
                f" {_offsets(it.canonical_start, it.canonical_end)}"
                if it.canonical_start is not None and it.canonical_end is not None
                else ""
            )
            sim = "" if it.similarity is None else f" (similarity {float(it.similarity):.4f})"
            out += [
                f"Canonical{where}:",
                "",
                quote(it.canonical_text or ""),
                "",
                f"This copy {_offsets(it.start, it.end)}{sim}:",
                "",
                quote(it.text),
                "",
            ]
            if it.words:
                out += ["Word diff:", "", "> " + (word_diff(it.words) or "(no words)"), ""]
    return out


def render_cluster(cluster: Cluster, docs: Mapping[str, DocInfo]) -> str:
    """The Markdown page for one cluster (ends with a single newline)."""
    members = sorted(cluster.members, key=lambda m: m.id != cluster.canonical)  # canonical first, stable
    out = [
        f"# Cluster {escape_inline(cluster.id)} ({len(members)} documents)",
        "",
        f"**Canonical:** {_doc_label(cluster.canonical, docs)}",
        "",
        f"**Why:** {escape_inline(cluster.canonical_reason)}",
        "",
        "| Member | Relation | Score | Unique share | Kept share | Copied from |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for m in members:
        source = escape_inline(m.derived_from) if m.derived_from else "–"
        if m.id == cluster.canonical:
            out.append(f"| {escape_inline(m.id)} | canonical | – | – | – | {source} |")
            continue
        ev, diff = m.evidence, m.diff
        relation = escape_inline(ev.relation) if ev is not None else "–"
        score = f"{float(ev.score):.4f}" if ev is not None else "–"
        unique = _pct(diff.unique_share) if diff is not None else "–"
        kept = _pct(diff.kept_share) if diff is not None else "–"
        out.append(f"| {escape_inline(m.id)} | {relation} | {score} | {unique} | {kept} | {source} |")
    out.append("")
    for m in members:
        if m.id != cluster.canonical:
            out += _variant_section(m, cluster.canonical, docs)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
