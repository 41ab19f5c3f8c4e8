"""Writes of the quality app."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, changed_only, save_created, serialize_for_audit
from core.choices import AuditAction
from quality.choices import (
    OUTCOME_TRANSITIONS,
    EvidenceKind,
    OutcomeScope,
    OutcomeStatus,
    RegistrationStatus,
    SessionStatus,
    WorkshopKind,
)
from quality.models import (
    AgendaItem,
    CalendarFeed,
    DevelopmentInterest,
    Evidence,
    Outcome,
    OutcomeTransition,
    ProfileItem,
    Registration,
    Topic,
    Workshop,
    WorkshopSession,
)
from quality.search import search_index_update

if TYPE_CHECKING:
    from registry.models import Cluster, Institution, Municipality

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
                row.save(update_fields=["position", "updated_at"])
                old, new = changed_only(before, serialize_for_audit(row))
                audit_record(
                    actor=actor, action=AuditAction.UPDATE, target=row, before=old, after=new
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
        item.full_clean()
        item.save()
        old, new = changed_only(before, serialize_for_audit(item))
        if new:
            audit_record(actor=actor, action=AuditAction.UPDATE, target=item, before=old, after=new)
    return item


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
        old, new = changed_only(before, serialize_for_audit(current))
        audit_record(actor=actor, action=AuditAction.UPDATE, target=current, before=old, after=new)
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
        old, new = changed_only(before, serialize_for_audit(current))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=current,
            before=old,
            after=new,
            reason=note,
        )
    outcome.status, outcome.version = current.status, current.version
    outcome.status_changed_at = current.status_changed_at
    return current


def _actor_display(actor: Any) -> str:
    if getattr(actor, "is_system", False):
        return str(actor)
    if not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_full_name() or actor.get_username()


EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES: dict[str, tuple[str, ...]] = {
    ".pdf": ("application/pdf",),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    ".odt": ("application/vnd.oasis.opendocument.text",),
    ".png": ("image/png",),
    ".jpg": ("image/jpeg",),
    ".jpeg": ("image/jpeg",),
    ".txt": ("text/plain",),
}
# The first bytes of each accepted type: the browser's content type alone can be forged.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def _check_upload(upload: UploadedFile) -> tuple[str, str]:
    name = upload.name or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "file": _("Dateityp nicht erlaubt. Erlaubt sind: %(types)s.")
                % {"types": ", ".join(sorted(EVIDENCE_TYPES))}
            }
        )
    if upload.size is None or upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {"file": _("Die Datei ist größer als %(mb)s MB.") % {"mb": EVIDENCE_MAX_BYTES >> 20}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("Die Datei ist leer.")})
    head = upload.read(16)
    upload.seek(0)
    magic = _MAGIC.get(ext)
    if magic and not any(head.startswith(m) for m in magic):
        raise ValidationError({"file": _("Der Inhalt passt nicht zur Dateiendung.")})
    if ext == ".txt" and b"\x00" in head:
        raise ValidationError({"file": _("Der Inhalt passt nicht zur Dateiendung.")})
    return ext, EVIDENCE_TYPES[ext][0]


def evidence_add(
    *,
    outcome: Outcome,
    title: str,
    actor: Any,
    url: str = "",
    upload: UploadedFile | None = None,
) -> Evidence:
    """Attach a link or a document (size ≤ 10 MB, type checked by extension and content)."""
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, outcome.municipality_id)
    if bool(url) == bool(upload):
        raise ValidationError(_("Bitte entweder einen Link oder ein Dokument angeben."))
    evidence = Evidence(
        outcome=outcome,
        title=title.strip(),
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if upload is not None:
        _ext, content_type = _check_upload(upload)
        evidence.kind = EvidenceKind.FILE
        evidence.content_type = content_type
        evidence.size = upload.size or 0
        evidence.file = upload
    else:
        evidence.kind = EvidenceKind.LINK
        evidence.url = url.strip()
        if not evidence.url.lower().startswith(("https://", "http://")):
            raise ValidationError({"url": _("Bitte einen Link mit http(s):// angeben.")})
    with transaction.atomic():
        evidence.full_clean(exclude=["file"] if upload is None else None)
        evidence.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=evidence,
            after=serialize_for_audit(evidence),
            related=outcome,
        )
    return evidence


def evidence_delete(*, evidence: Evidence, actor: Any) -> None:
    """Remove a piece of evidence (and its stored file)."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, evidence.outcome.municipality_id
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=evidence,
            before=serialize_for_audit(evidence),
            related=evidence.outcome,
        )
        stored = evidence.file.name if evidence.file else ""
        evidence.delete()
        if stored:
            transaction.on_commit(lambda: default_storage.delete(stored))


