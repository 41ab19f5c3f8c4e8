"""Mein Bereich for the partners app: each role sees what waits for it, and nothing of
another institution or commune."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core import inbox
from partners import services
from partners.choices import Decision
from partners.tests import factories as f

pytestmark = pytest.mark.django_db


def _kinds(user, today=None) -> dict[str, inbox.DueItem]:
    today = today or timezone.localdate()
    return {
        item.kind: item
        for section in inbox.due_sections(user=user, today=today)
        for item in section.items
        if item.kind.startswith(("partner", "consultation"))
    }


@pytest.fixture
def waiting(signed_a, kita_a, kita_staff_a, insofa_a, other_insofa_a, team_a):
    """A draft, a record due for review, a consultation request, a new Mitteilung."""
    f.record(kita_a, kita_staff_a, child_code="D.R.")  # draft
    monitored = f.record(kita_a, kita_staff_a, child_code="M.O.")
    services.record_update(
        record=monitored,
        actor=kita_staff_a,
        decision=Decision.MONITOR,
        parents_talk=True,
        review_on=timezone.localdate() - dt.timedelta(days=1),
    )
    services.consultation_request(
        record=signed_a, insofa=insofa_a, question="Reichen die Anhaltspunkte?", actor=kita_staff_a
    )
    services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())


def test_institution_staff_see_drafts_and_reviews_due(waiting, kita_staff_a, kita_staff_b):
    kinds = _kinds(kita_staff_a)
    assert kinds["partner_review_due"].count == 1 and kinds["partner_review_due"].overdue
    assert kinds["partner_drafts"].count == 2  # the draft and the monitored, unsigned one
    assert kinds["partner_drafts"].url == reverse("partners:dashboard")
    assert "consultation_requests" not in kinds and "partner_messages" not in kinds
    # Another commune's institution: nothing.
    assert _kinds(kita_staff_b) == {}


def test_insofa_sees_only_requests_addressed_to_her(
    waiting, insofa_user_a, other_insofa_a, kita_staff_a
):
    kinds = _kinds(insofa_user_a)
    assert kinds["consultation_requests"].count == 1
    assert set(kinds) == {"consultation_requests"}
    assert _kinds(other_insofa_a.user) == {}


def test_jugendamt_sees_new_mitteilungen_of_its_commune(
    waiting, caseworker_a, coordinator_a, caseworker_b
):
    kinds = _kinds(caseworker_a)
    assert kinds["partner_messages"].count == 1
    assert kinds["partner_messages"].url.endswith("?state=new")
    assert "partner_drafts" not in kinds and "consultation_requests" not in kinds
    assert "partner_messages" not in _kinds(caseworker_b)


def test_nothing_waiting_means_no_partner_items(kita_staff_a, insofa_user_a, caseworker_a):
    assert _kinds(kita_staff_a) == {} and _kinds(insofa_user_a) == {}
    assert _kinds(caseworker_a) == {}


def test_start_page_lists_the_partner_items(client, waiting, kita_staff_a):
    client.force_login(kita_staff_a)
    text = client.get(reverse("core:dashboard")).content.decode()
    assert "zur Überprüfung fällig" in text and "noch nicht abgezeichnet" in text
