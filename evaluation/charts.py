"""Inline SVG charts that print well: no JavaScript, no library, black-and-white safe.

Every bar carries its value as text, spread is drawn as a whisker, and series are told
apart by pattern and label as well as by colour, so a greyscale printout (and a screen
reader reading the ``<title>``/``<desc>``) loses nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FILLS = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#404040")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4")


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def _clip(text: str, limit: int = 42) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrap(text: str, width: int = 24, lines: int = 2) -> list[str]:
    """Break an axis label into at most two short lines so it stays inside the chart."""
    result: list[str] = []
    for word in text.split():
        if result and len(result[-1]) + 1 + len(word) <= width:
            result[-1] += " " + word
        else:
            result.append(word)
    if len(result) > lines:
        result = result[: lines - 1] + [_clip(" ".join(result[lines - 1 :]), width)]
    return [_clip(line, width) for line in result]


def bar_chart(
    rows: Sequence[tuple[str, float | None, float | None]],
    *,
    scale_min: int,
    scale_max: int,
    title: str,
    width: int = 640,
) -> SafeString:
    """Horizontal bars (mean) with a whisker (± one standard deviation) per row."""
    label_w, right = 270, 60
    plot_w = width - label_w - right
    row_h = 28
    height = 30 + row_h * len(rows) + 24
    span = scale_max - scale_min or 1

    def x(value: float) -> float:
        return label_w + plot_w * (min(max(value, scale_min), scale_max) - scale_min) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(scale_min, scale_max + 1):
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" y1="22" x2="{tx:.1f}" y2="{height - 22}" '
            'stroke="#bbb" stroke-width="1"/>'
            f'<text x="{tx:.1f}" y="{height - 6}" font-size="11" text-anchor="middle">{tick}</text>'
        )
    for i, (label, mean, sd) in enumerate(rows):
        y = 26 + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"<title>{escape(str(label))}</title>{escape(_clip(label, 38))}</text>"
        )
        if mean is None:
            parts.append(
                f'<text x="{label_w + 6}" y="{y + 15}" font-size="11" font-style="italic">'
                f"{escape(_('nicht angezeigt (zu wenige Antworten)'))}</text>"
            )
            continue
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{x(mean) - label_w:.1f}" height="16" '
            f'fill="{FILLS[0]}" fill-opacity="0.75" stroke="#000" stroke-width="0.5">'
            f"<title>{escape(str(label))}: {_fmt(mean)}</title></rect>"
        )
        if sd is not None:
            lo, hi = x(mean - sd), x(mean + sd)
            parts.append(
                f'<path d="M{lo:.1f} {y + 11}H{hi:.1f}M{lo:.1f} {y + 6}V{y + 16}'
                f'M{hi:.1f} {y + 6}V{y + 16}" stroke="#000" stroke-width="1.2" fill="none"/>'
            )
        parts.append(
            f'<text x="{width - right + 8}" y="{y + 15}" font-size="12">{_fmt(mean)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 – every text above is escaped


def radar_chart(
    axes: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    scale_min: int,
    scale_max: int,
    title: str,
    size: int = 420,
) -> SafeString:
    """A radar (spider) chart of dimension means; one dashed outline per series."""
    n = len(axes)
    if n < 3:
        return mark_safe("")
    pad = 110  # room for the axis labels left and right
    width = size + 2 * pad
    cx, cy = width / 2, size / 2
    radius = size / 2 - 50
    span = scale_max - scale_min or 1

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * (value - scale_min) / span
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart radar" role="img" '
        f'viewBox="0 0 {width} {size + 20 * len(series)}" width="100%" '
        f'style="max-width:{width}px">',
        f"<title>{escape(title)}</title>",
    ]
    for level in range(scale_min, scale_max + 1):
        ring = " ".join(f"{a:.1f},{b:.1f}" for a, b in (point(i, level) for i in range(n)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#ccc" stroke-width="1"/>')
    for i, label in enumerate(axes):
        ex, ey = point(i, scale_max)
        anchor = "middle" if abs(ex - cx) < 10 else ("start" if ex > cx else "end")
        lx, ly = point(i, scale_max + span * 0.1)
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="#ccc"/>'
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" font-size="11" text-anchor="{anchor}">'
            f"<title>{escape(str(label))}</title>"
            + "".join(
                f'<tspan x="{lx:.1f}" dy="{0 if n == 0 else 13}">{escape(line)}</tspan>'
                for n, line in enumerate(_wrap(str(label)))
            )
            + "</text>"
        )
    for s, (name, values) in enumerate(series):
        pts = [point(i, v) for i, v in enumerate(values) if v is not None]
        if len(pts) < 3:
            continue
        colour, dash = FILLS[s % len(FILLS)], DASHES[s % len(DASHES)]
        ring = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
        parts.append(
            f'<polygon points="{ring}" fill="{colour}" fill-opacity="0.05" stroke="{colour}" '
            f'stroke-width="{3 if s == 0 else 1.6}" stroke-dasharray="{dash}">'
            f"<title>{escape(name)}</title></polygon>"
        )
        ly = size + 20 * s + 4
        parts.append(
            f'<line x1="20" y1="{ly}" x2="60" y2="{ly}" stroke="{colour}" stroke-width="3" '
            f'stroke-dasharray="{dash}"/><text x="68" y="{ly + 4}" font-size="12">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 – every text above is escaped


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    scale_min: int,
    scale_max: int,
    title: str,
    width: int = 640,
) -> SafeString:
    """One group of horizontal bars per dimension, one bar per round or commune.

    Series differ in fill *and* stroke pattern, and every bar ends in its number, so the
    chart reads in greyscale; a missing value says "zu wenige Antworten" in words.
    """
    label_w, right = 270, 60
    plot_w = width - label_w - right
    bar_h, gap = 12, 12
    group_h = bar_h * len(series) + gap
    legend_h = 18 * len(series) + 8
    height = 26 + group_h * len(categories) + 22 + legend_h
    span = scale_max - scale_min or 1

    def x(value: float) -> float:
        return label_w + plot_w * (min(max(value, scale_min), scale_max) - scale_min) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%">',
        f"<title>{escape(title)}</title>",
    ]
    axis_bottom = 26 + group_h * len(categories)
    for tick in range(scale_min, scale_max + 1):
        tx = x(tick)
        parts.append(
            f'<line x1="{tx:.1f}" y1="20" x2="{tx:.1f}" y2="{axis_bottom}" stroke="#bbb"/>'
            f'<text x="{tx:.1f}" y="{axis_bottom + 14}" font-size="11" '
            f'text-anchor="middle">{tick}</text>'
        )
    for c, category in enumerate(categories):
        top = 26 + c * group_h
        mid = top + bar_h * len(series) / 2
        parts.append(
            f'<text x="{label_w - 8}" y="{mid + 4:.1f}" font-size="12" text-anchor="end">'
            f"<title>{escape(str(category))}</title>{escape(_clip(category, 38))}</text>"
        )
        for s, (name, values) in enumerate(series):
            value = values[c] if c < len(values) else None
            y = top + s * bar_h
            colour, dash = FILLS[s % len(FILLS)], DASHES[s % len(DASHES)]
            if value is None:
                parts.append(
                    f'<text x="{label_w + 4}" y="{y + 10}" font-size="9" font-style="italic">'
                    f"{escape(name)}: {escape(_('zu wenige Antworten'))}</text>"
                )
                continue
            parts.append(
                f'<rect x="{label_w}" y="{y + 1}" width="{x(value) - label_w:.1f}" '
                f'height="{bar_h - 2}" fill="{colour}" fill-opacity="{0.85 - 0.2 * (s % 3):.2f}" '
                f'stroke="#000" stroke-width="0.8" stroke-dasharray="{dash}">'
                f"<title>{escape(name)} – {escape(str(category))}: {_fmt(value)}</title></rect>"
                f'<text x="{x(value) + 4:.1f}" y="{y + 10}" font-size="10">{_fmt(value)}</text>'
            )
    for s, (name, _values) in enumerate(series):
        ly = axis_bottom + 30 + 18 * s
        colour, dash = FILLS[s % len(FILLS)], DASHES[s % len(DASHES)]
        parts.append(
            f'<rect x="{label_w}" y="{ly - 9}" width="28" height="10" fill="{colour}" '
            f'fill-opacity="{0.85 - 0.2 * (s % 3):.2f}" stroke="#000" stroke-width="0.8" '
            f'stroke-dasharray="{dash}"/><text x="{label_w + 36}" y="{ly}" font-size="12">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 – every text above is escaped