# --------------------------------------------------------------------------------------
# Workshops and their sessions
# --------------------------------------------------------------------------------------


def workshop_create(
    *,
    municipality: Municipality,
    title: str,
    actor: Any,
    kind: str = WorkshopKind.WORKSHOP,
    cluster: Cluster | None = None,
    default_place: str = "",
    capacity: int = 30,
    description: str = "",
) -> Workshop:
    """Create a workshop (or cluster-wide event) hosted by ``municipality``.

    The cluster defaults to the host's own, so partner communes see it at once.
    """
    permissions.require(actor, permissions.ADD, permissions.QUALITY, municipality.pk)
    workshop = Workshop(
        municipality=municipality,
        cluster=cluster if cluster is not None else municipality.cluster,
        kind=kind,
        title=title.strip(),
        default_place=default_place.strip(),
        capacity=capacity,
        description=description,
    )
    with transaction.atomic():
        save_created(workshop, actor=actor)
    return workshop


def workshop_update(*, workshop: Workshop, actor: Any, **changes: Any) -> Workshop:
    """Change title, place, capacity …; a larger capacity lets the waiting lists move up."""
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, workshop.municipality_id)
    allowed = {"title", "kind", "default_place", "capacity", "description"}
    if set(changes) - allowed:
        raise ValueError(f"not editable: {sorted(set(changes) - allowed)}")
    with transaction.atomic():
        before = serialize_for_audit(workshop)
        for name, value in changes.items():
            setattr(workshop, name, value)
        workshop.full_clean()
        workshop.save()
        old, new = changed_only(before, serialize_for_audit(workshop))
        if new:
            audit_record(
                actor=actor, action=AuditAction.UPDATE, target=workshop, before=old, after=new
            )
        if "capacity" in new:
            for session in workshop.sessions.filter(capacity=None, status=SessionStatus.SCHEDULED):
                _promote_waiting(session=session, actor=actor)
    return workshop


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """``day`` plus ``months``, keeping the anchor day of month where the month allows."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    wanted = anchor_day or day.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def session_series_dates(*, first: date, until: date, interval_months: int = 2) -> list[date]:
    """The dates of a series: every ``interval_months`` months from ``first`` to ``until``.

    Each date counts from the first one (not from the previous date), so a series that
    starts on the 31st lands on the last day of shorter months and returns to the 31st.
    """
    if interval_months < 1:
        raise ValidationError({"interval_months": _("Der Abstand muss mindestens 1 Monat sein.")})
    if until < first:
        raise ValidationError({"until": _("Das Ende der Reihe liegt vor dem ersten Termin.")})
    dates: list[date] = []
    step = 0
    while True:
        day = add_months(first, step * interval_months, anchor_day=first.day)
        if day > until:
            return dates
        dates.append(day)
        step += 1


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def workshop_schedule_series(
    *,
    workshop: Workshop,
    first: date,
    until: date,
    start_time: time,
    end_time: time,
    actor: Any,
    interval_months: int = 2,
    place: str = "",
) -> list[WorkshopSession]:
    """Create the bi-monthly sessions of a workshop (skipping days that already have one).

    Running it again with the same arguments creates nothing new, so a coordinator can
    extend a series by choosing a later end date.
    """
    permissions.require(actor, permissions.ADD, permissions.QUALITY, workshop.municipality_id)
    if end_time <= start_time:
        raise ValidationError({"end_time": _("Das Ende muss nach dem Beginn liegen.")})
    dates = session_series_dates(first=first, until=until, interval_months=interval_months)
    existing = {timezone.localtime(s.starts_at).date() for s in workshop.sessions.all()}
    created: list[WorkshopSession] = []
    with transaction.atomic():
        for day in dates:
            if day in existing:
                continue
            session = WorkshopSession(
                workshop=workshop,
                starts_at=_aware(day, start_time),
                ends_at=_aware(day, end_time),
                place=place or workshop.default_place,
            )
            save_created(session, actor=actor, related=workshop)
            created.append(session)
    return created


def session_add(
    *,
    workshop: Workshop,
    starts_at: datetime,
    ends_at: datetime,
    actor: Any,
    place: str = "",
    capacity: int | None = None,
) -> WorkshopSession:
    """Add a single extra session outside the series."""
    permissions.require(actor, permissions.ADD, permissions.QUALITY, workshop.municipality_id)
    session = WorkshopSession(
        workshop=workshop,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place or workshop.default_place,
        capacity=capacity,
        is_extra=True,
    )
    with transaction.atomic():
        save_created(session, actor=actor, related=workshop)
    return session


SESSION_EDITABLE_FIELDS = ("starts_at", "ends_at", "place", "capacity", "minutes")


def session_update(*, session: WorkshopSession, actor: Any, **changes: Any) -> WorkshopSession:
    """Edit date, place, capacity or minutes of one session.

    A changed date or place raises the iCalendar SEQUENCE so calendars update the event;
    more places move the waiting list up.
    """
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    if set(changes) - set(SESSION_EDITABLE_FIELDS):
        raise ValueError(f"not editable: {sorted(set(changes) - set(SESSION_EDITABLE_FIELDS))}")
    with transaction.atomic():
        before = serialize_for_audit(session)
        for name, value in changes.items():
            setattr(session, name, value)
        session.full_clean()
        old, new = changed_only(before, serialize_for_audit(session))
        if {"starts_at", "ends_at", "place"} & set(new):
            session.sequence += 1
        session.save()
        if new:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=session,
                before=old,
                after=new,
                related=session.workshop,
            )
        if "capacity" in new:
            _promote_waiting(session=session, actor=actor)
    return session


def session_cancel(*, session: WorkshopSession, actor: Any, reason: str = "") -> WorkshopSession:
    """Cancel a session; everyone signed up or waiting is told by e-mail."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    if session.is_cancelled:
        raise ValidationError(_("Der Termin ist bereits abgesagt."))
    with transaction.atomic():
        before = serialize_for_audit(session)
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = reason
        session.sequence += 1
        session.save()
        old, new = changed_only(before, serialize_for_audit(session))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=session,
            before=old,
            after=new,
            reason=reason,
            related=session.workshop,
        )
        recipients = list(
            session.registrations.filter(
                status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED]
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            _mail(
                subject=_("Abgesagt: %(session)s") % {"session": session},
                template="quality/mail/session_cancelled.txt",
                context={"session": session, "reason": reason},
                to=recipients,
            )
    return session


def agenda_item_add(
    *,
    session: WorkshopSession,
    title: str,
    actor: Any,
    interest: DevelopmentInterest | None = None,
    topic: Topic | None = None,
    duration_minutes: int | None = None,
) -> AgendaItem:
    """Add an agenda item, optionally linked to an interest or central topic of the host."""
    host = session.workshop.municipality_id
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, host)
    for linked in (interest, topic):
        if linked is not None and linked.municipality_id != host:
            raise ValidationError(
                _("Interessen und Themen müssen zur ausrichtenden Kommune gehören.")
            )
    last = session.agenda.order_by("-position").values_list("position", flat=True).first()
    item = AgendaItem(
        session=session,
        title=title.strip() or str(interest or topic or ""),
        interest=interest,
        topic=topic,
        duration_minutes=duration_minutes,
        position=(last + 1) if last is not None else 0,
    )
    with transaction.atomic():
        save_created(item, actor=actor, related=session)
    return item


