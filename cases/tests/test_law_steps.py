"""Issue 16: every step § 8a names — involvement reasons, participants, Teamleitung policy,
unmittelbarer Eindruck, Schutzvereinbarung, Familiengericht, § 42, § 8a Abs. 6 hand-over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.choices import ProcedureStatus
from cases.models import Handover, Procedure
from cases.tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def _now():
    return timezone.now() - dt.timedelta(minutes=1)


def _draft(team, author, **update):
    p = make_procedure(team=team, actor=author)
    a = services.risk_assessment_start(
        procedure=p, actor=author, occurred_at=p.received_at + dt.timedelta(hours=1)
    )
    return services.risk_assessment_update(
        assessment=a, actor=author, result="need_of_help", **update
    )


def test_not_involving_parents_or_child_needs_a_reason(team_a, caseworker_a, team_lead_a):
    a = _draft(team_a, caseworker_a, parents_involved=False, child_involved=True)
    with pytest.raises(ValidationError, match="Eltern wurden nicht einbezogen"):
        services.risk_assessment_sign_off(assessment=a, actor=team_lead_a)
    services.risk_assessment_update(
        assessment=a, actor=caseworker_a, parents_not_involved_reason="Verdacht gegen den Vater."
    )
    services.risk_assessment_update(assessment=a, actor=caseworker_a, child_involved=False)
    with pytest.raises(ValidationError, match="Kind wurde nicht einbezogen"):
        services.risk_assessment_sign_off(assessment=a, actor=team_lead_a)
    services.risk_assessment_update(
        assessment=a, actor=caseworker_a, child_not_involved_reason="Säugling (4 Wochen)."
    )
    signed = services.risk_assessment_sign_off(assessment=a, actor=team_lead_a)
    assert signed.is_binding


def test_participants_of_the_assessment(client, team_a, caseworker_a, team_lead_a):
    a = _draft(team_a, caseworker_a, parents_involved=True, child_involved=True)
    client.force_login(caseworker_a)
    response = client.post(
        reverse("cases:assessment_detail", args=[a.code]),
        {
            "result": "need_of_help",
            "parents_involved": "on",
            "child_involved": "on",
            "participants": "Frau Demo-A – ASD\nHerr Demo-B - Kinderschutzfachkraft\n\n",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.participants == [
        {"name": "Frau Demo-A", "role": "ASD"},
        {"name": "Herr Demo-B", "role": "Kinderschutzfachkraft"},
    ]
    services.risk_assessment_sign_off(assessment=a, actor=team_lead_a)
    page = client.get(reverse("cases:assessment_detail", args=[a.code])).content.decode()
    assert "Herr Demo-B (Kinderschutzfachkraft)" in page


def test_commune_may_require_its_team_lead_to_sign(
    team_a, caseworker_a, team_lead_a, muni_a, coordinator_a
):
    from conftest import _member
    from core.choices import Role

    second = _member(muni_a, Role.CASEWORKER, "fachkraft-a-zwei")
    team_a.memberships.create(user=second)
    services.case_policy_update(
        municipality=muni_a, actor=coordinator_a, require_team_lead_signoff=True, reason="DA"
    )
    a = _draft(team_a, caseworker_a, parents_involved=True, child_involved=True)
    assert services.eligible_signers(assessment=a) == [team_lead_a]
    with pytest.raises(ValidationError, match="Teamleitung"):
        services.risk_assessment_sign_off(assessment=a, actor=second)
    assert services.risk_assessment_sign_off(assessment=a, actor=team_lead_a).is_binding


def test_direct_impression_court_steps_and_section_42(team_a, caseworker_a):
    p = make_procedure(team=team_a, actor=caseworker_a)
    with pytest.raises(ValidationError, match="unmittelbare Eindruck"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code="direct_impression", occurred_at=_now()
        )
    event = services.procedure_record_step(
        procedure=p,
        actor=caseworker_a,
        activity_code="direct_impression",
        occurred_at=_now(),
        details={"impression_form": "daycare_school"},
    )
    assert event.detail_labels == ["Besuch in Kita/Schule"]
    for step in ("family_court_hearing", "family_court_decision"):
        with pytest.raises(ValidationError, match="Familiengericht angerufen"):
            services.procedure_record_step(
                procedure=p, actor=caseworker_a, activity_code=step, occurred_at=_now()
            )
    for step in ("family_court_called", "family_court_hearing", "family_court_decision"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code=step, occurred_at=_now()
        )
    with pytest.raises(ValidationError, match="untergebracht"):
        services.procedure_record_step(
            procedure=p,
            actor=caseworker_a,
            activity_code="inobhutnahme",
            occurred_at=_now(),
            details={"section_42_reason": "child_request"},
        )


def test_safety_plan_review_date_is_a_deadline(team_a, caseworker_a, client):
    p = make_procedure(team=team_a, actor=caseworker_a)
    with pytest.raises(ValidationError, match="Termin zur Überprüfung"):
        services.procedure_record_step(
            procedure=p, actor=caseworker_a, activity_code="safety_plan", occurred_at=_now()
        )
    with pytest.raises(ValidationError, match="nach der Vereinbarung"):
        services.procedure_record_step(
            procedure=p,
            actor=caseworker_a,
            activity_code="safety_plan",
            occurred_at=_now(),
            details={"review_on": timezone.localdate().isoformat()},
        )
    with pytest.raises(ValidationError, match="keine Schutzvereinbarung"):
        services.procedure_record_step(
            procedure=p,
            actor=caseworker_a,
            activity_code="safety_plan_reviewed",
            occurred_at=_now(),
        )
    review = timezone.localdate() + dt.timedelta(days=2)
    services.procedure_record_step(
        procedure=p,
        actor=caseworker_a,
        activity_code="safety_plan",
        occurred_at=_now(),
        details={"review_on": review.isoformat()},
    )
    p.refresh_from_db()
    assert timezone.localtime(p.safety_plan_review_due).date() == review
    assert "Überprüfung der Schutzvereinbarung" in [label for label, _d, _x in p.deadlines()]
    # Due within three days: in the "due" list of the team (first contact is met there).
    services.procedure_record_step(
        procedure=p, actor=caseworker_a, activity_code="first_contact", occurred_at=_now()
    )
    p.refresh_from_db()
    assert p in selectors.procedure_list(user=caseworker_a, due="due")
    assert p not in selectors.procedure_list(user=caseworker_a, due="overdue")
    services.procedure_record_step(
        procedure=p, actor=caseworker_a, activity_code="safety_plan_reviewed", occurred_at=_now()
    )
    p.refresh_from_db()
    assert p.safety_plan_reviewed_at is not None


def test_closing_deadline_applies(team_a, caseworker_a):
    received = timezone.now() - dt.timedelta(days=130)
    p = make_procedure(team=team_a, actor=caseworker_a, received_at=received)
    assert p.close_due == received + dt.timedelta(days=120)
    assert ("Abschluss des Verfahrens", p.close_due, None) in p.deadlines()
    assert p in selectors.procedure_list(user=caseworker_a, due="overdue")


# --- § 8a Abs. 6 hand-over between two communes on the platform ----------------------------


@pytest.fixture
def handed_over(team_a, caseworker_a, team_b, muni_b):
    p = make_procedure(team=team_a, actor=caseworker_a)
    handover = services.procedure_hand_over(
        procedure=p,
        actor=caseworker_a,
        occurred_at=_now(),
        to_municipality=muni_b,
        items=["indications", "help"],
        transmitted="Familie zieht nach B; SPFH läuft seit März, Kita meldete Hämatome.",
        conversation_at=_now(),
        conversation_with="ASD B, Frau Demo",
        conversation_note="Fallübergabe telefonisch, Hilfeplan besprochen.",
    )
    return p, handover


def test_hand_over_to_a_commune_on_the_platform(
    handed_over, client, caseworker_a, caseworker_b, team_b
):
    p, handover = handed_over
    assert handover.to_office == "Jugendamt Landkreis Beispiel B"
    client.force_login(caseworker_b)
    intake = client.get(reverse("cases:handover_intake")).content.decode()
    assert "Stadt Musterstadt A" in intake
    page = client.get(reverse("cases:handover_detail", args=[handover.code])).content.decode()
    assert "Familie zieht nach B" in page and "Hilfeplan besprochen" in page
    # Exactly what was transmitted: no name (identity was not chosen), not the report text.
    assert "Mia Muster-A" not in page and "ohne Frühstück" not in page
    assert client.get(p.get_absolute_url()).status_code == 404  # never the sender's file
    response = client.post(
        reverse("cases:handover_detail", args=[handover.code]), {"team": team_b.pk}
    )
    received = Procedure.objects.get(municipality=team_b.municipality)
    assert response.status_code == 302 and response["Location"] == received.get_absolute_url()
    assert received.reporter_category == "other_youth_office"
    assert received.indications == handover.transmitted
    assert received.persons.count() == 0
    assert received.child.sex == p.child.sex
    page = client.get(received.get_absolute_url()).content.decode()
    assert 'id="received-handover"' in page
    with pytest.raises(ValidationError, match="bereits übernommen"):
        services.handover_accept(
            handover=Handover.objects.get(pk=handover.pk), actor=caseworker_b, team=team_b
        )


def test_handed_over_procedure_closes_without_fictitious_steps(handed_over, caseworker_a):
    p, _handover = handed_over
    p.refresh_from_db()
    assert services.procedure_missing_steps(procedure=p) == []
    closed = services.procedure_close(procedure=p, actor=caseworker_a, occurred_at=_now())
    assert closed.status == ProcedureStatus.CLOSED
    assert not closed.assessments.exists() and closed.first_contact_at is None


def test_hand_over_rules_and_isolation(
    handed_over, team_a, caseworker_a, muni_a, caseworker_b, team_b, client
):
    p, handover = handed_over
    with pytest.raises(ValidationError, match="bereits übergeben"):
        services.procedure_hand_over(
            procedure=p, actor=caseworker_a, occurred_at=_now(), to_office="X",
            items=["help"], transmitted="x",
        )  # fmt: skip
    other = make_procedure(team=team_a, actor=caseworker_a)
    for kwargs, message in (
        ({"to_municipality": muni_a}, "anderes Jugendamt"),
        ({}, "zuständige Jugendamt"),
        ({"to_office": "JA X", "items": []}, "welche Angaben"),
        ({"to_office": "JA X", "transmitted": " "}, "Inhalt"),
        ({"to_office": "JA X", "conversation_at": _now()}, "mit wem"),
    ):
        params = {"items": ["help"], "transmitted": "Text", **kwargs}
        with pytest.raises(ValidationError, match=message):
            services.procedure_hand_over(
                procedure=other, actor=caseworker_a, occurred_at=_now(), **params
            )
    # The sender's caseworker is not the receiver: no intake access in B.
    client.force_login(caseworker_a)
    assert client.get(reverse("cases:handover_detail", args=[handover.code])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.handover_accept(handover=handover, actor=caseworker_a, team=team_a)
    with pytest.raises(PermissionDenied):
        services.procedure_hand_over(
            procedure=other, actor=caseworker_b, occurred_at=_now(), to_office="JA",
            items=["help"], transmitted="x",
        )  # fmt: skip


def test_hand_over_with_identity_carries_the_child(
    team_a, caseworker_a, team_b, muni_b, caseworker_b
):
    p = make_procedure(team=team_a, actor=caseworker_a)
    handover = services.procedure_hand_over(
        procedure=p,
        actor=caseworker_a,
        occurred_at=_now(),
        to_municipality=muni_b,
        items=["identity"],
        transmitted="Name und Geburtsdatum, neue Anschrift in B.",
    )
    received = services.handover_accept(handover=handover, actor=caseworker_b, team=team_b)
    assert list(received.persons.values_list("role", flat=True)) == ["child"]
    assert received.persons.get().name == "Mia Muster-A"
