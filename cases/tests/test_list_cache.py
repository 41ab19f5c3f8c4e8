"""The case list's per-process table cache: never stale, never wider than the user's scope,
and nothing of the rows in the shared cache (core.fragcache, cases.views.procedure_list)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.choices import ProcedureStatus
from cases.models import Procedure, TeamMembership
from cases.tests.factories import decide, make_procedure, team_with
from core import fragcache
from core.models import AccessLog, Membership

pytestmark = pytest.mark.django_db

LIST = reverse("cases:procedure_list")


@pytest.fixture(autouse=True)
def _empty_fragments():
    fragcache.fragments.clear()
    yield
    fragcache.fragments.clear()


@pytest.fixture
def procedure(team_a, caseworker_a):
    return make_procedure(team=team_a, actor=caseworker_a)


def _list(client, query: str = "", **headers) -> str:
    """The table part of the list page (the filter form above it names every status)."""
    response = client.get(LIST + query, **headers)
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index('<div id="procedure-table"') :]


def _row(body: str, procedure: Procedure) -> str:
    return body.split(procedure.file_number)[1].split("</tr>")[0]


def test_second_request_is_served_from_the_cache_with_fewer_queries(
    client, procedure, caseworker_a, django_assert_max_num_queries
):
    client.force_login(caseworker_a)
    first = _list(client)
    with django_assert_max_num_queries(5):  # session, user, memberships, team ids, +1 spare
        second = _list(client)
    assert first == second
    assert procedure.file_number in second


def test_new_procedure_shows_immediately(client, procedure, team_a, caseworker_a):
    client.force_login(caseworker_a)
    assert "1 Verfahren" in _list(client)
    new = make_procedure(team=team_a, actor=caseworker_a)
    body = _list(client)
    assert new.file_number in body and "2 Verfahren" in body


def test_changed_procedure_shows_immediately(client, procedure, caseworker_a):
    client.force_login(caseworker_a)
    assert "in Gefährdungseinschätzung" not in _list(client)
    # The service writes the status with a queryset update(), which sends no signal.
    services.risk_assessment_start(
        procedure=procedure, actor=caseworker_a, occurred_at=timezone.now()
    )
    assert "in Gefährdungseinschätzung" in _list(client)


def test_closed_procedure_shows_immediately(client, procedure, caseworker_a, team_lead_a):
    client.force_login(caseworker_a)
    before = _list(client)
    assert "abgeschlossen" not in _row(before, procedure)
    decide(procedure, author=caseworker_a, signer=team_lead_a)
    step_time = timezone.now() - dt.timedelta(minutes=10)
    for code in ("first_contact", "reporter_feedback"):
        services.procedure_record_step(
            procedure=procedure, actor=caseworker_a, activity_code=code, occurred_at=step_time
        )
    services.procedure_close(procedure=procedure, actor=caseworker_a, occurred_at=timezone.now())
    assert Procedure.objects.get(pk=procedure.pk).status == ProcedureStatus.CLOSED
    row = _row(_list(client), procedure)
    assert "abgeschlossen" in row
    assert row.rstrip().endswith("<td>—</td>")  # a closed procedure has no next deadline


def test_deleted_procedure_disappears(client, procedure, team_a, caseworker_a):
    other = make_procedure(team=team_a, actor=caseworker_a)
    client.force_login(caseworker_a)
    assert procedure.file_number in _list(client)
    procedure.persons.all().delete()
    procedure.delete()
    body = _list(client)
    assert procedure.file_number not in body and other.file_number in body
    Procedure.objects.filter(pk=other.pk).delete()  # the queryset path
    assert "Keine Verfahren." in _list(client)


def test_renamed_team_shows_immediately(client, procedure, team_a, caseworker_a):
    client.force_login(caseworker_a)
    assert "ASD Mitte" in _list(client)
    team_a.name = "ASD Nordost"
    team_a.save()
    assert "ASD Nordost" in _list(client)


def test_user_who_lost_the_team_no_longer_sees_the_rows(
    client, procedure, team_a, caseworker_a, coordinator_a
):
    client.force_login(caseworker_a)
    assert procedure.file_number in _list(client)
    services.team_member_remove(team=team_a, user=caseworker_a, actor=coordinator_a)
    assert procedure.file_number not in _list(client)


def test_user_who_lost_the_role_gets_403(client, procedure, caseworker_a):
    client.force_login(caseworker_a)
    assert procedure.file_number in _list(client)
    Membership.objects.filter(user=caseworker_a).delete()
    assert client.get(LIST).status_code == 403


def test_colleague_of_another_team_and_other_commune_never_get_the_cached_rows(
    client, procedure, caseworker_a, other_caseworker_a, muni_a, caseworker_b, team_b
):
    client.force_login(caseworker_a)
    assert procedure.file_number in _list(client)
    team_with(muni_a, other_caseworker_a, name="ASD Süd")
    for outsider in (other_caseworker_a, caseworker_b):
        client.force_login(outsider)
        body = _list(client)
        assert procedure.file_number not in body and "Keine Verfahren." in body


def test_team_member_added_sees_the_rows(client, procedure, team_a, other_caseworker_a):
    client.force_login(other_caseworker_a)
    assert procedure.file_number not in _list(client)
    TeamMembership.objects.create(team=team_a, user=other_caseworker_a)
    assert procedure.file_number in _list(client)


def test_overdue_badge_appears_when_the_deadline_passes_without_any_write(
    client, team_a, caseworker_a
):
    p = make_procedure(team=team_a, actor=caseworker_a, received_at=timezone.now())
    client.force_login(caseworker_a)
    row = _row(_list(client), p)
    assert "überfällig" not in row
    with time_machine.travel(p.first_contact_due + dt.timedelta(minutes=1)):
        client.force_login(caseworker_a)  # the idle timeout is off in tests; a fresh login
        row = _row(_list(client), p)
    assert "überfällig" in row


def test_filters_pages_and_languages_are_separate_entries(client, procedure, caseworker_a):
    client.force_login(caseworker_a)
    german = _list(client)
    client.cookies["django_language"] = "en"
    english = _list(client)
    assert "Nächste Frist" in german
    assert "Nächste Frist" not in english and "Next deadline" in english
    assert procedure.file_number not in _list(client, "?status=closed")
    assert procedure.file_number in _list(client, "?status=open")


def test_htmx_partial_is_the_same_table(client, procedure, caseworker_a):
    client.force_login(caseworker_a)
    page = client.get(LIST).content.decode()
    partial = client.get(LIST, HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<div id="procedure-table"')
    assert partial in page and procedure.file_number in partial


def test_no_row_data_goes_into_the_shared_cache(client, procedure, caseworker_a):
    client.force_login(caseworker_a)
    _list(client)
    _list(client)
    stored = dict(cache._cache)  # LocMemCache internals: key -> pickled value
    assert any(fragcache.VERSION_KEY in key for key in stored)
    assert not any("procedure" in key for key in stored)
    assert not any(procedure.file_number.encode() in value for value in stored.values())
    assert not AccessLog.objects.exists()  # the list never logged reads, and still does not


def test_due_filter_is_never_cached(client, team_a, caseworker_a):
    p = make_procedure(team=team_a, actor=caseworker_a, received_at=timezone.now())
    client.force_login(caseworker_a)
    assert p.file_number not in _list(client, "?due=overdue")
    with time_machine.travel(p.first_contact_due + dt.timedelta(minutes=1)):
        client.force_login(caseworker_a)
        assert p.file_number in _list(client, "?due=overdue")
