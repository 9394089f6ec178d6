"""``dedup show``: read a finished run's output folder and print it for a terminal.

Everything here works on ``OUT/clusters.json`` and ``OUT/documents.jsonl``
alone; the input articles are not needed.  Text quoted from articles is
untrusted: control characters (terminal escape sequences among them) are
replaced before printing, and colour is only used when asked for (see
:func:`use_color`), so piped output is plain text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click
import orjson

from dedup.report.writer import CLUSTERS_JSON, DOCUMENTS_JSONL

__all__ = [
    "RunDirError",
    "RunOutput",
    "Styler",
    "clean",
    "cluster_title",
    "find_cluster",
    "load_run",
    "render_cluster",
    "render_list",
    "unique_share",
    "use_color",
    "wrap",
]

WIDTH = 100  # line width when stdout is not a terminal (stable output for files and docs)
# C0/C1 controls (but tab and newline), DEL, and bidi overrides that could disguise terminal text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class RunDirError(Exception):
    """The folder is not a readable output of ``dedup run``; the message is one line."""


@dataclass(frozen=True)
class RunOutput:
    out_dir: Path
    payload: dict[str, Any]  # clusters.json
    documents: dict[str, dict[str, Any]]  # documents.jsonl rows by id (empty if the file is missing)


def load_run(out_dir: str | os.PathLike) -> RunOutput:
    """Read and check ``OUT/clusters.json`` (and ``documents.jsonl`` when present)."""
    out = Path(out_dir)
    if not out.exists():
        raise RunDirError(f"no such folder: {out}")
    if not out.is_dir():
        raise RunDirError(f"{out} is not a folder: give the output folder of `dedup run`")
    path = out / CLUSTERS_JSON
    if not path.is_file():
        raise RunDirError(f"{out} has no {CLUSTERS_JSON}: not the output folder of a finished `dedup run`")
    try:
        payload = orjson.loads(path.read_bytes())
    except OSError as e:
        raise RunDirError(f"cannot read {path}: {e.strerror or e}") from None
    except orjson.JSONDecodeError as e:
        raise RunDirError(f"{path} is not valid JSON ({e}); run `dedup run` again") from None
    if not isinstance(payload, dict):
        raise RunDirError(f"{path} is not a dedup report (not a JSON object)")
    problem = _problem(payload)
    if problem:
        raise RunDirError(f"{path} is not a dedup report ({problem})")
    documents: dict[str, dict[str, Any]] = {}
    doc_path = out / DOCUMENTS_JSONL
    if doc_path.is_file():
        try:
            for n, line in enumerate(doc_path.read_bytes().splitlines(), 1):  # noqa: B007 - n names the bad line
                if line.strip():
                    row = orjson.loads(line)
                    documents[row["id"]] = row
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise RunDirError(f"{doc_path}: line {n} is not a document record") from None
        except OSError as e:
            raise RunDirError(f"cannot read {doc_path}: {e.strerror or e}") from None
    return RunOutput(out, payload, documents)


_TOP = {"input": str, "counts": dict, "parameters": dict, "clusters": list}
_CLUSTER = {"id": str, "size": int, "canonical": str, "canonical_reason": str, "members": list}
_MEMBER = {"id": str, "canonical": bool, "chars": int}
_DIFF = {"unique_share": (int, float), "kept_share": (int, float), "added": list, "removed": list, "changed": list}


def _problem(payload: Any) -> str | None:
    """What in a clusters.json object this module cannot read (None: all is there).

    Only the fields read here are checked, so a report from a newer version with
    more fields still reads; ``dedup.report.writer.validate`` is the full schema check.
    """
    def bad(obj: Any, spec: dict[str, Any], where: str) -> str | None:
        if not isinstance(obj, dict):
            return f"{where}: not an object"
        for key, kind in spec.items():
            if not isinstance(obj.get(key), kind):
                return f"{where}: {key!r} missing or of the wrong type"
        return None

    problem = bad(payload, _TOP, "top level")
    for k, c in enumerate([] if problem else payload["clusters"]):
        problem = problem or bad(c, _CLUSTER, f"clusters[{k}]")
        for n, m in enumerate([] if problem else c["members"]):
            problem = problem or bad(m, _MEMBER, f"clusters[{k}].members[{n}]")
            if not problem and not m["canonical"] and m.get("diff") is not None:
                problem = bad(m["diff"], _DIFF, f"clusters[{k}].members[{n}].diff")
        if not problem and (not c["members"] or not c["members"][0]["canonical"]):
            problem = f"clusters[{k}]: the canonical is not its first member"
    return problem


def find_cluster(run: RunOutput, cluster_id: str) -> dict[str, Any]:
    """The cluster with this id, or the only one whose id starts with it."""
    clusters = run.payload["clusters"]
    exact = [c for c in clusters if c["id"] == cluster_id]
    found = exact or ([c for c in clusters if c["id"].startswith(cluster_id)] if cluster_id else [])
    if len(found) == 1:
        return found[0]
    where = run.out_dir / CLUSTERS_JSON
    if found:
        raise RunDirError(f"{clean(cluster_id)!r} matches {len(found)} clusters in {where}: "
                          f"{', '.join(c['id'] for c in found[:5])}{' ...' if len(found) > 5 else ''}")
    raise RunDirError(f"no cluster {clean(cluster_id)!r} in {where} ({len(clusters)} cluster(s); "
                      f"`dedup show {run.out_dir}` lists them)")


# ---------------------------------------------------------------- terminal text


def use_color(stream: TextIO, flag: bool | None = None, env: Mapping[str, str] | None = None) -> bool:
    """Colour when forced by ``flag``, else only on a terminal without NO_COLOR set (or TERM=dumb)."""
    if flag is not None:
        return flag
    env = os.environ if env is None else env
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def clean(text: str) -> str:
    """Article text made safe for a terminal: no escape sequences or other control characters."""
    return _CONTROL.sub("\ufffd", text)


class Styler:
    """``click.style`` when colour is on; the text unchanged when it is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, **style: Any) -> str:
        return click.style(text, **style) if self.color and text else text


