"""The audit helper that every service calls inside its transaction (STYLE §7.5)."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import os
import uuid
from typing import Any, TypedDict, Unpack

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.choices import AuditAction, AuditSource
from core.context import current_context
from core.models import AccessLog, AuditEvent

REDACTED = "«geändert»"

# A per-process random key for the in-memory fingerprints of redacted values: two snapshots
# can be compared (was the field changed?) without the value or a stable hash of it ever
# reaching the audit table.
_FINGERPRINT_KEY = os.urandom(32)


class Redacted(str):
    """The marker written instead of a value; compares by a fingerprint of the hidden value.

    It is a ``str`` ("«geändert»"), so it serialises into the JSON columns as the marker, but
    two markers are only equal when the hidden values were, which keeps
    :func:`changed_only` working for encrypted and hidden fields.
    """

    __slots__ = ("fingerprint",)

    def __new__(cls, value: Any) -> Redacted:
        obj = super().__new__(cls, REDACTED)
        raw = repr(_json_value(value)).encode()
        obj.fingerprint = hmac.new(_FINGERPRINT_KEY, raw, hashlib.sha256).digest()
        return obj

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Redacted):
            return hmac.compare_digest(self.fingerprint, other.fingerprint)
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.fingerprint)


def audit_hides_values(model: type[models.Model] | models.Model) -> bool:
    """Whether every value of this model stays out of the audit trail (case data).

    Audit rows of § 8a case data say *that* a field changed, never its value: the
    commune's data-protection officer reads the trail but must not read the cases. A model
    opts in or out with ``audit_values_hidden``; by default every model of the cases
    domain hides its values.
    """
    explicit = getattr(model, "audit_values_hidden", None)
    if explicit is not None:
        return bool(explicit)
    return getattr(model, "permission_domain", None) == "cases"


def redacted_field_names(model: type[models.Model] | models.Model) -> set[str]:
    """Fields recorded as changed only: listed ones and every encrypted field."""
    names = set(getattr(model, "audit_redacted_fields", ()))
    for f in model._meta.concrete_fields:
        if getattr(f, "audit_redacted", False):
            names.update({f.name, f.attname})
    return names


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def serialize_for_audit(obj: models.Model) -> dict[str, Any]:
    """Snapshot of a record for the audit trail.

    A model lists what is recorded in ``audit_fields``; fields in ``audit_redacted_fields``
    and every encrypted field (identifying data) are recorded as changed, never with their
    values; a model whose values are hidden altogether (:func:`audit_hides_values`, the
    case data) records only which fields it has or which changed.
    """
    fields = getattr(obj, "audit_fields", None)
    if fields is None:
        fields = [
            f.attname
            for f in obj._meta.concrete_fields
            if not f.primary_key and f.name not in ("created_at", "updated_at")
        ]
    hide_all = audit_hides_values(obj)
    redacted = redacted_field_names(obj)
    snapshot: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if hide_all or (name in redacted and value not in (None, "", {}, [])):
            snapshot[name] = Redacted(value)
        else:
            snapshot[name] = _json_value(value)
    return snapshot


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_system", False):
        return str(actor)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full or actor.get_username()


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    municipality_id: int | None = None,
    related: models.Model | None = None,
    target_repr: str | None = None,
) -> AuditEvent:
    """Write one audit row; call it inside the service's ``transaction.atomic()``."""
    ctx = current_context()
    if municipality_id is None:
        municipality_id = getattr(target, "tenant_id", None)
    return AuditEvent.objects.create(
        municipality_id=municipality_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor),
        request_id=ctx.request_id,
        source=ctx.source,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr or str(target))[:300],
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
        reason=reason,
        before=before,
        after=after,
    )


def audit_record_anonymous(
    *, municipality_id: int, day: dt.date, target_repr: str, after: dict[str, Any]
) -> AuditEvent:
    """An audit row for something anonymous people did on ``day``: date only, no request.

    The time is the start of the day and the request id the shared "untraced" one, so the
    row dates nothing more precisely than the day and links to no request or proxy log.
    """
    from django.utils import timezone

    from core.context import UNTRACED_REQUEST_ID

    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return AuditEvent.objects.create(
        municipality_id=municipality_id,
        time=start,
        actor=None,
        actor_name="",
        request_id=UNTRACED_REQUEST_ID,
        source=AuditSource.SYSTEM,
        action=AuditAction.CREATE,
        target_repr=target_repr[:300],
        after=after,
    )


def changed_only(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reduce two snapshots to the fields that differ, so the history stays readable."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def access_log_record(
    *, actor: Any, target: models.Model, municipality_id: int, purpose: str
) -> AccessLog:
    """Record a read of a sensitive record; the case selectors call this on every read."""
    ctx = current_context()
    return AccessLog.objects.create(
        municipality_id=municipality_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor),
        request_id=ctx.request_id,
        source=ctx.source,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        purpose=purpose,
    )


def save_created(
    obj: models.Model, *, actor: Any, related: models.Model | None = None, reason: str = ""
) -> models.Model:
    """Validate, save and audit a new record: the create path every service shares.

    Call it inside the service's ``transaction.atomic()``.
    """
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=obj,
        after=serialize_for_audit(obj),
        related=related,
        reason=reason,
    )
    return obj


def audit_updated(
    obj: models.Model,
    *,
    actor: Any,
    before: dict[str, Any],
    after: dict[str, Any] | None = None,
    action: str = AuditAction.UPDATE,
    related: models.Model | None = None,
    reason: str = "",
    municipality_id: int | None = None,
    always: bool = False,
) -> dict[str, Any]:
    """Audit an update that is already saved: one row with only the fields that changed.

    ``before`` is :func:`serialize_for_audit` taken before the change; ``after`` defaults to
    the record's snapshot now (pass it when the row records more, e.g. a many-to-many
    set). Nothing changed, no row — unless ``always`` (an act such as a sign-off is
    recorded even when it changed no field). Returns the changed fields' new values.
    Call it inside the service's ``transaction.atomic()``.
    """
    old, new = changed_only(before, serialize_for_audit(obj) if after is None else after)
    if new or always:
        audit_record(
            actor=actor,
            action=action,
            target=obj,
            before=old,
            after=new,
            related=related,
            reason=reason,
            municipality_id=municipality_id,
        )
    return new


class UpdateAuditOptions(TypedDict, total=False):
    """What :func:`save_updated` passes on to :func:`audit_updated`."""

    action: str
    related: models.Model | None
    reason: str
    municipality_id: int | None
    always: bool


def save_updated(
    obj: models.Model,
    *,
    actor: Any,
    before: dict[str, Any],
    update_fields: list[str] | None = None,
    clean: bool = True,
    **options: Unpack[UpdateAuditOptions],
) -> dict[str, Any]:
    """Validate, save and audit a changed record: the update path every service shares.

    Take ``before = serialize_for_audit(obj)`` before changing the fields, then call this.
    ``clean=False`` skips ``full_clean()`` where the service has validated otherwise (a
    bare status change saved with ``update_fields``). The audit row is written as by
    :func:`audit_updated` (``options``: action, related, reason, municipality_id, always);
    the changed fields' new values are returned.
    Call it inside the service's ``transaction.atomic()``.
    """
    if clean:
        obj.full_clean()
    obj.save(update_fields=update_fields)
    return audit_updated(obj, actor=actor, before=before, **options)
