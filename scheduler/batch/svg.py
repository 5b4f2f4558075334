"""Small inline SVG line charts for the batch report: no script, no network, readable offline."""

from __future__ import annotations

import math
from html import escape

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
           "#bcbd22"]
WIDTH, HEIGHT = 530, 280
LEFT, RIGHT, TOP, BOTTOM = 60, 30, 34, 40


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _label(value: float, unit: str) -> str:
    if float(value).is_integer() or abs(value) >= 100:
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def line_chart(title: str, categories: list[str], series: dict[str, list[float | None]], *, unit: str = "",
               floor: float | None = None, cap: float | None = None) -> str:
    """An SVG line chart: one line per series over the categories (months); gaps where a value is None.

    The y axis always shows `floor` when given and never goes beyond `cap` (100 for percentages).
    """
    values = [v for vs in series.values() for v in vs if v is not None]
    low = min(values) if values else 0.0
    high = max(values) if values else 1.0
    if floor is not None:
        low = min(floor, low)
    if high - low < 1e-9:
        pad = max(1.0, abs(high) * 0.05)
        low, high = (high - pad, high) if cap is not None and high >= cap else (low - pad, high + pad)
    ticks = [t for t in nice_ticks(low, high) if cap is None or t <= cap]
    if cap is not None and ticks[-1] < high:
        ticks.append(cap)
    lo, hi = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    legend_rows = math.ceil(len(series) / 3)
    height = HEIGHT + 18 * legend_rows

    def x(k: int) -> float:
        return LEFT + (plot_w / 2 if len(categories) == 1 else plot_w * k / (len(categories) - 1))

    def y(v: float) -> float:
        return TOP + plot_h - (v - lo) / (hi - lo) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">',
           f"<title>{escape(title)}</title>",
           f'<text x="{LEFT}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>']
    for t in ticks:
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{escape(_label(t, unit))}</text>')
    step = max(1, math.ceil(len(categories) / 12))
    for k, cat in enumerate(categories):
        if k % step == 0 or k == len(categories) - 1:
            out.append(f'<text x="{x(k):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{escape(cat)}</text>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#555"/>')
    for n, (name, vs) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        segment: list[str] = []
        segments = []
        for k, v in enumerate(vs):
            if v is None:
                segments.append(segment)
                segment = []
            else:
                segment.append(f"{x(k):.1f},{y(v):.1f}")
        segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(seg)}"/>')
        for k, v in enumerate(vs):
            if v is not None:
                tip = f"{name}, {categories[k]}: {_label(v, unit)}"
                out.append(f'<circle cx="{x(k):.1f}" cy="{y(v):.1f}" r="3.5" fill="{color}">'
                           f"<title>{escape(tip)}</title></circle>")
        lx = LEFT + (n % 3) * (plot_w / 3)
        ly = HEIGHT + 18 * (n // 3) - 4
        out.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="4" fill="{color}"/>')
        out.append(f'<text x="{lx + 16:.1f}" y="{ly - 4}">{escape(name[:34])}</text>')
    out.append("</svg>")
    return "\n".join(out)
