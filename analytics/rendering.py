"""Process maps and hand-over graphs as Graphviz DOT and SVG, and duration labels.

SVG comes from ``core.graphviz.dot_to_svg``; callers catch ``GraphvizUnavailable`` and
fall back to the DOT download and the interactive (JavaScript) view.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from analytics.engine import ProcessMap
from core.graphviz import dot_quote, dot_to_svg

START, END = "__start__", "__end__"


def format_duration(seconds: float | None) -> str:
    """Human-readable duration in the active language: 45 min, 5,2 h, 3,4 Tage (5.2 h …)."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return _("%(value)s min") % {"value": number_format(round(seconds / 60), 0)}
    # number_format cuts digits off instead of rounding, hence round() first.
    if seconds < 48 * 3600:
        return _("%(value)s h") % {"value": number_format(round(seconds / 3600, 1), 1)}
    return _("%(value)s Tage") % {"value": number_format(round(seconds / 86400, 1), 1)}


def interactive_labels() -> dict[str, str]:
    """Texts of the interactive map (processmap.js) in the active language."""
    return {
        "min_edges": _("Übergänge ab Häufigkeit"),
        "min_activities": _("Aktivitäten ab Häufigkeit"),
        # {activities}, {all_activities}, {edges}, {all_edges} are filled in by the script.
        "shown": _(
            "{activities} von {all_activities} Aktivitäten und {edges} von {all_edges}"
            " Übergängen sichtbar."
        ),
        "map_keys": _(
            "Pfeiltasten verschieben die Karte, Plus und Minus zoomen, 0 zeigt die ganze Karte."
        ),
        "zoom_in": _("Vergrößern"),
        "zoom_out": _("Verkleinern"),
        "zoom_reset": _("Ganze Karte"),
        "events": _("{n} Ereignisse"),
        "label": _("Beschriftung"),
        "count": _("Anzahl"),
        "mean": _("Dauer Mittelwert"),
        "median": _("Dauer Median"),
        "p90": _("Dauer 90. Perzentil"),
        "hint": _("Klicken Sie auf eine Aktivität, um ihre Übergänge hervorzuheben."),
        "none": _("Keine Aktivität ausgewählt."),
        # {name}, {events}, {in}, {out} are filled in by the script.
        "selected": _("{name}: {events} Ereignisse, {in} Übergänge hinein, {out} hinaus."),
        "map": _("Interaktive Prozesslandkarte"),
        "start": _("Start"),
        "end": _("Ende"),
        "minutes": _("%(value)s min"),
        "hours": _("%(value)s h"),
        "days": _("%(value)s Tage"),
        "decimal": get_format("DECIMAL_SEPARATOR"),
    }


def _width(value: float, top: float) -> float:
    return round(1 + 5 * (value / top if top else 0), 2)


def process_map_dot(result: ProcessMap, *, metric: str = "frequency") -> str:
    """DOT of the directly-follows graph; ``metric`` = ``frequency`` or ``performance``."""
    lines = [
        "digraph processmap {",
        '  graph [rankdir=TB, fontname="Helvetica", bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef4fb", color="#2b5d8a",'
        ' fontname="Helvetica", fontsize=11];',
        '  edge [color="#445566", fontname="Helvetica", fontsize=10];',
        f'  {dot_quote(START)} [id="pm-start", label={dot_quote(_("Start"))}, shape=circle,'
        ' fillcolor="#d9f2d9", width=0.5];',
        f'  {dot_quote(END)} [id="pm-end", label={dot_quote(_("Ende"))}, shape=doublecircle,'
        ' fillcolor="#f7dada", width=0.5];',
    ]
    # The ids (pm-n<i>, pm-e<i>, pm-s<i>, pm-x<i>) are what processmap.js finds the SVG's
    # nodes and edges by: the order is that of ``ProcessMap.as_json``.
    for index, (name, count) in enumerate(result.activities.items()):
        label = dot_quote(f"{name}\n{count}")
        lines.append(f'  {dot_quote(name)} [id="pm-n{index}", label={label}];')
    top = max((e["count"] for e in result.edges), default=1)
    for index, edge in enumerate(result.edges):
        if metric == "performance":
            label = format_duration(edge["mean_seconds"])
        else:
            label = str(edge["count"])
        lines.append(
            f"  {dot_quote(edge['source'])} -> {dot_quote(edge['target'])} "
            f'[id="pm-e{index}", label={dot_quote(label)}, '
            f"penwidth={_width(edge['count'], top)}];"
        )
    starts = [(n, c) for n, c in result.start_activities.items() if n in result.activities]
    for index, (name, count) in enumerate(starts):
        lines.append(
            f'  {dot_quote(START)} -> {dot_quote(name)} [id="pm-s{index}", '
            f"label={dot_quote(str(count))}, style=dashed];"
        )
    ends = [(n, c) for n, c in result.end_activities.items() if n in result.activities]
    for index, (name, count) in enumerate(ends):
        lines.append(
            f'  {dot_quote(name)} -> {dot_quote(END)} [id="pm-x{index}", '
            f"label={dot_quote(str(count))}, style=dashed];"
        )
    lines.append("}")
    return "\n".join(lines)


def handover_dot(rows: list[dict[str, Any]]) -> str:
    """DOT of hand-overs between institutions: edge label = count and median waiting time."""
    lines = [
        "digraph handovers {",
        '  graph [rankdir=LR, fontname="Helvetica", bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#fdf3e1", color="#8a5a2b",'
        ' fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10, color="#555555"];',
    ]
    top = max((r["count"] for r in rows), default=1)
    for row in rows:
        label = f"{row['count']} · {format_duration(row['median_seconds'])}"
        lines.append(
            f"  {dot_quote(row['source'])} -> {dot_quote(row['target'])} "
            f"[label={dot_quote(label)}, penwidth={_width(row['count'], top)}];"
        )
    lines.append("}")
    return "\n".join(lines)


def svg_from_dot(dot: str) -> str:
    """SVG without the XML prolog, ready to inline in a page (raises GraphvizUnavailable)."""
    svg = dot_to_svg(dot)
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
