"""Writes of roles, the on-call plan and the crisis path.

All three are small records of the network domain with the same life: create, change,
delete, each checked, validated and audited in one transaction (STYLE §7.3). One private
create/update/delete triple serves them, the public functions name what they write.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction

from core import permissions
from core.audit import audit_record, save_created, save_updated, serialize_for_audit
from core.choices import AuditAction
from registry.models import Municipality
from roles.models import EscalationStep, NetworkRole, OnCallSlot

Record = TypeVar("Record", NetworkRole, OnCallSlot, EscalationStep)

ROLE_FIELDS = (
    "function",
    "title",
    "institution",
    "holder",
    "deputy",
    "reports_to",
    "responsibilities",
    "position",
)
SLOT_FIELDS = ("service", "role", "audience", "weekdays", "starts_at", "ends_at", "phone", "note")
STEP_FIELDS = ("order", "situation", "action", "role", "within_minutes", "is_public")


def _check(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _create(
    model: type[Record],
    fields: tuple[str, ...],
    municipality: Municipality,
    actor: Any,
    values: dict,
) -> Record:
    permissions.require(actor, permissions.ADD, permissions.NETWORK, municipality.pk)
    _check(values, fields)
    with transaction.atomic():
        return save_created(model(municipality=municipality, **values), actor=actor)


def _update(
    record: Record, fields: tuple[str, ...], actor: Any, reason: str, values: dict
) -> Record:
    permissions.require(actor, permissions.CHANGE, permissions.NETWORK, record.municipality_id)
    _check(values, fields)
    with transaction.atomic():
        before = serialize_for_audit(record)
        for key, value in values.items():
            setattr(record, key, value)
        save_updated(record, actor=actor, before=before, reason=reason)
    return record


def _delete(record: Record, actor: Any, reason: str) -> None:
    permissions.require(actor, permissions.DELETE, permissions.NETWORK, record.municipality_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=record,
            before=serialize_for_audit(record),
            reason=reason,
        )
        record.delete()


def role_create(*, municipality: Municipality, actor: Any, **values: Any) -> NetworkRole:
    return _create(NetworkRole, ROLE_FIELDS, municipality, actor, values)


def role_update(*, role: NetworkRole, actor: Any, reason: str = "", **values: Any) -> NetworkRole:
    return _update(role, ROLE_FIELDS, actor, reason, values)


def role_delete(*, role: NetworkRole, actor: Any, reason: str = "") -> None:
    _delete(role, actor, reason)


def on_call_slot_create(*, municipality: Municipality, actor: Any, **values: Any) -> OnCallSlot:
    return _create(OnCallSlot, SLOT_FIELDS, municipality, actor, values)


def on_call_slot_update(
    *, slot: OnCallSlot, actor: Any, reason: str = "", **values: Any
) -> OnCallSlot:
    return _update(slot, SLOT_FIELDS, actor, reason, values)


def on_call_slot_delete(*, slot: OnCallSlot, actor: Any, reason: str = "") -> None:
    _delete(slot, actor, reason)


def escalation_step_create(
    *, municipality: Municipality, actor: Any, **values: Any
) -> EscalationStep:
    return _create(EscalationStep, STEP_FIELDS, municipality, actor, values)


def escalation_step_update(
    *, step: EscalationStep, actor: Any, reason: str = "", **values: Any
) -> EscalationStep:
    return _update(step, STEP_FIELDS, actor, reason, values)


def escalation_step_delete(*, step: EscalationStep, actor: Any, reason: str = "") -> None:
    _delete(step, actor, reason)
