"""PDFs that never cut: laid out by WeasyPrint itself, every box stays inside the page's
content area, and a table that runs over a page break repeats its header row there
(issue 17: the evaluation PDF cut a table; the organigram printed cut off)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from evaluation.models import Answer, Response
from evaluation.tests.factories import RoundFactory, example_framework
from registry.tests.factories import InstitutionFactory
from roles.choices import RoleFunction
from roles.models import NetworkRole

MM = 96 / 25.4  # CSS px per millimetre


def _layout(html: str) -> Any:
    from weasyprint import HTML

    return HTML(string=html).render()


def _overflow(document: Any) -> list[str]:
    """Boxes reaching past the right edge of their page's content area."""
    problems = []
    for number, page in enumerate(document.pages, start=1):
        root = page._page_box.children[0]
        edge = root.position_x + root.margin_width() + 0.5
        for box in root.descendants():
            right = box.position_x + box.margin_width()
            if right > edge:
                tag = getattr(box, "element_tag", "?")
                problems.append(f"page {number}: <{tag}> ends at {right:.0f} > {edge:.0f} px")
    return problems


def _table_fragments(document: Any) -> list[tuple[int, bool]]:
    """(page, starts with its header row) for each table box on each page."""
    fragments = []
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if type(box).__name__ == "TableBox":
                first = box.children[0] if box.children else None
                fragments.append((number, bool(first is not None and first.is_header)))
    return fragments


@pytest.fixture
def captured_html(monkeypatch):
    """The HTML a view hands to WeasyPrint, kept for the layout checks."""
    import weasyprint

    seen: list[str] = []
    original = weasyprint.HTML

    def _html(*args, **kwargs):
        seen.append(kwargs.get("string") or args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", _html)
    return seen


def _fill_every_statement(evaluation_round, sheets: int = 3) -> None:
    definition = evaluation_round.framework.definition
    for index in range(sheets):
        response = Response.objects.create(
            round=evaluation_round, institution_type="youth_office", submitted_on=date(2026, 3, 1)
        )
        Answer.objects.bulk_create(
            Answer(
                response=response,
                round=evaluation_round,
                institution_type="youth_office",
                dimension_key=dimension["key"],
                statement_key=statement["key"],
                value=1 + (index + position) % 5,
            )
            for dimension in definition["dimensions"]
            for position, statement in enumerate(dimension["statements"])
        )


def test_evaluation_pdf_keeps_tables_whole_and_repeats_their_header(
    client, coordinator_a, muni_a, captured_html
):
    evaluation_round = RoundFactory(municipality=muni_a, framework=example_framework())
    _fill_every_statement(evaluation_round)
    client.force_login(coordinator_a)
    response = client.get(reverse("evaluation:round_results_pdf", args=[evaluation_round.code]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    document = _layout(captured_html[-1])
    assert len(document.pages) >= 2
    assert _overflow(document) == []
    fragments = _table_fragments(document)
    assert fragments and all(header for _page, header in fragments), fragments
    # At least one table runs over a page break, so the repeated header was really needed.
    pages_per_table = [page for page, _header in fragments]
    assert len(pages_per_table) > len(set(pages_per_table)) or len(document.pages) > 2


@pytest.mark.parametrize(("query", "width_mm"), [("", 297), ("?papier=a3", 420)])
def test_organigram_pdf_fits_a4_or_a3_landscape(
    client, coordinator_a, muni_a, captured_html, query, width_mm
):
    office = InstitutionFactory(municipality=muni_a, name="Jugendamt A")
    top = NetworkRole.objects.create(
        municipality=muni_a, function=RoleFunction.ASD, title="Koordination", institution=office
    )
    for n in range(14):  # wide: fourteen roles report to the top
        NetworkRole.objects.create(
            municipality=muni_a,
            function=RoleFunction.ASD,
            title=f"Fachdienst mit langem Namen {n}",
            institution=office,
            reports_to=top,
            responsibilities="Erreichbar im Kinderschutzfall, vertritt die Leitung. " * 3,
        )
    client.force_login(coordinator_a)
    url = reverse("roles:organigram_export", args=[muni_a.slug, "pdf"]) + query
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    if query:
        assert "-a3.pdf" in response["Content-Disposition"]
    document = _layout(captured_html[-1])
    assert round(document.pages[0].width / MM) == width_mm
    assert _overflow(document) == []
    assert all(header for _page, header in _table_fragments(document))


def test_organigram_pdf_paper_is_chosen_from_a_fixed_list(client, coordinator_a, muni_a):
    office = InstitutionFactory(municipality=muni_a, name="Jugendamt A")
    NetworkRole.objects.create(
        municipality=muni_a, function=RoleFunction.ASD, title="Koordination", institution=office
    )
    client.force_login(coordinator_a)
    url = reverse("roles:organigram_export", args=[muni_a.slug, "pdf"]) + "?papier=A0"
    response = client.get(url)
    # Unknown paper falls back to A4 (nothing from the query string reaches the CSS).
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('rollen-musterstadt-a.pdf"')


@pytest.mark.parametrize(("query", "width_mm"), [("", 297), ("?papier=a3", 420)])
def test_network_map_pdf_fits_a4_or_a3_landscape(
    client, coordinator_a, muni_a, coordinator_b, query, width_mm, monkeypatch
):
    from network.tests.factories import AgreementFactory

    seen: list[str] = []
    import network.views

    original = network.views.html_to_pdf

    def _capture(html: str) -> bytes:
        seen.append(html)
        return original(html)

    monkeypatch.setattr(network.views, "html_to_pdf", _capture)
    offices = [
        InstitutionFactory(municipality=muni_a, name=f"Einrichtung mit langem Namen {n}")
        for n in range(12)
    ]
    for n in range(0, 12, 2):
        AgreementFactory(municipality=muni_a, title=f"Vereinbarung {n}").institutions.set(
            offices[n : n + 3]
        )
    url = reverse("network:network_export", args=[muni_a.slug, "pdf"]) + query
    client.force_login(coordinator_a)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('-a3.pdf"' if query else 'a.pdf"')
    document = _layout(seen[-1])
    assert round(document.pages[0].width / MM) == width_mm
    assert _overflow(document) == []
    assert all(header for _page, header in _table_fragments(document))
    assert "Einrichtung mit langem Namen 11" in seen[-1]
    # Another commune's coordination gets no PDF of this network.
    client.force_login(coordinator_b)
    assert client.get(url).status_code in (403, 404)
