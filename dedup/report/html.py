"""``OUT/report.html``: one self-contained page to browse a run's clusters.

The page has an overview (counts, a histogram of cluster sizes), a list of
clusters with a text filter, and per cluster the canonical beside each copy,
with what the copy added, removed and changed highlighted (changed sentences
carry their word diff).  CSS and JS are inline; nothing is fetched when the
page is viewed.  It is built from the ``clusters.json`` payload plus the
documents' texts, and holds no timestamps, so the same run gives the same
bytes.

Article text, ids and titles are untrusted: every piece of text and every
attribute value goes through :func:`html.escape`, and no data is embedded
as JSON or script.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from importlib import resources
from typing import Any

__all__ = ["MAX_CLUSTERS", "MAX_COPIES", "MAX_DETAILED", "render"]

MAX_CLUSTERS = 2000  # clusters listed (largest first); all are in clusters.json
MAX_DETAILED = 200  # clusters shown in full, side by side
MAX_COPIES = 20  # copies shown side by side per cluster
_NO_SPACE_BEFORE = frozenset(",.;:!?)]}'\"’”")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _e(x: object) -> str:
    return escape(str(x), quote=True)


def _asset(name: str) -> str:
    return resources.files("dedup.report").joinpath("templates", name).read_text(encoding="utf-8")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100.0 * float(x):.1f}%"


def _anchor(cluster_id: str) -> str:
    return "c-" + _ID_UNSAFE.sub("_", cluster_id)


def _title(cluster: Mapping[str, Any]) -> str:
    return next((str(m["title"]) for m in cluster["members"] if m.get("title")), "")


def _unique(cluster: Mapping[str, Any]) -> float | None:
    pairs = [(m["diff"]["unique_share"], m["chars"]) for m in cluster["members"][1:] if m.get("diff")]
    total = sum(c for _, c in pairs)
    return sum(u * c for u, c in pairs) / total if total else None


# ---------------------------------------------------------------- overview

_LEGEND = (
    '<h2>Reading a cluster</h2><p class="help">Each copy is shown beside the cluster\'s canonical. '
    '<span class="tag added">added</span> sentences only the copy has; '
    '<span class="tag removed">removed</span> sentences of the canonical the copy leaves out; '
    '<span class="tag changed">changed</span> sentences the copy rewrote, with the words it dropped '
    '<del class="w">struck out</del> on the canonical\'s side and the words it put in '
    '<ins class="w">in bold</ins> on its own. Grey text is shared, or not part of the article body.</p>')


def _histogram(payload: Mapping[str, Any]) -> str:
    sizes = Counter(c["size"] for c in payload["clusters"])
    if payload["counts"]["singletons"]:
        sizes[1] = payload["counts"]["singletons"]
    if len(sizes) <= 10:
        bins = [(str(s), n) for s, n in sorted(sizes.items())]
    else:
        edges = [(1, 1), (2, 2), (3, 3), (4, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, 1000), (1001, 10**12)]
        bins = [(f"{lo}" if lo == hi else (f"{lo}–{hi}" if hi < 10**12 else f"{lo}+"),
                 sum(n for s, n in sizes.items() if lo <= s <= hi)) for lo, hi in edges]
        bins = [b for b in bins if b[1]]
    top = max((n for _, n in bins), default=1)
    rows = []
    for label, n in bins:
        what = "singletons" if label == "1" else f"{label} documents"
        rows.append(f'<div class="bar-row"><span class="bar-label">{_e(label)}</span>'
                    f'<span class="bar-track"><span class="bar{" single" if label == "1" else ""}" '
                    f'style="width:{max(100.0 * n / top, 0.5):.1f}%"></span></span>'
                    f'<span class="bar-count">{n}</span><span class="bar-what">{_e(what)}</span></div>')
    return "\n".join(rows) or '<p class="muted">No documents.</p>'


def _overview(payload: Mapping[str, Any], skipped: list[Mapping[str, Any]]) -> str:
    c = payload["counts"]
    cards = [("documents", c["documents"]), ("clusters", c["clusters"]), ("in clusters", c["clustered"]),
             ("singletons", c["singletons"]), ("skipped", c["skipped"]),
             ("pairs verified", f'{c["verified_pairs"]} / {c["candidate_pairs"]}')]
    out = ['<section id="overview"><div class="cards">']
    out += [f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for k, v in cards]
    out += ['</div><div class="overview-grid"><div><h2>Cluster sizes</h2>', _histogram(payload), _LEGEND, "</div>",
            ('<div><h2>Stages</h2><table class="stages"><tr><th>stage</th><th class="num">in</th>'
            '<th class="num">out</th><th>note</th></tr>')]
    out += [f'<tr><td class="nowrap">{_e(st["stage"])}</td><td class="num">{st["in"]}</td><td class="num">{st["out"]}</td>'
            f'<td class="muted">{_e(st["note"])}</td></tr>' for st in payload.get("stages", [])]
    out.append('</table></div></div><details><summary>Parameters</summary><table class="params">')
    out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in sorted(payload["parameters"].items())]
    out.append("</table></details>")
    if skipped:
        out.append(f"<details><summary>{len(skipped)} skipped input(s)</summary><table class=\"skipped\">")
        out += [f"<tr><td>{_e(s['id'])}</td><td>{_e(s.get('reason') or '')}</td><td>{_e(s.get('detail') or '')}</td></tr>"
                for s in skipped]
        out.append("</table></details>")
    out.append("</section>")
    return "\n".join(out)


# ---------------------------------------------------------------- cluster list


def _search_key(cluster: Mapping[str, Any]) -> str:
    parts = [cluster["id"]] + [x for m in cluster["members"] for x in (m["id"], m.get("title") or "")]
    return " ".join(p for p in parts if p).lower()


def _cluster_list(clusters: list[Mapping[str, Any]], total: int) -> str:
    out = ['<section id="clusters"><h2>Clusters</h2>',
           ('<div class="filter"><input id="filter" type="search" autocomplete="off" '
           'placeholder="Filter clusters by id, document or title" aria-label="Filter clusters">'
           f'<span id="filter-count">{len(clusters)} of {len(clusters)} clusters</span></div>')]
    if total > len(clusters):
        out.append(f'<p class="muted">The {len(clusters)} largest of {total} clusters are listed; '
                   "clusters.json has them all.</p>")
    if not clusters:
        out.append('<p class="muted">No clusters: no two documents are copies of one another.</p></section>')
        return "\n".join(out)
    out.append('<table id="cluster-list"><thead><tr><th>cluster</th><th class="num">size</th><th>canonical</th>'
               '<th class="num" title="share of the copies\' text the canonical does not have">unique</th>'
               "<th>title</th></tr></thead><tbody>")
    for k, c in enumerate(clusters):
        link = f'<a href="#{_e(_anchor(c["id"]))}">{_e(c["id"])}</a>' if k < MAX_DETAILED else _e(c["id"])
        out.append(f'<tr class="cluster-row" data-anchor="{_e(_anchor(c["id"]))}" data-search="{_e(_search_key(c))}">'
                   f'<td class="id">{link}</td><td class="num">{c["size"]}</td><td>{_e(c["canonical"])}</td>'
                   f'<td class="num">{_pct(_unique(c))}</td><td>{_e(_title(c))}</td></tr>')
    out.append("</tbody></table></section>")
    return "\n".join(out)


# ---------------------------------------------------------------- one cluster


def _words(words: Iterable[Iterable[str]], keep: str) -> str:
    """A changed sentence from its word diff: 'delete' words for the canonical side, 'insert' for the copy's."""
    out: list[str] = []
    for op, text in words:
        text = text.strip()
        if not text or op not in ("equal", keep):
            continue
        if out and text[0] not in _NO_SPACE_BEFORE:
            out.append(" ")
        tag = "del" if op == "delete" else "ins"
        out.append(_e(text) if op == "equal" else f'<{tag} class="w">{_e(text)}</{tag}>')
    return "".join(out)


