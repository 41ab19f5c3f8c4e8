"""Writes of the standards library and the glossary.

Every service checks the actor's right in the commune, validates with ``full_clean()``,
saves and writes its audit row in one transaction (STYLE §7.3). Versions are append-only:
a new text is a new version, never an edit of an old one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
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
from core.choices import AuditAction, Role
from core.mail import mail_send
from core.models import Membership
from network.services import agreement_document_validate
from registry.models import Municipality
from standards import search
from standards.choices import DocumentStatus
from standards.constants import REVIEW_REMINDER_DAYS, STATUS_TRANSITIONS
from standards.models import GlossaryTerm, StandardDocument, StandardVersion

DOCUMENT_FIELDS = (
    "title",
    "kind",
    "summary",
    "owner",
    "visibility",
    "decided_by",
    "decided_on",
    "next_review_on",
)
LINK_FIELDS = ("outcomes", "workshops", "agreements")
TERM_FIELDS = ("term", "definition", "source", "professions", "agreed_on", "visibility")


def _require(actor: Any, action: str, municipality_id: int) -> None:
    permissions.require(actor, action, permissions.QUALITY, municipality_id)


def _check_links(municipality_id: int, links: dict[str, Any]) -> dict[str, list]:
    """Outcomes, workshops and agreements must be the commune's own."""
    checked: dict[str, list] = {}
    for name in LINK_FIELDS:
        if name not in links or links[name] is None:
            continue
        items = list(links[name])
        foreign = [str(i) for i in items if i.municipality_id != municipality_id]
        if foreign:
            raise ValidationError(
                {name: _("Gehört zu einer anderen Kommune: %s") % ", ".join(foreign)}
            )
        checked[name] = items
    return checked


def _link_snapshot(document: StandardDocument) -> dict[str, list[int]]:
    return {
        name: sorted(getattr(document, name).values_list("pk", flat=True)) for name in LINK_FIELDS
    }


def _reindex(document: StandardDocument) -> None:
    """Index the text in force (the adopted version) or, before adoption, the newest."""
    versions = document.versions.order_by("-number")
    if document.adopted_number is not None:
        versions = versions.filter(number__lte=document.adopted_number)
    latest = versions.first()
    document.search_text = search.search_text(
        document.title, document.summary, latest.text if latest else ""
    )
    StandardDocument.objects.filter(pk=document.pk).update(search_text=document.search_text)


def document_create(
    *,
    municipality: Municipality,
    actor: Any,
    text: str = "",
    upload: UploadedFile | None = None,
    **values: Any,
) -> StandardDocument:
    """A new document in the commune's library, as a draft with its first version."""
    _require(actor, permissions.ADD, municipality.pk)
    links = {name: values.pop(name) for name in LINK_FIELDS if name in values}
    unknown = set(values) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    checked = _check_links(municipality.pk, links)
    with transaction.atomic():
        document = StandardDocument(municipality=municipality, **values)
        save_created(document, actor=actor)
        for name, items in checked.items():
            getattr(document, name).set(items)
        if text or upload is not None:
            version_add(document=document, actor=actor, text=text, upload=upload)
        else:
            _reindex(document)
    return document


def document_update(
    *, document: StandardDocument, actor: Any, reason: str = "", **values: Any
) -> StandardDocument:
    """Change a document's description, visibility, decision or review date."""
    _require(actor, permissions.CHANGE, document.municipality_id)
    links = {name: values.pop(name) for name in LINK_FIELDS if name in values}
    unknown = set(values) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    checked = _check_links(document.municipality_id, links)
    with transaction.atomic():
        before = {**serialize_for_audit(document), **_link_snapshot(document)}
        old_review = document.next_review_on
        for key, value in values.items():
            setattr(document, key, value)
        if document.next_review_on != old_review:
            document.review_reminded_for = None  # a new date re-arms its reminder
        document.full_clean()
        document.save()
        for name, items in checked.items():
            getattr(document, name).set(items)
        _reindex(document)
        audit_updated(
            document,
            actor=actor,
            before=before,
            after={**serialize_for_audit(document), **_link_snapshot(document)},
            reason=reason,
        )
    return document


def document_transition(
    *,
    document: StandardDocument,
    status: str,
    actor: Any,
    reason: str = "",
    decided_by: str = "",
    decided_on: dt.date | None = None,
) -> StandardDocument:
    """Move a document along Entwurf → in Abstimmung → beschlossen → außer Kraft.

    Adopting names who decided and when (e.g. the Jugendhilfeausschuss); a document
    needs at least one version before it can be adopted; repealing needs a reason.
    """
    _require(actor, permissions.CHANGE, document.municipality_id)
    if status not in STATUS_TRANSITIONS.get(document.status, frozenset()):
        raise ValidationError(
            {
                "status": _("Von „%(old)s“ geht es nicht zu „%(new)s“.")
                % {
                    "old": document.get_status_display(),
                    "new": DocumentStatus(status).label if status in DocumentStatus else status,
                }
            }
        )
    latest_number = document.versions.aggregate(top=Max("number"))["top"]
    if status == DocumentStatus.ADOPTED and latest_number is None:
        raise ValidationError({"status": _("Ohne Text oder Datei kann nichts beschlossen werden.")})
    if (
        status == document.status == DocumentStatus.ADOPTED
        and latest_number == document.adopted_number
    ):
        raise ValidationError({"status": _("Die neueste Version ist bereits beschlossen.")})
    if status == DocumentStatus.REPEALED and not reason.strip():
        raise ValidationError(
            {"reason": _("Bitte begründen, warum das Dokument außer Kraft tritt.")}
        )
    with transaction.atomic():
        before = serialize_for_audit(document)
        document.status = status
        if status == DocumentStatus.ADOPTED:
            document.decided_by = decided_by or document.decided_by
            document.decided_on = decided_on or document.decided_on
            document.adopted_number = latest_number
        document.full_clean()
        document.save()
        _reindex(document)
        audit_updated(document, actor=actor, before=before, reason=reason)
    return document


