"""Issue 14: log retention — ``purge_logs`` deletes old audit and read-log rows in
batches, keeps those a legal hold or an open procedure needs, and is itself audited."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from core import retention
from core.audit import access_log_record, audit_record
from core.choices import AuditAction
from core.models import AccessLog, AuditEvent
from core.permissions import SystemActor
from reviews import services as review_services
from reviews.tests.factories import CaseReviewFactory

pytestmark = pytest.mark.django_db

OLD = timezone.now() - dt.timedelta(days=400)


def _old_rows(target, n: int = 1, related=None) -> None:
    with time_machine.travel(OLD, tick=False):
        for _ in range(n):
            audit_record(
                actor=SystemActor("t"), action=AuditAction.UPDATE, target=target, related=related
            )
            access_log_record(
                actor=SystemActor("t"),
                target=target,
                municipality_id=target.municipality_id,
                purpose="t",
            )


def test_old_rows_go_in_batches_new_and_held_rows_stay(
    muni_a, coordinator_a, settings, monkeypatch
):
    settings.KSQM_LOG_RETENTION_DAYS = 365
    monkeypatch.setattr(retention, "BATCH_SIZE", 3)
    plain = CaseReviewFactory(municipality=muni_a)
    held = CaseReviewFactory(municipality=muni_a)
    _old_rows(plain, n=7)
    _old_rows(held, n=2)
    _old_rows(CaseReviewFactory(municipality=muni_a), n=1, related=held)  # parent held
    review_services.review_legal_hold_set(
        review=held, actor=coordinator_a, hold=True, reason="Gericht"
    )
    fresh = AuditEvent.objects.filter(time__gte=OLD + dt.timedelta(days=1)).count()
    counts = retention.logs_purge(actor=SystemActor("purge_logs"))
    assert counts == {"audit": 7, "access": 8}  # the muni_a access rows are not held
    assert not AuditEvent.objects.filter(target_id=str(plain.pk), time__lt=OLD + dt.timedelta(1))
    assert AuditEvent.objects.filter(target_id=str(held.pk), time__lte=OLD).count() == 2
    assert AuditEvent.objects.filter(related_id=str(held.pk)).count() == 1
    assert AccessLog.objects.filter(target_id=str(held.pk)).count() == 2
    run = AuditEvent.objects.get(target_repr=retention.PURGE_REPR)
    assert run.after["audit_rows"] == 7 and run.after["read_log_rows"] == 8
    assert run.action == "purge" and run.actor_name == "purge_logs"
    assert AuditEvent.objects.filter(time__gte=OLD + dt.timedelta(days=1)).count() == fresh + 1
    # idempotent: nothing more to delete, and no new audit row for an empty run
    assert retention.logs_purge(actor=SystemActor("purge_logs")) == {"audit": 0, "access": 0}
    assert AuditEvent.objects.filter(target_repr=retention.PURGE_REPR).count() == 1


def test_lifting_the_hold_lets_the_next_run_delete(muni_a, coordinator_a, settings):
    settings.KSQM_LOG_RETENTION_DAYS = 30
    review = CaseReviewFactory(municipality=muni_a)
    _old_rows(review, n=2)
    review_services.review_legal_hold_set(
        review=review, actor=coordinator_a, hold=True, reason="Gericht"
    )
    assert retention.logs_purge(actor=SystemActor("t"))["audit"] == 0
    review_services.review_legal_hold_set(
        review=review, actor=coordinator_a, hold=False, reason="Verfahren beendet"
    )
    assert retention.logs_purge(actor=SystemActor("t")) == {"audit": 2, "access": 2}


def test_rows_of_an_open_procedure_stay_closed_ones_go(muni_a, caseworker_a, team_lead_a, settings):
    from cases.models import Procedure
    from cases.tests.factories import make_procedure, team_with

    team_a = team_with(muni_a, caseworker_a, team_lead_a)
    settings.KSQM_LOG_RETENTION_DAYS = 30
    open_one = make_procedure(team=team_a, actor=caseworker_a)
    closed = make_procedure(team=team_a, actor=caseworker_a)
    Procedure.objects.filter(pk=closed.pk).update(status="closed")
    _old_rows(open_one)
    _old_rows(closed)
    retention.logs_purge(actor=SystemActor("t"))
    assert AuditEvent.objects.filter(target_id=str(open_one.pk), time__lte=OLD).exists()
    assert AccessLog.objects.filter(target_id=str(open_one.pk), time__lte=OLD).exists()
    assert not AuditEvent.objects.filter(target_id=str(closed.pk), time__lte=OLD).exists()


def test_the_command_prints_counts_and_is_scheduled(muni_a, settings):
    from operations.schedules import job_get, schedule_status

    settings.KSQM_LOG_RETENTION_DAYS = 30
    _old_rows(CaseReviewFactory(municipality=muni_a), n=3)
    out = io.StringIO()
    call_command("purge_logs", stdout=out)
    assert out.getvalue().startswith("3 Protokolleinträge und 3 Leseprotokoll-")
    assert AuditEvent.objects.get(target_repr=retention.PURGE_REPR).source == "cli"
    assert job_get("purge_logs").command == "purge_logs"
    assert "purge_logs" in {row["job"].name for row in schedule_status()}


def test_audit_rows_stay_append_only_for_every_other_path(muni_a):
    from core.models import AppendOnlyError

    _old_rows(CaseReviewFactory(municipality=muni_a))
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