def wrap(segments: Iterable[tuple[str, dict[str, Any]]], width: int, indent: str, st: Styler,
         hang: str | None = None) -> list[str]:
    """Word-wrap styled segments (text, style) to ``width`` columns.

    The first line starts with ``indent`` (plain text), the others with ``hang`` (default: ``indent``).
    """
    hang = indent if hang is None else hang
    lines: list[str] = []
    cur: list[str] = []
    lead = indent
    used = len(lead)
    for text, style in segments:
        for word in clean(text).split():
            if cur and used + 1 + len(word) > width:
                lines.append(lead + " ".join(cur))
                cur, lead = [], hang
                used = len(lead)
            cur.append(st(word, **style))
            used += len(word) + (1 if len(cur) > 1 else 0)
    if cur or not lines:
        lines.append(lead + " ".join(cur))
    return lines


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100.0 * float(x):.1f}%"


# ---------------------------------------------------------------- cluster list


def cluster_title(cluster: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The canonical's title, else the first member's title that exists."""
    for m in cluster["members"]:  # canonical first
        row = documents.get(m["id"]) or m
        if row.get("title"):
            return str(row["title"])
    return None


def unique_share(cluster: Mapping[str, Any]) -> float | None:
    """Share of the variants' characters that the canonical does not have (None: no variants)."""
    own = total = 0.0
    for m in cluster["members"]:
        diff = m.get("diff")
        if not m["canonical"] and diff is not None:
            own += float(diff["unique_share"]) * int(m["chars"])
            total += int(m["chars"])
    return own / total if total else None


def _fit(text: str, n: int) -> str:
    return text if len(text) <= n else text[: max(n - 1, 0)] + "…"


def render_list(run: RunOutput, st: Styler, width: int = WIDTH) -> list[str]:
    """The table of clusters, with a one-line summary of the run."""
    p = run.payload
    counts = p["counts"]
    n = {k: counts.get(k, "?") for k in ("clusters", "clustered", "singletons", "skipped")}
    head = (f"{n['clusters']} cluster(s) of {n['clustered']} document(s); "
            f"{n['singletons']} singleton(s), {n['skipped']} skipped; input {clean(p['input'])}")
    clusters = sorted(p["clusters"], key=lambda c: (-c["size"], c["id"]))
    if not clusters:
        return [head, "no clusters: no two documents are copies of one another"]
    id_w = max(7, *(len(c["id"]) for c in clusters))
    canon_w = min(max(9, *(len(clean(c["canonical"])) for c in clusters)), 40)
    title_w = max(width - id_w - canon_w - 6 - 7 - 4, 20)
    out = [head, "", st(f"{'cluster':<{id_w}}  {'size':>4}  {'canonical':<{canon_w}}  {'unique':>6}  title", bold=True)]
    for c in clusters:
        title = _fit(clean(cluster_title(c, run.documents) or "–"), title_w)
        out.append(f"{st(c['id'].ljust(id_w), fg='cyan')}  {c['size']:>4}  "
                   f"{_fit(clean(c['canonical']), canon_w):<{canon_w}}  {_pct(unique_share(c)):>6}  {title}")
    out += ["", ("unique: share of the copies' text that the canonical does not have. "
            f"Details: dedup show {run.out_dir} ID")]
    return out


# ---------------------------------------------------------------- one cluster


def word_segments(words: Iterable[Iterable[str]], st: Styler) -> list[tuple[str, dict[str, Any]]]:
    """A word diff (canonical -> copy) as styled segments; plain text marks [-deleted-] {+inserted+}."""
    out: list[tuple[str, dict[str, Any]]] = []
    for op, text in words:
        if op == "equal" or not text.strip():
            out.append((text, {}))
        elif st.color:
            out.append((text, {"fg": "red", "strikethrough": True} if op == "delete"
                        else {"fg": "green", "underline": True}))
        else:
            out.append(("[-" + text.strip() + "-]" if op == "delete" else "{+" + text.strip() + "+}", {}))
    return out


def _member_line(m: Mapping[str, Any], documents: Mapping[str, Mapping[str, Any]]) -> str:
    title = (documents.get(m["id"]) or m).get("title")
    extra = [x for x in (m.get("date"), f"{m['chars']} chars") if x]
    return clean(m["id"]) + (f" — {clean(str(title))}" if title else "") + f" ({', '.join(extra)})"


def render_cluster(run: RunOutput, cluster: Mapping[str, Any], st: Styler, width: int = WIDTH) -> list[str]:
    """The canonical, then each copy's own content: added, removed, changed with a word diff."""
    canon = cluster["members"][0]
    out = [st(f"Cluster {cluster['id']}", bold=True) + f" — {cluster['size']} documents",
           f"canonical  {_member_line(canon, run.documents)}"]
    out += wrap([(cluster["canonical_reason"], {})], width, "why        ", st)
    for m in cluster["members"][1:]:
        out += ["", st("Copy ", bold=True) + st(_member_line(m, run.documents), bold=True)]
        sim, diff = m.get("similarity"), m.get("diff")
        if sim is not None:
            out.append(f"  {m.get('relation')}, score {sim['score']:.4f}, {sim['aligned_sentences']} sentences "
                       f"aligned; Jaccard {sim['jaccard']:.4f}, MinHash {sim['minhash_jaccard']:.4f}")
        if m.get("derived_reason"):
            out += wrap([(m["derived_reason"] if m.get("derived_from") else
                          f"copied from: not told ({m['derived_reason']})", {})], width, "  ", st)
        if diff is None:
            out.append("  (no diff recorded)")
            continue
        out.append(f"  {_pct(diff['unique_share'])} of its text is its own; "
                   f"it keeps {_pct(diff['kept_share'])} of the canonical's text")
        if not (diff["added"] or diff["removed"] or diff["changed"]):
            out.append("  no added, removed or changed sentences")
        for kind, sign, colour in (("added", "+", "green"), ("removed", "-", "red")):
            for it in diff[kind]:
                where = "this copy" if kind == "added" else "canonical"
                out.append(st(f"  {sign} {kind} ", fg=colour, bold=True) + f"({where} {it['start']}–{it['end']})")
                out += wrap([(it["text"], {"fg": colour})], width, "    ", st)
        for it in diff["changed"]:
            sim_s = "" if it.get("similarity") is None else f", similarity {it['similarity']:.2f}"
            out.append(st("  ~ changed ", fg="yellow", bold=True) + f"(this copy {it['start']}–{it['end']}{sim_s})")
            segs = word_segments(it["words"], st) if it.get("words") else [(it["text"], {})]
            out += wrap(segs, width, "    ", st)
    return out