def agenda_item_delete(*, item: AgendaItem, actor: Any) -> None:
    """Remove an agenda item."""
    session = item.session
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=item,
            before=serialize_for_audit(item),
            related=session,
        )
        item.delete()


# --------------------------------------------------------------------------------------
# Invitations, sign-up, waiting list, attendance
# --------------------------------------------------------------------------------------


def _mail(*, subject: str, template: str, context: dict[str, Any], to: list[str]) -> None:
    # Mail leaves after the commit: a rolled-back sign-up must not have announced itself.
    body = render_to_string(template, context)

    def send() -> None:
        messages = [EmailMessage(subject=str(subject), body=body, to=[address]) for address in to]
        get_connection().send_messages(messages)

    transaction.on_commit(send)


def _may_manage(actor: Any, session: WorkshopSession) -> bool:
    return permissions.has_permission(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )


def _may_take_part(actor: Any, session: WorkshopSession) -> bool:
    return Workshop.objects.visible_to(actor).filter(pk=session.workshop_id).exists()


def session_invite(
    *,
    session: WorkshopSession,
    name: str,
    email: str,
    actor: Any,
    institution: Institution | None = None,
    user: Any = None,
) -> Registration:
    """Invite a professional (coordinator of the host commune); sends the invitation mail."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    if session.is_cancelled:
        raise ValidationError(_("Zu einem abgesagten Termin kann niemand eingeladen werden."))
    email = email.strip().lower()
    existing = session.registrations.filter(email=email).exclude(email="").first()
    if existing is not None:
        return existing
    registration = Registration(
        session=session,
        name=name.strip(),
        email=email,
        institution=institution,
        user=user,
        status=RegistrationStatus.INVITED,
    )
    with transaction.atomic():
        save_created(registration, actor=actor, related=session)
        if email:
            _mail(
                subject=_("Einladung: %(session)s") % {"session": session},
                template="quality/mail/invitation.txt",
                context={"session": session, "registration": registration},
                to=[email],
            )
    return registration


def _registered_count(session: WorkshopSession) -> int:
    return session.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def registration_signup(
    *,
    session: WorkshopSession,
    actor: Any,
    name: str = "",
    email: str = "",
    institution: Institution | None = None,
    user: Any = None,
) -> Registration:
    """Sign up for a session: a place while there is one, otherwise the waiting list.

    Members of the host and partner communes sign themselves up (``user=actor``); the
    host's coordinator may sign up anyone (by name and e-mail, or an account). An
    invitation for the same person turns into the sign-up.
    """
    self_signup = user is not None and getattr(actor, "pk", None) == user.pk
    if not (_may_manage(actor, session) or (self_signup and _may_take_part(actor, session))):
        raise PermissionDenied
    if session.is_cancelled:
        raise ValidationError(_("Der Termin ist abgesagt."))
    if session.starts_at <= timezone.now():
        raise ValidationError(
            _("Der Termin hat bereits begonnen; eine Anmeldung ist nicht mehr möglich.")
        )
    if user is not None:
        name = name or user.get_full_name() or user.get_username()
        email = email or user.email
    if not name.strip():
        raise ValidationError({"name": _("Bitte einen Namen angeben.")})
    email = email.strip().lower()
    with transaction.atomic():
        # Serialise sign-ups of one session so that two last-place requests cannot both win.
        WorkshopSession.objects.select_for_update().filter(pk=session.pk).first()
        lookup = Q(user=user) if user is not None else Q(pk__in=[])
        if email:
            lookup |= Q(email=email)
        registration = session.registrations.filter(lookup).first()
        if registration is not None and registration.status in (
            RegistrationStatus.REGISTERED,
            RegistrationStatus.WAITLISTED,
        ):
            return registration
        before = serialize_for_audit(registration) if registration else None
        if registration is None:
            registration = Registration(session=session)
        registration.user = user
        registration.name = name.strip() or registration.name
        registration.email = email or registration.email
        registration.institution = institution or registration.institution
        full = _registered_count(session) >= session.effective_capacity
        registration.status = (
            RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
        )
        registration.queued_at = timezone.now()
        registration.full_clean()
        registration.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=registration,
            before=before,
            after=serialize_for_audit(registration),
            related=session,
        )
        if registration.email:
            _mail(
                subject=(
                    _("Warteliste: %(session)s") if full else _("Anmeldung bestätigt: %(session)s")
                )
                % {"session": session},
                template="quality/mail/signup.txt",
                context={"session": session, "registration": registration, "full": full},
                to=[registration.email],
            )
    return registration


def registration_cancel(*, registration: Registration, actor: Any) -> Registration:
    """Withdraw a sign-up; the first person on the waiting list moves up automatically."""
    session = registration.session
    own = registration.user_id is not None and registration.user_id == getattr(actor, "pk", None)
    if not (own or _may_manage(actor, session)):
        raise PermissionDenied
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    with transaction.atomic():
        WorkshopSession.objects.select_for_update().filter(pk=session.pk).first()
        before = serialize_for_audit(registration)
        registration.status = RegistrationStatus.CANCELLED
        registration.save()
        old, new = changed_only(before, serialize_for_audit(registration))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=registration,
            before=old,
            after=new,
            related=session,
        )
        _promote_waiting(session=session, actor=actor)
    return registration


def _promote_waiting(*, session: WorkshopSession, actor: Any) -> list[Registration]:
    free = session.effective_capacity - _registered_count(session)
    if free <= 0 or session.is_cancelled:
        return []
    promoted = list(
        session.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
            "queued_at", "id"
        )[:free]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=registration,
            before={"status": RegistrationStatus.WAITLISTED},
            after={"status": RegistrationStatus.REGISTERED},
            reason=_("Nachgerückt von der Warteliste"),
            related=session,
        )
        if registration.email:
            _mail(
                subject=_("Nachgerückt: %(session)s") % {"session": session},
                template="quality/mail/promoted.txt",
                context={"session": session, "registration": registration},
                to=[registration.email],
            )
    return promoted


def attendance_record(
    *, session: WorkshopSession, attended: dict[int, bool], actor: Any
) -> list[Registration]:
    """Record after the session who came (by registration id)."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, session.workshop.municipality_id
    )
    if session.starts_at > timezone.now():
        raise ValidationError(_("Die Anwesenheit kann erst ab Beginn des Termins erfasst werden."))
    changed: list[Registration] = []
    with transaction.atomic():
        rows = {r.pk: r for r in session.registrations.filter(pk__in=list(attended))}
        unknown = set(attended) - set(rows)
        if unknown:
            raise ValidationError(_("Unbekannte Anmeldungen: %(ids)s") % {"ids": sorted(unknown)})
        for pk, value in attended.items():
            registration = rows[pk]
            if registration.attended == value:
                continue
            before = registration.attended
            registration.attended = value
            registration.save(update_fields=["attended", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=registration,
                before={"attended": before},
                after={"attended": value},
                related=session,
            )
            changed.append(registration)
    return changed


def calendar_feed_for(*, user: Any) -> CalendarFeed:
    """The person's secret feed address (created on first use)."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_renew(*, user: Any) -> CalendarFeed:
    """A new secret address, e.g. after the old one was shared by mistake."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return CalendarFeed.objects.create(user=user)
