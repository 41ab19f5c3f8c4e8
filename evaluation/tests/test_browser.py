"""A network partner answers the questionnaire on a phone (390 × 844), with a draft."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_test
from evaluation.models import Answer, Invitation, Response
from evaluation.tests.factories import InvitationFactory, RoundFactory, example_framework

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def test_questionnaire_on_a_phone(page, muni_a):
    today = timezone.localdate()
    framework = example_framework()
    evaluation_round = RoundFactory(
        municipality=muni_a,
        framework=framework,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
    )
    InvitationFactory(round=evaluation_round, token="handy-link", institution_type="school")
    statements = [s.key for s in framework.parsed().statements("school")]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/evaluation/antworten/handy-link/")
    assert "Stärken und Schwächen" in page.inner_text("h1")
    # Fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Jugendamt-only statements are not asked of a school.
    assert page.locator("input[name=s_ho_personal]").count() == 0

    # Answer the first three, then save a draft and come back later.
    for key in statements[:3]:
        page.locator(f"input[name=s_{key}][value='4']").check()
    page.fill("#id_t_strengths", "Kurze Wege zum Jugendamt")
    page.click("button[value=draft]")
    expect(page.locator("#answer-status")).to_contain_text("Zwischenstand gespeichert")
    page.goto(f"{page.base_url}/evaluation/antworten/handy-link/")
    expect(page.locator("#answer-status")).to_contain_text("Zwischenstand wurde geladen")
    assert page.locator(f"input[name=s_{statements[0]}][value='4']").is_checked()
    assert page.input_value("#id_t_strengths") == "Kurze Wege zum Jugendamt"

    # Sending the half-filled form names what is missing and loses nothing.
    page.click("button[value=submit]")
    expect(page.locator("[role=alert]").first).to_contain_text("Bitte prüfen Sie")
    assert page.locator(f"#q-s_{statements[3]} .errorlist").is_visible()
    assert page.locator(f"input[name=s_{statements[1]}][value='4']").is_checked()

    # Complete it: the rest "teils, teils", one "kann ich nicht beurteilen".
    for key in statements[3:-1]:
        page.locator(f"label:has(input[name=s_{key}][value='3'])").click()
    page.locator(f"input[name=s_{statements[-1]}][value=na]").check()
    page.click("button[value=submit]")
    expect(page.locator("h1")).to_contain_text("Vielen Dank")

    assert Response.objects.get().institution_type == "school"
    assert Answer.objects.count() == len(statements)
    assert Answer.objects.filter(value__isnull=True).count() == 1
    assert Invitation.objects.get().used is True

    # The link is spent.
    page.goto(f"{page.base_url}/evaluation/antworten/handy-link/")
    expect(page.locator("main")).to_contain_text("bereits geantwortet")
