"""End to end in headless chromium: report a near miss anonymously, read the answer later."""

import pytest
from playwright.sync_api import expect

from conftest import browser_login, browser_test, nav_click
from reviews.models import IncidentReport
from reviews.tests.factories import category

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def test_near_miss_report_and_answer_by_receipt_code(page, muni_a, coordinator_a):
    page.goto(page.base_url + "/")
    nav_click(page, "Beinahe-Ereignis melden")
    page.click("text=Stadt Musterstadt A")
    page.fill("#id_what_happened", "Eine Meldung der Schule lag über Ostern im Funktionspostfach.")
    page.fill("#id_what_should_change", "Vertretungsregel für das Postfach.")
    page.click("form button[type=submit] >> text=Anonym absenden")
    code = page.inner_text("#receipt-code").strip()
    assert len(code) == 14
    report = IncidentReport.objects.get()
    assert report.receipt_code == code

    # Before moderation: received, no answer yet.
    page.click("text=Antwort abrufen")
    page.fill("#id_receipt_code", code)
    page.click("form button[type=submit] >> text=Abrufen")
    expect(page.locator("#answer")).to_contain_text("Noch keine Antwort")

    # The coordination moderates in the browser.
    browser_login(page, "koordination-a")
    page.goto(page.base_url + "/lernen/meldungen/")
    page.click("text=Eine Meldung der Schule")
    page.fill("#id_public_title", "Funktionspostfach ohne Vertretung")
    page.fill("#id_public_text", "Eine Meldung lag über die Feiertage unbearbeitet.")
    page.select_option("#id_level", "organisation")
    page.select_option("#id_category", str(category("tools-procedures").pk))
    page.fill("#id_answer", "Danke! Das Postfach hat jetzt eine Vertretung.")
    page.click("form button[type=submit] >> text=Antworten")
    page.wait_for_url("**/lernen/meldungen/")
    page.click("form.inline button[type=submit]")  # log out again
    page.wait_for_url("**/")

    page.goto(page.base_url + "/lernen/antwort/")
    page.fill("#id_receipt_code", code.lower())
    page.click("form button[type=submit] >> text=Abrufen")
    expect(page.locator("#answer-text")).to_contain_text("Das Postfach hat jetzt eine Vertretung")
    page.click("#answer >> text=Zur Lernbibliothek")
    expect(page.locator("main")).to_contain_text("Funktionspostfach ohne Vertretung")
