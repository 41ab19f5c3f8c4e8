"""Writes and business rules of case reviews, near-miss reports and the learning library.

Every service checks the actor's right first (core.permissions), validates with
``full_clean`` and writes its audit row in the same transaction (STYLE §7.3, §7.5).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.audit import (
    audit_record,
    audit_updated,
    save_created,
    save_updated,
    serialize_for_audit,
)
from core.choices import AuditAction
from core.context import untraced_context
from registry.models import Institution, Municipality
from reviews import detector, search
from reviews.choices import (
    ContextFactor,
    FindingLevel,
    FindingValence,
    IncidentStatus,
    LibraryKind,
    ReviewStatus,
    ReviewTrigger,
)
from reviews.models import (
    CaseReview,
    Episode,
    ErrorCategory,
    Finding,
    IncidentReport,
    LibraryItem,
    Recommendation,
)

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely


def _require(actor: Any, action: str, municipality_id: int) -> None:
    permissions.require(actor, action, permissions.REVIEWS, municipality_id)


def _check_team(municipality: Municipality, team: Iterable[Institution]) -> list[Institution]:
    team = list(team)
    foreign = [i for i in team if i.municipality_id != municipality.pk]
    if foreign:
        raise ValidationError(
            {"team": _("Das Analyseteam kommt aus Einrichtungen der eigenen Kommune.")}
        )
    return team


def _flagged_kinds(text: str) -> str:
    return ", ".join(sorted({hit.label for hit in detector.detect(text or "")}))


def _check_texts(
    *, clear: dict[str, str], narrative: dict[str, str], confirmed: bool = False
) -> None:
    """Run the detector of identifying details on review texts before they are saved.

    ``clear`` fields (titles, acting body, recommendations) are stored and shown in clear,
    also outside the case team: a flagged passage is refused. ``narrative`` fields are
    encrypted and read-logged; a flagged passage needs the author's explicit confirmation
    that it identifies nobody (or is needed). Each error names its field.
    """
    errors: dict[str, str] = {}
    for name, text in clear.items():
        kinds = _flagged_kinds(text)
        if kinds:
            errors[name] = _(
                "Enthält vermutlich identifizierende Angaben (%(kinds)s). Dieses Feld wird "
                "unverschlüsselt gespeichert und gezeigt: bitte entfernen."
            ) % {"kinds": kinds}
    if not confirmed:
        for name, text in narrative.items():
            kinds = _flagged_kinds(text)
            if kinds:
                errors[name] = _(
                    "Enthält vermutlich identifizierende Angaben (%(kinds)s). Bitte entfernen "
                    "oder ausdrücklich bestätigen, dass die markierten Stellen niemanden "
                    "identifizieren."
                ) % {"kinds": kinds}
    if errors:
        raise ValidationError(errors)


REVIEW_CLEAR_TEXTS = ("title",)
REVIEW_NARRATIVES = ("questions", "summary")
EPISODE_CLEAR_TEXTS = ("title",)
EPISODE_NARRATIVES = ("institution_label", "what_happened", "known_then", "why_sensible")


def _changed_texts(obj: Any, fields: dict[str, Any], names: Iterable[str]) -> dict[str, str]:
    """The texts among ``fields`` that differ from ``obj``'s (unchanged ones were checked)."""
    return {
        n: str(fields[n] or "")
        for n in names
        if n in fields and (obj is None or str(fields[n] or "") != str(getattr(obj, n) or ""))
    }


# --- case reviews -------------------------------------------------------------------------


