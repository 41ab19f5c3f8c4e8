"""Writes and business rules of evaluations: frameworks, rounds, invitations, answers.

The answering services (``response_*``) take the raw token from the personal link and no
actor: answering needs no account, and nothing about the person is recorded (see the
anonymity notes in :mod:`evaluation.models`). Everything else is done by an actor with
rights in the QUALITY domain and leaves an audit row.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import permissions
from core.audit import audit_record, audit_updated, save_created, serialize_for_audit
from core.choices import AuditAction
from core.mail import mail_send
from evaluation.choices import FollowUpKind, RoundKind, RoundStatus
from evaluation.frameworks import (
    Definition,
    FrameworkError,
    builtin_sources,
    format_error,
    parse_framework,
)
from evaluation.models import (
    Answer,
    FollowUp,
    Framework,
    FreeTextAnswer,
    Invitation,
    Response,
    Round,
)
from registry.models import Institution, Municipality
from registry.taxonomy import INSTITUTION_TYPES

CANNOT_JUDGE = "na"
TYPE_CODES = frozenset(item.code for item in INSTITUTION_TYPES)


def hash_token(raw: str) -> str:
    """Only this hash is stored; the link itself exists in the invitee's mailbox alone."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(24)
    return raw, hash_token(raw)


def answer_url(*, base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("evaluation:answer", args=[token])


# --- frameworks -------------------------------------------------------------------------


def framework_import(
    *, source: str, actor: Any, municipality: Municipality | None = None
) -> Framework:
    """Store a validated framework version; the same source twice is a no-op.

    A changed definition needs a new ``version`` so that rounds already run keep the
    questions they were answered with.
    """
    permissions.require(
        actor, permissions.ADD, permissions.QUALITY, municipality.pk if municipality else None
    )
    try:
        definition = parse_framework(source)
    except FrameworkError as exc:
        raise ValidationError(
            {"source": [format_error(line, message) for line, message in exc.errors]}
        ) from exc
    existing = Framework.objects.filter(key=definition.key, version=definition.version).first()
    if existing is not None:
        if existing.definition == definition.to_json():
            return existing
        raise ValidationError(
            {
                "source": [
                    _(
                        "Version %(version)s von „%(key)s“ gibt es schon mit anderem Inhalt; "
                        "bitte die Versionsnummer erhöhen."
                    )
                    % {"version": definition.version, "key": definition.key}
                ]
            }
        )
    with transaction.atomic():
        framework = Framework(
            key=definition.key,
            version=definition.version,
            title=definition.title,
            is_example=definition.example,
            municipality=municipality,
            source=source,
            definition=definition.to_json(),
        )
        framework.full_clean()
        framework.save()
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            target=framework,
            after=serialize_for_audit(framework),
        )
    return framework


def framework_ensure_builtin(*, actor: Any = None) -> list[Framework]:
    """Load the frameworks shipped in ``evaluation/frameworks/`` (idempotent)."""
    actor = actor or permissions.SystemActor("evaluation")
    return [
        framework_import(source=path.read_text(encoding="utf-8"), actor=actor)
        for path in builtin_sources()
    ]


# --- rounds -------------------------------------------------------------------------------


def round_create(
    *,
    municipality: Municipality,
    framework: Framework,
    title: str,
    opens_on: date,
    closes_on: date,
    actor: Any,
    kind: str = RoundKind.SELF,
    min_group_size: int = 5,
) -> Round:
    """Open a round. Self-evaluation is the commune's own; external needs the project team."""
    permissions.require(actor, permissions.ADD, permissions.QUALITY, municipality.pk)
    is_global = (
        permissions.municipality_ids_for(actor, permissions.ADD, permissions.QUALITY)
        == permissions.ALL
    )
    if kind == RoundKind.EXTERNAL and not is_global:
        raise ValidationError({"kind": [_("Eine Fremdevaluation eröffnet das Projektteam.")]})
    if framework.municipality_id not in (None, municipality.pk):
        raise ValidationError({"framework": [_("Dieser Fragebogen gehört einer anderen Kommune.")]})
    with transaction.atomic():
        evaluation_round = Round(
            municipality=municipality,
            framework=framework,
            kind=kind,
            title=title.strip(),
            opens_on=opens_on,
            closes_on=closes_on,
            min_group_size=min_group_size,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        save_created(evaluation_round, actor=actor)
    return evaluation_round


def round_close(*, evaluation_round: Round, actor: Any, reason: str = "") -> Round:
    """Close a round: links stop working, drafts are erased, results are final."""
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, evaluation_round.municipality_id
    )
    if evaluation_round.status == RoundStatus.CLOSED:
        raise ValidationError(_("Die Runde ist bereits abgeschlossen."))
    with transaction.atomic():
        before = serialize_for_audit(evaluation_round)
        evaluation_round.status = RoundStatus.CLOSED
        evaluation_round.closed_on = timezone.localdate()
        evaluation_round.save(update_fields=["status", "closed_on"])
        # Unsubmitted drafts belong to people who did not answer; they are not kept.
        evaluation_round.invitations.filter(used=False).update(draft={})
        audit_updated(evaluation_round, actor=actor, before=before, reason=reason)
    return evaluation_round


