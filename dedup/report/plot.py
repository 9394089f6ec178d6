"""A precision-recall curve as a small, self-contained SVG, written by hand (no plotting library).

``pr_curve_svg(points, ...)`` takes the sweep points of ``dedup.evaluation.evaluate``
(dicts with ``min_coverage``, ``precision``, ``recall`` and ``current``) and
returns the SVG text (640x480): axes 0..1 with ticks, grid and labels, the
curve through the points in threshold order, each point labelled with its
threshold (points at one position share a label, '0.05-0.55'), the current
setting ringed in red.

Sweep points often crowd into a corner (precision near 1 for every threshold,
say).  Labels are placed greedily so they never overlap; when some cannot be
placed on the 0..1 axes, the points' region is drawn again, zoomed, in an
inset over an empty part of the plot, and labelled there.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 480
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 78, 80  # margins around the main plot area
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
CHAR_W = 6.4  # generous width of one character at 11 px, for layout
LABEL_H = 11.0
POINT_R = 3.5
BLUE, RED, INK, GREY = "#1f5fa8", "#d62728", "#222", "#555"

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (pixels, y down)


@dataclass(frozen=True, slots=True)
class _Scale:
    """Data (recall, precision) to pixels within one panel."""

    box: Box
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def x(self, v: float) -> float:
        (x0, _, x1, _), (lo, hi) = self.box, self.x_range
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    def y(self, v: float) -> float:
        (_, y0, _, y1), (lo, hi) = self.box, self.y_range
        return y1 - (v - lo) / (hi - lo) * (y1 - y0)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text(x: float, y: float, s: str, size: int = 11, anchor: str = "start", fill: str = GREY,
          extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {FONT} fill="{fill}"'
            f"{extra}>{escape(s)}</text>")


def _nice_ticks(lo: float, hi: float) -> tuple[list[float], int]:
    """About four round tick values in [lo, hi] and the decimals to print them with."""
    raw = (hi - lo) / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    decimals = max(0, -math.floor(math.log10(step)) + (1 if round(step / mag, 1) == 2.5 else 0))
    first = math.ceil(lo / step - 1e-9)
    ticks = [round(k * step, 10) for k in range(first, math.floor(hi / step + 1e-9) + 1)]
    return ticks, decimals


def _axes(s: _Scale, ticks_x: list[float], ticks_y: list[float], decimals: tuple[int, int], size: int) -> list[str]:
    x0, y0, x1, y1 = s.box
    out = []
    for v in ticks_x:
        out.append(f'<line x1="{s.x(v):.1f}" y1="{y0:.1f}" x2="{s.x(v):.1f}" y2="{y1:.1f}" stroke="#e6e6e6"/>')
        out.append(f'<line x1="{s.x(v):.1f}" y1="{y1:.1f}" x2="{s.x(v):.1f}" y2="{y1 + 4:.1f}" stroke="{INK}"/>')
        out.append(_text(s.x(v), y1 + 5 + size, f"{v:.{decimals[0]}f}", size, "middle"))
    for v in ticks_y:
        out.append(f'<line x1="{x0:.1f}" y1="{s.y(v):.1f}" x2="{x1:.1f}" y2="{s.y(v):.1f}" stroke="#e6e6e6"/>')
        out.append(f'<line x1="{x0 - 4:.1f}" y1="{s.y(v):.1f}" x2="{x0:.1f}" y2="{s.y(v):.1f}" stroke="{INK}"/>')
        out.append(_text(x0 - 7, s.y(v) + size / 3, f"{v:.{decimals[1]}f}", size, "end"))
    out.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" fill="none" '
               f'stroke="{INK}"/>')
    return out


def _curve(s: _Scale, pts: Sequence[Mapping[str, Any]]) -> list[str]:
    xy = [(s.x(p["recall"]), s.y(p["precision"])) for p in pts]
    out = [(f'<polyline points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in xy)}" fill="none" stroke="{BLUE}" '
           'stroke-width="1.5" stroke-linejoin="round"/>')] if len(xy) > 1 else []
    for (px, py), p in zip(xy, pts):
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{POINT_R}" fill="{BLUE}"><title>min_coverage '
                   f'{p["min_coverage"]:.2f}: precision {p["precision"]:.3f}, recall {p["recall"]:.3f}</title>'
                   "</circle>")
        if p.get("current"):
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="7" fill="none" stroke="{RED}" stroke-width="2"/>')
    return out


@dataclass(frozen=True, slots=True)
class _Label:
    """One label: the thresholds of the points that share one position."""

    recall: float
    precision: float
    text: str
    current: bool


def _label_groups(pts: Sequence[Mapping[str, Any]]) -> list[_Label]:
    """Points at the same (recall, precision) share one label: '0.05-0.55' for a run of thresholds."""
    at: dict[tuple[float, float], list[int]] = {}
    for k, p in enumerate(pts):
        at.setdefault((round(p["recall"], 9), round(p["precision"], 9)), []).append(k)
    out = []
    for (r, pr), ks in at.items():
        runs: list[list[int]] = []
        for k in ks:
            if runs and k == runs[-1][-1] + 1:
                runs[-1].append(k)
            else:
                runs.append([k])
        text = ", ".join(f'{pts[run[0]]["min_coverage"]:.2f}' + (f'\u2013{pts[run[-1]]["min_coverage"]:.2f}'
                                                                  if len(run) > 1 else "") for run in runs)
        out.append(_Label(r, pr, text, any(pts[k].get("current") for k in ks)))
    return out


def _offsets(w: float, reach: int) -> list[tuple[float, float, bool]]:
    """Where a label may go relative to its point, nearest first: (dx, dy of the baseline start, needs a leader)."""
    near = [(9.0, -4.5), (9.0, 4.5 + LABEL_H), (-9.0 - w, -4.5), (-9.0 - w, 4.5 + LABEL_H), (-w / 2, -9.0),
            (-w / 2, 9.0 + LABEL_H), (9.0, LABEL_H / 2 - 1), (-9.0 - w, LABEL_H / 2 - 1)]
    out = [(dx, dy, False) for dx, dy in near]
    for radius in range(16, reach + 1, 8):  # rings of label centres around the point, joined by a leader line
        for k in range(24):
            angle = math.radians(15 * ((k + 1) // 2) * (1 if k % 2 else -1))  # 0, +15, -15, +30, ...
            cx, cy = radius * math.cos(angle), radius * math.sin(angle)
            for sx in (1, -1):
                out.append((sx * cx - w / 2, cy + LABEL_H / 2 - 1, True))
    return out


def _crosses(px: float, py: float, box: Box, other: Box) -> bool:
    """Whether the leader from (px, py) to ``box`` runs through ``other``."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(other[0] <= px + (cx - px) * t / 10 <= other[2] and other[1] <= py + (cy - py) * t / 10 <= other[3]
               for t in range(1, 10))


