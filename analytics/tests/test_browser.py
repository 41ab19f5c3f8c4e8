"""End to end in headless chromium: a coordinator opens the process map and explores it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from analytics.tests.factories import procedure_with_steps
from cases.tests.factories import team_with
from conftest import browser_login, browser_test, nav_click

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def test_coordinator_opens_and_explores_the_process_map(page, muni_a, caseworker_a, coordinator_a):
    team = team_with(muni_a, caseworker_a)
    for i in range(3):
        procedure_with_steps(
            team,
            received_at=timezone.now() - dt.timedelta(days=10 - i),
            steps=[("first_contact", 4 + i, "ASD"), ("home_visit", 30, "ASD")]
            + ([("police_involved", 40, "Polizei")] if i == 0 else []),
        )
    browser_login(page, "koordination-a")
    nav_click(page, "Prozessanalyse")
    expect(page.locator("h1")).to_have_text("Prozesslandkarte")
    page.wait_for_selector("#pm-svg .pm-node")
    nodes = page.locator("#pm-svg .pm-node")
    labels = [nodes.nth(i).get_attribute("data-activity") for i in range(nodes.count())]
    assert "Erstkontakt" in labels and "Hausbesuch" in labels
    page.click("#pm-svg .pm-node[data-activity='Erstkontakt']")
    assert "Erstkontakt: 3 Ereignisse" in page.inner_text("#pm-info")
    # Raising the minimum edge frequency hides rare edges in the interactive view.
    visible_before = page.locator("#pm-svg .pm-edge:visible").count()
    page.fill("#pm-min", "2")
    page.dispatch_event("#pm-min", "input")
    assert page.locator("#pm-svg .pm-edge:visible").count() < visible_before
    # The activity filter hides rare activities together with their edges (Polizei: 1 case).
    page.fill("#pm-min", "1")
    page.dispatch_event("#pm-min", "input")
    police = "#pm-svg .pm-node[data-activity='Polizei eingeschaltet']"
    assert page.locator(police).is_visible()
    page.fill("#pm-act-min", "2")
    page.dispatch_event("#pm-act-min", "input")
    assert not page.locator(police).is_visible()
    assert page.locator("#pm-svg .pm-node[data-activity='Hausbesuch']").is_visible()
    assert page.inner_text("#pm-shown").startswith("4 von 5 Aktivitäten")
    assert page.evaluate(
        "[...document.querySelectorAll('#pm-svg .pm-edge')]"
        ".filter(e => e.style.display !== 'none')"
        ".every(e => !(e.querySelector('title')?.textContent || '').includes('Polizei'))"
    )
    # Zoom and pan from the keyboard on the focused map; 0 shows the whole map again.
    box = "document.getElementById('pm-svg').viewBox.baseVal"
    page.click("#pm-zoom-reset")
    page.focus(".pm-viewport")
    full = page.evaluate(f"(() => {{ const b = {box}; return [b.x, b.y, b.width, b.height]; }})()")
    page.keyboard.press("+")
    after_zoom = page.evaluate(f"{box}.width")
    assert after_zoom < full[2]
    x_before = page.evaluate(f"{box}.x")
    page.keyboard.press("ArrowRight")
    assert page.evaluate(f"{box}.x") > x_before
    page.keyboard.press("0")
    assert page.evaluate(f"{box}.width") == full[2]
    # Filtering through htmx swaps the result in and the interactive view is rebuilt.
    page.fill("#id_min_frequency", "3")
    page.click("form.filters button[type=submit]")
    page.wait_for_function("document.querySelectorAll('#pm-svg .pm-node').length > 0")
    assert "Erstkontakt" in page.inner_text("#analysis-result")


def test_interactive_map_speaks_the_page_language(
    page, live_server, muni_a, caseworker_a, coordinator_a
):
    procedure_with_steps(
        team_with(muni_a, caseworker_a),
        received_at=timezone.now() - dt.timedelta(days=5),
        steps=[("first_contact", 30, "ASD")],
    )
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    browser_login(page, "koordination-a")
    page.goto(f"{page.base_url}/analyse/")
    page.wait_for_selector("#pm-svg .pm-node")
    controls = page.inner_text(".pm-controls")
    assert "Minimum transition frequency" in controls and "Häufigkeit" not in controls
    page.click("#pm-svg .pm-node:not(.pm-virtual) >> nth=0")
    info = page.inner_text("#pm-info")
    assert "events" in info and "Ereignisse" not in info
    page.select_option("#pm-metric", "mean_seconds")
    labels = page.eval_on_selector_all(
        "#pm-svg .pm-edge text", "els => els.map(e => e.textContent)"
    )
    assert any(label.endswith(" h") or label.endswith(" days") for label in labels)
    assert not any("Tage" in label for label in labels)
