"""End to end in headless chromium: a coordinator moves an outcome across the board."""

import pytest

from conftest import browser_login, browser_test
from quality.models import Outcome, OutcomeTransition
from quality.tests.factories import OutcomeFactory

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
