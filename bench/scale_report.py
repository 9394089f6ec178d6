"""bench/scale.py's output: the per-corpus tables, the growth table and fits, and the SVG plot."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from gen_article import TRANSFORMS

MB = 1e6


def print_corpus(rec: dict) -> None:
    n, nb = rec["documents"], rec["input_bytes"]
    ip = rec.get("dedup_inprocess")
    if ip:
        print(f"\ndedup per stage (dedup.pipeline.runner.run_to_dir, jobs {rec['jobs']}; MB/s = {nb / MB:.1f} MB input "
              "/ stage seconds)")
        print(f"  {'stage':16}{'docs in':>9}{'docs out':>10}{'seconds':>10}{'share':>7}{'docs/s':>10}{'MB/s':>9}  note")
        tot = sum(s["seconds"] for s in ip["stages"]) or 1
        for s in ip["stages"]:
            print(f"  {s['stage']:16}{s['docs_in']:>9,}{s['docs_out']:>10,}{s['seconds']:>10.2f}"
                  f"{100 * s['seconds'] / tot:>6.0f}%{_f(s['docs_per_s'], 10, 0)}{_f(s['mb_per_s'], 9, 2)}  {s['note']}")
        print(f"  {'pipeline':16}{n:>9,}{'':>10}{ip['pipeline_s']:>10.2f}{'':>7}{n / ip['pipeline_s']:>10,.0f}"
              f"{nb / MB / ip['pipeline_s']:>9.2f}  candidate pairs {ip['candidate_pairs']:,}, "
              f"verified {ip['verified_pairs']:,}")
    print("\nend to end (each system a subprocess; peak RSS = its largest process (GNU time); "
          "tree PSS = all its processes, sampled)")
    print(f"  {'system':64}{'wall s':>9}{'docs/s':>9}{'MB/s':>7}{'CPU s':>8}{'peak RSS MB':>12}{'tree PSS MB':>12}"
          f"{'cand. pairs':>13}{'clusters':>9}")
    for s in rec["systems"].values():
        if s.get("rc") != 0:
            why = "timed out" if s.get("timed_out") else f"exit {s.get('rc')}"
            print(f"  {s['system']:64}{s['wall_s']:>9.1f}  FAILED ({why}): {s.get('error', '')[-300:]}")
            continue
        print(f"  {s['system']:64}{s['wall_s']:>9.1f}{n / s['wall_s']:>9,.0f}{nb / MB / s['wall_s']:>7.2f}"
              f"{s['cpu_s']:>8.1f}{s['peak_rss_mb']:>12,.0f}{s['peak_tree_pss_mb']:>12,.0f}"
              f"{_i(s.get('candidate_pairs'), 13)}{_i(s.get('n_clusters'), 9)}")
    if rec.get("text_dedup_missing"):
        print(f"  text-dedup: not run: {rec['text_dedup_missing']}")
    if rec["ratios"]:
        print("\nratios, dedup / peer (above 1: dedup slower or larger)")
        print(f"  {'peer':64}{'time':>8}{'peak RSS':>10}{'tree PSS':>10}")
        for name, r in rec["ratios"].items():
            print(f"  {rec['systems'][name]['system']:64}{r['time']:>7.2f}x{_f(r['peak_rss'], 9, 2)}x"
                  f"{_f(r['peak_tree_pss'], 9, 2)}x")
    rows = [(s["system"], s["quality"]) for s in rec["systems"].values() if "quality" in s]
    if rows:
        print("\nquality on the planted duplicates (pairwise, from clusters; recall by transform = variants "
              "clustered with their original)")
        print(f"  {'system':64}{'P':>7}{'R':>7}{'F1':>7}{'pred pairs':>11}{'true pairs':>11}{'bad clus':>9}  "
              + " ".join(f"{t[:8]:>8}" for t in TRANSFORMS))
        for name, q in rows:
            print(f"  {name:64}{q['precision']:>7.3f}{q['recall']:>7.3f}{q['f1']:>7.3f}{q['predicted_pairs']:>11,}"
                  f"{q['true_pairs']:>11,}{q['clusters_with_false_merges']:>9,}  "
                  + " ".join(_f(q["recall_by_transform"][t], 8, 3) for t in TRANSFORMS))
    sys.stdout.flush()


def _f(x, w: int, d: int) -> str:
    return f"{'-':>{w}}" if x is None else f"{x:>{w},.{d}f}"


def _i(x, w: int) -> str:
    return f"{'-':>{w}}" if x is None else f"{x:>{w},}"


# --------------------------------------------------------------------------- growth over sizes



def growth(recs: list[dict]) -> list[dict]:
    rows = []
    for r in recs:
        for key, s in r["systems"].items():
            if s.get("rc") == 0:
                rows.append({"documents": r["documents"], "system": key, "wall_s": s["wall_s"],
                             "peak_rss_mb": s["peak_rss_mb"], "peak_tree_pss_mb": s["peak_tree_pss_mb"],
                             "candidate_pairs": s.get("candidate_pairs"),
                             "f1": s.get("quality", {}).get("f1")})
    return rows


def print_growth(rows: list[dict], recs: list[dict]) -> dict:
    print("\ncost growth by corpus size")
    print(f"  {'system':18}{'documents':>11}{'wall s':>10}{'peak RSS MB':>13}{'tree PSS MB':>13}{'cand. pairs':>14}"
          f"{'pairs/doc':>10}{'F1':>7}")
    for r in sorted(rows, key=lambda r: (r["system"], r["documents"])):
        cp = r["candidate_pairs"]
        print(f"  {r['system']:18}{r['documents']:>11,}{r['wall_s']:>10.1f}{r['peak_rss_mb']:>13,.0f}"
              f"{r['peak_tree_pss_mb']:>13,.0f}{_i(cp, 14)}{_f(cp / r['documents'] if cp is not None else None, 10, 1)}"
              f"{_f(r['f1'], 7, 3)}")
    stage_rows = [(r["documents"], r["dedup_inprocess"]["stages"]) for r in recs if "dedup_inprocess" in r]
    if len(stage_rows) > 1:
        print("\n  dedup stage seconds by size")
        names = [s["stage"] for s in stage_rows[0][1]]
        print(f"  {'documents':>11}" + "".join(f"{n[:14]:>15}" for n in names))
        for n, st in stage_rows:
            print(f"  {n:>11,}" + "".join(f"{s['seconds']:>15.2f}" for s in st))
    # power-law exponent between the two largest sizes, and what it says for 1M documents
    fits = {}
    for system in sorted({r["system"] for r in rows}):
        pts = sorted((r for r in rows if r["system"] == system), key=lambda r: r["documents"])
        if len(pts) < 2:
            continue
        a, b = pts[-2], pts[-1]
        span = math.log(b["documents"] / a["documents"])
        f = {}
        for key in ("wall_s", "peak_tree_pss_mb", "candidate_pairs"):
            if a.get(key) and b.get(key):
                k = math.log(b[key] / a[key]) / span
                f[key] = {"exponent": round(k, 2), "at_1M": round(b[key] * (1e6 / b["documents"]) ** k, 1)}
        fits[system] = f
    if fits:
        print("\n  growth exponent k (cost ~ N^k, from the two largest sizes) and what it gives at 1,000,000 documents")
        for system, f in fits.items():
            parts = []
            for key, label, unit in (("wall_s", "time", "s"), ("peak_tree_pss_mb", "memory", "MB"),
                                     ("candidate_pairs", "candidate pairs", "")):
                if key in f:
                    parts.append(f"{label} k={f[key]['exponent']:.2f} -> {f[key]['at_1M']:,.0f}{' ' + unit if unit else ''}")
            print(f"  {system:18}" + "; ".join(parts))
    return fits


def write_svg(rows: list[dict], path: Path) -> None:
    """Three log-log panels: wall time, peak memory (tree PSS), candidate pairs, against documents."""
    colors = {"dedup": "#d62728", "datasketch": "#1f77b4"}
    palette = iter(["#2ca02c", "#9467bd", "#8c564b", "#ff7f0e"])
    systems = sorted({r["system"] for r in rows}, key=lambda s: (s != "dedup", s))
    for s in systems:
        colors.setdefault(s, next(palette, "#7f7f7f"))
    panels = [("wall_s", "wall time (s)"), ("peak_tree_pss_mb", "peak memory, process tree PSS (MB)"),
              ("candidate_pairs", "candidate pairs")]
    W, H, pw, ph, ml, mt = 1080, 400, 290, 270, 70, 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           (f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15">dedup cost growth with corpus size '
            '(log-log; dashed grey: proportional to N from the smallest dedup point)</text>')]
    xs = sorted({r["documents"] for r in rows})
    for k, (key, title) in enumerate(panels):
        x0 = ml + k * (pw + 70)
        pts = [(r["documents"], r[key], r["system"]) for r in rows if r.get(key)]
        if not pts:
            continue
        xlo, xhi = math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.15
        ys = [p[1] for p in pts]
        ylo, yhi = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)) + 1e-9)
        if yhi == ylo:
            yhi += 1

        def X(v: float, x0=x0, xlo=xlo, xhi=xhi) -> float:
            return x0 + (math.log10(v) - xlo) / (xhi - xlo) * pw

        def Y(v: float, ylo=ylo, yhi=yhi) -> float:
            return mt + ph - (math.log10(v) - ylo) / (yhi - ylo) * ph

        out.append(f'<rect x="{x0}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
        out.append(f'<text x="{x0 + pw / 2}" y="{mt - 8}" text-anchor="middle" font-size="12">{title}</text>')
        for e in range(ylo, yhi + 1):
            y = Y(10 ** e)
            out.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
            out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end">{_sci(10 ** e)}</text>')
        for v in xs:
            out.append(f'<line x1="{X(v):.1f}" x2="{X(v):.1f}" y1="{mt}" y2="{mt + ph}" stroke="#eee"/>')
            out.append(f'<text x="{X(v):.1f}" y="{mt + ph + 14}" text-anchor="middle">{_sci(v)}</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{mt + ph + 30}" text-anchor="middle">documents</text>')
        dp = sorted((p for p in pts if p[2] == "dedup"), key=lambda p: p[0])
        if dp:
            n0, v0 = dp[0][0], dp[0][1]
            n1 = max(xs)
            v1 = v0 * n1 / n0
            if v1 <= 10 ** yhi:
                out.append(f'<line x1="{X(n0):.1f}" y1="{Y(v0):.1f}" x2="{X(n1):.1f}" y2="{Y(v1):.1f}" '
                           'stroke="#aaa" stroke-dasharray="4,3"/>')
        for s in systems:
            sp = sorted((p for p in pts if p[2] == s), key=lambda p: p[0])
            if not sp:
                continue
            c = colors[s]
            if len(sp) > 1:
                out.append('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
                    c, " ".join(f"{X(a):.1f},{Y(b):.1f}" for a, b, _ in sp)))
            for a, b, _ in sp:
                out.append(f'<circle cx="{X(a):.1f}" cy="{Y(b):.1f}" r="3.5" fill="{c}"><title>{s}: {b:,.1f} at '
                           f'{a:,} documents</title></circle>')
    for j, s in enumerate(systems):
        x = ml + j * 190
        out.append(f'<rect x="{x}" y="{H - 22}" width="12" height="12" fill="{colors[s]}"/>')
        out.append(f'<text x="{x + 16}" y="{H - 12}">{s}</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n")


def _sci(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def report(path: Path, svg: Path) -> None:
    """The tables (and, for more than one run, the growth table and plot) again from a --json file."""
    recs = json.loads(path.read_text())["runs"]
    for rec in recs:
        print(f"\n=== {rec['corpus']}: {rec['documents']:,} documents, {rec['input_bytes'] / MB:,.1f} MB; "
              f"jobs {rec['jobs']}")
        print_corpus(rec)
    if len(recs) > 1:
        rows = growth(recs)
        print_growth(rows, recs)
        write_svg(rows, svg)
        print(f"\nplot: {svg}")
