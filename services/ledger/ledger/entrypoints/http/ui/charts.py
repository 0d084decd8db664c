"""Charts drawn here as inline SVG (no script, no CDN): grouped horizontal bars with a legend."""
from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Sequence

from markupsafe import Markup

from ledger.entrypoints.http.ui.money import yuan

COLOURS = ("#2f6fb0", "#d9822b", "#4a9a5b", "#a5485d", "#7a6bb0", "#8c8c8c")


def bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]], title: str,
         width: int = 640) -> Markup:
    """One row per label, one bar per series (yuan amounts; negatives drawn left of the axis)."""
    values = [abs(v or 0) for _, vs in series for v in vs]
    top = max(values, default=Decimal(0)) or Decimal(1)
    label_w, bar_h, gap = 190, 12, 8
    row_h = bar_h * len(series) + gap
    legend_h = 22
    height = legend_h + row_h * len(labels) + 10
    plot_w = width - label_w - 110
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
             f'<title>{escape(title)}</title>']
    for i, (name, _) in enumerate(series):
        x = label_w + i * 150
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
                     f'<text x="{x + 16}" y="14" font-size="12">{escape(name)}</text>')
    for row, label in enumerate(labels):
        y0 = legend_h + row * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y0 + row_h / 2}" font-size="12" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(label)}</text>')
        for i, (_, vs) in enumerate(series):
            value = vs[row] or Decimal(0)
            w = float(abs(value) / top) * plot_w
            y = y0 + i * bar_h
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{COLOURS[i % len(COLOURS)]}"><title>{escape(label)}: {yuan(value)}</title></rect>'
                         f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" font-size="10">{yuan(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
