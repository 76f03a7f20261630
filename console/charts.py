"""Charts as inline SVG built on the server: no script, no external request, readable without JS."""
from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#1f5f99", "#d9822b", "#2e8b57", "#b03a48", "#6a4c93", "#8c8c8c", "#c9a227")


def _number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"  # Vietnamese style: 1.234,5
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _label_fits(label: str, width: float, char_w: float = 7.8) -> str:
    """The label, shortened with '…' only if it is wider than `width` at 14px (its full text stays
    in the bar's tooltip)."""
    room = int(width // char_w)
    return label if len(label) <= room else label[:max(1, room - 1)].rstrip() + "…"


def hbar(items: Sequence[tuple[str, float]], max_value: float | None = None, decimals: int = 0,
         suffix: str = "", title: str = "", width: int = 640) -> Markup:
    """Horizontal bars, one per (label, value), largest scale = max_value or the biggest value.

    Each label has its own line above its bar, as wide as the chart, so long unit names
    ('UBND xã, phường (126 đơn vị)', 'Sở Nông nghiệp và Môi trường …') are read whole; the value
    stands after the bar inside a reserved right margin."""
    if not items:
        return Markup('<p class="muted">Chưa có dữ liệu.</p>')
    row, value_w = 44, 72
    top = max([v for _, v in items] + [max_value or 0]) or 1
    bar_w = width - value_w
    height = row * len(items) + 4
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = 2 + i * row
        w = max(1.0, bar_w * value / top) if value else 0
        shown = f"{_number(value, decimals)}{suffix}"
        parts.append(
            f'<g><title>{escape(label)}: {escape(shown)}</title>'
            f'<text x="0" y="{y + 15}" class="label">{escape(_label_fits(label, width))}</text>'
            f'<rect x="0" y="{y + 21}" width="{w:.1f}" height="16" rx="2" fill="{PALETTE[0]}"/>'
            f'<text x="{w + 6:.1f}" y="{y + 34}" class="value">{escape(shown)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(columns: list[str], series: dict[str, list[int]], title: str = "",
                    width: int = 1200, height: int = 280) -> Markup:
    """Stacked columns (e.g. months), one colour per series (e.g. channels), with a legend."""
    if not columns:
        return Markup('<p class="muted">Chưa có dữ liệu.</p>')
    left, bottom, top_pad = 44, 28, 10
    legend_h = 22 * len(_legend_rows(list(series), width - 10))
    height += legend_h - 22
    plot_h = height - bottom - top_pad - legend_h
    totals = [sum(values[i] for values in series.values()) for i in range(len(columns))]
    step = max(1, math.ceil(max(totals) / 4))  # whole-number ticks: 0, step, ..., 4 * step
    peak = step * 4
    slot = (width - left - 10) / len(columns)
    bar = min(60.0, max(4.0, slot * 0.7))
    every = max(1, math.ceil(40 / slot))  # an axis label every `every` columns: 40 px apart at least
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
        if i % every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{top_pad + plot_h + 16}" '
                         f'text-anchor="middle" class="axis">{escape(column)}</text>')
    parts.extend(_legend(list(series), width, height - legend_h + 8))
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend_rows(names: list[str], width: int) -> list[list[tuple[str, int]]]:
    """The legend's entries (name, index) in rows that fit the chart's width."""
    rows: list[list[tuple[str, int]]] = [[]]
    x = 0.0
    for n, name in enumerate(names):
        entry = 30 + 8.5 * len(name)
        if rows[-1] and x + entry > width:
            rows.append([])
            x = 0.0
        rows[-1].append((name, n))
        x += entry
    return rows


def _legend(names: list[str], width: int, top: float) -> list[str]:
    parts = []
    for r, row in enumerate(_legend_rows(names, width - 10)):
        x, y = 10.0, top + 22 * r
        for name, n in row:
            parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="12" height="12" '
                         f'fill="{PALETTE[n % len(PALETTE)]}"/><text x="{x + 16:.0f}" y="{y + 10:.0f}" '
                         f'class="legend">{escape(name)}</text>')
            x += 30 + 8.5 * len(name)
    return parts
