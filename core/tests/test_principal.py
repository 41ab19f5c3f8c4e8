"""core.principal: the signed-in user and their roles, kept per process between changes,
and every change that must reach the next request at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import fragcache, permissions, principal
from core.choices import Role
from core.models import Membership
from core.services import membership_revoke
from core.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _tables_read(queries) -> str:
    return " ".join(q["sql"] for q in queries)


def test_second_load_reads_no_user_or_role_rows(caseworker_a):
    principal.load_user(caseworker_a.pk)
    with CaptureQueriesContext(connection) as queries:
        user = principal.load_user(caseworker_a.pk)
    assert len(queries) == 0
    assert user.pk == caseworker_a.pk and user.username == "fachkraft-a"
    assert permissions.roles_of(user) == {Role.CASEWORKER}
    assert len(queries) == 0  # the roles came with the snapshot


def test_each_load_is_a_fresh_instance(caseworker_a):
    first = principal.load_user(caseworker_a.pk)
    first.first_name = "geändert"
    first._ksqm_memberships = []
    second = principal.load_user(caseworker_a.pk)
    assert second is not first
    assert second.first_name != "geändert"
    assert permissions.roles_of(second) == {Role.CASEWORKER}
    with pytest.raises(TypeError):
        second._ksqm_principal["memberships"] = ()  # shared between threads: read-only


def test_unknown_or_tampered_ids_load_nobody(caseworker_a):
    assert principal.load_user(10**9) is None
    assert principal.load_user("keine-zahl") is None


def test_a_new_role_is_seen_on_the_next_load(caseworker_a, muni_b):
    principal.load_user(caseworker_a.pk)
    MembershipFactory(user=caseworker_a, municipality=muni_b, role=Role.COORDINATOR)
    user = principal.load_user(caseworker_a.pk)
    assert permissions.roles_of(user) == {Role.CASEWORKER, Role.COORDINATOR}


def test_a_change_in_another_process_is_seen_through_the_shared_version(caseworker_a):
    principal.load_user(caseworker_a.pk)
    # What another web process or machine does when it saves the user: a new token in the
    # shared cache. This process's snapshot is then never found again.
    Membership.objects.filter(user=caseworker_a).update(role=Role.READER)  # no signal
    assert permissions.roles_of(principal.load_user(caseworker_a.pk)) == {Role.CASEWORKER}
    cache.set(fragcache.VERSION_KEY + principal.scope(caseworker_a.pk), "other", None)
    assert permissions.roles_of(principal.load_user(caseworker_a.pk)) == {Role.READER}


def test_a_change_bypassing_signals_is_seen_after_max_age(caseworker_a, monkeypatch):
    principal.load_user(caseworker_a.pk)
    Membership.objects.filter(user=caseworker_a).update(role=Role.READER)  # SQL, no signal
    later = dt.datetime.now(dt.UTC) + principal.MAX_AGE + dt.timedelta(seconds=1)
    monkeypatch.setattr(principal.timezone, "now", lambda: later)
    assert permissions.roles_of(principal.load_user(caseworker_a.pk)) == {Role.READER}


def test_a_restore_drops_every_snapshot(caseworker_a):
    principal.load_user(caseworker_a.pk)
    Membership.objects.filter(user=caseworker_a).update(role=Role.READER)
    fragcache.everything_changed()
    assert permissions.roles_of(principal.load_user(caseworker_a.pk)) == {Role.READER}


def test_revoked_role_closes_the_page_on_the_next_request(client, coordinator_a, muni_a):
    """Role removal takes effect at once, although the user stays signed in."""
    member = MembershipFactory(municipality=muni_a, role=Role.COORDINATOR).user
    client.force_login(member)
    url = reverse("core:membership_list")
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # served from the snapshot now
    membership_revoke(
        membership=Membership.objects.get(user=member), actor=coordinator_a, reason="Wechsel"
    )
    assert client.get(url).status_code == 403


def test_deactivated_user_is_signed_out_on_the_next_request(client, caseworker_a):
    client.force_login(caseworker_a)
    url = reverse("core:dashboard")
    assert client.get(url).status_code == 200
    caseworker_a.is_active = False
    caseworker_a.save(update_fields=["is_active"])
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_password_change_elsewhere_ends_the_session(client, caseworker_a):
    client.force_login(caseworker_a)
    url = reverse("core:dashboard")
    assert client.get(url).status_code == 200
    user = get_user_model().objects.get(pk=caseworker_a.pk)
    user.set_password("ein-ganz-neues-passwort-42")
    user.save()
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_deleted_user_is_anonymous_on_the_next_request(client, muni_a):
    member = MembershipFactory(municipality=muni_a, role=Role.READER).user
    client.force_login(member)
    url = reverse("core:dashboard")
    assert client.get(url).status_code == 200
    get_user_model().objects.filter(pk=member.pk).delete()
    assert client.get(url).status_code == 302


def test_signed_in_requests_after_the_first_read_no_user_rows(client, caseworker_a):
    client.force_login(caseworker_a)
    url = reverse("core:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = _tables_read(queries)
    assert f'WHERE "auth_user"."id" = {caseworker_a.pk}' not in sql
    # The roles' own query (the dashboard lists the memberships with their communes apart).
    assert 'SELECT "core_membership"."municipality_id" AS' not in sql
    assert 'FROM "accounts_totpapp"' not in sql


def test_zero_entries_reads_the_database_every_time(caseworker_a, monkeypatch):
    monkeypatch.setattr(principal, "snapshots", fragcache.FragmentCache(0))
    principal.load_user(caseworker_a.pk)
    with CaptureQueriesContext(connection) as queries:
        user = principal.load_user(caseworker_a.pk)
    assert user.pk == caseworker_a.pk and len(queries) >= 2  # the row and its parts
