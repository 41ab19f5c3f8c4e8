"""Writes of the analytics app: deadline rules and uploaded event logs.

Analytics never writes procedures; it keeps its own configuration and derived files.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analytics import eventlog
from analytics.choices import UploadStatus
from analytics.engine import CASE
from analytics.models import ComplianceRule, EventLogUpload
from core import permissions
from core.audit import audit_record, save_updated, serialize_for_audit
from core.choices import AuditAction
from core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

RULE_FIELDS = ("name", "start_activity", "end_activity", "deadline_hours", "urgency", "active")


def compliance_rule_create(
    *,
    municipality: Any,
    name: str,
    start_activity: str,
    end_activity: str,
    deadline_hours: int,
    urgency: str = "",
    active: bool = True,
    actor: Any,
) -> ComplianceRule:
    """A new deadline rule for a commune (coordination or project team)."""
    permissions.require(actor, permissions.ADD, permissions.QUALITY, municipality.pk)
    rule = ComplianceRule(
        municipality=municipality,
        name=name.strip(),
        start_activity=start_activity.strip(),
        end_activity=end_activity.strip(),
        deadline_hours=deadline_hours,
        urgency=urgency.strip(),
        active=active,
    )
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=rule, after=serialize_for_audit(rule)
        )
    return rule


def compliance_rule_update(*, rule: ComplianceRule, actor: Any, **changes: Any) -> ComplianceRule:
    """Change a rule's activities, deadline, urgency or state."""
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, rule.municipality_id)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(f"Unbekannte Felder: {', '.join(sorted(unknown))}")
    before = serialize_for_audit(rule)
    for key, value in changes.items():
        setattr(rule, key, value.strip() if isinstance(value, str) else value)
    rule.full_clean()
    with transaction.atomic():
        save_updated(rule, actor=actor, before=before, clean=False)
    return rule


def compliance_rule_delete(*, rule: ComplianceRule, actor: Any) -> None:
    """Remove a rule; its results simply disappear from the dashboard."""
    permissions.require(actor, permissions.DELETE, permissions.QUALITY, rule.municipality_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=rule,
            before=serialize_for_audit(rule),
            municipality_id=rule.municipality_id,
        )
        rule.delete()


# --- uploaded logs -----------------------------------------------------------------------


