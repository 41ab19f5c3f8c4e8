"""A coordinator publishes a new version of a Leitfaden; a partner commune finds it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from conftest import browser_login, browser_test
from registry.tests.factories import ClusterFactory
from standards import services
from standards.choices import DocumentKind, DocumentStatus, Visibility

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def test_new_version_is_published_and_found_by_the_partner_commune(
    page, _playwright_browser, live_server, muni_a, muni_b, coordinator_a, coordinator_b
):
    cluster = ClusterFactory()
    for muni in (muni_a, muni_b):
        muni.cluster = cluster
        muni.save()
    document = services.document_create(
        municipality=muni_a,
        actor=coordinator_a,
        title="Leitfaden Übergabe im Kinderschutz",
        kind=DocumentKind.GUIDE,
        owner="Koordination",
        visibility=Visibility.CLUSTER,
        text="## Übergabe\nPersönliches Gespräch.",
    )
    services.document_transition(
        document=document,
        status=DocumentStatus.ADOPTED,
        actor=coordinator_a,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2026, 3, 1),
    )

    browser_login(page, "koordination-a")
    page.goto(f"{page.base_url}/standards/{document.code}/")
    page.get_by_role("link", name="Neue Version").click()
    page.fill("#id_text", "## Übergabe\nPersönliches Gespräch mit den Eltern und Rückmeldung.")
    page.fill("#id_note", "Rückmeldung ergänzt")
    page.get_by_role("button", name="Version speichern").click()
    page.wait_for_selector("text=Version 2 wurde gespeichert.")
    page.select_option("#id_status", DocumentStatus.ADOPTED)
    page.fill("#id_decided_on", "2026-11-30")
    page.get_by_role("button", name="Status ändern").click()
    page.wait_for_selector("text=Neuer Status: beschlossen")

    partner = _playwright_browser.new_context(locale="de-DE").new_page()
    partner.base_url = live_server.url
    browser_login(partner, "koordination-b")
    partner.goto(f"{partner.base_url}/standards/")
    partner.fill("#id_q", "Übergabe")
    partner.check("#id_others")
    partner.get_by_role("button", name="Suchen").click()
    partner.get_by_role("link", name="Leitfaden Übergabe im Kinderschutz").click()
    expect(partner.locator(".document-text")).to_contain_text("Rückmeldung")
    assert "Version 2" in partner.locator("h2").first.text_content()
    partner.context.close()