def _labels(s: _Scale, pts: Sequence[Mapping[str, Any]], only_current: bool = False,
            reach: int = 40) -> tuple[list[str], int]:
    """Threshold labels placed greedily (current first) without overlaps, at most ``reach`` px from
    their point; (SVG, number left out)."""
    labels = _label_groups(pts)
    xy = [(s.x(p["recall"]), s.y(p["precision"])) for p in pts]
    taken: list[Box] = [(px - r, py - r, px + r, py + r)
                        for (px, py), p in zip(xy, pts) for r in [7.0 if p.get("current") else POINT_R]]
    area = (s.box[0] + 1, s.box[1] + 1, s.box[2] - 1, s.box[3] - 1)
    # the curve itself, sampled every ~2 px: a label avoids it when it can
    trace = [(ax + (bx - ax) * t / n, ay + (by - ay) * t / n)
             for (ax, ay), (bx, by) in itertools.pairwise(xy)
             for n in [max(1, int(math.hypot(bx - ax, by - ay) / 2))] for t in range(n + 1)]
    out: list[str] = []
    omitted = 0
    for i in sorted(range(len(labels)), key=lambda k: (not labels[k].current, k)):
        lab = labels[i]
        px, py = s.x(lab.recall), s.y(lab.precision)
        if only_current and not lab.current:
            continue
        text = lab.text
        w = CHAR_W * len(text)
        placed = None
        for strict in (True, False):  # first pass: also keep clear of the curve, leaders clear of labels
            for dx, dy, far in _offsets(w, reach):
                bx, by = px + dx, py + dy  # left end of the label's baseline
                box = (bx - 1, by - LABEL_H + 1, bx + w + 1, by + 2)
                if not (box[0] >= area[0] and box[1] >= area[1] and box[2] <= area[2] and box[3] <= area[3]):
                    continue
                if any(_overlaps(box, t) for t in taken):
                    continue
                if strict and any(box[0] <= tx <= box[2] and box[1] <= ty <= box[3] for tx, ty in trace):
                    continue
                if strict and far and any(_crosses(px, py, box, t) for t in taken[len(xy):]):
                    continue
                placed = (bx, by, box, far)
                break
            if placed:
                break
        if placed is None:
            omitted += 1
            continue
        bx, by, box, far = placed
        taken.append(box)
        if far:  # a leader line from the point to the nearest side of its label
            cx, cy = min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3])
            out.append(f'<line x1="{px:.1f}" y1="{py:.1f}" x2="{cx:.1f}" y2="{cy:.1f}" stroke="#999" '
                       'stroke-width="0.8"/>')
        out.append(_text(bx, by, text, 11, fill=RED if lab.current else INK,
                         extra=' font-weight="bold"' if lab.current else ""))
    return out, omitted


def _inset_box(main: _Scale, pts: Sequence[Mapping[str, Any]], zoom: Box) -> Box | None:
    """A corner of the main plot, about half its size, that no point and not the zoomed region touch."""
    x0, y0, x1, y1 = main.box
    w, h = 0.62 * (x1 - x0), 0.62 * (y1 - y0)
    pad = 10.0
    dots = [(main.x(p["recall"]) - 8, main.y(p["precision"]) - 8, main.x(p["recall"]) + 8,
             main.y(p["precision"]) + 8) for p in pts]
    for cx, cy in ((x1 - pad - w, y1 - pad - h), (x0 + pad + 30, y1 - pad - h), (x1 - pad - w, y0 + pad),
                   (x0 + pad + 30, y0 + pad)):
        box = (cx, cy, cx + w, cy + h)
        if not any(_overlaps(box, d) for d in dots) and not _overlaps(box, zoom):
            return box
    return None


