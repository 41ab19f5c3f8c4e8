"""Issue 18: stale offers leave the public directory after a grace period, providers
confirm through a personal link, and the coordination records each offer's effect."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.choices import AuditAction
from core.models import AuditEvent
from core.permissions import SYSTEM
from directory import selectors, services
from directory.tests.factories import ServiceFactory

TODAY = dt.date(2026, 6, 1)


@time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC))
def test_grace_period_boundary(client, muni_a):
    # 12 months + 90 days = 455 days: the last day it is shown, and the first it is not.
    shown = ServiceFactory(
        municipality=muni_a,
        name="Grenzfall sichtbar",
        last_confirmed_on=TODAY - dt.timedelta(days=455),
    )
    hidden = ServiceFactory(
        municipality=muni_a, name="Grenzfall weg", last_confirmed_on=TODAY - dt.timedelta(days=456)
    )
    public = set(selectors.public_services().values_list("name", flat=True))
    assert "Grenzfall sichtbar" in public and "Grenzfall weg" not in public
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(shown.get_absolute_url()).status_code == 200
    api = client.get("/api/v1/directory/services?q=Grenzfall").content.decode()
    assert "Grenzfall weg" not in api


@time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC))
def test_coordination_still_reaches_a_hidden_offer(client, coordinator_a, muni_a):
    hidden = ServiceFactory(
        municipality=muni_a, name="Lange her", last_confirmed_on=dt.date(2024, 1, 1)
    )
    client.force_login(coordinator_a)
    assert client.get(hidden.get_absolute_url()).status_code == 200
    assert "Lange her" in client.get(reverse("directory:stale_list")).content.decode()


@time_machine.travel(dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC))
def test_provider_confirms_through_the_personal_link(
    client, muni_a, django_capture_on_commit_callbacks
):
    offer = ServiceFactory(
        municipality=muni_a,
        name="Elterncafé",
        email="cafe@example.invalid",
        last_confirmed_on=dt.date(2025, 1, 1),
    )
    quiet = ServiceFactory(
        municipality=muni_a, name="Ohne Adresse", email="", last_confirmed_on=dt.date(2025, 1, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.services_notify_stale(actor=SYSTEM, base_url="https://ksqm.example.invalid")
    offer.refresh_from_db()
    link = reverse("directory:service_confirm_link", args=[offer.confirmation_token])
    provider_mail = [m for m in mail.outbox if m.to == ["cafe@example.invalid"]]
    assert (
        len(provider_mail) == 1 and f"https://ksqm.example.invalid{link}" in provider_mail[0].body
    )
    quiet.refresh_from_db()
    assert quiet.confirmation_token is None
    # A second run sends the same link again instead of piling up valid ones.
    token = offer.confirmation_token
    with django_capture_on_commit_callbacks(execute=True):
        services.services_notify_stale(actor=SYSTEM, base_url="https://ksqm.example.invalid")
    offer.refresh_from_db()
    assert offer.confirmation_token == token

    assert "Elterncafé" in client.get(link).content.decode()
    client.post(link)
    offer.refresh_from_db()
    assert (offer.last_confirmed_on, offer.confirmation_token) == (TODAY, None)
    row = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, after__has_key="last_confirmed_on"
    ).get()
    assert "Bestätigungslink" in row.actor_name
    assert client.get(link).status_code == 404  # used up


def test_unknown_confirmation_link_is_404(client, db):
    assert (
        client.get("/fruehe-hilfen/bestaetigen/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )


def test_indicators_recorded_corrected_and_shown_to_the_coordination_only(
    client, coordinator_a, readonly_a, caseworker_b, muni_a
):
    offer = ServiceFactory(municipality=muni_a, name="Familienhebammen")
    services.service_indicator_record(
        service=offer,
        year=2025,
        actor=coordinator_a,
        families_reached=120,
        referred_from_procedures=14,
        waiting_days=9,
        feedback_score=Decimal("4.4"),
    )
    services.service_indicator_record(service=offer, year=2025, actor=coordinator_a, waiting_days=7)
    indicator = offer.indicators.get()
    assert (indicator.families_reached, indicator.waiting_days) == (120, 7)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).latest("time").after == {
        "waiting_days": 7
    }
    with pytest.raises(ValidationError):
        services.service_indicator_record(
            service=offer, year=2025, actor=coordinator_a, referred_from_procedures=500
        )
    with pytest.raises(ValidationError):
        services.service_indicator_record(service=offer, year=2099, actor=coordinator_a)
    with pytest.raises(PermissionDenied):
        services.service_indicator_record(service=offer, year=2024, actor=readonly_a)

    assert "Wirkung des Angebots" not in client.get(offer.get_absolute_url()).content.decode()
    client.force_login(caseworker_b)
    assert "Wirkung des Angebots" not in client.get(offer.get_absolute_url()).content.decode()
    client.force_login(coordinator_a)
    page = client.get(offer.get_absolute_url()).content.decode()
    assert "Wirkung des Angebots" in page and ("4,4" in page or "4.4" in page)
    response = client.post(
        reverse("directory:service_indicator", args=[offer.code]),
        {"year": "2024", "families_reached": "90"},
    )
    assert response.status_code == 302
    assert offer.indicators.filter(year=2024, families_reached=90).exists()
    client.force_login(caseworker_b)
    response = client.post(
        reverse("directory:service_indicator", args=[offer.code]), {"year": "2023"}
    )
    assert response.status_code == 404
