"""A legal hold on a procedure stops every purge while a court case or complaint runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import selectors, services
from cases.tests.factories import make_procedure
from cases.tests.test_services import _closed_procedure
from core.choices import AuditAction
from core.models import AuditEvent
from core.permissions import SystemActor

pytestmark = pytest.mark.django_db
PURGER = SystemActor("purge_expired")


@pytest.fixture
def expired(team_a, caseworker_a, team_lead_a):
    """A procedure closed six years ago: its retention period has run out."""
    return _closed_procedure(
        team_a, caseworker_a, team_lead_a, timezone.now() - dt.timedelta(days=6 * 365)
    )


def test_held_procedure_is_not_purged_until_the_hold_is_lifted(expired, team_lead_a):
    services.procedure_legal_hold_set(
        procedure=expired, actor=team_lead_a, hold=True, reason="Verfahren beim Familiengericht"
    )
    assert services.procedures_purge_expired(actor=PURGER) == 0
    expired.refresh_from_db()
    assert expired.purged_at is None and expired.persons.count() == 2
    with pytest.raises(ValidationError, match="Löschsperre"):
        services.procedure_purge_identifying(procedure=expired, actor=PURGER, reason="manuell")

    services.procedure_legal_hold_set(
        procedure=expired, actor=team_lead_a, hold=False, reason="Gericht hat entschieden"
    )
    assert services.procedures_purge_expired(actor=PURGER) == 1
    expired.refresh_from_db()
    assert expired.purged_at is not None and not expired.persons.exists()


def test_setting_and_lifting_are_audited_with_their_reason(expired, team_lead_a):
    services.procedure_legal_hold_set(
        procedure=expired, actor=team_lead_a, hold=True, reason="Strafverfahren"
    )
    services.procedure_legal_hold_set(
        procedure=expired, actor=team_lead_a, hold=False, reason="Verfahren eingestellt"
    )
    rows = list(
        AuditEvent.objects.filter(
            target_id=str(expired.pk), reason__in=["Strafverfahren", "Verfahren eingestellt"]
        ).order_by("id")
    )
    assert [r.action for r in rows] == [AuditAction.UPDATE, AuditAction.UPDATE]
    assert rows[0].after == {"legal_hold": True, "legal_hold_reason": "Strafverfahren"}
    assert rows[1].before["legal_hold"] is True and rows[1].after["legal_hold"] is False


def test_a_reason_is_required_and_the_state_must_change(expired, team_lead_a):
    with pytest.raises(ValidationError) as missing:
        services.procedure_legal_hold_set(
            procedure=expired, actor=team_lead_a, hold=True, reason=" "
        )
    assert "reason" in missing.value.message_dict
    with pytest.raises(ValidationError) as unchanged:
        services.procedure_legal_hold_set(
            procedure=expired, actor=team_lead_a, hold=False, reason="nichts zu tun"
        )
    assert "hold" in unchanged.value.message_dict


def test_only_the_team_lead_of_the_responsible_team_decides(
    team_a, caseworker_a, team_lead_a, coordinator_a, caseworker_b
):
    procedure = make_procedure(team=team_a, actor=caseworker_a)
    for outsider in (caseworker_a, coordinator_a, caseworker_b):
        with pytest.raises(PermissionDenied):
            services.procedure_legal_hold_set(
                procedure=procedure, actor=outsider, hold=True, reason="Beschwerde"
            )
        assert not services.may_set_legal_hold(user=outsider, procedure=procedure)
    assert services.may_set_legal_hold(user=team_lead_a, procedure=procedure)


def test_log_retention_keeps_the_history_of_held_procedures(expired, team_lead_a):
    held = lambda: {p.pk for qs in selectors.log_holds() for p in qs}  # noqa: E731
    assert expired.pk not in held()
    services.procedure_legal_hold_set(
        procedure=expired, actor=team_lead_a, hold=True, reason="Beschwerde der Eltern"
    )
    assert expired.pk in held()


def test_team_lead_sets_the_hold_on_the_page_and_errors_stay_inline(
    client, expired, team_lead_a, caseworker_a, caseworker_b
):
    url = f"/verfahren/{expired.code}/loeschsperre/"
    client.force_login(caseworker_a)
    page = client.get(expired.get_absolute_url())
    assert 'id="hold-form"' not in page.content.decode()  # a caseworker does not decide
    assert client.post(url, {"hold-hold": "on", "hold-reason": "x"}).status_code == 403

    client.force_login(team_lead_a)
    assert 'id="hold-form"' in client.get(expired.get_absolute_url()).content.decode()
    empty = client.post(url, {"hold-hold": "on", "hold-reason": ""})
    assert empty.status_code == 400 and 'id="hold-form"' in empty.content.decode()
    done = client.post(url, {"hold-hold": "on", "hold-reason": "Familiengericht"})
    assert done.status_code == 302 and done["Location"].endswith("#aufbewahrung")
    expired.refresh_from_db()
    assert expired.legal_hold and expired.legal_hold_reason == "Familiengericht"
    assert "Familiengericht" in client.get(expired.get_absolute_url()).content.decode()

    client.force_login(caseworker_b)  # another commune: the procedure does not exist for her
    assert client.post(url, {"hold-hold": "", "hold-reason": "weg"}).status_code == 404
    expired.refresh_from_db()
    assert expired.legal_hold
