"""Charts as SVG drawn on the server: no JavaScript, allowed by the strict CSP, identical on the page, in print
and in the PDF (WeasyPrint draws SVG). Only presentation attributes, never `style=`, which the CSP refuses.
"""

import datetime as dt

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Okabe–Ito: told apart by people with colour-blindness and still distinct in greyscale print.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="11"'


def _svg(title: str, width: int, height: int, body: list[str]) -> SafeString:
    label = escape(title)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{label}"><title>{label}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, content, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {FONT} fill="#1d2330" {extra}>{escape(content)}</text>'


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(title: str, items: list[tuple[str, float]], *, width: int = 520, unit: str = "") -> SafeString:
    """Horizontal bars, one per (label, value), with the value written at the end of each bar."""
    row, label_width, top = 22, 210, 6
    height = top + row * max(len(items), 1) + 6
    largest = max((value for _, value in items), default=0) or 1
    span = width - label_width - 60
    body = []
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = span * value / largest
        body.append(_text(label_width - 8, y + 14, _short(str(label)), "end"))
        body.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
                    f'fill="{PALETTE[0]}"/>')
        body.append(_text(label_width + length + 5, y + 14, f"{value:g}{unit}"))
    if not items:
        body.append(_text(8, top + 14, "Nothing to show."))
    return _svg(title, width, height, body)


def month_label(month: dt.date) -> str:
    return month.strftime("%b %y")


def stacked_columns(title: str, months: list[dt.date], series: dict[str, list[int]], *,
                    width: int = 640) -> SafeString:
    """One column per month, stacked by series, with the month's total above it and a legend below."""
    left, top, plot_height, legend_row = 34, 16, 160, 16
    legend = list(series)
    height = top + plot_height + 24 + legend_row * len(legend) + 6
    totals = [sum(counts[i] for counts in series.values()) for i in range(len(months))]
    largest = max(totals, default=0) or 1
    slot = (width - left - 8) / max(len(months), 1)
    bar = max(slot * 0.7, 2)
    base = top + plot_height
    body = [f'<line x1="{left}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="#5b6474"/>',
            _text(left - 4, top + 4, largest, "end"), _text(left - 4, base, 0, "end")]
    for i, month in enumerate(months):
        x, y = left + i * slot + (slot - bar) / 2, base
        for j, counts in enumerate(series.values()):
            h = plot_height * counts[i] / largest
            if h:
                y -= h
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                            f'fill="{PALETTE[j % len(PALETTE)]}" stroke="#ffffff" stroke-width="0.5"/>')
        if totals[i]:
            body.append(_text(x + bar / 2, y - 3, totals[i], "middle"))
        body.append(_text(x + bar / 2, base + 14, month_label(month), "middle"))
    for j, name in enumerate(legend):
        y = base + 24 + j * legend_row
        body.append(f'<rect x="{left}" y="{y}" width="11" height="11" fill="{PALETTE[j % len(PALETTE)]}"/>')
        body.append(_text(left + 16, y + 10, f"{_short(name, 70)} ({sum(series[name])})"))
    if not months or not legend:
        body.append(_text(left + 8, top + 20, "Nothing reported in this period."))
    return _svg(title, width, height, body)
