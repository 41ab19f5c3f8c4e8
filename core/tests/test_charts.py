"""Inline SVG charts: every coordinate is a plain number in every language.

A template localises floats ("12,5" in German), and the browser draws nothing for a
coordinate with a decimal comma: the workshop attendance chart was blank in German.
"""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.charts import column_chart, coord, count_bars, el, number
from evaluation.charts import bar_chart, grouped_bars, radar_chart

NUMERIC = {"x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy", "r", "dy"}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def assert_coordinates_parse(markup: str) -> int:
    """Parse every SVG in ``markup``; each coordinate must be a float. Returns how many."""
    svgs = re.findall(r"<svg.*?</svg>", markup, flags=re.S)
    assert svgs, "no chart in the markup"
    count = 0
    for svg in svgs:
        root = ET.fromstring(svg)  # noqa: S314 – our own markup
        view = root.get("viewBox").split()
        assert len(view) == 4 and all(NUMBER.match(v) for v in view), view
        assert root.get("width") == "100%"
        for node in root.iter():
            for name, value in node.attrib.items():
                if node is root and name == "width":
                    continue
                if name in NUMERIC:
                    assert NUMBER.match(value), f"{node.tag} {name}={value!r}"
                    float(value)
                    count += 1
                elif name == "points":
                    for pair in value.split():
                        a, b = pair.split(",")
                        assert NUMBER.match(a) and NUMBER.match(b), value
                        count += 1
                elif name == "d":
                    for token in re.findall(r"[A-Za-z]|[^A-Za-z\s]+", value):
                        assert token.isalpha() or NUMBER.match(token), value
                        count += 1
    return count


def test_coord_never_localises():
    with translation.override("de"):
        assert coord(12.5) == "12.5"
        assert coord(3) == "3"
        assert coord(2 / 3) == "0.7"
        assert number(3.25, 2) == "3,25"
    with translation.override("en"):
        assert number(3.5) == "3.5"
    assert number(None) == "–"


def test_el_escapes_text_and_attributes_and_names_attributes():
    markup = el("text", "<b>&", tooltip='"x"', x=1.25, font_size=11, class_="a<b")
    assert markup == (
        '<text x="1.2" font-size="11" class="a&lt;b"><title>&quot;x&quot;</title>'
        "&lt;b&gt;&amp;</text>"
    )
    assert el("rect", x=1, stroke_dasharray=None) == '<rect x="1"/>'


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_chart_writes_parseable_coordinates(language):
    with translation.override(language):
        scale = {"scale_min": 1, "scale_max": 5, "title": "t"}
        charts = [
            count_bars([("Ebene 1", 7), ("Ebene 2", None), ("Ebene 3", 3)], title="t", minimum=5),
            column_chart(
                ["01/26", "02/26", "03/26"], [("a", [3, 5, 7]), ("b", [1, 2, 3])], title="t"
            ),
            bar_chart([("A", 3.33, 0.71), ("B", None, None), ("C", 1.5, None)], **scale),
            radar_chart(
                ["A", "B lange Beschriftung mit vielen Wörtern", "C"],
                [("s", [3.3, 2.7, 4.1]), ("t", [1.1, None, 2.2])],
                **scale,
            ),
            grouped_bars(["A", "B"], [("r1", [2.25, None]), ("r2", [3.75, 4.5])], **scale),
        ]
        for chart in charts:
            assert assert_coordinates_parse(chart) > 5
        # People read the values in their language.
        assert ("3,3" if language == "de" else "3.3") in charts[2]


def test_empty_charts_are_empty():
    assert count_bars([], title="t") == ""
    assert column_chart([], [], title="t") == ""
    assert radar_chart(["A", "B"], [], scale_min=1, scale_max=5, title="t") == ""


def test_count_bars_show_suppressed_counts_as_hatched_stub():
    chart = count_bars([("klein", None), ("groß", 12)], title="Titel", minimum=5)
    assert "url(#hatch)" in chart and "&lt; 5" in chart and ">12</text>" in chart
    assert "<title>Titel</title>" in chart


def test_workshop_attendance_chart_draws_in_german(client, coordinator_a, muni_a):
    from quality.tests.factories import (
        RegistrationFactory,
        WorkshopFactory,
        WorkshopSessionFactory,
    )
    from registry.tests.factories import InstitutionFactory

    workshop = WorkshopFactory(municipality=muni_a)
    institutions = [InstitutionFactory(municipality=muni_a) for _ in range(3)]
    now = timezone.now()
    # Three sessions: the slot width (590 / 3) and the bar heights are fractions.
    for days, count in ((150, 3), (90, 1), (30, 2)):
        session = WorkshopSessionFactory(
            workshop=workshop,
            starts_at=now - timedelta(days=days),
            ends_at=now - timedelta(days=days) + timedelta(hours=2),
        )
        for institution in institutions[:count]:
            RegistrationFactory(session=session, institution=institution, attended=True)
    client.force_login(coordinator_a)
    html = client.get(
        f"/qualitaet/werkstaetten/{workshop.pk}/teilnahme/", headers={"accept-language": "de"}
    ).content.decode()
    assert 'lang="de"' in html
    assert assert_coordinates_parse(html) > 20
    assert "Teilnehmende und Einrichtungen je Termin" in html
