from django.contrib import admin

from operations.models import ScheduleRun, WorkerHeartbeat


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    """Last runs and outcomes of the periodic jobs (written by the scheduler and worker)."""

    list_display = ("job", "slot", "status", "attempts", "started_at", "finished_at")
    list_filter = ("job", "status")
    readonly_fields = (
        "job",
        "slot",
        "status",
        "queued_at",
        "started_at",
        "finished_at",
        "attempts",
        "outcome",
    )

    def has_add_permission(self, request, obj=None):  # noqa: ARG002
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "hostname", "pid", "backend", "started_at", "last_seen")
    readonly_fields = ("worker_id", "hostname", "pid", "backend", "started_at", "last_seen")

    def has_add_permission(self, request, obj=None):  # noqa: ARG002
        return False