def event_log_upload_create(
    *,
    municipality: Any,
    name: str,
    uploaded_file: UploadedFile,
    actor: Any,
    log_format: str = "",
    column_mapping: dict[str, str] | None = None,
    timestamp_format: str = "",
    background: bool = True,
) -> EventLogUpload:
    """Store an uploaded log and start processing it (``background=False``: right away).

    Bringing in a log for analysis is part of the coordination's quality work, so it needs
    QUALITY/ADD in the commune (project team: for any commune or none); reading it needs
    ANALYTICS/VIEW like every other analysis.
    """
    permissions.require(
        actor, permissions.ADD, permissions.QUALITY, municipality.pk if municipality else None
    )
    try:
        fmt = log_format or eventlog.detect_format(uploaded_file.name or "")
    except eventlog.EventLogError as exc:
        raise ValidationError(str(exc)) from exc
    limit = settings.KSQM_MAX_UPLOAD_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ValidationError(
            _("Die Datei ist größer als %(mb)d MB.") % {"mb": limit // (1024 * 1024)}
        )
    mapping = {k: v for k, v in (column_mapping or {}).items() if v}
    upload = EventLogUpload(
        municipality=municipality,
        name=name.strip() or (uploaded_file.name or "Protokoll"),
        log_format=fmt,
        column_mapping=mapping,
        timestamp_format=timestamp_format.strip(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    upload.source_file.save(Path(uploaded_file.name or "log").name, uploaded_file, save=False)
    upload.full_clean()
    with transaction.atomic():
        upload.save()
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            target=upload,
            after=serialize_for_audit(upload),
        )
        if background:
            # A task of the worker (analytics.tasks), not a thread of the web process: it
            # survives restarts of both and runs on whichever machine has a worker.
            from analytics.tasks import event_log_upload_convert

            enqueue_on_commit(event_log_upload_convert, upload_id=upload.pk)
    if not background:
        return event_log_upload_process(upload_id=upload.pk)
    return upload


def frame_dir(upload: EventLogUpload) -> Path:
    """The upload's working folder: converted parts (and a decompressed CSV while running)."""
    return Path(settings.MEDIA_ROOT) / "analytics" / "frames" / str(upload.code)


def event_log_upload_process(*, upload_id: int) -> EventLogUpload:
    """Convert the file into normalised Parquet parts, reporting progress as it goes.

    Every format is converted batch by batch (one batch in memory at a time). Failures
    (malformed logs) are stored on the record with the parser's message, which names the
    row or trace, so the page can tell the user what to fix; half-written parts are
    removed. Status changes only apply while the record is still *running*: an upload
    failed as interrupted, or deleted, meanwhile stays so and its parts are removed.
    """
    upload = EventLogUpload.objects.get(pk=upload_id)
    waiting = (UploadStatus.PENDING, UploadStatus.RUNNING)
    started = EventLogUpload.objects.filter(pk=upload_id, status__in=waiting).update(
        status=UploadStatus.RUNNING, progress=0.01, heartbeat_at=timezone.now()
    )
    if not started:
        return upload
    running = EventLogUpload.objects.filter(pk=upload_id, status=UploadStatus.RUNNING)

    def report(fraction: float) -> None:
        try:
            running.update(progress=round(0.9 * fraction, 3), heartbeat_at=timezone.now())
        except DatabaseError:  # a busy database must not fail the conversion itself
            logger.warning("event log %s: progress not stored", upload_id, exc_info=True)

    target = frame_dir(upload)
    try:
        cases, events = _convert_to_parts(upload, target, report)
    except eventlog.EventLogError as exc:
        _discard_failed(upload, target)
        running.update(status=UploadStatus.FAILED, message=str(exc), finished_at=timezone.now())
    except Exception as exc:  # noqa: BLE001 – any parser failure must reach the user
        logger.exception("event log %s failed", upload_id)
        _discard_failed(upload, target)
        running.update(
            status=UploadStatus.FAILED,
            message=eventlog.truncate(f"Unerwarteter Fehler beim Lesen: {exc}"),
            finished_at=timezone.now(),
        )
    else:
        finished = running.update(
            status=UploadStatus.DONE,
            progress=1.0,
            frame_file=str(target.relative_to(settings.MEDIA_ROOT)),
            cases=cases,
            events=events,
            message="",
            finished_at=timezone.now(),
        )
        if not finished:  # failed as interrupted or deleted while converting
            shutil.rmtree(target, ignore_errors=True)
    return EventLogUpload.objects.filter(pk=upload_id).first() or upload


def _discard_failed(upload: EventLogUpload, target: Path) -> None:
    """A failed log keeps only its record and message: the file and parts are removed.

    The file is social data nobody can analyse; keeping it would only keep it around
    (and a hostile upload's bytes on the disk). The user uploads a corrected file.
    """
    shutil.rmtree(target, ignore_errors=True)
    if upload.source_file:
        upload.source_file.delete(save=False)
        EventLogUpload.objects.filter(pk=upload.pk).update(source_file="")


def _convert_to_parts(
    upload: EventLogUpload, target: Path, report: eventlog.ProgressCallback
) -> tuple[int, int]:
    """Write the log as ``part-NNNNN.parquet`` files under ``target``; (cases, events)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    source = upload.source_file.path
    if upload.log_format == "xes":
        batches: Iterable[pl.DataFrame] = eventlog.iter_xes(source, progress=report)
    else:
        batches = eventlog.iter_tabular(
            source,
            fmt=upload.log_format,
            mapping=upload.column_mapping or None,
            timestamp_format=upload.timestamp_format or None,
            progress=report,
            work_dir=target,
        )
    parts = 0
    for batch in batches:
        batch.write_parquet(target / f"part-{parts:05d}.parquet")
        parts += 1
    if not parts:
        raise eventlog.EventLogError(_("Das Protokoll enthält keine Ereignisse."))
    cases, events = (
        eventlog.scan_frame(target)
        .select(pl.col(CASE).n_unique(), pl.len())
        .collect(engine="streaming")
        .row(0)
    )
    return int(cases), int(events)


def event_log_upload_delete(*, upload: EventLogUpload, actor: Any) -> None:
    """Delete an uploaded log with its file and converted parts (data minimisation).

    Needs QUALITY/DELETE in the log's commune (project team: also logs without one); the
    audit trail keeps that, when and by whom, not the data. A log still being converted
    cannot be deleted (the worker would write on); once it finished or failed it can.
    """
    permissions.require(actor, permissions.DELETE, permissions.QUALITY, upload.municipality_id)
    if not upload.is_finished:
        raise ValidationError(
            _("Das Protokoll wird noch verarbeitet; löschen geht, sobald es fertig ist.")
        )
    before = serialize_for_audit(upload)
    folder = frame_dir(upload)
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.DELETE, target=upload, before=before)
        source = upload.source_file
        upload.delete()

        def remove_files() -> None:
            source.delete(save=False)
            # The whole folder, whatever state the conversion left it in.
            shutil.rmtree(folder, ignore_errors=True)

        # Files go only once the row is gone for good; a rolled-back delete keeps them.
        transaction.on_commit(remove_files)


STALE_AFTER = dt.timedelta(minutes=15)
# A log nobody started converting: the worker is down or its queue was lost.
PENDING_STALE_AFTER = dt.timedelta(hours=6)


def event_log_uploads_fail_interrupted(
    *,
    stale_after: dt.timedelta = STALE_AFTER,
    pending_after: dt.timedelta = PENDING_STALE_AFTER,
) -> int:
    """Mark uploads whose processing was cut off for good as failed; returns how many.

    Conversion is a task of the background worker (``analytics.tasks``) and reports
    progress at least every few seconds (``heartbeat_at``: per batch, every 2,000 XES
    traces or 2 s). A worker that is restarted takes the task up again and starts the
    conversion anew; only when nothing has been heard for ``stale_after`` (no worker came
    back), or a queued log was not started within ``pending_after``, is the record failed
    with a message asking for a new upload, so no upload says "running" forever. Cheap
    (one read, a write only when something is stale), so the upload pages call it
    before listing and the scheduler calls it too.
    """
    now = timezone.now()
    running_silent = Q(status=UploadStatus.RUNNING) & (
        Q(heartbeat_at__lt=now - stale_after)
        | Q(heartbeat_at__isnull=True, created_at__lt=now - stale_after)
    )
    pending_silent = Q(status=UploadStatus.PENDING, created_at__lt=now - pending_after)
    stale = EventLogUpload.objects.filter(running_silent | pending_silent)
    if not stale.exists():  # the usual case: a read, no write
        return 0
    return stale.update(
        status=UploadStatus.FAILED,
        message=_(
            "Die Verarbeitung wurde unterbrochen (z. B. durch einen Neustart). "
            "Bitte die Datei erneut hochladen."
        ),
        finished_at=timezone.now(),
    )


EXPORT_TYPES = {
    "xes": ("application/xml", "xes"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
}


def event_log_export(*, user: Any, log_filter: Any, fmt: str) -> tuple[bytes, str, str]:
    """The platform's (or an uploaded) event log as XES, CSV or Parquet, for ProM/Disco/pm4py.

    Needs ANALYTICS/EXPORT in every commune the export covers; the export is recorded in
    the audit trail (what was exported, by whom, how many events).
    """
    from analytics import selectors

    if fmt not in EXPORT_TYPES:
        raise ValidationError(f"Unbekanntes Exportformat: {fmt}")
    allowed = permissions.municipality_ids_for(user, permissions.EXPORT, permissions.ANALYTICS)
    if not allowed:
        raise PermissionDenied("export on analytics not permitted")
    if allowed != permissions.ALL:
        requested = log_filter.municipality_ids
        ids = allowed if requested is None else set(requested) & set(allowed)
        log_filter.municipality_ids = sorted(ids)
    frame = selectors.events_for(user=user, log_filter=log_filter)
    if fmt == "xes":
        data = eventlog.xes_bytes(frame)
    elif fmt == "csv":
        data = eventlog.csv_bytes(frame)
    else:
        data = eventlog.parquet_bytes(frame)
    content_type, ext = EXPORT_TYPES[fmt]
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            target=None,
            target_repr=ngettext(
                "Ereignisprotokoll (%(fmt)s, %(n)d Ereignis)",
                "Ereignisprotokoll (%(fmt)s, %(n)d Ereignisse)",
                frame.height,
            )
            % {"fmt": fmt, "n": frame.height},
            after={
                "format": fmt,
                "events": frame.height,
                "municipality_ids": log_filter.municipality_ids,
                "upload": str(log_filter.upload_code or ""),
            },
            municipality_id=(
                log_filter.municipality_ids[0]
                if log_filter.municipality_ids and len(log_filter.municipality_ids) == 1
                else None
            ),
        )
    return data, content_type, f"ereignisprotokoll.{ext}"
