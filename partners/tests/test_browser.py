"""The whole chain in the browser (issue 13): a Kita professional records, asks the insoFa,
the insoFa answers, the Kita informs the Jugendamt, the Jugendamt acknowledges, records
how the reporter was involved in its assessment, gives feedback, and the Kita sees it.
The Kita's part runs on a 390 px phone screen."""

import pytest
from playwright.sync_api import expect

from cases.tests.factories import team_with
from conftest import browser_login, browser_test
from partners.models import PartnerMessage
from partners.tests import factories as f

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _page(browser, base_url, *, phone=False):
    context = browser.new_context(
        locale="de-DE", viewport=PHONE if phone else {"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.base_url = base_url
    page.set_default_timeout(15_000)
    return page


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    # Name the elements sticking out, so a failure says what to fix.
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > 392).slice(0, 5)"
        ".map(e => e.tagName + '.' + e.className)"
    )
    assert width <= PHONE["width"], f"{page.url} is {width} px wide: {wide}"


def test_kita_insofa_jugendamt_and_back(
    _playwright_browser, live_server, reference_data, muni_a, caseworker_a, team_lead_a
):
    kita = f.institution(muni_a, "Kita Pusteblume A")
    f.institution(muni_a, "Jugendamt Musterstadt A", "youth_office")
    f.staff(kita, "kita-fachkraft-a")
    f.staff(kita, "kita-leitung-a", "institution_lead")
    member = f.insofa(muni_a, "insofa-a", name="Frau Beraterin A")
    team_with(muni_a, caseworker_a, team_lead_a)
    base = live_server.url

    # 1. The Kita professional records on her phone and asks the insoFa.
    kita_page = _page(_playwright_browser, base, phone=True)
    browser_login(kita_page, "kita-fachkraft-a")
    kita_page.goto(base + "/partner/")
    _no_horizontal_scroll(kita_page)
    kita_page.click("#new-record")
    kita_page.fill("#id_child_code", "P.K. Igel")
    kita_page.select_option("#id_age_band", "3-6")
    kita_page.fill("#id_noticed_on", "2026-01-05")
    kita_page.fill("#id_indications", "Kind kommt hungrig, blaue Flecken am Rücken.")
    _no_horizontal_scroll(kita_page)
    kita_page.click("form button[type=submit] >> text=Anlegen")
    kita_page.wait_for_selector("text=Die Dokumentation wurde angelegt.")
    assert "Beispiel-Instrument" in kita_page.inner_text("main")
    kita_page.select_option("[name='item__alltag.mahlzeiten']", "4")
    kita_page.check("#id_parents_talk")
    kita_page.fill("#id_assessment_summary", "Versorgung deutlich unzureichend.")
    kita_page.click("#record-form button[type=submit]")
    kita_page.wait_for_selector("text=Gespeichert.")
    _no_horizontal_scroll(kita_page)
    kita_page.click("#ask-insofa")
    kita_page.select_option("#id_insofa", str(member.code))
    kita_page.fill("#id_question", "Reichen die Beobachtungen für gewichtige Anhaltspunkte?")
    _no_horizontal_scroll(kita_page)
    kita_page.click("#send-request")
    kita_page.wait_for_selector("text=Die Beratung ist angefragt.")

    # 2. The insoFa accepts and documents the result in the same pseudonymous record.
    insofa_page = _page(_playwright_browser, base)
    browser_login(insofa_page, "insofa-a")
    insofa_page.goto(base + "/partner/beratungen/")
    insofa_page.click("#consultation-list a")
    expect(insofa_page.locator("main")).to_contain_text("P.K. Igel")
    insofa_page.check("input[name=accept][value=yes]")
    insofa_page.click("#respond")
    insofa_page.wait_for_selector("#save-result")
    insofa_page.select_option("#id_outcome", "inform")
    insofa_page.fill("#id_result", "Gewichtige Anhaltspunkte: Jugendamt informieren.")
    insofa_page.click("#save-result")
    insofa_page.wait_for_selector("text=Das Ergebnis der Beratung ist dokumentiert.")

    # 3. The Kita decides, the lead signs, the Kita informs the Jugendamt (receipt shown).
    kita_page.reload()  # back on the record after the request
    result = kita_page.inner_text("#consultations")
    assert "Gewichtige Anhaltspunkte: Jugendamt informieren." in result
    kita_page.select_option("#id_decision", "inform")
    kita_page.click("#record-form button[type=submit]")
    kita_page.wait_for_selector("text=Gespeichert.")
    record_url = kita_page.url
    lead_page = _page(_playwright_browser, base)
    browser_login(lead_page, "kita-leitung-a")
    lead_page.goto(record_url)
    lead_page.click("#sign-off")
    lead_page.wait_for_selector("text=Die Dokumentation ist abgezeichnet.")
    kita_page.goto(record_url)
    kita_page.click("#inform-jugendamt")
    kita_page.fill("#id_contact_person", "Frau Erzieherin, Tel. 0000 123456")
    kita_page.fill("#id_child_name", "Paula Muster-Browser")
    kita_page.select_option("#id_child_sex", "f")
    kita_page.fill("#id_child_birth_month", "3")
    kita_page.fill("#id_child_birth_year", "2021")
    _no_horizontal_scroll(kita_page)
    kita_page.click("#send-message")
    kita_page.wait_for_selector("#receipt")
    receipt = kita_page.inner_text("#receipt")
    assert receipt == PartnerMessage.objects.get().receipt

    # 4. The Jugendamt acknowledges, records the reporter's involvement, gives feedback.
    ja_page = _page(_playwright_browser, base)
    browser_login(ja_page, "fachkraft-a")
    ja_page.goto(base + "/partner/eingang/?state=new")
    ja_page.click(f"text={receipt}")
    expect(ja_page.locator("main")).to_contain_text("Paula Muster-Browser")
    ja_page.select_option("#id_urgency", "within_3_days")
    ja_page.select_option("#id_living_situation", "single_parent")
    ja_page.click("#acknowledge")
    ja_page.wait_for_selector("#procedure-link")
    ja_page.select_option("#id_reporter_involvement", "involved")
    ja_page.select_option("#id_involvement_kind", "conversation")
    ja_page.fill("#id_involvement_note", "Telefonat mit der Erzieherin zur Einschätzung.")
    ja_page.click("#save-involvement")
    ja_page.wait_for_selector("#involvement")
    ja_page.select_option("#id_indications_seen", "yes")
    ja_page.select_option("#id_active", "yes")
    ja_page.fill("#id_text", "Wir sehen gewichtige Anhaltspunkte und sind tätig.")
    ja_page.click("#send-feedback")
    ja_page.wait_for_selector("#feedback-given")
    procedure_href = ja_page.get_attribute("#procedure-link", "href")
    ja_page.click("#procedure-link")
    # The click starts the navigation without waiting for it: wait for the procedure page.
    ja_page.wait_for_url(f"**{procedure_href}")
    procedure_text = ja_page.inner_text("main")
    assert "Kita Pusteblume A" in procedure_text  # the reporting institution on the report

    # 5. The Kita sees the feedback in her record; the procedure stays hidden from her.
    kita_page.goto(record_url)
    feedback = kita_page.inner_text("#feedback")
    assert "Wir sehen gewichtige Anhaltspunkte und sind tätig." in feedback
    procedure_url = ja_page.url
    response = kita_page.goto(procedure_url)
    assert response.status == 404
    for p in (kita_page, insofa_page, lead_page, ja_page):
        p.context.close()
