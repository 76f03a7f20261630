"""Charts as inline SVG built on the server: no script, no external request, readable without JS."""
from __future__ import annotations

import math

from markupsafe import Markup, escape

PALETTE = ("#1f5f99", "#d9822b", "#2e8b57", "#b03a48", "#6a4c93", "#8c8c8c", "#c9a227")


def _number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"  # Vietnamese style: 1.234,5
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def hbar(items: list[tuple[str, float]], max_value: float | None = None, decimals: int = 0,
         suffix: str = "", title: str = "", width: int = 640) -> Markup:
    """Horizontal bars, one per (label, value), largest scale = max_value or the biggest value."""
    if not items:
        return Markup('<p class="muted">Chưa có dữ liệu.</p>')
    row, label_w, value_w = 24, 230, 70
    top = max([v for _, v in items] + [max_value or 0]) or 1
    bar_w = width - label_w - value_w
    height = row * len(items) + 8
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = max(1.0, bar_w * value / top) if value else 0
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="label">'
            f'<title>{escape(label)}</title>{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" class="value">'
            f'{escape(_number(value, decimals))}{escape(suffix)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(columns: list[str], series: dict[str, list[int]], title: str = "",
                    width: int = 760, height: int = 260) -> Markup:
    """Stacked columns (e.g. months), one colour per series (e.g. channels), with a legend."""
    if not columns:
        return Markup('<p class="muted">Chưa có dữ liệu.</p>')
    left, bottom, top_pad, legend_h = 44, 28, 10, 22
    plot_h = height - bottom - top_pad - legend_h
    totals = [sum(values[i] for values in series.values()) for i in range(len(columns))]
    step = max(1, math.ceil(max(totals) / 4))  # whole-number ticks: 0, step, ..., 4 * step
    peak = step * 4
    slot = (width - left - 10) / len(columns)
    bar = min(60.0, max(4.0, slot * 0.7))
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for tick in range(0, 5):
        value = step * tick
        y = top_pad + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
                     f'{escape(_number(value))}</text>')
    for i, column in enumerate(columns):
        x = left + i * slot + (slot - bar) / 2
        y = top_pad + plot_h
        for n, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / peak
            y -= h
            if h > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                             f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(column)} · '
                             f'{escape(name)}: {values[i]}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                     f'class="axis">{escape(column)}</text>')
    x = left
    for n, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="{height - 14}" width="12" height="12" '
                     f'fill="{PALETTE[n % len(PALETTE)]}"/><text x="{x + 16}" y="{height - 4}" '
                     f'class="legend">{escape(name)}</text>')
        x += 26 + 8 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))
