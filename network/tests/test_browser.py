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
    # The layout has run to rest: every node is inside the drawing's view box, no two
    # labels overlap, and the map is a list of named, focusable actors (axe-clean ARIA).
    boxes = page.evaluate(
        "(() => { const vb = document.querySelector('#network-canvas').viewBox.baseVal;"
        " return Array.from(document.querySelectorAll('#network-canvas .nm-node')).map(g => {"
        " const b = g.getBBox(), m = g.transform.baseVal.consolidate().matrix;"
        " return {x: b.x + m.e, y: b.y + m.f, w: b.width, h: b.height,"
        " inside: b.x + m.e >= vb.x && b.x + m.e + b.width <= vb.x + vb.width"
        " && b.y + m.f >= vb.y && b.y + m.f + b.height <= vb.y + vb.height}; }); })()"
    )
    assert len(boxes) == 3 and all(b["inside"] for b in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a, b)
    assert page.get_attribute("#network-canvas", "role") == "list"
    labels = page.eval_on_selector_all(
        "#network-canvas [role=listitem]", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert "Polizei A – Polizei" in labels
    # Keyboard: a focused actor moves with the arrow keys.
    node = page.locator("#network-canvas [role=listitem]").first
    before = node.get_attribute("transform")
    node.focus()
    page.keyboard.press("ArrowRight")
    assert node.get_attribute("transform") != before