def review_create(
    *,
    municipality: Municipality,
    title: str,
    trigger: str,
    method: str,
    actor: Any,
    questions: str = "",
    summary: str = "",
    status: str = ReviewStatus.PLANNED,
    team: Iterable[Institution] = (),
    started_on: dt.date | None = None,
    synthetic: bool = False,
    confirmed: bool = False,
) -> CaseReview:
    """Open a case review in the actor's commune (coordination only).

    The title passes the detector of identifying details; the encrypted questions and
    summary too, or the author confirms the flagged passages (``confirmed``).
    """
    _require(actor, permissions.ADD, municipality.pk)
    _check_texts(
        clear={"title": title},
        narrative={"questions": questions, "summary": summary},
        confirmed=confirmed,
    )
    with transaction.atomic():
        review = CaseReview(
            municipality=municipality,
            title=title.strip(),
            trigger=trigger,
            method=method,
            status=status,
            questions=questions,
            summary=summary,
            started_on=started_on,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            synthetic=synthetic,
        )
        review.full_clean()
        review.save()
        review.team.set(_check_team(municipality, team))
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=review,
            after=serialize_for_audit(review) | {"team": [i.pk for i in review.team.all()]},
        )
    return review


REVIEW_FIELDS = frozenset(
    {"title", "trigger", "method", "status", "questions", "summary", "started_on", "closed_on"}
)


def review_update(
    *,
    review: CaseReview,
    actor: Any,
    reason: str = "",
    team: Iterable[Institution] | None = None,
    confirmed: bool = False,
    **fields: Any,
) -> CaseReview:
    """Change a review's data or status; closing it sets the closing day once.

    Changed texts pass the detector (see :func:`review_create`).
    """
    _require(actor, permissions.CHANGE, review.municipality_id)
    unknown = set(fields) - REVIEW_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    if review.purged_at and any(fields.get(n) for n in REVIEW_NARRATIVES):
        raise ValidationError(
            {
                "summary": _(
                    "Die Freitexte dieser Falluntersuchung sind nach Ablauf der Frist gelöscht."
                )
            }
        )
    _check_texts(
        clear=_changed_texts(review, fields, REVIEW_CLEAR_TEXTS),
        narrative=_changed_texts(review, fields, REVIEW_NARRATIVES),
        confirmed=confirmed,
    )
    with transaction.atomic():
        before = serialize_for_audit(review) | {"team": sorted(i.pk for i in review.team.all())}
        for name, value in fields.items():
            setattr(review, name, value)
        if (
            review.status in (ReviewStatus.CLOSED, ReviewStatus.IMPLEMENTED)
            and review.closed_on is None
        ):
            review.closed_on = timezone.localdate()
        review.full_clean()
        review.save()
        if team is not None:
            review.team.set(_check_team(review.municipality, team))
        after = serialize_for_audit(review) | {"team": sorted(i.pk for i in review.team.all())}
        audit_updated(review, actor=actor, before=before, after=after, reason=reason)
    return review


# --- timeline ------------------------------------------------------------------------------


def _next_position(review: CaseReview) -> int:
    last = review.episodes.aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


def episode_create(
    *,
    review: CaseReview,
    actor: Any,
    title: str,
    occurred_on: dt.date | None = None,
    what_happened: str = "",
    known_then: str = "",
    why_sensible: str = "",
    institution_type: str = "",
    institution_label: str = "",
    activity_code: str = "",
    confirmed: bool = False,
) -> Episode:
    """Add a key practice episode entered by hand (for a case outside the system).

    The title is stored in clear and refused when the detector flags it; the acting body
    and the three narratives are encrypted and need ``confirmed`` when flagged.
    """
    _require(actor, permissions.CHANGE, review.municipality_id)
    _check_texts(
        clear={"title": title},
        narrative={
            "institution_label": institution_label,
            "what_happened": what_happened,
            "known_then": known_then,
            "why_sensible": why_sensible,
        },
        confirmed=confirmed,
    )
    with transaction.atomic():
        episode = Episode(
            review=review,
            position=_next_position(review),
            occurred_on=occurred_on,
            title=title.strip(),
            what_happened=what_happened,
            known_then=known_then,
            why_sensible=why_sensible,
            institution_type=institution_type,
            institution_label=institution_label,
            activity_code=activity_code,
        )
        save_created(episode, actor=actor, related=review)
    return episode


