"""Schedules: one run per job and period however often the scheduler wakes, outcome stored."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from operations import schedules
from operations.choices import ScheduleRunStatus
from operations.models import ScheduleRun

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


def test_slots_are_the_start_of_the_current_period():
    daily = schedules.Job("d", "x", schedules.DAILY, "d", hour=6)
    assert daily.slot(at(2026, 12, 6, 7, 0)) == at(2026, 12, 6, 6, 0)
    assert daily.slot(at(2026, 12, 6, 5, 59)) == at(2026, 12, 5, 6, 0)
    weekly = schedules.Job("w", "x", schedules.WEEKLY, "w", hour=6, weekday=0)
    assert weekly.slot(at(2026, 12, 6, 12, 0)) == at(2026, 11, 30, 6, 0)  # Sunday → Monday
    assert weekly.slot(at(2026, 12, 7, 5, 0)) == at(2026, 11, 30, 6, 0)
    assert weekly.slot(at(2026, 12, 7, 6, 0)) == at(2026, 12, 7, 6, 0)
    hourly = schedules.Job("h", "x", schedules.HOURLY, "h", minute=5)
    assert hourly.slot(at(2026, 12, 6, 7, 4)) == at(2026, 12, 6, 6, 5)


def test_each_period_runs_once_however_often_the_scheduler_wakes(monkeypatch, settings):
    ran: list[str] = []
    monkeypatch.setattr(schedules, "JOB_RUNNER", lambda job: ran.append(job.name) or "ok")
    jobs = (schedules.Job("daily", "x", schedules.DAILY, "d", hour=6),)
    monkeypatch.setattr(schedules, "JOBS", jobs)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(schedules.transaction, "on_commit", lambda f, using=None, robust=False: f())
        first = schedules.schedules_enqueue_due(now=at(2026, 12, 6, 6, 1), jobs=jobs)
        again = schedules.schedules_enqueue_due(now=at(2026, 12, 6, 9, 0), jobs=jobs)
        next_day = schedules.schedules_enqueue_due(now=at(2026, 12, 7, 6, 0), jobs=jobs)
    assert len(first) == 1 and again == [] and len(next_day) == 1
    assert ran == ["daily", "daily"]
    runs = ScheduleRun.objects.order_by("slot")
    assert [r.status for r in runs] == [ScheduleRunStatus.SUCCEEDED] * 2
    assert runs[0].outcome == "ok" and runs[0].attempts == 1


def test_a_rerun_of_a_succeeded_run_does_nothing(monkeypatch):
    ran: list[str] = []
    monkeypatch.setattr(schedules, "JOB_RUNNER", lambda job: ran.append(job.name) or "done")
    run = ScheduleRun.objects.create(job="purge_expired", slot=at(2026, 12, 6, 2, 0))
    assert schedules.run_scheduled_job.call(run_id=run.pk) == "succeeded"
    assert schedules.run_scheduled_job.call(run_id=run.pk) == "skipped"
    assert ran == ["purge_expired"]


def test_a_failing_job_is_recorded_with_its_error_and_retried(monkeypatch):
    calls: list[int] = []

    def fails(job):
        calls.append(1)
        raise RuntimeError("SMTP server unreachable")

    monkeypatch.setattr(schedules, "JOB_RUNNER", fails)
    run = ScheduleRun.objects.create(job="review_reminders", slot=at(2026, 12, 6, 6, 0))
    # Immediate backend: the retries run at once; all three attempts fail.
    schedules.run_scheduled_job.enqueue(run_id=run.pk)
    run.refresh_from_db()
    assert len(calls) == 3 and run.attempts == 3
    assert run.status == ScheduleRunStatus.FAILED
    assert run.outcome == "RuntimeError: SMTP server unreachable"


def test_real_jobs_run_their_commands(muni_a, settings):
    # Every job names a command that exists and runs on an empty installation.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for job in schedules.JOBS:
        output = schedules._run_job(job)
        assert isinstance(output, str)


def test_scheduler_once_queues_every_job_and_lists_them(capsys, settings):
    settings.TASK_BACKEND = "database"
    call_command("scheduler", "--once")
    assert set(ScheduleRun.objects.values_list("job", flat=True)) == {
        j.name for j in schedules.JOBS
    }
    call_command("scheduler", "--once")
    assert ScheduleRun.objects.count() == len(schedules.JOBS)
    call_command("scheduler", "--list")
    assert "purge_expired" in capsys.readouterr().out


def test_database_only_housekeeping_is_skipped_on_other_backends(settings):
    settings.TASK_BACKEND = "immediate"
    created = schedules.schedules_enqueue_due()
    assert "task_results" not in {r.job for r in created}


def test_admin_shows_last_runs(admin_client):
    ScheduleRun.objects.create(
        job="purge_expired", slot=at(2026, 12, 6, 2, 0), status="succeeded", outcome="3 Verfahren"
    )
    page = admin_client.get("/admin/operations/schedulerun/")
    assert page.status_code == 200 and "purge_expired" in page.content.decode()
