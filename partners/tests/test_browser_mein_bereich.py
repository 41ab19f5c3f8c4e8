"""Mein Bereich in headless chromium (issue 17): each role, a Kita's specialist and an
insoweit erfahrene Fachkraft included, sees what is due for it, and nothing of another
commune."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import browser_login, browser_test
from directory.tests.factories import ServiceFactory
from network.tests.factories import AgreementFactory
from partners import services as partner_services
from partners.choices import Decision
from partners.tests import factories as pf
from quality.choices import OutcomeStatus
from quality.tests.factories import OutcomeFactory
from reviews.tests.factories import IncidentReportFactory

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def _due(page) -> list[str]:
    return page.eval_on_selector_all(".due-item", "els => els.map(e => e.innerText)")


def _logout(page) -> None:
    page.context.clear_cookies()


def test_mein_bereich_shows_each_role_its_own_due_items(
    page,
    muni_a,
    muni_b,
    coordinator_a,
    caseworker_a,
    team_lead_a,
    coordinator_b,
    kita_a,
    kita_staff_a,
    signed_a,
    insofa_a,
    insofa_user_a,
    team_a,
):
    today = timezone.localdate()
    for muni in (muni_a, muni_b):
        ServiceFactory(municipality=muni, last_confirmed_on=today - timedelta(days=800))
        IncidentReportFactory(municipality=muni)
        OutcomeFactory(
            municipality=muni,
            text=f"Bogen {muni.slug}",
            status=OutcomeStatus.IN_PROGRESS,
            due_date=today - timedelta(days=30),
        )
        AgreementFactory(
            municipality=muni,
            title=f"Übergabe {muni.slug}",
            next_review_on=today - timedelta(days=3),
        )
    draft = pf.record(kita_a, kita_staff_a, child_code="M.O.")
    partner_services.record_update(
        record=draft,
        actor=kita_staff_a,
        decision=Decision.MONITOR,
        parents_talk=True,
        review_on=today - timedelta(days=1),
    )
    partner_services.consultation_request(
        record=signed_a, insofa=insofa_a, question="Reichen die Anhaltspunkte?", actor=kita_staff_a
    )
    partner_services.message_send(record=signed_a, actor=kita_staff_a, **pf.message_data())

    # The coordinator's morning: moderation, stale offers, an agreement past review.
    browser_login(page, "koordination-a")
    assert page.inner_text("h1") == "Mein Bereich"
    items = _due(page)
    text = "\n".join(items)
    assert "1 Angebot seit über 12 Monaten nicht bestätigt" in text
    assert "Übergabe musterstadt-a" in text and "beispiel-b" not in text
    assert "1 Beinahe-Ereignis wartet auf Moderation" in text
    assert "1 Ergebnis ist überfällig" in text
    # Overdue first, and marked in words (not by colour alone).
    assert "überfällig" in items[0]
    _logout(page)

    # The caseworker: the new Mitteilung of a Kita, no moderation, no directory upkeep.
    browser_login(page, "fachkraft-a")
    text = "\n".join(_due(page))
    assert "1 Mitteilung einer Einrichtung nicht bestätigt" in text
    assert "Monaten nicht bestätigt" not in text and "Übergabe" not in text
    _logout(page)

    # The Kita's specialist: the child she monitors is due for review.
    browser_login(page, "kita-fachkraft-a")
    text = "\n".join(_due(page))
    assert "1 beobachtetes Kind: Überprüfung fällig" in text
    assert "Mitteilung einer Einrichtung" not in text and "Beratungsanfrage" not in text
    page.click("text=Überprüfung fällig")
    page.wait_for_url("**/partner/")
    _logout(page)

    # The insoweit erfahrene Fachkraft: the request waiting for her answer.
    browser_login(page, "insofa-a")
    text = "\n".join(_due(page))
    assert "1 Beratungsanfrage wartet auf Antwort" in text
    _logout(page)

    # The other commune's coordinator sees her own commune only.
    browser_login(page, "koordination-b")
    text = "\n".join(_due(page))
    assert "Übergabe beispiel-b" in text and "musterstadt-a" not in text