def pr_curve_svg(points: Sequence[Mapping[str, Any]], title: str, subtitle: str = "", footer: str = "") -> str:
    """The precision-recall curve of the sweep as SVG text (640x480, viewBox-scalable)."""
    pts = sorted(points, key=lambda p: p["min_coverage"])
    main = _Scale((LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM), (0.0, 1.0), (0.0, 1.0))
    x0, y0, x1, y1 = main.box
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">'),
           f"<title>{escape(title)}</title>",
           f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
           _text(WIDTH / 2, 24, title, 16, "middle", INK, ' font-weight="bold"')]
    if subtitle:
        out.append(_text(WIDTH / 2, 42, subtitle, 11, "middle", "#333"))
    ticks = [k / 10 for k in range(11)]
    out += _axes(main, ticks, ticks, (1, 1), 11)
    out.append(_text((x0 + x1) / 2, y1 + 36, "Recall (pairwise)", 13, "middle", INK))
    out.append(f'<text transform="translate(20 {(y0 + y1) / 2:.1f}) rotate(-90)" text-anchor="middle" '
               f'font-size="13" {FONT} fill="{INK}">Precision (pairwise)</text>')
    out += _curve(main, pts)
    labels, omitted = _labels(main, pts)
    current = next((p["min_coverage"] for p in pts if p.get("current")), None)
    legend = [("dot", "sweep point, labelled with its min_coverage"),
              ("ring", "current setting" + (f" ({current:.2f})" if current is not None else ""))]

    inset: Box | None = None
    if omitted and pts:
        rx = [p["recall"] for p in pts]
        py = [p["precision"] for p in pts]
        span_x, span_y = max(max(rx) - min(rx), 0.02), max(max(py) - min(py), 0.02)
        xr = (max(0.0, min(rx) - 0.12 * span_x), min(1.0, max(rx) + 0.12 * span_x))
        yr = (max(0.0, min(py) - 0.15 * span_y), min(1.0, max(py) + 0.15 * span_y))
        zoom = (main.x(xr[0]) - 3, main.y(yr[1]) - 3, main.x(xr[1]) + 3, main.y(yr[0]) + 3)
        inset = _inset_box(main, pts, zoom)
    if inset is None:
        out += labels
    else:
        out += _labels(main, pts, only_current=True)[0]
        out.append(f'<rect x="{zoom[0]:.1f}" y="{zoom[1]:.1f}" width="{zoom[2] - zoom[0]:.1f}" '
                   f'height="{zoom[3] - zoom[1]:.1f}" fill="none" stroke="{GREY}" stroke-dasharray="4 3"/>')
        ix0, iy0, ix1, iy1 = inset
        out.append(f'<rect x="{ix0:.1f}" y="{iy0:.1f}" width="{ix1 - ix0:.1f}" height="{iy1 - iy0:.1f}" '
                   f'fill="#ffffff" stroke="{GREY}" stroke-dasharray="4 3"/>')
        out.append(_text(ix0 + 6, iy0 + 13, "zoom on the dashed region", 10, fill=GREY))
        inner = _Scale((ix0 + 46, iy0 + 20, ix1 - 10, iy1 - 22), xr, yr)
        tx, dx = _nice_ticks(*xr)
        ty, dy = _nice_ticks(*yr)
        out += _axes(inner, tx, ty, (dx, dy), 10)
        out += _curve(inner, pts)
        inner_labels, omitted = _labels(inner, pts, reach=170)
        out += inner_labels
        legend.append(("dash", "dashed box: the zoomed region, drawn again in the inset"))
    # legend, one line above the plot area, laid out by text width
    lx, ly = float(LEFT), TOP - 12.0
    for kind, text in legend:
        if kind == "dot":
            out.append(f'<circle cx="{lx + 5:.1f}" cy="{ly - 4:.1f}" r="{POINT_R}" fill="{BLUE}"/>')
        elif kind == "ring":
            out.append(f'<circle cx="{lx + 6:.1f}" cy="{ly - 4:.1f}" r="6" fill="none" stroke="{RED}" '
                       'stroke-width="2"/>')
        else:
            out.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="12" height="10" fill="none" stroke="{GREY}" '
                       'stroke-dasharray="3 2"/>')
        out.append(_text(lx + 16, ly, text if kind != "dash" else "zoomed region", 10, fill="#333"))
        lx += 16 + CHAR_W * 10 / 11 * len(text if kind != "dash" else "zoomed region") + 18
    notes = [footer] if footer else []
    if omitted:
        notes.append(f"{omitted} label(s) left out where points crowd; every point is in eval.json")
    for k, note in enumerate(notes):
        out.append(_text(WIDTH / 2, HEIGHT - 10 - 13 * (len(notes) - 1 - k), note, 10, "middle"))
    out.append("</svg>")
    return "\n".join(out) + "\n"