def episode_update(
    *, episode: Episode, actor: Any, confirmed: bool = False, **fields: Any
) -> Episode:
    """Complete an episode: what was known then, why it made sense at the time.

    Changed texts pass the detector (see :func:`episode_create`).
    """
    _require(actor, permissions.CHANGE, episode.review.municipality_id)
    allowed = {
        "title",
        "occurred_on",
        "what_happened",
        "known_then",
        "why_sensible",
        "institution_type",
        "institution_label",
        "position",
    }
    if set(fields) - allowed:
        raise ValueError(f"unknown fields {sorted(set(fields) - allowed)}")
    _check_texts(
        clear=_changed_texts(episode, fields, EPISODE_CLEAR_TEXTS),
        narrative=_changed_texts(episode, fields, EPISODE_NARRATIVES),
        confirmed=confirmed,
    )
    with transaction.atomic():
        before = serialize_for_audit(episode)
        for name, value in fields.items():
            setattr(episode, name, value)
        save_updated(episode, actor=actor, before=before, related=episode.review)
    return episode


def _event_value(event: Any, *names: str) -> Any:
    """Read a field of a procedure event whether the selector returns objects or dicts."""
    for name in names:
        value = event.get(name) if isinstance(event, dict) else getattr(event, name, None)
        if value not in (None, ""):
            return value
    return None


def _event_label(event: Any) -> str:
    label = _event_value(event, "activity_label", "activity")
    if label is None and hasattr(event, "get_activity_code_display"):
        label = event.get_activity_code_display()
    return str(label or _("Verfahrensschritt"))


