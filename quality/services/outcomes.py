"""Outcomes: creation by other apps, edits with optimistic concurrency, the lifecycle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_updated, save_created, serialize_for_audit
from quality.choices import (
    OUTCOME_TRANSITIONS,
    OutcomeScope,
    OutcomeStatus,
)
from quality.models import (
    Outcome,
    OutcomeTransition,
    WorkshopSession,
)
from quality.search import search_index_update

if TYPE_CHECKING:
    from registry.models import Municipality


# --------------------------------------------------------------------------------------
# Outcomes: creation by other apps, edits with optimistic concurrency, the lifecycle
# --------------------------------------------------------------------------------------


class OutcomeConflict(Exception):
    """The outcome changed since the caller read it (version mismatch).

    The UI shows a conflict message and the current state; the API answers 409.
    """

    def __init__(self, outcome: Outcome, expected_version: int) -> None:
        self.outcome = outcome
        self.expected_version = expected_version
        self.current_version = outcome.version
        super().__init__(
            _(
                "Dieses Ergebnis wurde inzwischen von jemand anderem geändert "
                "(Version %(current)s statt %(expected)s). Bitte prüfen Sie den aktuellen "
                "Stand und wiederholen Sie Ihre Änderung."
            )
            % {"current": outcome.version, "expected": expected_version}
        )


def _lock_outcome(outcome: Outcome, expected_version: int | None) -> Outcome:
    # Re-read under a row lock so that the version comparison and the write are atomic
    # (select_for_update is a no-op on SQLite, whose IMMEDIATE transactions serialise).
    current = Outcome.objects.select_for_update().get(pk=outcome.pk)
    if expected_version is not None and current.version != expected_version:
        raise OutcomeConflict(current, expected_version)
    return current


def _bump_version(outcome: Outcome, fields: list[str]) -> None:
    # The conditional UPDATE is the real guard: it matches only the version we read.
    updated = Outcome.objects.filter(pk=outcome.pk, version=outcome.version).update(
        version=F("version") + 1,
        updated_at=timezone.now(),
        **{f: getattr(outcome, f) for f in fields},
    )
    if updated != 1:
        raise OutcomeConflict(Outcome.objects.get(pk=outcome.pk), outcome.version)
    outcome.version += 1
    # A queryset update sends no signal: refresh the search index row ourselves.
    search_index_update(outcome)


def outcome_create(
    *,
    municipality: Municipality,
    text: str,
    scope: str = OutcomeScope.MUNICIPAL,
    actor: Any,
    description: str = "",
    due_date: date | None = None,
    origin: str = "",
    origin_url: str = "",
) -> Outcome:
    """Create a planned outcome (stable interface for reviews and evaluations).

    ``origin`` says where the outcome came from ("Falluntersuchung …") and
    ``origin_url`` links back, so the board shows why the measure exists.
    """
    permissions.require(actor, permissions.ADD, permissions.QUALITY, municipality.pk)
    with transaction.atomic():
        last = (
            Outcome.objects.filter(municipality=municipality, scope=scope, parent=None)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        outcome = Outcome(
            municipality=municipality,
            text=text.strip(),
            scope=scope,
            status=OutcomeStatus.PLANNED,
            description=description,
            due_date=due_date,
            origin=origin,
            origin_url=origin_url,
            position=(last + 1) if last is not None else 0,
            status_changed_at=timezone.now(),
        )
        save_created(outcome, actor=actor)
    return outcome


OUTCOME_EDITABLE_FIELDS = (
    "text",
    "scope",
    "description",
    "owner_institution",
    "owner_name",
    "due_date",
)


def outcome_update(
    *,
    outcome: Outcome,
    actor: Any,
    expected_version: int | None,
    decided_in: Iterable[WorkshopSession] | None = None,
    **changes: Any,
) -> Outcome:
    """Change an outcome's fields; raises ``OutcomeConflict`` if someone else was faster."""
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, outcome.municipality_id)
    unknown = set(changes) - set(OUTCOME_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        current = _lock_outcome(outcome, expected_version)
        before = serialize_for_audit(current)
        for name, value in changes.items():
            setattr(current, name, value.strip() if isinstance(value, str) else value)
        if current.owner_institution_id and (
            current.owner_institution.municipality_id != current.municipality_id
        ):
            raise ValidationError(
                {"owner_institution": _("Die Einrichtung gehört zu einer anderen Kommune.")}
            )
        current.full_clean(exclude=["decided_in"])
        fields = [f if f != "owner_institution" else "owner_institution_id" for f in changes]
        _bump_version(current, fields)
        if decided_in is not None:
            sessions = list(decided_in)
            cluster_id = current.municipality.cluster_id
            # A deciding session is the commune's own or one of its cluster's workshops.
            foreign = [
                s
                for s in sessions
                if s.workshop.municipality_id != current.municipality_id
                and (s.workshop.cluster_id is None or s.workshop.cluster_id != cluster_id)
            ]
            if foreign:
                raise ValidationError(
                    {"decided_in": _("Der Termin gehört zu einem anderen Cluster.")}
                )
            current.decided_in.set(sessions)
        audit_updated(current, actor=actor, before=before)
    outcome.__dict__.update({k: v for k, v in current.__dict__.items() if not k.startswith("_")})
    return current


def outcome_transition(
    *,
    outcome: Outcome,
    to_status: str,
    actor: Any,
    expected_version: int | None = None,
    note: str = "",
) -> Outcome:
    """Move an outcome along its lifecycle, recording date and person of the step.

    Illegal steps (e.g. from "in Planung" straight to "erreicht") raise a
    ``ValidationError`` that names the allowed next steps.
    """
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, outcome.municipality_id)
    if to_status not in OutcomeStatus.values:
        raise ValidationError({"status": _("Unbekannter Status.")})
    with transaction.atomic():
        current = _lock_outcome(outcome, expected_version)
        allowed = OUTCOME_TRANSITIONS.get(current.status, ())
        if to_status not in allowed:
            raise ValidationError(
                {
                    "status": _(
                        "Von „%(from)s“ kann nicht zu „%(to)s“ gewechselt werden. "
                        "Erlaubt: %(allowed)s."
                    )
                    % {
                        "from": OutcomeStatus(current.status).label,
                        "to": OutcomeStatus(to_status).label,
                        "allowed": ", ".join(f"„{OutcomeStatus(s).label}“" for s in allowed),
                    }
                }
            )
        before = serialize_for_audit(current)
        from_status = current.status
        now = timezone.now()
        current.status = to_status
        current.status_changed_at = now
        _bump_version(current, ["status", "status_changed_at"])
        OutcomeTransition.objects.create(
            outcome=current,
            from_status=from_status,
            to_status=to_status,
            at=now,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_name=_actor_display(actor),
            note=note,
        )
        audit_updated(current, actor=actor, before=before, reason=note)
    outcome.status, outcome.version = current.status, current.version
    outcome.status_changed_at = current.status_changed_at
    return current


def _actor_display(actor: Any) -> str:
    if getattr(actor, "is_system", False):
        return str(actor)
    if not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_full_name() or actor.get_username()
