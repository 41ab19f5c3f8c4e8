from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from core.choices import MembershipRequestStatus
from core.models import AccessLog, ApiToken, AuditEvent, Membership, MembershipRequest
from core.selectors import access_logs_for_user, audit_events_for_user
from core.services import (
    membership_request_confirm,
    membership_request_create,
    membership_request_reject,
    membership_revoke,
)


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

    def get_queryset(self, request):
        # The same scope as /protokoll/: no case data of any commune for the administration.
        return audit_events_for_user(user=request.user)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("time", "actor_name", "target_repr", "purpose")

    def get_queryset(self, request):
        return access_logs_for_user(user=request.user)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles are read here and revoked through the audited service; they are given through
    a role request (below), so a role that opens social data needs a second person."""

    list_display = ("user", "municipality", "role", "created_at")
    list_filter = ("role",)

    def has_add_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def delete_model(self, request, obj):
        membership_revoke(membership=obj, actor=request.user, reason="Django-Admin")

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            membership_revoke(membership=membership, actor=request.user, reason="Django-Admin")


@admin.register(MembershipRequest)
class MembershipRequestAdmin(admin.ModelAdmin):
    """Give a role: the request goes through ``membership_request_create``; it is confirmed
    at once where one person may grant it, otherwise it waits for the commune's
    coordination (page "Rollenanträge", or the actions below for another person)."""

    list_display = (
        "user",
        "municipality",
        "role",
        "status",
        "requested_by_name",
        "decided_by_name",
    )
    list_filter = ("status", "role")
    fields = ("user", "municipality", "role", "reason")
    actions = ("confirm_requests", "reject_requests")

    def has_change_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ARG002
        return False

    def save_model(self, request, obj, form, change):  # noqa: ARG002
        saved = membership_request_create(
            user=obj.user,
            municipality=obj.municipality,
            role=obj.role,
            actor=request.user,
            reason=obj.reason,
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the saved row.
        obj.__dict__.update(saved.__dict__)
        if saved.status == MembershipRequestStatus.PENDING:
            messages.warning(
                request,
                _("Diese Rolle öffnet Sozialdaten: die Koordination der Kommune muss bestätigen."),
            )

    @admin.action(description=_("Ausgewählte Anträge bestätigen"))
    def confirm_requests(self, request, queryset):
        for item in queryset:
            try:
                membership_request_confirm(request=item, actor=request.user)
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, f"{item}: {exc}")

    @admin.action(description=_("Ausgewählte Anträge ablehnen"))
    def reject_requests(self, request, queryset):
        for item in queryset:
            try:
                membership_request_reject(request=item, actor=request.user)
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, f"{item}: {exc}")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at")
    readonly_fields = ("prefix",)