def episodes_import_from_procedure(
    *, review: CaseReview, procedure_code: uuid.UUID | str, actor: Any
) -> list[Episode]:
    """Copy a documented procedure's events onto the review's timeline.

    Only members of the procedure's case team can do this: the cases selector
    ``procedure_events_for_review`` enforces it (and logs the read). The actor must also
    be allowed to read the review. The episodes keep the procedure's code as a link and
    take over the step, the day and the acting institution. Case notes are NOT copied:
    they are free text that may name children, parents or staff, and a detector can miss
    a first name ("Mia schlief"). The review team writes "what happened" in its own,
    de-identified words; the event's ``actor_name`` is not read at all.
    """
    _require(actor, permissions.VIEW, review.municipality_id)
    from cases.selectors import procedure_events_for_review  # lazy: cases is optional here

    events = list(procedure_events_for_review(user=actor, code=procedure_code))
    with transaction.atomic():
        position = _next_position(review)
        created = []
        for event in events:
            when = _event_value(event, "timestamp", "occurred_at")
            if isinstance(when, dt.datetime):
                when = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
            label = _event_label(event)
            episode = Episode(
                review=review,
                position=position,
                occurred_on=when,
                title=str(label)[:200],
                activity_code=str(_event_value(event, "activity_code") or "")[:40],
                institution_type=str(
                    _event_value(event, "institution_type", "acting_institution_type") or ""
                )[:40],
                institution_label=detector.redact(
                    str(
                        _event_value(event, "institution_name", "acting_institution_name")
                        or _event_value(event, "institution", "acting_institution")
                        or ""
                    )
                )[:200],
                what_happened="",
                imported=True,
                source_event_ref=str(_event_value(event, "id", "pk", "code") or "")[:64],
            )
            episode.full_clean(exclude=["institution_type"])
            episode.save()
            created.append(episode)
            position += 1
        before = serialize_for_audit(review)
        review.procedure_code = uuid.UUID(str(procedure_code))
        review.save(update_fields=["procedure_code", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            target=review,
            before={"procedure_code": before["procedure_code"]},
            after={"procedure_code": str(review.procedure_code), "episodes": len(created)},
            reason=_("Zeitleiste aus dokumentiertem Verfahren übernommen"),
        )
    return created


# --- findings and recommendations ----------------------------------------------------------


def finding_create(
    *,
    review: CaseReview,
    actor: Any,
    level: str,
    category: ErrorCategory,
    text: str,
    valence: str = FindingValence.WEAKNESS,
    episode: Episode | None = None,
    context_factor: str = "",
    confirmed: bool = False,
) -> Finding:
    """Record a finding on one of the project's four levels, in one category.

    What lies outside the four levels (law, politics, society) is a context factor: given
    alone (``level=""``) or as the frame of a finding on a level; it is never a level.
    The text is encrypted; flagged passages need ``confirmed`` (detector on save).
    """
    _require(actor, permissions.CHANGE, review.municipality_id)
    _check_dimensions(level, context_factor)
    _check_texts(clear={}, narrative={"text": text}, confirmed=confirmed)
    if episode is not None and episode.review_id != review.pk:
        raise ValidationError(
            {"episode": _("Die Episode gehört zu einer anderen Falluntersuchung.")}
        )
    if not category.is_active:
        raise ValidationError({"category": _("Diese Kategorie wird nicht mehr verwendet.")})
    with transaction.atomic():
        finding = Finding(
            review=review,
            episode=episode,
            level=level,
            context_factor=context_factor,
            category=category,
            valence=valence,
            text=text.strip(),
        )
        finding.full_clean()
        save_created(finding, actor=actor, related=review)
    return finding


def _check_dimensions(level: str, context_factor: str, *, required: bool = True) -> None:
    """One of the four levels and/or a context factor; no fifth level."""
    if level and level not in FindingLevel.values:
        raise ValidationError(
            {
                "level": _(
                    "Unbekannte Ebene „%(value)s“: Fachkraft, Team, Organisation oder "
                    "interorganisationale Zusammenarbeit."
                )
                % {"value": level}
            }
        )
    if context_factor and context_factor not in ContextFactor.values:
        raise ValidationError(
            {
                "context_factor": _("Unbekannter Kontextfaktor „%(value)s“.")
                % {"value": context_factor}
            }
        )
    if required and not (level or context_factor):
        raise ValidationError(
            {"level": _("Bitte eine der vier Ebenen oder einen Kontextfaktor angeben.")}
        )


def _institution_types(review: CaseReview) -> str:
    types = {i.institution_type for i in review.team.all()}
    types |= {e.institution_type for e in review.episodes.all() if e.institution_type}
    types.discard("")
    return "|" + "|".join(sorted(types)) + "|" if types else ""


def _require_clean(texts: Iterable[str], confirmed: bool) -> None:
    flagged = sorted({hit.label for t in texts for hit in detector.detect(t)})
    if flagged and not confirmed:
        raise ValidationError(
            {
                "public_text": _(
                    "Der Text enthält vermutlich noch identifizierende Angaben (%(kinds)s). "
                    "Bitte entfernen oder die Prüfung ausdrücklich bestätigen."
                )
                % {"kinds": ", ".join(flagged)}
            }
        )


def finding_publish(
    *, finding: Finding, actor: Any, public_text: str, confirmed: bool = False
) -> LibraryItem:
    """Share an anonymised version of a finding with every commune (learning library).

    The detector of identifying details must find nothing, or the coordinator confirms
    she checked every flagged passage.
    """
    review = finding.review
    _require(actor, permissions.CHANGE, review.municipality_id)
    public_text = public_text.strip()
    if not public_text:
        raise ValidationError({"public_text": _("Bitte eine anonymisierte Fassung angeben.")})
    _require_clean([public_text], confirmed)
    with transaction.atomic():
        before = serialize_for_audit(finding)
        finding.public_text = public_text
        finding.is_published = True
        finding.save(update_fields=["public_text", "is_published"])
        title = f"{finding.dimension_label}: {finding.category.label}"
        item, _created = LibraryItem.objects.update_or_create(
            finding=finding,
            defaults={
                "kind": LibraryKind.FINDING,
                "municipality_id": review.municipality_id,
                "level": finding.level,
                "context_factor": finding.context_factor,
                "category": finding.category,
                "valence": finding.valence,
                "trigger": review.trigger,
                "institution_types": _institution_types(review),
                "title": title,
                "text": public_text,
                "answer": "",
                "published_on": timezone.localdate(),
                "search_text": search.normalise(title, public_text, finding.category.label),
            },
        )
        audit_updated(
            finding,
            actor=actor,
            before=before,
            related=review,
            reason=_("in der Lernbibliothek veröffentlicht"),
        )
    return item


def finding_unpublish(*, finding: Finding, actor: Any) -> Finding:
    """Withdraw a finding from the learning library."""
    _require(actor, permissions.CHANGE, finding.review.municipality_id)
    with transaction.atomic():
        LibraryItem.objects.filter(finding=finding).delete()
        finding.is_published = False
        finding.save(update_fields=["is_published"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=finding,
            before={"is_published": True},
            after={"is_published": False},
            related=finding.review,
            reason=_("aus der Lernbibliothek zurückgezogen"),
        )
    return finding


def recommendation_create(
    *,
    review: CaseReview,
    actor: Any,
    text: str,
    rationale: str = "",
    finding: Finding | None = None,
    due_date: dt.date | None = None,
) -> Recommendation:
    """Record what should change as a result of the review.

    Text and rationale are stored in clear and become a workshop outcome: the detector
    must find nothing identifying in them.
    """
    _require(actor, permissions.CHANGE, review.municipality_id)
    _check_texts(clear={"text": text, "rationale": rationale}, narrative={})
    if finding is not None and finding.review_id != review.pk:
        raise ValidationError(
            {"finding": _("Der Befund gehört zu einer anderen Falluntersuchung.")}
        )
    with transaction.atomic():
        rec = Recommendation(
            review=review,
            finding=finding,
            text=text.strip(),
            rationale=rationale,
            due_date=due_date,
        )
        save_created(rec, actor=actor, related=review)
    return rec


def recommendation_to_outcome(*, recommendation: Recommendation, actor: Any) -> Any:
    """Turn a recommendation into a planned outcome of the commune's quality workshop.

    The outcome names the review as its origin and links back to it, and the
    recommendation keeps the outcome, so the workshop board follows it up.
    """
    review = recommendation.review
    _require(actor, permissions.CHANGE, review.municipality_id)
    if recommendation.outcome_id is not None:
        raise ValidationError(_("Diese Empfehlung ist bereits eine Maßnahme der Werkstatt."))
    from quality.services import outcome_create  # lazy: the quality app owns outcomes

    with transaction.atomic():
        outcome = outcome_create(
            municipality=review.municipality,
            text=recommendation.text,
            actor=actor,
            description=recommendation.rationale,
            due_date=recommendation.due_date,
            origin=_("Falluntersuchung „%(title)s“") % {"title": review.title},
            origin_url=review.get_absolute_url(),
        )
        recommendation.outcome = outcome
        recommendation.save(update_fields=["outcome"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=recommendation,
            before={"outcome_id": None},
            after={"outcome_id": outcome.pk},
            related=review,
            reason=_("als Maßnahme an die Qualitätsentwicklungswerkstatt übergeben"),
        )
    return outcome


# --- taxonomy --------------------------------------------------------------------------------


def can_edit_taxonomy(user: Any) -> bool:
    """The taxonomy is shared by all communes: only the national project team edits it.

    Expressed through the permission table: a change to quality data that belongs to no
    commune, which only global roles (project team, administration) hold.
    """
    return permissions.has_permission(user, permissions.CHANGE, permissions.QUALITY, None)


def error_category_save(
    *,
    actor: Any,
    code: str,
    label: str,
    kind: str,
    description: str = "",
    position: int = 0,
    is_active: bool = True,
    category: ErrorCategory | None = None,
) -> ErrorCategory:
    """Add or change an entry of the error taxonomy (project team)."""
    if not can_edit_taxonomy(actor):
        raise PermissionDenied
    with transaction.atomic():
        before = serialize_for_audit(category) if category else None
        category = category or ErrorCategory()
        category.code, category.label, category.kind = code, label.strip(), kind
        category.description, category.position, category.is_active = (
            description,
            position,
            is_active,
        )
        if before is None:
            save_created(category, actor=actor)
        else:
            save_updated(category, actor=actor, before=before)
    return category


# --- near-miss reports (CIRS) ------------------------------------------------------------------


def receipt_code_new() -> str:
    """A random, unguessable receipt code such as "K7QM-2XHP-9RTA" (60 bits)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def receipt_code_normalise(value: str) -> str:
    """Accept a receipt code typed with spaces, lower case or without dashes."""
    raw = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if len(raw) != 12:
        return ""
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def incident_report_submit(
    *,
    municipality: Municipality,
    what_happened: str,
    what_could_have_happened: str = "",
    what_helped: str = "",
    what_should_change: str = "",
    reporter_institution_type: str = "",
    synthetic: bool = False,
) -> IncidentReport:
    """Store an anonymous near-miss report and return it with its receipt code.

    There is deliberately no ``actor`` and no request here: the record holds nothing about
    who sent it (no account, address, browser or exact time). Nothing is written to the
    audit trail now: a row written at this moment would sit between rows with exact times
    and date the report to the second (issue 14). The day's arrivals are audited later,
    per commune and day, by :func:`incident_arrivals_audit`.
    """
    if not what_happened.strip():
        raise ValidationError({"what_happened": _("Bitte beschreiben Sie, was passiert ist.")})
    for _attempt in range(5):
        report = IncidentReport(
            municipality=municipality,
            receipt_code=receipt_code_new(),
            received_on=timezone.localdate(),
            reporter_institution_type=reporter_institution_type,
            what_happened=what_happened.strip(),
            what_could_have_happened=what_could_have_happened.strip(),
            what_helped=what_helped.strip(),
            what_should_change=what_should_change.strip(),
            synthetic=synthetic,
        )
        report.full_clean(exclude=["receipt_code"])
        try:
            with untraced_context(), transaction.atomic():
                report.save()
        except IntegrityError:  # receipt code collision: astronomically rare, try again
            continue
        return report
    raise RuntimeError("could not allocate a receipt code")


# Not translated on purpose: the audit trail's marker text stays the same in every locale,
# so that the job finds the rows it already wrote.
ARRIVALS_REPR = "Beinahe-Ereignisse (anonyme Meldungen)"
INCIDENT_PURGE_REPR = "Beinahe-Ereignisse: Rohtexte nach Ablauf der Frist gelöscht"


def incident_arrivals_audit(*, today: dt.date | None = None) -> int:
    """Audit the anonymous near-miss reports of every finished day: one row per commune.

    Each row carries the day (time 00:00), the number of reports and the shared untraced
    request id; it is written after the day is over, by the moderation queue or the daily
    ``audit_incident_arrivals`` command, so neither its time nor its position among the
    other audit rows says when during the day a report came in. Idempotent: a day already
    audited is skipped. Returns the number of rows written.
    """
    from django.db.models import Count

    from core.audit import audit_record_anonymous
    from core.models import AuditEvent

    today = today or timezone.localdate()
    groups = (
        IncidentReport.objects.filter(received_on__lt=today)
        .values("municipality_id", "received_on")
        .annotate(n=Count("id"))
        .order_by("received_on", "municipality_id")
    )
    written = 0
    with transaction.atomic():
        done = {
            (m, timezone.localtime(t).date())
            for m, t in AuditEvent.objects.filter(
                target_repr=ARRIVALS_REPR, target_type__isnull=True
            ).values_list("municipality_id", "time")
        }
        for row in groups:
            key = (row["municipality_id"], row["received_on"])
            if key in done:
                continue
            audit_record_anonymous(
                municipality_id=row["municipality_id"],
                day=row["received_on"],
                target_repr=ARRIVALS_REPR,
                after={"received_on": row["received_on"].isoformat(), "count": row["n"]},
            )
            written += 1
    return written


def incident_report_moderate(
    *,
    report: IncidentReport,
    actor: Any,
    answer: str,
    public_title: str = "",
    public_text: str = "",
    level: str = "",
    category: ErrorCategory | None = None,
    publish: bool = True,
    confirmed: bool = False,
    context_factor: str = "",
) -> IncidentReport:
    """Answer a near-miss report and, if wanted, share an anonymised version.

    The answer is what the reporter reads under the receipt code; it and the public text
    pass the detector of identifying details (or the coordinator confirms her check).
    """
    _require(actor, permissions.CHANGE, report.municipality_id)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Bitte eine Antwort an die meldende Person angeben.")})
    if publish and not (public_title.strip() and public_text.strip()):
        raise ValidationError(
            {"public_text": _("Zum Veröffentlichen braucht es Titel und anonymisierte Fassung.")}
        )
    _check_dimensions(level, context_factor, required=False)
    _require_clean([answer, public_title, public_text], confirmed)
    with transaction.atomic():
        before = serialize_for_audit(report)
        report.answer = answer
        report.answered_on = report.answered_on or timezone.localdate()
        report.public_title = public_title.strip()
        report.public_text = public_text.strip()
        report.level = level
        report.context_factor = context_factor
        report.category = category
        report.moderated_by = actor if getattr(actor, "is_authenticated", False) else None
        report.status = IncidentStatus.PUBLISHED if publish else IncidentStatus.ANSWERED
        report.full_clean()
        report.save()
        if publish:
            LibraryItem.objects.update_or_create(
                incident=report,
                defaults={
                    "kind": LibraryKind.INCIDENT,
                    "municipality_id": report.municipality_id,
                    "level": level,
                    "context_factor": context_factor,
                    "category": category,
                    "valence": FindingValence.WEAKNESS,
                    "trigger": ReviewTrigger.NEAR_MISS,
                    "institution_types": (
                        f"|{report.reporter_institution_type}|"
                        if report.reporter_institution_type
                        else ""
                    ),
                    "title": report.public_title,
                    "text": report.public_text,
                    "answer": answer,
                    "published_on": timezone.localdate(),
                    "search_text": search.normalise(
                        report.public_title,
                        report.public_text,
                        answer,
                        category.label if category else "",
                    ),
                },
            )
        else:
            LibraryItem.objects.filter(incident=report).delete()
        audit_updated(report, actor=actor, before=before)
    return report


def incident_report_reject(*, report: IncidentReport, actor: Any, answer: str = "") -> None:
    """Discard a report (spam, or nothing to learn); the reporter still gets the answer."""
    _require(actor, permissions.CHANGE, report.municipality_id)
    _require_clean([answer], confirmed=False)
    with transaction.atomic():
        before = serialize_for_audit(report)
        LibraryItem.objects.filter(incident=report).delete()
        report.status = IncidentStatus.REJECTED
        report.answer = answer.strip()
        report.answered_on = timezone.localdate() if answer.strip() else None
        report.moderated_by = actor if getattr(actor, "is_authenticated", False) else None
        save_updated(report, actor=actor, before=before, clean=False)


# --- retention and legal hold ----------------------------------------------------------------


def review_legal_hold_set(*, review: CaseReview, actor: Any, hold: bool, reason: str) -> CaseReview:
    """Set or lift the legal hold that stops the retention purge of a review.

    A court case, a complaint or a follow-up review may need the narratives beyond their
    retention period. Setting and lifting both need a reason; both are audited.
    """
    _require(actor, permissions.CHANGE, review.municipality_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Bitte den Grund angeben.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Der Grund ist zu lang (höchstens 300 Zeichen).")})
    if review.purged_at and hold:
        raise ValidationError(
            {"reason": _("Die Freitexte dieser Falluntersuchung sind bereits gelöscht.")}
        )
    with transaction.atomic():
        before = {"legal_hold": review.legal_hold, "legal_hold_reason": review.legal_hold_reason}
        review.legal_hold = hold
        review.legal_hold_reason = reason if hold else ""
        review.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=review,
            before=before,
            after={"legal_hold": review.legal_hold, "legal_hold_reason": review.legal_hold_reason},
            reason=reason,
        )
    return review


def review_purge_after(review: CaseReview) -> dt.date | None:
    """The first day a closed review's narratives may be purged (None while it is open)."""
    from django.conf import settings

    if review.closed_on is None:
        return None
    years = settings.KSQM_REVIEW_RETENTION_YEARS
    closed = review.closed_on
    try:
        return closed.replace(year=closed.year + years)
    except ValueError:  # 29 February
        return closed.replace(year=closed.year + years, day=28)


def review_purge_narratives(*, review: CaseReview, actor: Any, reason: str) -> None:
    """Blank every narrative of a review; keep title, levels, categories and the library.

    The pseudonymous structure (which errors on which level) stays for the statistics;
    the published, anonymised library entries stay too. Refused under a legal hold.
    """
    permissions.require(actor, permissions.DELETE, permissions.REVIEWS, review.municipality_id)
    if review.legal_hold:
        raise ValidationError(_("Für diese Falluntersuchung besteht eine Löschsperre."))
    with transaction.atomic():
        # QuerySet.update with "" is the one write encrypted fields allow without a row.
        episodes = Episode.objects.filter(review=review).update(
            what_happened="", known_then="", why_sensible=""
        )
        findings = Finding.objects.filter(review=review).update(text="")
        now = timezone.now()
        CaseReview.objects.filter(pk=review.pk).update(questions="", summary="", purged_at=now)
        review.refresh_from_db()
        audit_record(
            actor=actor,
            action=AuditAction.PURGE,
            target=review,
            before={"narratives": "«gelöscht»", "episodes": episodes, "findings": findings},
            after={"purged_at": now.isoformat()},
            reason=reason,
        )


def reviews_purge_expired(*, actor: Any, today: dt.date | None = None) -> dict[str, int]:
    """The retention run: purge expired reviews (not on hold) and old raw near-miss texts.

    Returns the counts: purged reviews, reviews skipped for a legal hold, near-miss
    reports whose raw texts were blanked. Idempotent: purged rows are not touched again.
    """
    from django.conf import settings

    today = today or timezone.localdate()
    counts = {"reviews": 0, "held": 0, "incidents": 0}
    candidates = CaseReview.objects.filter(closed_on__isnull=False, purged_at__isnull=True)
    for review in candidates.order_by("pk").iterator():
        due = review_purge_after(review)
        if due is None or due > today:
            continue
        if review.legal_hold:
            counts["held"] += 1
            continue
        review_purge_narratives(
            review=review, actor=actor, reason="Aufbewahrungsfrist nach Abschluss abgelaufen"
        )
        counts["reviews"] += 1
    years = settings.KSQM_INCIDENT_RETENTION_YEARS
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    with transaction.atomic():
        old = IncidentReport.objects.filter(received_on__lt=cutoff).exclude(what_happened="")
        by_commune: dict[int, int] = {}
        for municipality_id in old.values_list("municipality_id", flat=True):
            by_commune[municipality_id] = by_commune.get(municipality_id, 0) + 1
        counts["incidents"] = old.update(
            what_happened="", what_could_have_happened="", what_helped="", what_should_change=""
        )
        for municipality_id, n in sorted(by_commune.items()):
            # A count per commune; the job's own time says nothing about any reporter.
            audit_record(
                actor=actor,
                action=AuditAction.PURGE,
                target=None,
                target_repr=INCIDENT_PURGE_REPR,
                municipality_id=municipality_id,
                after={"raw_texts_purged": n, "received_before": cutoff.isoformat()},
                reason="Aufbewahrungsfrist der Rohtexte abgelaufen",
            )
    return counts
