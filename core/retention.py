"""Retention of the audit trail and the read log (issue 14): the one delete path they have.

Both tables are append-only for every other code path (``core.models.AppendOnlyModel``).
After ``settings.KSQM_LOG_RETENTION_DAYS`` their rows are deleted by ``manage.py
purge_logs`` (scheduled daily), in batches so that a large backlog never holds a long
write lock, except the rows a running matter still needs:

* an app declares ``log_holds = "<app>.selectors.<function>"`` on its ``AppConfig``; the
  function returns querysets of records under a hold (a review with a legal hold, a § 8a
  procedure that is still open). Audit rows whose target *or* parent record is one of
  them, and read-log rows of them, stay until the hold ends.

The run is itself audited, as counts only. Running it twice deletes nothing the second
time (idempotent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.module_loading import import_string

from core.audit import audit_record
from core.choices import AuditAction
from core.models import AccessLog, AuditEvent

BATCH_SIZE = 2000
PURGE_REPR = "Protokolle nach Ablauf der Aufbewahrungsfrist gelöscht"


def log_hold_providers() -> list[Callable[[], Iterable[models.QuerySet]]]:
    """The ``log_holds`` functions every installed app declares (none in core itself)."""
    out = []
    for config in apps.get_app_configs():
        path = getattr(config, "log_holds", None)
        if path:
            out.append(import_string(path))
    return out


def _held(*, with_related: bool) -> models.Q:
    """Rows about a record under a hold (``with_related``: also as its parent record)."""
    condition = models.Q(pk__in=[])
    for provider in log_hold_providers():
        for queryset in provider():
            content_type = ContentType.objects.get_for_model(queryset.model)
            ids = queryset.annotate(_log_id=Cast("pk", models.CharField())).values("_log_id")
            condition |= models.Q(target_type=content_type, target_id__in=ids)
            if with_related:
                condition |= models.Q(related_type=content_type, related_id__in=ids)
    return condition


def log_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """The moment before which rows are past their retention."""
    return (now or timezone.now()) - dt.timedelta(days=settings.KSQM_LOG_RETENTION_DAYS)


def _delete_in_batches(model: type[models.Model], queryset: models.QuerySet) -> int:
    deleted = 0
    while True:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not pks:
            return deleted
        with transaction.atomic():
            # The sanctioned bypass of AppendOnlyQuerySet.delete: a plain QuerySet.
            deleted += (
                models.QuerySet(model=model).filter(pk__in=pks)._raw_delete(using=queryset.db)
            )


def logs_purge(*, actor: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete audit and read-log rows past the retention period, except held ones.

    Returns ``{"audit": n, "access": m}``; writes one audit row with the counts when
    anything was deleted (a run that deletes nothing leaves no trace, so it stays
    idempotent and does not fill the trail it is meant to shrink).
    """
    cutoff = log_cutoff(now)
    audit_qs = AuditEvent.objects.filter(time__lt=cutoff).exclude(_held(with_related=True))
    access_qs = AccessLog.objects.filter(time__lt=cutoff).exclude(_held(with_related=False))
    counts = {
        "audit": _delete_in_batches(AuditEvent, audit_qs),
        "access": _delete_in_batches(AccessLog, access_qs),
    }
    if counts["audit"] or counts["access"]:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.PURGE,
                target=None,
                target_repr=PURGE_REPR,
                after={
                    "audit_rows": counts["audit"],
                    "read_log_rows": counts["access"],
                    "older_than": cutoff.isoformat(),
                    "retention_days": settings.KSQM_LOG_RETENTION_DAYS,
                },
                reason="Aufbewahrungsfrist der Protokolle abgelaufen",
            )
    return counts
