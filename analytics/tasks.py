"""Background tasks of the analytics app: converting uploaded event logs."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.choices import UploadStatus
from analytics.models import EventLogUpload
from core.tasks import durable_task


def _fail_upload(upload_id: int) -> None:
    # The last attempt failed outside the converter's own error handling (database gone,
    # worker out of memory …): say so on the record instead of leaving it "running".
    EventLogUpload.objects.filter(
        pk=upload_id, status__in=(UploadStatus.PENDING, UploadStatus.RUNNING)
    ).update(
        status=UploadStatus.FAILED,
        message=_("Die Verarbeitung ist wiederholt fehlgeschlagen. Bitte erneut hochladen."),
        finished_at=timezone.now(),
    )


@durable_task(attempts=3, retry_delay=30, on_give_up=_fail_upload)
def event_log_upload_convert(*, upload_id: int) -> dict[str, object]:
    """Convert an uploaded log into Parquet parts (run again from the start when retried)."""
    from analytics.services import event_log_upload_process

    upload = event_log_upload_process(upload_id=upload_id)
    return {"status": upload.status, "cases": upload.cases, "events": upload.events}
