"""End to end in headless chromium: a coordinator moves an outcome across the board; the
workshop attendance chart draws in German."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import browser_login, browser_test
from quality.models import Outcome, OutcomeTransition
from quality.tests.factories import (
    OutcomeFactory,
    RegistrationFactory,
    WorkshopFactory,
    WorkshopSessionFactory,
)
from registry.tests.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def test_coordinator_moves_outcome_across_the_board(page, coordinator_a, muni_a):
    outcome = OutcomeFactory(municipality=muni_a, text="Gefährdungseinschätzungsbogen Muster")
    browser_login(page, "koordination-a")
    page.goto(page.base_url + "/qualitaet/ergebnisse/")
    card = f"#outcome-{outcome.pk}"
    assert page.locator(f"#column-planned {card}").count() == 1

    # Drag the card into "in Umsetzung" (htmx re-renders the board).
    page.drag_and_drop(card, "#column-in_progress")
    page.wait_for_selector(f"#column-in_progress {card}")
    assert "in Umsetzung" in page.inner_text("#board-live")

    # The buttons do the same without dragging.
    page.click(f"{card} button[data-to=achieved]")
    page.wait_for_selector(f"#column-achieved {card}")

    outcome.refresh_from_db()
    assert outcome.status == "achieved" and outcome.version == 3
    steps = list(OutcomeTransition.objects.filter(outcome=outcome).order_by("at"))
    assert [s.to_status for s in steps] == ["in_progress", "achieved"]
    assert Outcome.objects.get(pk=outcome.pk).status_changed_at is not None

    # Dropping where the lifecycle does not lead is refused in words, nothing changes.
    page.drag_and_drop(card, "#column-planned")
    page.wait_for_function(
        "document.getElementById('board-live').innerText.includes('nicht erlaubt')"
    )
    outcome.refresh_from_db()
    assert outcome.status == "achieved"


def test_attendance_chart_draws_in_german(page, muni_a, coordinator_a):
    workshop = WorkshopFactory(municipality=muni_a)
    institutions = [InstitutionFactory(municipality=muni_a) for _ in range(3)]
    now = timezone.now()
    for days, count in ((150, 3), (90, 1), (30, 2)):
        start = now - dt.timedelta(days=days)
        session = WorkshopSessionFactory(
            workshop=workshop, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
        for institution in institutions[:count]:
            RegistrationFactory(session=session, institution=institution, attended=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, "koordination-a")
    page.goto(f"{page.base_url}/qualitaet/werkstaetten/{workshop.pk}/teilnahme/")
    assert page.get_attribute("html", "lang") == "de"
    chart = page.locator("svg", has_text="Teilnehmende und Einrichtungen je Termin").first
    # Drawn: the browser parsed every coordinate, so the bars have real, differing heights.
    heights = chart.locator("rect").evaluate_all(
        "rs => rs.map(r => r.getBBox().height).filter(h => h > 0)"
    )
    assert len(heights) >= 6 and len(set(round(h) for h in heights)) >= 3
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    # German figures are for people (text), never for coordinates (attributes).
    attributes = chart.evaluate(
        "svg => [...svg.querySelectorAll('*')].flatMap(e => ['x','y','width','height',"
        "'x1','x2','y1','y2','points','d','viewBox'].map(a => e.getAttribute(a)).filter(Boolean))"
    )
    assert attributes and not any("," in a and a.count(",") % 2 for a in attributes)
    assert errors == []
