"""The interactive network map draws the commune's network in headless chromium."""

import pytest

from conftest import browser_login, browser_test
from network.tests.factories import AgreementFactory
from registry.tests.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    """Rows the migrations load, restored: an earlier transactional test may have flushed
    them (Bundesländer)."""
    from registry.models import State

    State.objects.get_or_create(code="NW", defaults={"name": "Nordrhein-Westfalen"})


def test_coordinator_opens_the_interactive_map(page, reference_data, muni_a, coordinator_a):
    office = InstitutionFactory(
        municipality=muni_a, name="Jugendamt A", institution_type="youth_office"
    )
    police = InstitutionFactory(municipality=muni_a, name="Polizei A", institution_type="police")
    InstitutionFactory(municipality=muni_a, name="Schule A", institution_type="school")
    AgreementFactory(municipality=muni_a, title="Kooperation").institutions.set([office, police])

    browser_login(page, "koordination-a")
    page.goto(f"{page.base_url}/netzwerk/{muni_a.slug}/karte/")
    page.wait_for_selector("#network-canvas[data-ready='1']")
    assert page.locator("#network-canvas circle").count() == 3
    assert page.locator("#network-canvas line").count() == 1
    assert "Polizei A (Polizei" in page.locator("#network-canvas").text_content()
    # Nodes stay inside the drawing after the layout has run.
    page.wait_for_timeout(300)
    inside = page.evaluate(
        "Array.from(document.querySelectorAll('#network-canvas g[transform]')).every(g => {"
        " const m = /translate\\(([-\\d.]+),([-\\d.]+)\\)/.exec(g.getAttribute('transform'));"
        " return m && +m[1] >= 0 && +m[1] <= 1000 && +m[2] >= 0 && +m[2] <= 600; })"
    )
    assert inside
