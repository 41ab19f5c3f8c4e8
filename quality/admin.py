"""Admin views of the quality app (for the platform administration)."""

from django.contrib import admin

from quality.models import Outcome, Workshop, WorkshopSession


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "municipality", "cluster", "capacity")
    list_filter = ("kind",)
    search_fields = ("title",)


@admin.register(WorkshopSession)
class WorkshopSessionAdmin(admin.ModelAdmin):
    list_display = ("workshop", "starts_at", "place", "status", "is_extra")
    list_filter = ("status", "is_extra")


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ("text", "municipality", "scope", "status", "due_date", "version")
    list_filter = ("scope", "status")
    search_fields = ("text",)
    # Status and version change only through the services (lifecycle, conflicts).
    readonly_fields = ("status", "version", "status_changed_at", "profile_text")
