"""Small charts drawn on the server as inline SVG: no JavaScript, no CDN, nothing to download.

Each chart is an accessible image (``role="img"``, a ``<title>`` and an ``aria-label`` that
reads out every figure); the panels also print the figures as text, so they can be read
without the picture. The SVGs scale to the width of their panel (``viewBox``), so a panel never
needs a horizontal scroll bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
FONT = 11
MAX_COLUMN = 64


@dataclass(frozen=True)
class Bar:
    """One bar: its axis ``label``, its ``value`` (a number) and how the value reads (``text``)."""

    label: str
    value: Decimal
    text: str
    css_class: str = ""


def _label(title: str, bars: Sequence[Bar]) -> str:
    figures = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return f"{title}. {figures}" if figures else title


def _scale(bars: Sequence[Bar]) -> Decimal:
    top = max((abs(Decimal(bar.value)) for bar in bars), default=Decimal(0))
    return top or Decimal(1)


def _svg(title: str, bars: Sequence[Bar], height: int, body: list[str], css_class: str) -> SafeString:
    head = format_html(
        '<svg class="chart {}" role="img" viewBox="0 0 {} {}" preserveAspectRatio="xMidYMid meet" '
        'aria-label="{}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>',
        css_class,
        WIDTH,
        height,
        _label(title, bars),
        title,
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every piece is escaped above


def column_chart(title: str, bars: Sequence[Bar], *, height: int = 160, every: int = 1) -> SafeString:
    """Vertical bars from a baseline (negative values hang below it), the axis labels under
    every ``every``-th bar (a 30-day trend labels every fifth day) and each bar's figure in its
    tooltip. Used for the sales trend, the receivables ageing and stock by warehouse."""
    count = max(len(bars), 1)
    top_pad, bottom_pad = 16, 22
    plot = height - top_pad - bottom_pad
    has_negative = any(Decimal(bar.value) < 0 for bar in bars)
    scale = _scale(bars)
    baseline = top_pad + (plot // 2 if has_negative else plot)
    reach = plot // 2 if has_negative else plot
    # room at both ends for the first and last axis labels
    side = 18
    slot = (WIDTH - 2 * side) / count
    width = min(max(slot * 0.7, 1.0), MAX_COLUMN)
    body = [f'<line class="axis" x1="0" y1="{baseline}" x2="{WIDTH}" y2="{baseline}" />']
    for index, bar in enumerate(bars):
        value = Decimal(bar.value)
        size = float(abs(value) / scale) * reach
        x = side + index * slot + (slot - width) / 2
        y = baseline - size if value >= 0 else baseline
        body.append(
            format_html(
                '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
                bar.css_class,
                f"{x:.1f}",
                f"{y:.1f}",
                f"{width:.1f}",
                f"{max(size, 0.5):.1f}",
                bar.label,
                bar.text,
            )
        )
        if count <= 8:
            # Few bars: the figure above each one.
            body.append(
                format_html(
                    '<text class="value" x="{}" y="{}" text-anchor="middle" font-size="{}">{}</text>',
                    f"{x + width / 2:.1f}",
                    f"{max(y - 3, FONT):.1f}",
                    FONT,
                    bar.text,
                )
            )
        if index % every == 0 or index == count - 1:
            body.append(
                format_html(
                    '<text class="tick" x="{}" y="{}" text-anchor="middle" font-size="{}">{}</text>',
                    f"{x + width / 2:.1f}",
                    height - 6,
                    FONT,
                    bar.label,
                )
            )
    return _svg(title, bars, height, body, "column-chart")


def bar_chart(title: str, bars: Sequence[Bar], *, label_width: int = 170) -> SafeString:
    """Horizontal bars, one per row, the label on the left and the figure at the end of the bar.
    Used for the top products and the goods in transit by supplier."""
    row = 20
    height = max(len(bars), 1) * row + 4
    value_room = 90
    reach = WIDTH - label_width - value_room
    scale = _scale(bars)
    body = []
    for index, bar in enumerate(bars):
        y = 2 + index * row
        size = max(float(abs(Decimal(bar.value)) / scale) * reach, 0.5)
        label = bar.label if len(bar.label) <= 24 else bar.label[:23] + "…"
        body.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="end" font-size="{}">{}</text>'
                '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>'
                '<text class="value" x="{}" y="{}" font-size="{}">{}</text>',
                label_width - 6,
                y + 13,
                FONT,
                label,
                bar.css_class,
                label_width,
                y + 2,
                f"{size:.1f}",
                row - 6,
                bar.label,
                bar.text,
                f"{label_width + size + 4:.1f}",
                y + 13,
                FONT,
                bar.text,
            )
        )
    return _svg(title, bars, height, body, "bar-chart")
