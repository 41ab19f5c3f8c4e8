"""The evaluation's charts of scale means, built on :mod:`core.charts`.

Means on a rating scale (e.g. 1–5): bars with a whisker (± one standard deviation), one
group of bars per dimension across rounds or communes, and a radar of the dimensions.
Coordinates, escaping, patterns and number formats come from ``core.charts``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.charts import DASHES, FILLS, Svg, clip, coord, el, linear, number, wrap

LABEL_W, RIGHT = 270, 60


def _scale_ticks(
    svg: Svg, x: Callable[[float], float], scale_min: int, scale_max: int, top: float, bottom: float
) -> None:
    """A vertical grid line with its number for every point of the rating scale."""
    for tick in range(scale_min, scale_max + 1):
        svg.add(
            el("line", x1=x(tick), y1=top, x2=x(tick), y2=bottom, stroke="#bbb", stroke_width=1),
            el("text", tick, x=x(tick), y=bottom + 14, font_size=11, text_anchor="middle"),
        )


def _row_label(label: str, y: float, *, limit: int = 38) -> SafeString:
    return el(
        "text",
        clip(label, limit),
        tooltip=str(label),
        x=LABEL_W - 8,
        y=y,
        font_size=12,
        text_anchor="end",
    )


def bar_chart(
    rows: Sequence[tuple[str, float | None, float | None]],
    *,
    scale_min: int,
    scale_max: int,
    title: str,
    width: int = 640,
) -> SafeString:
    """Horizontal bars (mean) with a whisker (± one standard deviation) per row."""
    row_h = 28
    height = 30 + row_h * len(rows) + 24
    x = linear(scale_min, scale_max, LABEL_W, width - LABEL_W - RIGHT)
    svg = Svg(width, height, title=title)
    _scale_ticks(svg, x, scale_min, scale_max, 22, height - 22)
    for i, (label, mean, sd) in enumerate(rows):
        y = 26 + i * row_h
        svg.add(_row_label(label, y + 15))
        if mean is None:
            svg.add(
                el(
                    "text",
                    _("nicht angezeigt (zu wenige Antworten)"),
                    x=LABEL_W + 6,
                    y=y + 15,
                    font_size=11,
                    font_style="italic",
                )
            )
            continue
        svg.add(
            el(
                "rect",
                tooltip=f"{label}: {number(mean)}",
                x=LABEL_W,
                y=y + 3,
                width=x(mean) - LABEL_W,
                height=16,
                fill=FILLS[0],
                fill_opacity=0.75,
                stroke="#000",
                stroke_width=0.5,
            )
        )
        if sd is not None:
            lo, hi = coord(x(mean - sd)), coord(x(mean + sd))
            d = f"M{lo} {y + 11}H{hi}M{lo} {y + 6}V{y + 16}M{hi} {y + 6}V{y + 16}"
            svg.add(el("path", d=d, stroke="#000", stroke_width=1.2, fill="none"))
        svg.add(el("text", number(mean), x=width - RIGHT + 8, y=y + 15, font_size=12))
    return svg.render()


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
        return mark_safe("")  # noqa: S308 – constant
    pad = 110  # room for the axis labels left and right
    width = size + 2 * pad
    cx, cy = width / 2, size / 2
    radius = size / 2 - 50
    span = scale_max - scale_min or 1

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * (value - scale_min) / span
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def points(pts: Sequence[tuple[float, float]]) -> str:
        return " ".join(f"{coord(a)},{coord(b)}" for a, b in pts)

    svg = Svg(width, size + 20 * len(series), title=title, css_class="chart radar", max_width=True)
    for level in range(scale_min, scale_max + 1):
        ring = points([point(i, level) for i in range(n)])
        svg.add(el("polygon", points=ring, fill="none", stroke="#ccc", stroke_width=1))
    for i, label in enumerate(axes):
        ex, ey = point(i, scale_max)
        anchor = "middle" if abs(ex - cx) < 10 else ("start" if ex > cx else "end")
        lx, ly = point(i, scale_max + span * 0.1)
        lines = [
            el("tspan", line, x=lx, dy=0 if k == 0 else 13)
            for k, line in enumerate(wrap(str(label)))
        ]
        svg.add(
            el("line", x1=cx, y1=cy, x2=ex, y2=ey, stroke="#ccc"),
            el(
                "text",
                tooltip=str(label),
                children=lines,
                x=lx,
                y=ly + 4,
                font_size=11,
                text_anchor=anchor,
            ),
        )
    for s, (name, values) in enumerate(series):
        pts = [point(i, v) for i, v in enumerate(values) if v is not None]
        if len(pts) < 3:
            continue
        colour, dash = FILLS[s % len(FILLS)], DASHES[s % len(DASHES)]
        ly = size + 20 * s + 4
        svg.add(
            el(
                "polygon",
                tooltip=name,
                points=points(pts),
                fill=colour,
                fill_opacity=0.05,
                stroke=colour,
                stroke_width=3 if s == 0 else 1.6,
                stroke_dasharray=dash or None,
            ),
            el(
                "line",
                x1=20,
                y1=ly,
                x2=60,
                y2=ly,
                stroke=colour,
                stroke_width=3,
                stroke_dasharray=dash or None,
            ),
            el("text", name, x=68, y=ly + 4, font_size=12),
        )
    return svg.render()


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
    bar_h, gap = 12, 12
    group_h = bar_h * len(series) + gap
    legend_h = 18 * len(series) + 8
    axis_bottom = 26 + group_h * len(categories)
    height = axis_bottom + 22 + legend_h
    x = linear(scale_min, scale_max, LABEL_W, width - LABEL_W - RIGHT)
    svg = Svg(width, height, title=title)
    _scale_ticks(svg, x, scale_min, scale_max, 20, axis_bottom)

    def style(s: int) -> dict[str, object]:
        return {
            "fill": FILLS[s % len(FILLS)],
            "fill_opacity": f"{0.85 - 0.2 * (s % 3):.2f}",
            "stroke": "#000",
            "stroke_width": 0.8,
            "stroke_dasharray": DASHES[s % len(DASHES)] or None,
        }

    for c, category in enumerate(categories):
        top = 26 + c * group_h
        svg.add(_row_label(category, top + bar_h * len(series) / 2 + 4))
        for s, (name, values) in enumerate(series):
            value = values[c] if c < len(values) else None
            y = top + s * bar_h
            if value is None:
                svg.add(
                    el(
                        "text",
                        f"{name}: {_('zu wenige Antworten')}",
                        x=LABEL_W + 4,
                        y=y + 10,
                        font_size=9,
                        font_style="italic",
                    )
                )
                continue
            svg.add(
                el(
                    "rect",
                    tooltip=f"{name} – {category}: {number(value)}",
                    x=LABEL_W,
                    y=y + 1,
                    width=x(value) - LABEL_W,
                    height=bar_h - 2,
                    **style(s),
                ),
                el("text", number(value), x=x(value) + 4, y=y + 10, font_size=10),
            )
    for s, (name, _values) in enumerate(series):
        ly = axis_bottom + 30 + 18 * s
        svg.add(
            el("rect", x=LABEL_W, y=ly - 9, width=28, height=10, **style(s)),
            el("text", name, x=LABEL_W + 36, y=ly, font_size=12),
        )
    return svg.render()
