"""A full procedure in the browser: A takes in the report and assesses, B signs off."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Procedure
from cases.tests.factories import team_with
from conftest import browser_login, browser_test

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def test_report_to_decision_in_four_eyes(page, muni_a, caseworker_a, team_lead_a):
    team_with(muni_a, caseworker_a, team_lead_a)
    received = (timezone.localtime() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")

    browser_login(page, "fachkraft-a")
    page.goto(page.base_url + "/verfahren/neu/")
    page.fill("#id_received_at", received)
    page.select_option("#id_reporter_category", "daycare")
    page.select_option("#id_channel", "phone")
    page.fill("#id_indications", "Kind kommt wiederholt hungrig in die Kita.")
    page.select_option("#id_urgency", "same_day")
    page.fill("#id_mother_name", "Anna Muster-Browser")
    page.select_option("#id_parent_age_group", "27+")
    for name in ("foreign_origin", "german_family_language", "prior_help"):
        page.select_option(f"#id_{name}", "unknown")
    page.fill("#id_kind-0-name", "Lea Muster-Browser")
    page.fill("#id_kind-0-birth_date", "2020-04-01")
    page.select_option("#id_kind-0-sex", "f")
    page.select_option("#id_kind-0-living_situation", "single_parent")
    page.select_option("#id_kind-0-integration_assistance", "false")
    # A second child: the form comes back with everything typed so far.
    page.click("text=Weiteres Kind hinzufügen")
    page.wait_for_selector("#id_kind-1-sex")
    assert page.input_value("#id_kind-0-name") == "Lea Muster-Browser"
    page.fill("#id_kind-1-birth_month", "2017-11")
    page.select_option("#id_kind-1-sex", "m")
    page.select_option("#id_kind-1-living_situation", "single_parent")
    page.select_option("#id_kind-1-integration_assistance", "unknown")
    page.click("text=Meldung anlegen")
    page.wait_for_selector("text=für 2 Kinder angelegt")
    assert "Lea Muster-Browser" in page.inner_text("main")
    assert Procedure.objects.count() == 2

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.select_option("#step-form #id_activity_code", "first_contact")
    page.fill("#step-form #id_note", "Telefonat mit der Mutter.")
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("#steps >> text=Der Schritt wurde dokumentiert.")
    assert page.evaluate("window.scrollY") > 0  # htmx swap: no reload to the top

    page.click("text=Gefährdungseinschätzung beginnen")
    page.wait_for_selector("#assessment-form")
    assert "Beispiel-Instrument" in page.inner_text("main")
    page.select_option("[name='item__grundversorgung.ernaehrung']", "3")
    page.select_option("#id_result", "latent")
    page.check("input[name=kinds][value=neglect]")
    page.select_option("#id_danger_source", "mother")
    page.check("#id_parents_involved")
    page.check("#id_child_involved")
    page.click("text=Entwurf speichern")
    page.wait_for_selector("text=Die Einschätzung wurde gespeichert.")
    assert page.locator("#sign-off").count() == 0  # the author cannot sign alone
    page.select_option("#request-form #id_signer", str(team_lead_a.pk))
    page.click("text=Kollegin/Kollegen um Abzeichnung bitten")
    page.wait_for_selector("text=Die Bitte um Abzeichnung wurde gesendet.")
    page.click("text=Abmelden")

    browser_login(page, "teamleitung-a")
    page.goto(page.base_url + "/verfahren/abzeichnungen/")
    page.click("#waiting-for-me a")
    page.wait_for_selector("#assessment-readonly")
    assert page.locator("#assessment-form").count() == 0  # read-only for the signer
    page.fill("#id_reason", "Im Team beraten.")
    page.click("#sign-off")
    page.wait_for_selector("text=Die Einschätzung ist abgezeichnet und damit verbindlich.")
    main = page.inner_text("main")
    assert "latente Kindeswohlgefährdung" in main
    assert "Gefährdungseinschätzung abgezeichnet" in main
    assert "Im Team beraten." in main  # the sign-off note is shown

    procedure = Procedure.objects.get(assessments__isnull=False)
    assert procedure.result == "latent"
    signed = procedure.assessments.get()
    assert (signed.author, signed.signed_by) == (caseworker_a, team_lead_a)