# --- invitations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    """Someone to invite: an institution of the commune (or only its type) and an address."""

    email: str
    institution: Institution | None = None
    institution_type: str = ""


def invitation_create_many(
    *, evaluation_round: Round, invitees: list[Invitee], actor: Any, base_url: str
) -> list[Invitation]:
    """Invite people by e-mail; each gets a personal link, only its hash is stored.

    Addresses already invited to the round are skipped (the invitee keeps the first
    link). Mails go out after the commit, so a failed transaction sends nothing.
    """
    permissions.require(
        actor, permissions.ADD, permissions.QUALITY, evaluation_round.municipality_id
    )
    if evaluation_round.status == RoundStatus.CLOSED:
        raise ValidationError(
            _("Die Runde ist abgeschlossen; Einladungen sind nicht mehr möglich.")
        )
    errors = []
    cleaned: dict[str, Invitee] = {}
    for invitee in invitees:
        email = invitee.email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("„%(email)s“ ist keine gültige E-Mail-Adresse.") % {"email": email})
            continue
        institution = invitee.institution
        if (
            institution is not None
            and institution.municipality_id != evaluation_round.municipality_id
        ):
            errors.append(_("Die Einrichtung gehört nicht zu dieser Kommune."))
            continue
        type_code = institution.institution_type if institution else invitee.institution_type
        if type_code not in TYPE_CODES:
            errors.append(_("Für „%(email)s“ fehlt die Art der Einrichtung.") % {"email": email})
            continue
        cleaned[email] = Invitee(email=email, institution=institution, institution_type=type_code)
    if errors:
        raise ValidationError(errors)
    existing = set(evaluation_round.invitations.values_list("email", flat=True))
    created = []
    with transaction.atomic():
        for email, invitee in cleaned.items():
            if email in existing:
                continue
            raw, digest = _new_token()
            invitation = Invitation.objects.create(
                round=evaluation_round,
                institution=invitee.institution,
                institution_type=invitee.institution_type,
                email=email,
                token_hash=digest,
            )
            invitation.raw_token = raw  # only in memory, for the mail and the creator's view
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=invitation,
                after=serialize_for_audit(invitation),
                related=evaluation_round,
                municipality_id=evaluation_round.municipality_id,
            )
            created.append(invitation)
            _mail_invitation(
                evaluation_round, email, answer_url(base_url=base_url, token=raw), reminder=False
            )
    return created


def _mail_invitation(evaluation_round: Round, email: str, link: str, *, reminder: bool) -> None:
    # core.mail: rendered now, sent after the commit by the worker (a failed transaction
    # sends nothing), dates in the reader's format.
    mail_send(
        template="evaluation/mail/invitation.txt",
        context={
            "title": evaluation_round.title,
            "municipality": str(evaluation_round.municipality),
            "link": link,
            "closes_on": evaluation_round.closes_on,
            "reminder": reminder,
        },
        to=[email],
    )


