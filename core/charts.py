"""Inline SVG charts every app shares: no JavaScript, no library, no CDN, print-safe.

Charts are built here in Python and handed to the template as one safe string; a template
never writes a coordinate. A template localises numbers (German "12,5"), and an SVG
attribute with a decimal comma is invalid: the browser draws nothing. Every coordinate
goes through :func:`coord` (a decimal point whatever the language), every text through
``escape``, and every number people read through :func:`number` (the language's format).

Series are told apart by fill *and* dash pattern, every bar carries its value as text, and
the chart has a ``<title>`` (and optionally a ``<desc>``), so greyscale printouts and
screen readers lose nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FILLS = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#404040")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4")
HATCH = (
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#777" '
    'stroke-width="2"/></pattern></defs>'
)


def coord(value: float) -> str:
    """A coordinate for an SVG attribute: decimal point, one decimal at most, never localised."""
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def number(value: float | None, decimals: int = 1) -> str:
    """A value as people read it, in the active language ("3,5" / "3.5"); "–" for none."""
    if value is None:
        return "–"
    return formats.number_format(value, decimals)


def clip(text: str, limit: int = 42) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrap(text: str, width: int = 24, lines: int = 2) -> list[str]:
    """Break a label into at most ``lines`` short lines so it stays inside the chart."""
    result: list[str] = []
    for word in str(text).split():
        if result and len(result[-1]) + 1 + len(word) <= width:
            result[-1] += " " + word
        else:
            result.append(word)
    if len(result) > lines:
        result = result[: lines - 1] + [clip(" ".join(result[lines - 1 :]), width)]
    return [clip(line, width) for line in result]


def linear(lo: float, hi: float, start: float, length: float) -> Callable[[float], float]:
    """Map ``lo``…``hi`` onto ``start``…``start + length``, clamping values outside."""
    span = (hi - lo) or 1

    def scale(value: float) -> float:
        return start + length * (min(max(value, lo), hi) - lo) / span

    return scale


def _attr(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return coord(value)
    return escape(str(value))


def el(
    tag: str,
    text: object = "",
    *,
    tooltip: str = "",
    children: Iterable[str] = (),
    **attrs: object,
) -> SafeString:
    """One SVG element. Numbers in ``attrs`` become coordinates (:func:`coord`); a
    trailing underscore is dropped and inner underscores become hyphens
    (``font_size`` → ``font-size``, ``class_`` → ``class``); text and tooltip are escaped;
    ``children`` must be built with :func:`el` (anything else is escaped)."""
    parts = [f"<{tag}"]
    for name, value in attrs.items():
        if value is None:
            continue
        parts.append(f' {name.rstrip("_").replace("_", "-")}="{_attr(value)}"')
    inner = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    inner += "".join(c if isinstance(c, SafeString) else escape(str(c)) for c in children)
    inner += escape(str(text)) if text != "" else ""
    parts.append(f">{inner}</{tag}>" if inner else "/>")
    return mark_safe("".join(parts))  # noqa: S308 – every value above is escaped


class Svg:
    """An ``<svg role="img">`` with its title (and optional description) being filled."""

    def __init__(
        self,
        width: float,
        height: float,
        *,
        title: str,
        desc: str = "",
        css_class: str = "chart",
        max_width: bool = False,
        defs: str = "",
    ) -> None:
        style = f' style="max-width:{coord(width)}px"' if max_width else ""
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="{escape(css_class)}" '
            f'viewBox="0 0 {coord(width)} {coord(height)}" width="100%"{style} '
            f'aria-label="{escape(title)}">',
            f"<title>{escape(title)}</title>",
        ]
        if desc:
            self.parts.append(f"<desc>{escape(desc)}</desc>")
        if defs:
            self.parts.append(defs)

    def add(self, *elements: SafeString) -> None:
        self.parts.extend(elements)

    def render(self) -> SafeString:
        return mark_safe("".join([*self.parts, "</svg>"]))  # noqa: S308 – built escaped


def count_bars(
    rows: Sequence[tuple[str, int | None]],
    *,
    title: str,
    minimum: int | None = None,
    width: int = 640,
) -> SafeString:
    """Horizontal bars of counts; ``None`` is a count suppressed as too small.

    A suppressed count is a hatched stub labelled "< n" (the publication minimum), so no
    information depends on colour alone.
    """
    if not rows:
        return mark_safe("")  # noqa: S308 – constant
    bar_h, gap, label_w = 22, 6, 300
    values = [v for _label, v in rows if v is not None]
    top = max(values) if values else 1
    plot_w = width - label_w - 60
    small = _("< Mindestzahl") if minimum is None else f"< {minimum}"
    svg = Svg(width, len(rows) * (bar_h + gap) + gap, title=title, defs=HATCH)
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        text_y = round(y + bar_h * 0.7)
        svg.add(
            el("text", clip(label, 34), x=label_w - 8, y=text_y, text_anchor="end", font_size=13)
        )
        if value is None:
            svg.add(
                el(
                    "rect",
                    x=label_w,
                    y=y,
                    width=24,
                    height=bar_h,
                    fill="url(#hatch)",
                    stroke="#777",
                ),
                el("text", small, x=label_w + 30, y=text_y, font_size=13),
            )
            continue
        bar = max(2, round(plot_w * value / top)) if top else 2
        svg.add(
            el(
                "rect",
                tooltip=f"{label}: {value}",
                x=label_w,
                y=y,
                width=bar,
                height=bar_h,
                fill=FILLS[0],
            ),
            el("text", value, x=label_w + bar + 6, y=text_y, font_size=13),
        )
    return svg.render()


def column_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    desc: str = "",
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Vertical bars of counts, one group per category (e.g. a session), one bar per
    series; the value axis shows 0, half and the peak. Empty without categories."""
    if not categories:
        return mark_safe("")  # noqa: S308 – constant
    left, bottom, top, right = 40, 40, 10, 10
    peak = max([1, *(v for _name, values in series for v in values)])
    y_of = linear(0, peak, height - bottom, -(height - bottom - top))
    slot = (width - left - right) / len(categories)
    bar_w = slot * 0.8 / max(len(series), 1)
    svg = Svg(width, height, title=title, desc=desc, max_width=True)
    svg.add(el("line", x1=left, y1=height - bottom, x2=width, y2=height - bottom, stroke="#333"))
    for tick in sorted({0, peak // 2, peak}):
        svg.add(el("text", tick, x=4, y=y_of(tick), font_size=11))
    for c, category in enumerate(categories):
        x0 = left + c * slot + slot * 0.1
        for s, (name, values) in enumerate(series):
            value = values[c]
            svg.add(
                el(
                    "rect",
                    tooltip=f"{category}: {value} {name}",
                    x=x0 + s * bar_w,
                    y=y_of(value),
                    width=bar_w,
                    height=height - bottom - y_of(value),
                    fill=FILLS[0] if s == 0 else "#8bb9e3",
                    stroke=FILLS[0],
                    stroke_dasharray=DASHES[s % len(DASHES)] or None,
                )
            )
        svg.add(
            el(
                "text",
                category,
                x=left + c * slot + slot / 2,
                y=height - bottom + 16,
                text_anchor="middle",
                font_size=11,
            )
        )
    return svg.render()
