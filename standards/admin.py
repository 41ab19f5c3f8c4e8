from django.contrib import admin

from standards.models import GlossaryTerm, StandardDocument


@admin.register(StandardDocument)
class StandardDocumentAdmin(admin.ModelAdmin):
    """Read-only in the admin: changes go through the audited services and pages."""

    list_display = ("title", "kind", "municipality", "status", "next_review_on")
    list_filter = ("kind", "status", "visibility")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(StandardDocumentAdmin):
    list_display = ("term", "municipality", "agreed_on")
    list_filter = ("visibility",)
