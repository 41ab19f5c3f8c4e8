"""Coordination manages case teams and deadlines, without seeing any procedure."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import CasePolicy, Team
from cases.tests.factories import make_procedure
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _url(muni):
    return reverse("cases:commune_settings", args=[muni.slug])


def test_coordinator_manages_teams_and_deadlines(client, muni_a, coordinator_a, caseworker_a):
    client.force_login(coordinator_a)
    assert client.get(_url(muni_a)).status_code == 200
    client.post(_url(muni_a), {"action": "team", "name": "ASD West"})
    team = Team.objects.get(municipality=muni_a, name="ASD West")
    client.post(_url(muni_a), {"action": "add", "team": team.pk, "user": caseworker_a.pk})
    assert team.memberships.filter(user=caseworker_a).exists()
    data = {
        "action": "policy",
        "retention_years": 3,
        "require_reporter_feedback": "on",
        "reason": "Dienstanweisung 2026",
        "fc_immediate": 1,
        "fc_same_day": 6,
        "fc_within_3_days": 48,
        "fc_within_week": 120,
        "step_risk_assessment_signed": 10,
        "step_reporter_feedback": 21,
        "step_closed": 90,
    }
    assert client.post(_url(muni_a), data).status_code == 302
    policy = CasePolicy.objects.get(municipality=muni_a)
    assert policy.first_contact_hours["immediate"] == 1
    assert policy.step_days["risk_assessment_signed"] == 10
    assert AuditEvent.objects.filter(reason="Dienstanweisung 2026").exists()
    procedure = make_procedure(team=team, actor=caseworker_a, urgency="immediate")
    assert procedure.first_contact_due - procedure.received_at == dt.timedelta(hours=1)
    client.post(_url(muni_a), {"action": "remove", "team": team.pk, "user": caseworker_a.pk})
    assert not team.memberships.filter(user=caseworker_a).exists()
    # the coordinator still cannot open the procedure
    assert client.get(procedure.get_absolute_url()).status_code == 404
    listing = client.get(reverse("cases:procedure_list"))
    assert listing.status_code == 200
    assert procedure.file_number not in listing.content.decode()


@pytest.mark.parametrize("who", ["caseworker_a", "team_lead_a", "coordinator_b", "partner_a"])
def test_others_cannot_manage_teams(request, client, muni_a, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(muni_a)).status_code == 403
    assert client.post(_url(muni_a), {"action": "team", "name": "X"}).status_code == 403
    assert not Team.objects.filter(name="X").exists()
