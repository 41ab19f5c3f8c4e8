from django.contrib import admin

from core.models import AccessLog, ApiToken, AuditEvent, Membership


class ReadOnlyAdmin(admin.ModelAdmin):
    """The audit tables are append-only: no change, no delete, not even for superusers."""

    def has_add_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("time", "actor_name", "action", "target_repr", "source")
    list_filter = ("action", "source")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("time", "actor_name", "target_repr", "purpose")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "municipality", "role")
    list_filter = ("role",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at")
    readonly_fields = ("prefix",)
