"""End to end in headless Debian chromium: start page, a commune, a cluster, login."""

import pytest

from conftest import browser_login, browser_test, nav_click
from quality.models import Outcome
from registry.tests.factories import ClusterFactory

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def test_visitor_browses_commune_and_cluster_then_logs_in(page, muni_a, muni_b, coordinator_a):
    cluster = ClusterFactory(number=12, model_municipality=muni_a)
    for m, role in ((muni_a, "model"), (muni_b, "partner")):
        m.cluster, m.project_role = cluster, role
        m.save()
    Outcome.objects.create(
        municipality=muni_a, text="Gefährdungseinschätzungsbogen", status="achieved"
    )

    page.goto(page.base_url + "/")
    assert "Aus Fehlern lernen" in page.inner_text("h1")
    nav_click(page, "Kommunen")
    page.fill("#id_q", "Musterstadt")
    page.wait_for_function(
        "!document.querySelector('#municipality-table').innerText.includes('Beispiel B')"
    )
    page.click("#municipality-table >> text=Stadt Musterstadt A")
    # The click starts a navigation but does not wait for it; htmx may still swap the table.
    page.wait_for_url("**/kommunen/musterstadt-a/")
    assert page.inner_text("h1").startswith("Stadt Musterstadt A")
    assert "Gefährdungseinschätzungsbogen" in page.inner_text("main")

    page.click("dd >> text=12")
    page.wait_for_url("**/cluster/**")
    assert "Kinderschutzcluster 12" in page.inner_text("h1")
    assert "Landkreis Beispiel B" in page.inner_text("main")

    browser_login(page, "koordination-a")
    assert "Koordination Kinderschutz" in page.inner_text("main")
    page.goto(page.base_url + "/kommunen/musterstadt-a/")
    assert page.is_visible("text=Profil bearbeiten")