def invitation_remind(*, evaluation_round: Round, actor: Any, base_url: str) -> int:
    """Remind everyone who has not submitted yet; returns how many were reminded.

    Only the hash of a link is stored, so a reminder cannot repeat the old link: it
    issues a fresh one. A draft stays with the invitation and is found by the new link.
    """
    permissions.require(
        actor, permissions.CHANGE, permissions.QUALITY, evaluation_round.municipality_id
    )
    if not evaluation_round.is_accepting():
        return 0
    count = 0
    with transaction.atomic():
        for invitation in evaluation_round.invitations.filter(used=False).select_for_update():
            raw, digest = _new_token()
            invitation.token_hash = digest
            invitation.reminders_sent += 1
            invitation.save(update_fields=["token_hash", "reminders_sent"])
            _mail_invitation(
                evaluation_round,
                invitation.email,
                answer_url(base_url=base_url, token=raw),
                reminder=True,
            )
            count += 1
        if count:
            evaluation_round.last_reminded_on = timezone.localdate()
            evaluation_round.save(update_fields=["last_reminded_on"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=evaluation_round,
                reason=ngettext(
                    "Erinnerung an %(n)s eingeladene Person verschickt",
                    "Erinnerung an %(n)s Eingeladene verschickt",
                    count,
                )
                % {"n": count},
            )
    return count


# --- answering (no account, no identity) -----------------------------------------------


class LinkProblem(Exception):
    """A personal link cannot be used (any more); ``status`` is the HTTP status to answer."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def invitation_for_token(*, token: str, today: date | None = None) -> Invitation:
    """The invitation behind a link, or :class:`LinkProblem` saying clearly why not."""
    today = today or timezone.localdate()
    invitation = (
        Invitation.objects.select_related("round", "round__framework", "round__municipality")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise LinkProblem(
            "invalid",
            _(
                "Dieser Link ist nicht (mehr) gültig. Wenn Sie eine Erinnerung erhalten haben, "
                "verwenden Sie bitte den Link aus der neuesten E-Mail."
            ),
            404,
        )
    if invitation.used:
        raise LinkProblem(
            "used",
            _("Mit diesem Link wurde bereits geantwortet. Vielen Dank für Ihre Teilnahme!"),
            410,
        )
    evaluation_round = invitation.round
    if evaluation_round.status == RoundStatus.CLOSED:
        raise LinkProblem("closed", _("Diese Evaluationsrunde ist abgeschlossen."), 410)
    if today < evaluation_round.opens_on:
        raise LinkProblem(
            "not_open",
            _("Die Befragung beginnt am %(date)s.")
            % {"date": evaluation_round.opens_on.strftime("%d.%m.%Y")},
            409,
        )
    if today > evaluation_round.closes_on:
        raise LinkProblem(
            "expired",
            _("Die Befragung ist am %(date)s abgelaufen.")
            % {"date": evaluation_round.closes_on.strftime("%d.%m.%Y")},
            410,
        )
    return invitation


def _normalise(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text == "":
        return None
    if text.lower() in (CANNOT_JUDGE, "null"):
        return CANNOT_JUDGE
    if text.lstrip("-").isdigit():
        return int(text)
    return text


def response_save_draft(
    *, token: str, answers: dict[str, Any], texts: dict[str, str], today: date | None = None
) -> Invitation:
    """Keep a half-filled form with its link; nothing typed is lost, nothing is checked."""
    invitation = invitation_for_token(token=token, today=today)
    definition = invitation.round.framework.parsed()
    known = {s.key for s in definition.statements()}
    known_texts = {q.key for q in definition.free_text_questions()}
    draft = {
        "answers": {
            k: v
            for k, v in ((k, _normalise(v)) for k, v in answers.items())
            if k in known and v is not None
        },
        "texts": {
            k: str(v)[:5000] for k, v in texts.items() if k in known_texts and str(v).strip()
        },
    }
    Invitation.objects.filter(pk=invitation.pk, used=False).update(draft=draft)
    invitation.draft = draft
    return invitation


def _validate(
    definition: Definition, institution_type: str, answers: dict[str, Any]
) -> tuple[dict[str, int | None], dict[str, list[str]]]:
    asked = definition.statements(institution_type)
    asked_keys = {s.key for s in asked}
    errors: dict[str, list[str]] = {}
    values: dict[str, int | None] = {}
    for key in answers:
        if key not in asked_keys:
            errors[key] = [_("Diese Aussage gehört nicht zu Ihrem Fragebogen.")]
    for statement in asked:
        raw = _normalise(answers.get(statement.key))
        if raw is None:
            errors[statement.key] = [
                _("Bitte bewerten Sie diese Aussage oder wählen Sie „%(na)s“.")
                % {"na": definition.cannot_judge}
            ]
        elif raw == CANNOT_JUDGE:
            values[statement.key] = None
        elif isinstance(raw, int) and definition.scale_min <= raw <= definition.scale_max:
            values[statement.key] = raw
        else:
            errors[statement.key] = [
                _("„%(value)s“ liegt außerhalb der Skala von %(min)s bis %(max)s.")
                % {"value": raw, "min": definition.scale_min, "max": definition.scale_max}
            ]
    return values, errors


def response_submit(
    *, token: str, answers: dict[str, Any], texts: dict[str, str], today: date | None = None
) -> None:
    """Store the answers anonymously and mark the link as used, all or nothing.

    On invalid input the entries are kept as a draft (nothing lost) and a
    ``ValidationError`` names every statement that needs attention.
    """
    today = today or timezone.localdate()
    invitation = invitation_for_token(token=token, today=today)
    evaluation_round = invitation.round
    definition = evaluation_round.framework.parsed()
    values, errors = _validate(definition, invitation.institution_type, answers)
    if errors:
        response_save_draft(token=token, answers=answers, texts=texts, today=today)
        raise ValidationError(errors)
    questions = {q.key: q for q in definition.free_text_questions(invitation.institution_type)}
    dimension_of = {s.key: s.dimension for s in definition.statements()}
    with transaction.atomic():
        # The conditional update is the guard against a link used twice at the same time.
        marked = Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True, draft={})
        if not marked:
            raise LinkProblem(
                "used",
                _("Mit diesem Link wurde bereits geantwortet. Vielen Dank für Ihre Teilnahme!"),
                410,
            )
        # Touch every invitation of the round in this transaction so that, on PostgreSQL,
        # the row versions (xmin) do not single out the one just used.
        Invitation.objects.filter(round=evaluation_round).update(reminders_sent=F("reminders_sent"))
        response = Response.objects.create(
            round=evaluation_round,
            institution_type=invitation.institution_type,
            submitted_on=today,
        )
        Answer.objects.bulk_create(
            Answer(
                response=response,
                round=evaluation_round,
                institution_type=invitation.institution_type,
                dimension_key=dimension_of[key],
                statement_key=key,
                value=value,
            )
            for key, value in values.items()
        )
        FreeTextAnswer.objects.bulk_create(
            FreeTextAnswer(
                response=response,
                round=evaluation_round,
                dimension_key=questions[key].dimension or "",
                question_key=key,
                text=str(text).strip()[:5000],
            )
            for key, text in texts.items()
            if key in questions and str(text).strip()
        )


# --- from weakness to work ------------------------------------------------------------


def follow_up_create(
    *,
    evaluation_round: Round,
    dimension_key: str,
    kind: str,
    text: str,
    actor: Any,
    statement_key: str = "",
    origin_url: str = "",
) -> FollowUp:
    """Turn a weak dimension or statement into work on the workshop board, linked back."""
    municipality = evaluation_round.municipality
    permissions.require(actor, permissions.ADD, permissions.QUALITY, municipality.pk)
    definition = evaluation_round.framework.parsed()
    try:
        dimension = definition.dimension(dimension_key)
        statement = definition.statement(statement_key) if statement_key else None
    except KeyError as exc:
        raise ValidationError(_("Unbekannte Dimension oder Aussage.")) from exc
    if statement is not None and statement.dimension != dimension.key:
        raise ValidationError(_("Die Aussage gehört nicht zu dieser Dimension."))
    if kind not in FollowUpKind.values:
        raise ValidationError({"kind": [_("Unbekannte Art.")]})
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Bitte einen Text angeben.")]})
    origin = _("Evaluation „%(round)s“ – %(dimension)s") % {
        "round": evaluation_round.title,
        "dimension": dimension.title,
    }
    with transaction.atomic():
        follow_up = FollowUp(
            round=evaluation_round,
            dimension_key=dimension.key,
            statement_key=statement.key if statement else "",
            kind=kind,
            text=text,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if kind == FollowUpKind.OUTCOME:
            from quality.services import outcome_create

            follow_up.outcome = outcome_create(
                municipality=municipality,
                text=text,
                actor=actor,
                description=statement.text if statement else dimension.description,
                origin=origin[:200],
                origin_url=origin_url,
            )
        else:
            from quality.services import development_interest_create

            follow_up.development_interest = development_interest_create(
                municipality=municipality, text=text, actor=actor
            )
        follow_up.full_clean()
        follow_up.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=follow_up,
            after=serialize_for_audit(follow_up),
            related=evaluation_round,
            municipality_id=municipality.pk,
        )
    return follow_up
