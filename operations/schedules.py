"""The periodic jobs and the one mechanism that runs them.

``manage.py scheduler`` (a long-running process, systemd unit ``ksqm-scheduler``) wakes
every minute and, for each job in :data:`JOBS` whose current period (``slot``) has no
run yet, creates a :class:`ScheduleRun` row and enqueues a task that runs the job's
management command on a worker. ``manage.py scheduler --once`` does one such pass and
exits, for installations that prefer cron or a systemd timer.

Idempotent by construction: the row is unique per (job, slot), so two schedulers, a
restart in the middle of a minute or a cron line that fires twice create one run per
period; a task that is retried or re-run after a worker restart finds its run already
succeeded and does nothing. A scheduler that was down for days catches up with one run
(the latest period), not with one per missed period. Every run is logged and its status
and output are visible to administrators (admin → Betrieb → Läufe geplanter Aufträge).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tasks import durable_task, enqueue_on_commit
from operations.choices import ScheduleRunStatus
from operations.models import ScheduleRun

logger = logging.getLogger("ksqm.schedules")

HOURLY, DAILY, WEEKLY = "hourly", "daily", "weekly"


@dataclass(frozen=True)
class Job:
    """A periodic job: a management command run once per period at a local time."""

    name: str
    command: str
    period: str
    label: Any
    hour: int = 0
    minute: int = 0
    weekday: int = 0  # Monday; weekly jobs only
    args: tuple[str, ...] = field(default_factory=tuple)
    only_backend: str = ""  # runs only with this task backend (its own housekeeping)

    def slot(self, now: dt.datetime) -> dt.datetime:
        """Start of the period ``now`` falls in (aware, local time zone)."""
        local = timezone.localtime(now)
        if self.period == HOURLY:
            start = local.replace(minute=self.minute, second=0, microsecond=0)
            if start > local:
                start -= dt.timedelta(hours=1)
            return start
        start = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if self.period == WEEKLY:
            start -= dt.timedelta(days=(local.weekday() - self.weekday) % 7)
            if start > local:
                start -= dt.timedelta(days=7)
            return start
        if start > local:
            start -= dt.timedelta(days=1)
        return start


JOBS: tuple[Job, ...] = (
    Job(
        "review_reminders",
        "send_review_reminders",
        DAILY,
        _("Erinnerung an fällige Überprüfungen von Vereinbarungen"),
        hour=6,
    ),
    Job(
        "standard_reminders",
        "send_standard_reminders",
        DAILY,
        _("Erinnerung an fällige Überprüfungen lokaler Standards"),
        hour=6,
        minute=5,
    ),
    Job(
        "stale_services",
        "notify_stale_services",
        WEEKLY,
        _("Nicht bestätigte Frühe-Hilfen-Angebote melden"),
        hour=6,
        minute=15,
    ),
    Job(
        "evaluation_reminders",
        "send_evaluation_reminders",
        DAILY,
        _("Erinnerung an offene Evaluationseinladungen"),
        hour=7,
    ),
    Job(
        "incident_arrivals",
        "audit_incident_arrivals",
        DAILY,
        _("Eingänge anonymer Beinahe-Ereignisse des Vortags ins Protokoll (nur Datum)"),
        hour=1,
        minute=30,
    ),
    Job(
        "purge_expired",
        "purge_expired",
        DAILY,
        _("Identifizierende Daten nach Ablauf der Löschfrist entfernen"),
        hour=2,
    ),
    Job(
        "purge_reviews",
        "purge_reviews",
        DAILY,
        _("Freitexte von Falluntersuchungen und Beinahe-Ereignissen nach ihrer Frist entfernen"),
        hour=2,
        minute=15,
    ),
    Job(
        "purge_logs",
        "purge_logs",
        DAILY,
        _("Änderungs- und Leseprotokoll nach ihrer Aufbewahrungsfrist löschen"),
        hour=2,
        minute=45,
    ),
    Job(
        "purge_partner_records",
        "purge_partner_records",
        DAILY,
        _("Aufzeichnungen der Netzwerkpartner nach ihrer Löschfrist entfernen"),
        hour=2,
        minute=30,
    ),
    Job(
        "interrupted_uploads",
        "fail_interrupted_uploads",
        HOURLY,
        _("Abgebrochene Protokoll-Uploads als fehlgeschlagen markieren"),
        minute=5,
    ),
    Job(
        "task_results",
        "prune_db_task_results",
        DAILY,
        _("Ergebnisse erledigter Hintergrundaufgaben nach 30 Tagen löschen"),
        hour=3,
        args=("--min-age-days", "30"),
        only_backend="database",
    ),
)


def job_get(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)


def schedules_enqueue_due(
    *, now: dt.datetime | None = None, jobs: tuple[Job, ...] | None = None
) -> list[ScheduleRun]:
    """Create (and enqueue) the runs of every job whose current period has none yet."""
    now = now or timezone.now()
    created: list[ScheduleRun] = []
    for job in jobs or JOBS:
        if job.only_backend and job.only_backend != settings.TASK_BACKEND:
            continue
        slot = job.slot(now)
        try:
            with transaction.atomic():
                run = ScheduleRun.objects.create(job=job.name, slot=slot)
                enqueue_on_commit(run_scheduled_job, run_id=run.pk)
        except IntegrityError:
            continue  # this period's run exists (another scheduler, or an earlier pass)
        logger.info("scheduled job %s for %s queued", job.name, slot.isoformat())
        created.append(run)
    return created


def _run_job(job: Job) -> str:
    out = io.StringIO()
    call_command(job.command, *job.args, stdout=out, stderr=out)
    return out.getvalue()


# Replaced in tests to observe runs; a seam, not configuration.
JOB_RUNNER: Callable[[Job], str] = _run_job


def _give_up(*, run_id: int) -> None:
    ScheduleRun.objects.filter(pk=run_id).exclude(status=ScheduleRunStatus.SUCCEEDED).update(
        status=ScheduleRunStatus.FAILED, finished_at=timezone.now()
    )


@durable_task(attempts=3, retry_delay=300, on_give_up=_give_up)
def run_scheduled_job(*, run_id: int) -> str:
    """Run one scheduled job's command and store its outcome on the run."""
    run = ScheduleRun.objects.filter(pk=run_id).first()
    if run is None or run.status == ScheduleRunStatus.SUCCEEDED:
        return "skipped"  # deleted, or already done (a retry or a re-run after a restart)
    job = job_get(run.job)
    ScheduleRun.objects.filter(pk=run_id).update(
        status=ScheduleRunStatus.RUNNING, started_at=timezone.now(), attempts=run.attempts + 1
    )
    try:
        output = JOB_RUNNER(job)
    except Exception as exc:
        ScheduleRun.objects.filter(pk=run_id).update(
            status=ScheduleRunStatus.FAILED,
            finished_at=timezone.now(),
            outcome=f"{type(exc).__name__}: {exc}"[:4000],
        )
        logger.exception("scheduled job %s failed", job.name)
        raise
    ScheduleRun.objects.filter(pk=run_id).update(
        status=ScheduleRunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        outcome=output.strip()[-4000:],
    )
    logger.info("scheduled job %s succeeded: %s", job.name, output.strip()[-200:])
    return "succeeded"


def schedule_status() -> list[dict[str, Any]]:
    """Each job with its last run (for the admin overview and the health report)."""
    last: dict[str, ScheduleRun] = {}
    for run in ScheduleRun.objects.order_by("job", "-slot"):
        last.setdefault(run.job, run)
    return [{"job": job, "last_run": last.get(job.name)} for job in JOBS]
