"""Seat quotas per institution (Kontingentierung) and personal invitation links."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.choices import AuditAction
from core.models import AuditEvent
from quality import services
from quality.choices import RegistrationStatus
from quality.models import Registration
from quality.tests.factories import WorkshopFactory, WorkshopSessionFactory
from registry.tests.factories import InstitutionFactory

REGISTERED, WAITLISTED = RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED


@pytest.fixture
def setting(muni_a, coordinator_a):
    workshop = WorkshopFactory(municipality=muni_a, capacity=4)
    session = WorkshopSessionFactory(workshop=workshop)
    kita = InstitutionFactory(municipality=muni_a, name="Kita Sonne", institution_type="daycare")
    school = InstitutionFactory(municipality=muni_a, name="Schule Mond", institution_type="school")
    services.seat_quota_set(workshop=workshop, institution=kita, seats=2, actor=coordinator_a)
    return workshop, session, kita, school


def _sign(session, actor, name, institution):
    return services.registration_signup(
        session=session,
        actor=actor,
        name=name,
        email=f"{name}@example.invalid",
        institution=institution,
    )


def test_quota_reserves_and_caps_seats(setting, coordinator_a):
    workshop, session, kita, school = setting
    statuses = [
        _sign(session, coordinator_a, name, inst).status
        for name, inst in (
            ("k1", kita),
            ("k2", kita),
            ("k3", kita),  # the Kita's two seats are taken
            ("s1", school),
            ("s2", school),
            ("s3", school),  # only 4 - 2 = 2 open seats for everyone else
            ("o1", None),
        )
    ]
    assert statuses == [
        REGISTERED,
        REGISTERED,
        WAITLISTED,
        REGISTERED,
        REGISTERED,
        WAITLISTED,
        WAITLISTED,
    ]


def test_waiting_list_moves_up_only_onto_seats_the_institution_may_take(setting, coordinator_a):
    workshop, session, kita, school = setting
    k1 = _sign(session, coordinator_a, "k1", kita)
    _sign(session, coordinator_a, "k2", kita)
    _sign(session, coordinator_a, "s1", school)
    s2 = _sign(session, coordinator_a, "s2", school)
    s3 = _sign(session, coordinator_a, "s3", school)  # waiting first
    k3 = _sign(session, coordinator_a, "k3", kita)  # waiting second
    services.registration_cancel(registration=k1, actor=coordinator_a)
    s3.refresh_from_db()
    k3.refresh_from_db()
    # The freed Kita seat goes to the Kita, although the school was waiting longer.
    assert (s3.status, k3.status) == (WAITLISTED, REGISTERED)
    services.registration_cancel(registration=s2, actor=coordinator_a)
    s3.refresh_from_db()
    assert s3.status == REGISTERED


def test_quota_rules(setting, coordinator_a, readonly_a, muni_b):
    workshop, session, kita, school = setting
    with pytest.raises(ValidationError) as exc:
        services.seat_quota_set(workshop=workshop, institution=school, seats=3, actor=coordinator_a)
    assert "seats" in exc.value.message_dict  # 2 + 3 > 4 seats
    with pytest.raises(ValidationError) as exc:
        services.seat_quota_set(
            workshop=workshop,
            institution=InstitutionFactory(municipality=muni_b),
            seats=1,
            actor=coordinator_a,
        )
    assert "institution" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.seat_quota_set(workshop=workshop, institution=school, seats=1, actor=readonly_a)
    services.seat_quota_set(workshop=workshop, institution=kita, seats=0, actor=coordinator_a)
    assert not workshop.seat_quotas.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


def test_invitation_link_accepts_without_account(
    client, setting, coordinator_a, django_capture_on_commit_callbacks
):
    workshop, session, kita, school = setting
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.session_invite(
            session=session,
            name="Gast Kita",
            email="gast@example.invalid",
            institution=kita,
            actor=coordinator_a,
            base_url="https://ksqm.example.invalid/",
        )
    link = reverse("quality:invitation_respond", args=[registration.invitation_token])
    assert f"https://ksqm.example.invalid{link}" in mail.outbox[0].body
    page = client.get(link)
    assert page.status_code == 200 and "Gast Kita" in page.content.decode()
    client.post(link, {"answer": "accept"})
    registration.refresh_from_db()
    assert registration.status == REGISTERED
    client.post(link, {"answer": "accept"})  # answering twice changes nothing
    assert Registration.objects.filter(status=REGISTERED).count() == 1
    client.post(link, {"answer": "decline"})
    registration.refresh_from_db()
    assert (registration.status, registration.invitation_token) == (
        RegistrationStatus.CANCELLED,
        None,
    )
    assert client.get(link).status_code == 404  # a retired link


def test_unknown_link_is_404(client, db):
    assert (
        client.get("/qualitaet/einladung/00000000-0000-0000-0000-000000000000/").status_code == 404
    )


def test_quota_page_for_coordination_only(client, setting, coordinator_a, caseworker_b):
    workshop, session, kita, school = setting
    url = reverse("quality:workshop_quotas", args=[workshop.pk])
    client.force_login(coordinator_a)
    page = client.get(url)
    assert "Kita Sonne" in page.content.decode()
    response = client.post(url, {"institution": school.pk, "seats": 5})
    assert response.status_code == 422 and "überschreiten" in response.content.decode()
    client.force_login(caseworker_b)
    assert client.get(url).status_code in (403, 404)
