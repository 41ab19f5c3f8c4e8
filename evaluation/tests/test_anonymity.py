"""No answer can be traced to a person — not through the pages, not through the database."""

import datetime as dt

import pytest
import time_machine
from django.db import connection, models

from core.models import AccessLog, AuditEvent
from evaluation import services
from evaluation.models import Answer, FreeTextAnswer, Invitation, Response


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        yield


@pytest.mark.parametrize("model", [Response, Answer, FreeTextAnswer])
def test_answer_tables_have_no_link_to_invitations_and_no_clock(model):
    for field in model._meta.get_fields():
        related = getattr(field, "related_model", None)
        assert related is not Invitation, f"{model.__name__}.{field.name} points at Invitation"
        assert "token" not in field.name and "email" not in field.name
        assert not isinstance(field, models.DateTimeField), f"{model.__name__}.{field.name}"
        assert not isinstance(field, models.TimeField)


def test_invitation_has_no_trace_of_when_or_what_was_answered():
    names = {f.name for f in Invitation._meta.get_fields()}
    assert not names & {"used_at", "updated_at", "answered_at", "response"}
    datetime_fields = [
        f.name for f in Invitation._meta.get_fields() if isinstance(f, models.DateTimeField)
    ]
    # Only the time of inviting, which the coordinator knows anyway.
    assert datetime_fields == ["created_at"]
    assert not any(getattr(f, "auto_now", False) for f in Invitation._meta.get_fields())


def test_response_ids_are_random_not_sequential():
    assert Response._meta.pk.get_internal_type() == "UUIDField"


def test_two_people_of_one_type_cannot_be_told_apart_after_answering(invite, round_a):
    first = invite("erste", "school")
    second = invite("zweite", "school")
    invite("dritte", "school")
    audit_before, reads_before = AuditEvent.objects.count(), AccessLog.objects.count()
    services.response_submit(
        token="erste", answers={"coop_a": "1", "err_a": "1"}, texts={"coop_text": "streng"}
    )
    services.response_submit(token="zweite", answers={"coop_a": "5", "err_a": "5"}, texts={})

    # No audit or read-log row records the submissions (their timestamps would link them).
    assert AuditEvent.objects.count() == audit_before
    assert AccessLog.objects.count() == reads_before

    # Nothing in the answer tables holds an invitation's e-mail or token hash (the
    # schema test above shows that there is no column for an invitation's id).
    identifiers = set()
    for invitation in Invitation.objects.all():
        identifiers |= {invitation.email, invitation.token_hash}
    for model in (Response, Answer, FreeTextAnswer):
        for row in model.objects.values():
            assert not {str(value) for value in row.values()} & identifiers, model.__name__

    # The two used invitations look alike: same flags, no draft, no date of use.
    rows = {
        i.pk: (i.used, i.draft, i.reminders_sent, i.institution_type)
        for i in Invitation.objects.filter(pk__in=[first.pk, second.pk])
    }
    assert rows[first.pk] == rows[second.pk] == (True, {}, 0, "school")

    # The responses carry a date only — the same for both.
    dates = set(Response.objects.values_list("submitted_on", flat=True))
    assert dates == {dt.date(2026, 3, 1)}
    assert all(type(d) is dt.date for d in dates)


def test_row_versions_do_not_single_out_the_used_invitation(invite, round_a):
    """On PostgreSQL, xmin names the writing transaction; every invitation shares it."""
    for token in ("a", "b", "c", "d"):
        invite(token, "police")
    services.response_submit(token="b", answers={"coop_a": "3", "err_a": "3"}, texts={})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT xmin::text FROM evaluation_invitation WHERE round_id = %s",
                [round_a.pk],
            )
            versions = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT DISTINCT xmin::text FROM evaluation_response")
            response_versions = {row[0] for row in cursor.fetchall()}
        # Pytest wraps the test in one transaction, so the strongest statement here is
        # that all invitations were rewritten together with the response.
        assert len(versions) == 1 and versions == response_versions
    else:
        # SQLite keeps no row versions; the rewrite still happens and changes nothing.
        assert set(Invitation.objects.values_list("reminders_sent", flat=True)) == {0}
    assert Invitation.objects.filter(used=True).count() == 1


def test_results_never_expose_a_single_answer(client, coordinator_a, invite, round_a):
    invite("a", "school")
    services.response_submit(token="a", answers={"coop_a": "2", "err_a": "1"}, texts={"wish": "x"})
    client.force_login(coordinator_a)
    from django.urls import reverse

    body = client.get(reverse("evaluation:round_results", args=[round_a.code])).content.decode()
    assert "ab 3 Antworten" in body
    assert "Fehlerkultur" not in body and ">x<" not in body
