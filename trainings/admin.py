from django.contrib import admin

from trainings.models import Training


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    """Read-only in the admin: changes go through the audited services and pages."""

    list_display = ("title", "municipality", "held_on", "topic", "covers_instrument")
    list_filter = ("topic", "covers_instrument")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
