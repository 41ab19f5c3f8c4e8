"""Profile items (interests, topics, outcomes a profile names): the import sync, item edits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, save_created, save_updated, serialize_for_audit
from core.choices import AuditAction
from quality.choices import (
    OutcomeScope,
    OutcomeStatus,
)
from quality.models import (
    DevelopmentInterest,
    Outcome,
    ProfileItem,
    Topic,
)

if TYPE_CHECKING:
    from registry.models import Municipality

ItemTree = Sequence[dict[str, Any]]  # [{"text": str, "children": [...]}, ...]


def _sync_level(
    *,
    model: type[ProfileItem],
    municipality: Any,
    items: ItemTree,
    parent: ProfileItem | None,
    existing: list[ProfileItem],
    extra: dict[str, Any],
    create_extra: dict[str, Any],
    actor: Any,
    changes: list[str],
    start: int = 0,
) -> set[int]:
    """Match one level of the tree by text; returns the ids that the profile still has."""
    kept: set[int] = set()
    by_text: dict[str, list[ProfileItem]] = {}
    for row in existing:
        if row.parent_id == (parent.pk if parent else None):
            # Outcomes remember their profile wording; a rewording in the app keeps the match.
            key = getattr(row, "profile_text", "") or row.text
            by_text.setdefault(key, []).append(row)
    for position, item in enumerate(items, start=start):
        text = item["text"].strip()
        if not text:
            continue
        candidates = by_text.get(text) or []
        if candidates:
            row = candidates.pop(0)
            if row.position != position:
                before = serialize_for_audit(row)
                row.position = position
                save_updated(
                    row,
                    actor=actor,
                    before=before,
                    update_fields=["position", "updated_at"],
                    clean=False,
                )
        else:
            row = model(
                municipality=municipality,
                text=text,
                parent=parent,
                position=position,
                imported=True,
                **extra,
                **create_extra,
            )
            if isinstance(row, Outcome):
                row.profile_text = text
            row.full_clean()
            row.save()
            audit_record(
                actor=actor, action=AuditAction.CREATE, target=row, after=serialize_for_audit(row)
            )
            changes.append(f"+ {model._meta.verbose_name}: {text[:60]}")
        kept.add(row.pk)
        kept |= _sync_level(
            model=model,
            municipality=municipality,
            items=item.get("children") or [],
            parent=row,
            existing=existing,
            extra=extra,
            create_extra=create_extra,
            actor=actor,
            changes=changes,
        )
    return kept


def _sync_list(
    *,
    model: type[ProfileItem],
    municipality: Any,
    items: ItemTree,
    actor: Any,
    extra: dict[str, Any] | None = None,
    create_extra: dict[str, Any] | None = None,
) -> list[str]:
    extra = extra or {}
    existing = list(model.objects.filter(municipality=municipality, imported=True, **extra))
    changes: list[str] = []
    kept = _sync_level(
        model=model,
        municipality=municipality,
        items=items,
        parent=None,
        existing=existing,
        extra=extra,
        create_extra=create_extra or {},
        actor=actor,
        changes=changes,
    )
    # Items that left the profile go, children first (deleting a parent cascades).
    for row in sorted(existing, key=lambda r: r.parent_id is None):
        if row.pk in kept or not model.objects.filter(pk=row.pk).exists():
            continue
        audit_record(
            actor=actor, action=AuditAction.DELETE, target=row, before=serialize_for_audit(row)
        )
        changes.append(f"- {model._meta.verbose_name}: {row.text[:60]}")
        row.delete()
    return changes


def profile_items_sync(
    *,
    municipality: Any,
    interests: ItemTree,
    topics: ItemTree,
    outcomes: dict[str, dict[str, ItemTree]],
    actor: Any,
) -> list[str]:
    """Bring the imported profile items of a commune in line with a parsed profile.

    Items are matched by text within their list and parent, so importing the same profile
    twice changes nothing, and work done on an outcome since (its status) survives a
    re-import: the profile's status is only used when an outcome is first created.
    """
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, municipality.pk)
    changes: list[str] = []
    with transaction.atomic():
        changes += _sync_list(
            model=DevelopmentInterest, municipality=municipality, items=interests, actor=actor
        )
        changes += _sync_list(model=Topic, municipality=municipality, items=topics, actor=actor)
        for scope_key, scope in (
            ("municipal", OutcomeScope.MUNICIPAL),
            ("cross_cluster", OutcomeScope.CROSS_CLUSTER),
        ):
            groups = outcomes.get(scope_key) or {}
            combined: list[tuple[dict[str, Any], str]] = [
                (item, OutcomeStatus.ACHIEVED) for item in groups.get("achieved") or []
            ] + [(item, OutcomeStatus.PLANNED) for item in groups.get("planned") or []]
            changes += _sync_outcomes(
                municipality=municipality, scope=scope, items=combined, actor=actor
            )
    return changes


def _sync_outcomes(
    *, municipality: Any, scope: str, items: Iterable[tuple[dict[str, Any], str]], actor: Any
) -> list[str]:
    # Achieved and planned outcomes of one scope form one ordered list; the status of
    # each top-level item is set when it is created.
    changes: list[str] = []
    by_status: dict[str, list[dict[str, Any]]] = {}
    for item, status in items:
        by_status.setdefault(status, []).append(item)
    existing_all = list(
        Outcome.objects.filter(municipality=municipality, imported=True, scope=scope)
    )
    kept: set[int] = set()
    offset = 0
    for status in (OutcomeStatus.ACHIEVED, OutcomeStatus.PLANNED):
        group = by_status.get(status, [])
        level_changes: list[str] = []
        kept |= _sync_level(
            model=Outcome,
            municipality=municipality,
            items=group,
            start=offset,
            parent=None,
            existing=[r for r in existing_all if r.pk not in kept],
            extra={"scope": scope},
            create_extra={"status": status},
            actor=actor,
            changes=level_changes,
        )
        changes += level_changes
        offset += len(group)
    for row in sorted(existing_all, key=lambda r: r.parent_id is None):
        if row.pk in kept or not Outcome.objects.filter(pk=row.pk).exists():
            continue
        if row.has_work:
            # Work done on an outcome survives: it leaves the profile but stays here.
            Outcome.objects.filter(pk=row.pk).update(imported=False, parent=None)
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=row,
                before={"imported": True},
                after={"imported": False},
                reason=_("Nicht mehr im Profil; wegen laufender Arbeit behalten."),
            )
            changes.append(f"~ {Outcome._meta.verbose_name}: {row.text[:60]}")
            continue
        audit_record(
            actor=actor, action=AuditAction.DELETE, target=row, before=serialize_for_audit(row)
        )
        changes.append(f"- {Outcome._meta.verbose_name}: {row.text[:60]}")
        row.delete()
    return changes


def profile_item_update(*, item: ProfileItem, text: str, actor: Any) -> ProfileItem:
    """Change the text of one profile item (coordinator or project team)."""
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, item.municipality_id)
    with transaction.atomic():
        before = serialize_for_audit(item)
        item.text = text.strip()
        save_updated(item, actor=actor, before=before)
    return item


def development_interest_create(
    *, municipality: Municipality, text: str, actor: Any
) -> DevelopmentInterest:
    """Add a Qualitätsentwicklungsinteresse at the end of the commune's list (not imported).

    Other apps (e.g. an evaluation's follow-up) call this; they never write the model.
    """
    permissions.require(actor, permissions.ADD, permissions.QUALITY, municipality.pk)
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Bitte einen Text angeben.")]})
    with transaction.atomic():
        last = (
            DevelopmentInterest.objects.filter(municipality=municipality, parent=None)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        interest = DevelopmentInterest(
            municipality=municipality,
            text=text,
            position=(last + 1) if last is not None else 0,
        )
        save_created(interest, actor=actor)
    return interest