def _marked(text: str | None, spans: list[tuple[int, int, str, Mapping[str, Any]]], side: str) -> str:
    """``text`` with its spans highlighted; without the text, the spans alone."""
    out: list[str] = []
    pos = 0
    for start, end, kind, it in sorted(spans, key=lambda s: (s[0], s[1])):
        if text is not None and not (pos <= start <= end <= len(text)):
            continue  # overlapping or out of range: leave the text as it is
        if text is not None:
            out.append(_e(text[pos:start]))
        elif out:
            out.append('<span class="gap">…</span>')
        if kind == "changed":
            sim = "" if it.get("similarity") is None else f'similarity {float(it["similarity"]):.2f}'
            body = _words(it["words"], "delete" if side == "canonical" else "insert") if it.get("words") else (
                _e(it["canonical_text"] if side == "canonical" else it["text"]))
            out.append(f'<span class="changed" title="changed, {sim}">{body}</span>')
        else:
            quoted = text[start:end] if text is not None else it["text"]
            out.append(f'<span class="{kind}" title="{kind}">{_e(quoted)}</span>')
        pos = end
    if text is not None:
        out.append(_e(text[pos:]))
    return "".join(out) if out else '<span class="muted">(nothing this copy changed)</span>'


def _copy(m: Mapping[str, Any], canon: Mapping[str, Any], texts: Mapping[str, str]) -> str:
    diff = m.get("diff") or {"added": [], "removed": [], "changed": []}
    left = [(it["start"], it["end"], "removed", it) for it in diff["removed"]]
    left += [(it["canonical_start"], it["canonical_end"], "changed", it) for it in diff["changed"]
             if it.get("canonical_start") is not None]
    right = [(it["start"], it["end"], "added", it) for it in diff["added"]]
    right += [(it["start"], it["end"], "changed", it) for it in diff["changed"]]
    counts = (f'<span class="tag added">{len(diff["added"])} added</span> '
              f'<span class="tag removed">{len(diff["removed"])} removed</span> '
              f'<span class="tag changed">{len(diff["changed"])} changed</span>')
    return (f'<article class="copy"><h3>{_e(m["id"])} <span class="rel">{_e(m.get("relation") or "")}</span></h3>'
            f'<p class="legend">{counts}</p>{_derived(m)}<div class="pair">'
            f'<div class="col"><h4>canonical · {_e(canon["id"])}</h4>'
            f'<div class="text">{_marked(texts.get(canon["id"]), left, "canonical")}</div></div>'
            f'<div class="col"><h4>copy · {_e(m["id"])}</h4>'
            f'<div class="text">{_marked(texts.get(m["id"]), right, "copy")}</div></div></div></article>')


