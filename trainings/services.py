"""Writes of the training records: trainings, participations, certificates.

Every service checks the actor's right in the commune, validates with ``full_clean()``,
saves and writes its audit row in one transaction (STYLE §7.3).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, save_created, save_updated, serialize_for_audit
from core.choices import AuditAction
from quality.rendering import protocol_pdf
from registry.models import Municipality
from trainings.models import Participation, Training

TRAINING_FIELDS = (
    "title",
    "topic",
    "origin",
    "workshop",
    "provider",
    "held_on",
    "hours",
    "target_groups",
    "covers_instrument",
    "description",
)
PARTICIPATION_FIELDS = ("person_name", "institution", "user", "completed")


def _require(actor: Any, action: str, municipality_id: int) -> None:
    permissions.require(actor, action, permissions.QUALITY, municipality_id)


def _only(values: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"unknown {what} fields: {sorted(unknown)}")


def training_create(*, municipality: Municipality, actor: Any, **values: Any) -> Training:
    _require(actor, permissions.ADD, municipality.pk)
    _only(values, TRAINING_FIELDS, "training")
    with transaction.atomic():
        return save_created(Training(municipality=municipality, **values), actor=actor)


def training_update(*, training: Training, actor: Any, reason: str = "", **values: Any) -> Training:
    _require(actor, permissions.CHANGE, training.municipality_id)
    _only(values, TRAINING_FIELDS, "training")
    with transaction.atomic():
        before = serialize_for_audit(training)
        for key, value in values.items():
            setattr(training, key, value)
        save_updated(training, actor=actor, before=before, reason=reason)
    return training


def participation_add(*, training: Training, actor: Any, **values: Any) -> Participation:
    """Put a professional on a training's list; her institution must be the commune's."""
    _require(actor, permissions.CHANGE, training.municipality_id)
    _only(values, PARTICIPATION_FIELDS, "participation")
    values["person_name"] = " ".join(str(values.get("person_name", "")).split())
    user = values.get("user")
    if (
        user is not None
        and not user.memberships.filter(municipality_id=training.municipality_id).exists()
    ):
        raise ValidationError({"user": _("Der Zugang gehört zu keiner Person dieser Kommune.")})
    try:
        with transaction.atomic():
            participation = Participation(
                training=training, municipality_id=training.municipality_id, **values
            )
            return save_created(participation, actor=actor, related=training)
    except IntegrityError as exc:  # a concurrent duplicate slipped past full_clean
        raise ValidationError(
            {"person_name": _("Diese Person steht schon auf der Liste.")}
        ) from exc


def participation_remove(*, participation: Participation, actor: Any, reason: str = "") -> None:
    _require(actor, permissions.CHANGE, participation.municipality_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=participation,
            before=serialize_for_audit(participation),
            related=participation.training,
            reason=reason,
        )
        participation.delete()


def certificate_pdf(*, participation: Participation, actor: Any) -> bytes:
    """The certificate (Teilnahmebescheinigung) as PDF; issuing it is recorded."""
    if not participation.completed:
        raise ValidationError(_("Eine Bescheinigung gibt es nur für eine Teilnahme."))
    html = render_to_string(
        "trainings/certificate.html",
        {"participation": participation, "training": participation.training},
    )
    pdf = protocol_pdf(html)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT,
            target=participation,
            related=participation.training,
            reason=_("Teilnahmebescheinigung erstellt"),
        )
    return pdf
