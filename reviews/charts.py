"""Inline SVG bar charts that work offline (no JavaScript, no CDN).

Each bar carries its number as text, and suppressed values are drawn as a hatched stub
labelled "< n", so no information depends on colour alone.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 300
CHART_WIDTH = 640


def bar_chart(
    rows: list[tuple[str, int | None]], *, title: str, minimum: int | None = None
) -> SafeString:
    """A horizontal bar chart; ``None`` values are shown as suppressed small counts."""
    if not rows:
        return mark_safe("")  # noqa: S308 – constant
    values = [v for _label, v in rows if v is not None]
    top = max(values) if values else 1
    width = CHART_WIDTH - LABEL_WIDTH - 60
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    small = _("< Mindestzahl") if minimum is None else f"< {minimum}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#777" '
        'stroke-width="2"/></pattern></defs>',
    ]
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        text_y = y + BAR_HEIGHT * 0.7
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y:.0f}" text-anchor="end" '
            f'font-size="13">{escape(short)}</text>'
        )
        if value is None:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="24" height="{BAR_HEIGHT}" '
                f'fill="url(#hatch)" stroke="#777"/>'
                f'<text x="{LABEL_WIDTH + 30}" y="{text_y:.0f}" font-size="13">'
                f"{escape(small)}</text>"
            )
            continue
        bar = max(2, round(width * value / top)) if top else 2
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" fill="#2f5d8a">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{text_y:.0f}" font-size="13">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 – every text above is escaped