def _derived(m: Mapping[str, Any]) -> str:
    """Which member the copy was copied from, and why (or why that cannot be told)."""
    why = m.get("derived_reason")
    if not why:
        return ""
    text = why[:1].upper() + why[1:] if m.get("derived_from") else f"Copied from: not told ({why})"
    return f'<p class="derived muted">{_e(text)}.</p>'


def _figures(cluster: Mapping[str, Any]) -> str:
    nums = ("score", "aligned", "coverage copy / canon.", "Jaccard", "MinHash", "containment copy / canon.",
            "unique", "kept")
    head = "<tr><th>member</th><th>relation</th>" + "".join(f'<th class="num">{h}</th>' for h in nums) + "</tr>"
    rows = []
    for m in cluster["members"]:
        s, d = m.get("similarity"), m.get("diff")
        if m["canonical"] or s is None:
            rows.append(f'<tr class="canon"><td>{_e(m["id"])}</td><td>canonical</td>'
                        + '<td class="num">–</td>' * 8 + "</tr>")
            continue
        cells = [f'{s["score"]:.4f}', str(s["aligned_sentences"]), f'{s["coverage_a"]:.2f} / {s["coverage_b"]:.2f}',
                 f'{s["jaccard"]:.4f}', f'{s["minhash_jaccard"]:.4f}',
                 f'{s["containment_ab"]:.2f} / {s["containment_ba"]:.2f}',
                 _pct(d["unique_share"]) if d else "–", _pct(d["kept_share"]) if d else "–"]
        rows.append(f'<tr><td>{_e(m["id"])}</td><td>{_e(m.get("relation") or "")}</td>'
                    + "".join(f'<td class="num">{_e(x)}</td>' for x in cells) + "</tr>")
    return f'<table class="figures">{head}{"".join(rows)}</table>'


def _cluster(c: Mapping[str, Any], texts: Mapping[str, str]) -> str:
    canon = c["members"][0]
    title = _title(c)
    out = [f'<section class="cluster" id="{_e(_anchor(c["id"]))}">',
           f'<h2>Cluster {_e(c["id"])} <span class="muted">· {c["size"]} documents</span></h2>']
    if title:
        out.append(f'<p class="title">{_e(title)}</p>')
    out.append(f'<p><b>Canonical</b> {_e(canon["id"])} <span class="muted">· {_e(c["canonical_reason"])}</span></p>')
    out.append(_figures(c))
    copies = c["members"][1:]
    out += [_copy(m, canon, texts) for m in copies[:MAX_COPIES]]
    if len(copies) > MAX_COPIES:
        out.append(f'<p class="muted">… and {len(copies) - MAX_COPIES} more copies: see clusters.json.</p>')
    out.append('<p class="top"><a href="#clusters">back to the list</a></p></section>')
    return "\n".join(out)


# ---------------------------------------------------------------- page


def render(payload: Mapping[str, Any], texts: Mapping[str, str],
           documents: Iterable[Mapping[str, Any]] = ()) -> str:
    """The whole page (a str ending in a newline).

    ``payload`` is the clusters.json object, ``texts`` maps document ids to their
    text (offsets point into it), ``documents`` are the documents.jsonl rows.
    """
    clusters = sorted(payload["clusters"], key=lambda c: (-c["size"], c["id"]))
    shown = clusters[:MAX_CLUSTERS]
    skipped = [r for r in documents if r.get("status") == "skipped"]
    tool = payload.get("tool", {})
    script = "\n" + _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Only this page's own script may run: no inline handler, no injected script, no network.
        ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        f"style-src 'unsafe-inline'; script-src 'sha256-{digest}'\">"),
        f"<title>dedup report · {_e(payload['input'])}</title>",
        f"<style>\n{_asset('report.css')}</style></head><body>",
        (f'<header><h1>dedup report</h1><p>input <code>{_e(payload["input"])}</code> · '
        f'{_e(tool.get("name", "dedup"))} {_e(tool.get("version", ""))} · schema {_e(payload["schema_version"])} · '
        '<span class="tag added">added</span> <span class="tag removed">removed</span> '
        '<span class="tag changed">changed</span></p></header><main>'),
        _overview(payload, skipped),
        _cluster_list(shown, len(clusters)),
        *(_cluster(c, texts) for c in shown[:MAX_DETAILED]),
        f"</main><script>{script}</script></body></html>",
        "",
    ])
