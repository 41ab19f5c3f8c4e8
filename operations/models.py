"""Operational state shared by all processes: worker heartbeats and scheduled-job runs.

Both live in the database (not in a process's memory or a local file), so every web
instance sees the same worker status and every scheduler the same run history.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from operations.choices import ScheduleRunStatus


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life, renewed every few seconds while it runs.

    The health check reads it ("is any worker alive?"); a worker that takes over uses it
    to tell tasks of a dead worker (to run again) from tasks of a live one (to leave).
    """

    worker_id = models.CharField(_("Worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("Rechner"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("Prozess"), null=True, blank=True)
    backend = models.CharField(_("Backend"), max_length=32, blank=True)
    started_at = models.DateTimeField(_("gestartet"))
    last_seen = models.DateTimeField(_("zuletzt gesehen"), db_index=True)
    stopped_at = models.DateTimeField(_("beendet"), null=True, blank=True)

    class Meta:
        verbose_name = _("Worker")
        verbose_name_plural = _("Worker")
        ordering = ("-last_seen",)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class ScheduleRun(models.Model):
    """One run of a periodic job for one period (``slot``).

    The unique (job, slot) pair is what makes schedules idempotent: however many
    schedulers run and however often they wake, a period's run is created once, and a
    job run again for the same slot does nothing.
    """

    job = models.CharField(_("Auftrag"), max_length=64)
    slot = models.DateTimeField(_("Zeitraum ab"))
    status = models.CharField(
        _("Status"),
        max_length=16,
        choices=ScheduleRunStatus.choices,
        default=ScheduleRunStatus.QUEUED,
    )
    queued_at = models.DateTimeField(_("eingereiht"), auto_now_add=True)
    started_at = models.DateTimeField(_("begonnen"), null=True, blank=True)
    finished_at = models.DateTimeField(_("beendet"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    outcome = models.TextField(_("Ergebnis"), blank=True)

    class Meta:
        verbose_name = _("Lauf eines geplanten Auftrags")
        verbose_name_plural = _("Läufe geplanter Aufträge")
        ordering = ("-slot", "job")
        constraints = [
            models.UniqueConstraint(
                fields=("job", "slot"), name="%(app_label)s_%(class)s_one_run_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
