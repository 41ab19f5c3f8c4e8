"""Mein Bereich: what is due for a user, gathered through each app's due-items hook."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core import inbox
from core.context_processors import navigation_for
from directory.tests.factories import ServiceFactory
from evaluation.choices import RoundStatus
from evaluation.tests.factories import RoundFactory
from network.tests.factories import AgreementFactory
from quality.choices import OutcomeStatus
from quality.tests.factories import OutcomeFactory, WorkshopFactory, WorkshopSessionFactory
from reviews.tests.factories import IncidentReportFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def due_in_both(muni_a, muni_b):
    for muni in (muni_a, muni_b):
        ServiceFactory(municipality=muni, last_confirmed_on=dt.date(2024, 1, 1))
        IncidentReportFactory(municipality=muni)
        OutcomeFactory(
            municipality=muni, status=OutcomeStatus.IN_PROGRESS, due_date=dt.date(2026, 3, 1)
        )
        AgreementFactory(
            municipality=muni, title=f"Übergabe {muni.slug}", next_review_on=dt.date(2026, 5, 1)
        )
        workshop = WorkshopFactory(municipality=muni, title=f"Werkstatt {muni.slug}")
        WorkshopSessionFactory(
            workshop=workshop,
            starts_at=dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC),
        )
        RoundFactory(municipality=muni, title=f"Runde {muni.slug}", status=RoundStatus.OPEN)


def _kinds(user) -> dict[str, list[inbox.DueItem]]:
    kinds: dict[str, list[inbox.DueItem]] = {}
    for section in inbox.due_sections(user=user, today=TODAY):
        for item in section.items:
            kinds.setdefault(item.kind, []).append(item)
    return kinds


@time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC))
def test_coordinator_sees_what_is_due_in_her_commune_only(coordinator_a, due_in_both):
    kinds = _kinds(coordinator_a)
    assert kinds["stale_offers"][0].count == 1
    assert kinds["moderation"][0].count == 1
    assert kinds["overdue_outcomes"][0].count == 1
    (agreement,) = kinds["agreement_review"]
    assert agreement.overdue and "musterstadt-a" in agreement.title
    (session,) = kinds["next_session"]
    assert "musterstadt-a" in session.title
    (round_,) = kinds["open_round"]
    assert "musterstadt-a" in round_.title


@time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC))
def test_each_role_sees_its_own_items(caseworker_a, readonly_a, coordinator_b, due_in_both):
    # A caseworker moderates nothing and keeps no directory; the read-only role sees dates.
    assert "moderation" not in _kinds(caseworker_a)
    assert "stale_offers" not in _kinds(readonly_a)
    kinds_b = _kinds(coordinator_b)
    assert "beispiel-b" in kinds_b["agreement_review"][0].title
    assert all("musterstadt-a" not in i.title for items in kinds_b.values() for i in items)


@time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC))
def test_start_page_lists_items_overdue_first(client, coordinator_a, due_in_both):
    client.force_login(coordinator_a)
    text = client.get(reverse("core:dashboard")).content.decode()
    assert "Mein Bereich" in text
    assert "1 Angebot seit über 12 Monaten nicht bestätigt" in text
    assert "1 Beinahe-Ereignis wartet auf Moderation" in text
    assert "Übergabe musterstadt-a" in text and "Übergabe beispiel-b" not in text
    assert text.index("überfällig") < text.index("Nächster Termin")


def test_empty_start_page_says_nothing_is_due(client, coordinator_a):
    client.force_login(coordinator_a)
    assert "Nichts ist fällig" in client.get(reverse("core:dashboard")).content.decode()


def test_a_failing_app_does_not_take_the_page_down(client, coordinator_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(inbox, "providers", lambda: [("Kaputt", broken)])
    client.force_login(coordinator_a)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert "konnten nicht geladen werden" in response.content.decode()


def test_every_app_with_due_items_names_an_importable_selector():
    labels = [label for label, _fn in inbox.providers()]
    assert len(labels) >= 5


def test_navigation_is_grouped_and_filtered_by_role(anonymous, caseworker_a, coordinator_a):
    public = {g.key: [str(label) for _u, label in g.entries] for g in navigation_for(anonymous)}
    assert "casework" not in public
    assert "Frühe Hilfen" in public["public"]
    assert "Kommunen" in public["communes"]
    staff = {g.key: [str(label) for _u, label in g.entries] for g in navigation_for(caseworker_a)}
    assert "Falluntersuchungen" in staff["casework"]
    assert len(navigation_for(coordinator_a)) <= 4
