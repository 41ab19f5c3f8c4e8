"""Mein Bereich for casework: the cases app's due-items hook (core.inbox)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.tests.factories import make_procedure, team_with
from core import inbox

pytestmark = pytest.mark.django_db


def _kinds(user) -> dict[str, inbox.DueItem]:
    return {
        item.kind: item
        for section in inbox.due_sections(user=user, today=timezone.localdate())
        for item in section.items
        if item.kind
        in {
            "sign_off_waiting",
            "sign_off_returned",
            "close_overdue",
            "overdue_deadlines",
            "deadlines_soon",
            "handover_intake",
        }
    }


def _draft(team, author):
    procedure = make_procedure(team=team, actor=author)
    assessment = services.risk_assessment_start(
        procedure=procedure, actor=author, occurred_at=procedure.received_at + dt.timedelta(days=1)
    )
    return services.risk_assessment_update(
        assessment=assessment,
        actor=author,
        result="latent",
        kinds=["neglect"],
        danger_source="mother",
        notes="Synthetische Begründung.",
        parents_involved=True,
        child_involved=True,
    )


def test_sign_off_waiting_for_me_and_returned_to_me(team_a, caseworker_a, team_lead_a):
    first = _draft(team_a, caseworker_a)
    second = _draft(team_a, caseworker_a)
    services.risk_assessment_request_sign_off(
        assessment=first, actor=caseworker_a, signer=team_lead_a
    )
    services.risk_assessment_request_sign_off(
        assessment=second, actor=caseworker_a, signer=team_lead_a
    )
    waiting = _kinds(team_lead_a)["sign_off_waiting"]
    assert waiting.count == 2 and waiting.url == reverse("cases:sign_off_inbox")
    assert "sign_off_waiting" not in _kinds(caseworker_a)
    services.risk_assessment_return(assessment=first, actor=team_lead_a, comment="Bitte ergänzen.")
    assert _kinds(team_lead_a)["sign_off_waiting"].count == 1
    assert _kinds(caseworker_a)["sign_off_returned"].count == 1
    # Asked again: no longer "returned".
    services.risk_assessment_request_sign_off(
        assessment=first, actor=caseworker_a, signer=team_lead_a
    )
    assert "sign_off_returned" not in _kinds(caseworker_a)


def test_overdue_and_closing_deadlines_counted_for_the_team_only(
    team_a, caseworker_a, other_caseworker_a, client
):
    now = timezone.now()
    make_procedure(team=team_a, actor=caseworker_a, received_at=now - dt.timedelta(days=130))
    make_procedure(team=team_a, actor=caseworker_a, received_at=now - dt.timedelta(hours=2))
    kinds = _kinds(caseworker_a)
    assert kinds["close_overdue"].count == 1 and kinds["close_overdue"].overdue
    assert kinds["overdue_deadlines"].count >= 1
    # A caseworker of the same commune outside the team sees nothing of it.
    assert not _kinds(other_caseworker_a)
    client.force_login(caseworker_a)
    page = client.get(kinds["close_overdue"].url)
    assert page.status_code == 200
    listed = selectors.procedure_list(user=caseworker_a, due="close")
    assert listed.count() == 1


def test_handover_waits_in_the_receiving_intake_not_in_the_senders(
    team_a, caseworker_a, muni_b, caseworker_b
):
    team_b = team_with(muni_b, caseworker_b, name="ASD B")
    procedure = make_procedure(team=team_a, actor=caseworker_a)
    handover = services.procedure_hand_over(
        procedure=procedure,
        actor=caseworker_a,
        occurred_at=timezone.now(),
        to_municipality=muni_b,
        items=["indications"],
        transmitted="Familie zieht nach B.",
        conversation_at=timezone.now(),
        conversation_with="ASD B",
        conversation_note="Telefonisch übergeben.",
    )
    assert _kinds(caseworker_b)["handover_intake"].count == 1
    assert "handover_intake" not in _kinds(caseworker_a)
    services.handover_accept(handover=handover, actor=caseworker_b, team=team_b)
    assert "handover_intake" not in _kinds(caseworker_b)


@pytest.mark.parametrize("who", ["coordinator_a", "readonly_a", "partner_a"])
def test_roles_without_case_work_get_no_case_items(request, who, team_a, caseworker_a):
    make_procedure(
        team=team_a, actor=caseworker_a, received_at=timezone.now() - dt.timedelta(days=130)
    )
    assert _kinds(request.getfixturevalue(who)) == {}


def test_mein_bereich_page_shows_the_case_items(client, team_a, caseworker_a):
    make_procedure(
        team=team_a, actor=caseworker_a, received_at=timezone.now() - dt.timedelta(days=130)
    )
    client.force_login(caseworker_a)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "über der Abschlussfrist" in page
    assert "Muster-A" not in page  # counts only, no family data