def version_add(
    *,
    document: StandardDocument,
    actor: Any,
    text: str = "",
    upload: UploadedFile | None = None,
    note: str = "",
) -> StandardVersion:
    """Add the next version: Markdown text, a file (PDF, DOCX, ODT), or both.

    An adopted document stays in force with its adopted version; the new one is shown to
    the commune as not yet decided until it is adopted in turn (adopted → adopted).
    """
    _require(actor, permissions.CHANGE, document.municipality_id)
    text = (text or "").strip()
    if not text and upload is None:
        raise ValidationError({"text": _("Eine Version braucht einen Text oder eine Datei.")})
    if upload is not None:
        agreement_document_validate(upload)
    latest = document.versions.order_by("-number").first()
    if latest is not None and upload is None and text == latest.text:
        raise ValidationError(
            {"text": _("Der Text ist unverändert gegenüber Version %d.") % latest.number}
        )
    with transaction.atomic():
        number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = StandardVersion(
            document=document,
            number=number,
            text=text,
            note=note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_by_name=str(actor.get_username()) if hasattr(actor, "get_username") else "",
        )
        if upload is not None:
            version.file_name = Path(upload.name or "").name[:200]
            version.content_type = (getattr(upload, "content_type", "") or "")[:100]
            version.size = upload.size or 0
            version.file.save(version.file_name, upload, save=False)
        version.full_clean()
        version.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=version,
            after=serialize_for_audit(version),
            related=document,
            municipality_id=document.municipality_id,
        )
        _reindex(document)
    return version


def documents_due_for_review(*, today: dt.date, within_days: int) -> list[StandardDocument]:
    """Documents in force whose review is due within ``within_days`` and not yet reminded."""
    return list(
        StandardDocument.objects.filter(
            status__in=[DocumentStatus.ADOPTED, DocumentStatus.CONSULTATION],
            next_review_on__isnull=False,
            next_review_on__lte=today + dt.timedelta(days=within_days),
        )
        .exclude(review_reminded_for=F("next_review_on"))
        .select_related("municipality")
        .order_by("municipality__name", "next_review_on")
    )


def document_send_review_reminders(
    *, actor: Any, today: dt.date | None = None, within_days: int = REVIEW_REMINDER_DAYS
) -> dict[str, int]:
    """E-mail each commune's coordinators the standards to review soon, one mail per
    commune, and mark them so that a second run the same day sends nothing again."""
    today = today or timezone.localdate()
    by_municipality: dict[int, list[StandardDocument]] = {}
    for document in documents_due_for_review(today=today, within_days=within_days):
        _require(actor, permissions.CHANGE, document.municipality_id)
        by_municipality.setdefault(document.municipality_id, []).append(document)
    mails = 0
    for municipality_id, documents in by_municipality.items():
        recipients = sorted(
            set(
                Membership.objects.filter(
                    municipality_id=municipality_id, role=Role.COORDINATOR, user__is_active=True
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        with transaction.atomic():
            for document in documents:
                StandardDocument.objects.filter(pk=document.pk).update(
                    review_reminded_for=document.next_review_on
                )
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    target=document,
                    before={"review_reminded_for": None},
                    after={"review_reminded_for": document.next_review_on.isoformat()},
                    reason=_("Erinnerung an die Überprüfung versandt"),
                )
            if recipients:
                mail_send(
                    template="standards/mail/review_reminder.txt",
                    context={
                        "municipality": documents[0].municipality,
                        "documents": documents,
                        "today": today,
                    },
                    to=recipients,
                )
                mails += 1
    return {"documents": sum(len(d) for d in by_municipality.values()), "mails": mails}


# --- glossary ---------------------------------------------------------------------------


def term_key(term: str) -> str:
    """The comparison key of a term: the same word in every commune, whatever its case."""
    return " ".join(search.stems(term)) or term.strip().lower()


def glossary_term_create(*, municipality: Municipality, actor: Any, **values: Any) -> GlossaryTerm:
    _require(actor, permissions.ADD, municipality.pk)
    unknown = set(values) - set(TERM_FIELDS)
    if unknown:
        raise TypeError(f"unknown glossary fields: {sorted(unknown)}")
    with transaction.atomic():
        term = GlossaryTerm(municipality=municipality, **values)
        term.key = term_key(term.term)
        return save_created(term, actor=actor)


def glossary_term_update(
    *, term: GlossaryTerm, actor: Any, reason: str = "", **values: Any
) -> GlossaryTerm:
    _require(actor, permissions.CHANGE, term.municipality_id)
    unknown = set(values) - set(TERM_FIELDS)
    if unknown:
        raise TypeError(f"unknown glossary fields: {sorted(unknown)}")
    with transaction.atomic():
        before = serialize_for_audit(term)
        for key, value in values.items():
            setattr(term, key, value)
        term.key = term_key(term.term)
        save_updated(term, actor=actor, before=before, reason=reason)
    return term
