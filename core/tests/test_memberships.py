"""Roles change only through the audited service; roles that open social data need a
second person (issue 14, finding 7: the administrator gave itself a caseworker role)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import AuditAction, MembershipRequestStatus, Role
from core.models import AuditEvent, Membership, MembershipRequest
from core.permissions import SYSTEM, has_permission
from core.services import (
    SecondPersonRequired,
    membership_grant,
    membership_request_confirm,
    membership_request_create,
    membership_request_reject,
    membership_revoke,
)
from core.tests.factories import MembershipFactory, UserFactory


def _has_role(user, municipality, role) -> bool:
    return Membership.objects.filter(user=user, municipality=municipality, role=role).exists()


def test_admin_cannot_grant_itself_a_case_role(platform_admin, muni_a, coordinator_a):
    with pytest.raises(SecondPersonRequired):
        membership_grant(
            user=platform_admin, municipality=muni_a, role=Role.CASEWORKER, actor=platform_admin
        )
    request = membership_request_create(
        user=platform_admin, municipality=muni_a, role=Role.CASEWORKER, actor=platform_admin
    )
    assert request.status == MembershipRequestStatus.PENDING
    assert not _has_role(platform_admin, muni_a, Role.CASEWORKER)
    platform_admin.__dict__.pop("_ksqm_memberships", None)
    assert not has_permission(platform_admin, "view_identifying", "cases", muni_a.pk)
    # Nor confirm its own request.
    with pytest.raises(PermissionDenied):
        membership_request_confirm(request=request, actor=platform_admin)
    assert not _has_role(platform_admin, muni_a, Role.CASEWORKER)


def test_admin_request_is_confirmed_by_the_communes_coordination(
    platform_admin, muni_a, coordinator_a
):
    person = UserFactory(username="neue-fachkraft")
    request = membership_request_create(
        user=person,
        municipality=muni_a,
        role=Role.CASEWORKER,
        actor=platform_admin,
        reason="Neueinstellung ASD",
    )
    assert not _has_role(person, muni_a, Role.CASEWORKER)
    membership_request_confirm(request=request, actor=coordinator_a, note="passt")
    assert _has_role(person, muni_a, Role.CASEWORKER)
    request.refresh_from_db()
    assert request.status == MembershipRequestStatus.CONFIRMED
    assert request.decided_by == coordinator_a
    actions = list(AuditEvent.objects.filter(municipality=muni_a).values_list("action", "actor_id"))
    assert (AuditAction.CREATE, platform_admin.pk) in actions  # the request
    assert (AuditAction.SIGN_OFF, coordinator_a.pk) in actions  # the confirmation
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, target_repr__contains="neue-fachkraft", actor=coordinator_a
        ).count()
        == 1
    )


def test_coordination_of_another_commune_cannot_confirm(
    platform_admin, muni_a, coordinator_a, coordinator_b
):
    person = UserFactory(username="neue-fachkraft")
    request = membership_request_create(
        user=person, municipality=muni_a, role=Role.CASEWORKER, actor=platform_admin
    )
    with pytest.raises(PermissionDenied):
        membership_request_confirm(request=request, actor=coordinator_b)
    assert not _has_role(person, muni_a, Role.CASEWORKER)


def test_another_admin_cannot_confirm_where_the_commune_has_a_coordination(
    platform_admin, muni_a, coordinator_a
):
    other_admin = UserFactory(username="admin-2")
    MembershipFactory(user=other_admin, municipality=None, role=Role.PLATFORM_ADMIN)
    request = membership_request_create(
        user=platform_admin, municipality=muni_a, role=Role.TEAM_LEAD, actor=platform_admin
    )
    with pytest.raises(PermissionDenied):
        membership_request_confirm(request=request, actor=other_admin)


def test_commune_without_coordination_needs_another_admin(platform_admin, muni_b):
    other_admin = UserFactory(username="admin-2")
    MembershipFactory(user=other_admin, municipality=None, role=Role.PLATFORM_ADMIN)
    person = UserFactory(username="erste-koordination")
    request = membership_request_create(
        user=person, municipality=muni_b, role=Role.COORDINATOR, actor=platform_admin
    )
    with pytest.raises(PermissionDenied):
        membership_request_confirm(request=request, actor=platform_admin)
    membership_request_confirm(request=request, actor=other_admin)
    assert _has_role(person, muni_b, Role.COORDINATOR)


def test_coordinator_grants_a_case_role_to_someone_else_alone(coordinator_a, muni_a):
    person = UserFactory(username="neue-fachkraft")
    membership = membership_grant(
        user=person, municipality=muni_a, role=Role.CASEWORKER, actor=coordinator_a
    )
    assert membership.role == Role.CASEWORKER
    assert MembershipRequest.objects.get(user=person).status == MembershipRequestStatus.CONFIRMED
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, actor=coordinator_a, target_repr__contains="neue-fachkraft"
    ).exists()


def test_coordinator_cannot_grant_itself_a_case_role_alone(coordinator_a, muni_a):
    colleague = UserFactory(username="koordination-a2")
    MembershipFactory(user=colleague, municipality=muni_a, role=Role.COORDINATOR)
    request = membership_request_create(
        user=coordinator_a, municipality=muni_a, role=Role.CASEWORKER, actor=coordinator_a
    )
    assert request.status == MembershipRequestStatus.PENDING
    with pytest.raises(PermissionDenied):
        membership_request_confirm(request=request, actor=coordinator_a)
    membership_request_confirm(request=request, actor=colleague)
    assert _has_role(coordinator_a, muni_a, Role.CASEWORKER)


def test_coordinator_cannot_grant_in_another_commune(coordinator_a, muni_b):
    person = UserFactory(username="fremd")
    with pytest.raises(PermissionDenied):
        membership_request_create(
            user=person, municipality=muni_b, role=Role.READER, actor=coordinator_a
        )


def test_admin_may_grant_a_role_without_social_data_alone(platform_admin, muni_a):
    person = UserFactory(username="ausschuss")
    membership_grant(user=person, municipality=muni_a, role=Role.READER, actor=platform_admin)
    assert _has_role(person, muni_a, Role.READER)


def test_caseworker_cannot_grant_roles(caseworker_a, muni_a):
    person = UserFactory(username="freund")
    with pytest.raises(PermissionDenied):
        membership_request_create(
            user=person, municipality=muni_a, role=Role.CASEWORKER, actor=caseworker_a
        )


def test_reject_and_decided_requests(platform_admin, coordinator_a, muni_a):
    person = UserFactory(username="neue-fachkraft")
    request = membership_request_create(
        user=person, municipality=muni_a, role=Role.CASEWORKER, actor=platform_admin
    )
    with pytest.raises(ValidationError):  # one open request per role is enough
        membership_request_create(
            user=person, municipality=muni_a, role=Role.CASEWORKER, actor=platform_admin
        )
    membership_request_reject(request=request, actor=coordinator_a, note="unbekannt")
    assert not _has_role(person, muni_a, Role.CASEWORKER)
    with pytest.raises(ValidationError):
        membership_request_confirm(request=request, actor=coordinator_a)


def test_revoke_is_audited(coordinator_a, caseworker_a, muni_a):
    membership = Membership.objects.get(user=caseworker_a, municipality=muni_a)
    membership_revoke(membership=membership, actor=coordinator_a, reason="Wechsel")
    assert not _has_role(caseworker_a, muni_a, Role.CASEWORKER)
    event = AuditEvent.objects.get(action=AuditAction.DELETE, actor=coordinator_a)
    assert event.before == {"user": "fachkraft-a", "role": "caseworker"}


def test_cli_operator_grants_alone(muni_a):
    person = UserFactory(username="import")
    membership_grant(user=person, municipality=muni_a, role=Role.CASEWORKER, actor=SYSTEM)
    assert _has_role(person, muni_a, Role.CASEWORKER)


# --- the Django admin uses the service -------------------------------------------------


@pytest.fixture
def admin_client(client, platform_admin):
    platform_admin.is_staff = True
    platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    return client


def test_admin_cannot_add_memberships_directly(admin_client):
    assert admin_client.get("/admin/core/membership/add/").status_code == 403


def test_admin_self_grant_in_the_django_admin_waits_for_coordination(
    admin_client, platform_admin, muni_a, coordinator_a
):
    response = admin_client.post(
        "/admin/core/membershiprequest/add/",
        {
            "user": platform_admin.pk,
            "municipality": muni_a.pk,
            "role": Role.CASEWORKER,
            "reason": "Ich will Fälle lesen",
        },
    )
    assert response.status_code == 302
    request = MembershipRequest.objects.get(user=platform_admin)
    assert request.status == MembershipRequestStatus.PENDING
    assert not _has_role(platform_admin, muni_a, Role.CASEWORKER)
    # The audit trail (not only django_admin_log) has it.
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, actor=platform_admin, municipality=muni_a
    ).exists()
    # Its own "confirm" action does nothing.
    admin_client.post(
        "/admin/core/membershiprequest/",
        {"action": "confirm_requests", "_selected_action": [request.pk]},
    )
    assert not _has_role(platform_admin, muni_a, Role.CASEWORKER)


def test_admin_delete_goes_through_the_service(admin_client, caseworker_a, muni_a):
    membership = Membership.objects.get(user=caseworker_a)
    admin_client.post(f"/admin/core/membership/{membership.pk}/delete/", {"post": "yes"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, reason="Django-Admin").exists()


def test_otp_devices_are_not_in_the_admin(admin_client):
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 404


# --- the coordination's page -------------------------------------------------------------


def test_coordination_confirms_on_its_page(client, platform_admin, coordinator_a, muni_a):
    person = UserFactory(username="neue-fachkraft")
    request = membership_request_create(
        user=person, municipality=muni_a, role=Role.CASEWORKER, actor=platform_admin
    )
    client.force_login(coordinator_a)
    page = client.get("/mitglieder/")
    assert "neue-fachkraft" in page.content.decode()
    client.post(f"/mitglieder/antraege/{request.code}/bestaetigen/", {"note": "ok"})
    assert _has_role(person, muni_a, Role.CASEWORKER)


def test_other_commune_sees_no_request_and_gets_404(client, platform_admin, coordinator_b, muni_a):
    person = UserFactory(username="neue-fachkraft")
    request = membership_request_create(
        user=person, municipality=muni_a, role=Role.CASEWORKER, actor=platform_admin
    )
    client.force_login(coordinator_b)
    assert "neue-fachkraft" not in client.get("/mitglieder/").content.decode()
    response = client.post(f"/mitglieder/antraege/{request.code}/bestaetigen/")
    assert response.status_code == 404


def test_member_page_is_forbidden_for_caseworkers(client, caseworker_a):
    client.force_login(caseworker_a)
    assert client.get("/mitglieder/").status_code == 403


def test_coordinator_grants_through_the_page(client, coordinator_a, muni_a):
    person = UserFactory(username="neue-fachkraft")
    client.force_login(coordinator_a)
    response = client.post(
        "/mitglieder/",
        {
            "username": "neue-fachkraft",
            "municipality": muni_a.pk,
            "role": Role.CASEWORKER,
            "reason": "Neueinstellung",
        },
    )
    assert response.status_code == 302
    assert _has_role(person, muni_a, Role.CASEWORKER)


# --- nothing else writes memberships ------------------------------------------------------


def test_no_code_outside_core_services_writes_memberships():
    root = Path(settings.BASE_DIR)
    pattern = re.compile(
        r"(?<!Team)Membership(\.objects\.(create|get_or_create|update_or_create|bulk_create)"
        r"|\(\s*user=)|(?<!Team)Membership\.objects\.filter\([^)]*\)\.(delete|update)\("
    )
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if rel.parts[0] in (".venv", "var", "bench") or "tests" in rel.parts:
            continue
        if "migrations" in rel.parts or rel.as_posix() in ("core/services.py", "conftest.py"):
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(rel.as_posix())
    assert offenders == []
