"""Scoped reads of cross-cutting data."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from core import permissions
from core.models import AccessLog, AuditEvent


def audit_events_for_object(*, obj: models.Model) -> QuerySet[AuditEvent]:
    """The history of one record, including rows that name it as ``related``.

    Callers must already have established that the user may view ``obj``.
    """
    ct = ContentType.objects.get_for_model(obj)
    pk = str(obj.pk)
    return (
        AuditEvent.objects.filter(
            Q(target_type=ct, target_id=pk) | Q(related_type=ct, related_id=pk)
        )
        .select_related("target_type")
        .order_by("-time", "-id")
    )


# Domains whose records are social data of a commune: their audit and read-log rows are
# for the commune's own data-protection officer, never for a cross-commune reader.
CASE_DATA_DOMAINS = frozenset({permissions.CASES, permissions.REVIEWS})


def case_data_content_type_ids() -> list[int]:
    """Content types of every model holding case data (by its permission domain).

    Derived from the models, not listed, so that models added to the case domains later
    are covered without touching this file.
    """
    case_models = [
        model
        for model in apps.get_models()
        if getattr(model, "permission_domain", None) in CASE_DATA_DOMAINS
        or getattr(model, "audit_values_hidden", False)
    ]
    return sorted(ct.pk for ct in ContentType.objects.get_for_models(*case_models).values())


def audit_events_for_user(*, user: Any) -> QuerySet[AuditEvent]:
    """The audit trail of every commune whose audit the user may read.

    A reader across all communes (the platform administration) gets no row about case
    data of any commune: the targets and related records of the case domains are left
    out entirely, values, names and Aktenzeichen alike.
    """
    allowed = permissions.municipality_ids_for(user, permissions.VIEW_AUDIT, permissions.AUDIT)
    qs = AuditEvent.objects.select_related("target_type").order_by("-time", "-id")
    if allowed == permissions.ALL:
        hidden = case_data_content_type_ids()
        return qs.exclude(target_type_id__in=hidden).exclude(related_type_id__in=hidden)
    return qs.filter(municipality_id__in=allowed)


def access_logs_for_user(*, user: Any) -> QuerySet[AccessLog]:
    """The case read log of every commune whose audit the user may read.

    Reads of case data are for the commune's own data-protection officer only; a reader
    across all communes sees the reads of other records, never of case data.
    """
    allowed = permissions.municipality_ids_for(user, permissions.VIEW_AUDIT, permissions.AUDIT)
    qs = AccessLog.objects.select_related("target_type").order_by("-time", "-id")
    if allowed == permissions.ALL:
        return qs.exclude(target_type_id__in=case_data_content_type_ids())
    return qs.filter(municipality_id__in=allowed)


def membership_requests_for_user(*, user: Any) -> QuerySet:
    """Role requests of the communes whose members ``user`` manages, newest first."""
    from core.models import MembershipRequest

    return (
        MembershipRequest.objects.visible_to(user, permissions.MANAGE_MEMBERS)
        .select_related("user", "municipality")
        .order_by("-requested_at", "-id")
    )


def memberships_for_user(*, user: Any) -> QuerySet:
    """Roles in the communes whose members ``user`` manages (global roles for admins)."""
    from core.models import Membership

    allowed = permissions.municipality_ids_for(user, permissions.MANAGE_MEMBERS, "members")
    qs = Membership.objects.select_related("user", "municipality").order_by(
        "municipality__name", "user__username", "role"
    )
    if allowed == permissions.ALL:
        return qs
    return qs.filter(municipality_id__in=allowed)
