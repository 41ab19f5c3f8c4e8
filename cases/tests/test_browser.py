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
    page.fill("#id_indications", "Kind kommt wiederholt hungrig in die Kita.")
    page.select_option("#id_urgency", "same_day")
    page.fill("#id_child_name", "Lea Muster-Browser")
    page.fill("#id_child_birth_date", "2020-04-01")
    page.fill("#id_mother_name", "Anna Muster-Browser")
    page.select_option("#id_living_situation", "single_parent")
    page.click("text=Meldung anlegen")
    page.wait_for_selector("text=Die Meldung wurde angelegt.")
    assert "Lea Muster-Browser" in page.inner_text("main")

    page.select_option("#step-form #id_activity_code", "first_contact")
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("text=Der Schritt wurde dokumentiert.")

    page.click("text=Gefährdungseinschätzung beginnen")
    page.wait_for_selector("#assessment-form")
    assert "Beispiel-Instrument" in page.inner_text("main")
    page.select_option("[name='item__grundversorgung.ernaehrung']", "3")
    page.select_option("#id_result", "latent")
    page.check("input[name=kinds][value=neglect]")
    page.select_option("#id_danger_source", "mother")
    page.check("#id_parents_involved")
    page.click("text=Entwurf speichern")
    page.wait_for_selector("text=Die Einschätzung wurde gespeichert.")
    assert page.locator("#sign-off").count() == 0  # the author cannot sign alone
    assessment_url = page.url
    page.click("text=Abmelden")

    browser_login(page, "teamleitung-a")
    page.goto(assessment_url)
    page.fill("#id_reason", "Im Team beraten.")
    page.click("#sign-off")
    page.wait_for_selector("text=Die Einschätzung ist abgezeichnet und damit verbindlich.")
    main = page.inner_text("main")
    assert "latente Kindeswohlgefährdung" in main
    assert "Gefährdungseinschätzung abgezeichnet" in main

    procedure = Procedure.objects.get()
    assert procedure.result == "latent"
    signed = procedure.assessments.get()
    assert (signed.author, signed.signed_by) == (caseworker_a, team_lead_a)
