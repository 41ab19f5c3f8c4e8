"""Writes of the network registry: contacts, working groups, agreements, reminders.

Every service checks the actor's right in the commune first, validates with
``full_clean()``, saves and writes its audit row in one transaction (STYLE §7.3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
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
from network.constants import DOCUMENT_MAX_BYTES, DOCUMENT_SIGNATURES, REVIEW_REMINDER_DAYS
from network.models import Agreement, Contact, WorkingGroup
from registry.models import Institution, Municipality

CONTACT_FIELDS = (
    "name",
    "function",
    "phone",
    "email",
    "responsibilities",
    "is_insofa",
    "insofa_specialism",
    "is_public",
)
AGREEMENT_FIELDS = (
    "title",
    "kind",
    "signed_on",
    "valid_from",
    "valid_until",
    "next_review_on",
    "notes",
)


def _require(actor: Any, action: str, municipality_id: int) -> None:
    permissions.require(actor, action, permissions.NETWORK, municipality_id)


def _own_institutions(
    municipality: Municipality, institutions: Iterable[Institution]
) -> list[Institution]:
    """Parties must belong to the commune; another commune takes part as a commune."""
    items = list(institutions)
    foreign = [i.name for i in items if i.municipality_id != municipality.pk]
    if foreign:
        raise ValidationError(
            {"institutions": _("Einrichtungen anderer Kommunen: %s") % ", ".join(foreign)}
        )
    return items


# --- contacts ---------------------------------------------------------------------------


def contact_create(*, institution: Institution, actor: Any, **values: Any) -> Contact:
    """Add an Ansprechperson to an institution of the actor's commune."""
    _require(actor, permissions.ADD, institution.municipality_id)
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    with transaction.atomic():
        contact = Contact(municipality_id=institution.municipality_id, institution=institution)
        for key, value in values.items():
            setattr(contact, key, value)
        save_created(contact, actor=actor, related=institution)
    return contact


def contact_update(*, contact: Contact, actor: Any, reason: str = "", **values: Any) -> Contact:
    """Change a contact; marking it public is recorded like any other change."""
    _require(actor, permissions.CHANGE, contact.municipality_id)
    unknown = set(values) - set(CONTACT_FIELDS) - {"institution"}
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    with transaction.atomic():
        before = serialize_for_audit(contact)
        for key, value in values.items():
            setattr(contact, key, value)
        save_updated(
            contact, actor=actor, before=before, reason=reason, related=contact.institution
        )
    return contact


def contact_delete(*, contact: Contact, actor: Any, reason: str = "") -> None:
    _require(actor, permissions.DELETE, contact.municipality_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=contact,
            before=serialize_for_audit(contact),
            reason=reason,
            related=contact.institution,
        )
        contact.delete()


# --- working groups ---------------------------------------------------------------------


def working_group_create(
    *,
    municipality: Municipality,
    name: str,
    description: str = "",
    members: Iterable[Institution] = (),
    actor: Any,
) -> WorkingGroup:
    """Record a working group and its member institutions (edges of the network map)."""
    _require(actor, permissions.ADD, municipality.pk)
    member_list = _own_institutions(municipality, members)
    with transaction.atomic():
        group = WorkingGroup(municipality=municipality, name=name, description=description)
        group.full_clean()
        group.save()
        group.members.set(member_list)
        after = serialize_for_audit(group)
        after["members"] = sorted(i.pk for i in member_list)
        audit_record(actor=actor, action=AuditAction.CREATE, target=group, after=after)
    return group


def working_group_set_members(
    *, group: WorkingGroup, members: Iterable[Institution], actor: Any
) -> WorkingGroup:
    _require(actor, permissions.CHANGE, group.municipality_id)
    member_list = _own_institutions(group.municipality, members)
    with transaction.atomic():
        before = sorted(group.members.values_list("pk", flat=True))
        group.members.set(member_list)
        after = sorted(i.pk for i in member_list)
        if before != after:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=group,
                before={"members": before},
                after={"members": after},
            )
    return group


# --- agreements -------------------------------------------------------------------------


def agreement_document_validate(document: UploadedFile) -> None:
    """Size and type check of an uploaded agreement: PDF, DOCX or ODT, at most 10 MB.

    The extension alone is not trusted: the first bytes must match the format, so a
    renamed executable or HTML page is refused.
    """
    if document.size is not None and document.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {
                "document": _("Die Datei ist größer als %(mb)d MB.")
                % {"mb": DOCUMENT_MAX_BYTES // (1024 * 1024)}
            }
        )
    if not document.size:
        raise ValidationError({"document": _("Die Datei ist leer.")})
    suffix = Path(document.name or "").suffix.lower()
    signatures = DOCUMENT_SIGNATURES.get(suffix)
    if signatures is None:
        raise ValidationError(
            {"document": _("Erlaubt sind PDF-, DOCX- und ODT-Dateien (nicht „%s“).") % suffix}
        )
    document.seek(0)
    head = document.read(8)
    document.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {"document": _("Der Inhalt der Datei passt nicht zur Endung „%s“.") % suffix}
        )


def _set_parties(
    agreement: Agreement,
    institutions: Iterable[Institution] | None,
    partner_municipalities: Iterable[Municipality] | None,
) -> dict[str, list[int]]:
    if institutions is not None:
        agreement.institutions.set(_own_institutions(agreement.municipality, institutions))
    if partner_municipalities is not None:
        partners = [m for m in partner_municipalities if m.pk != agreement.municipality_id]
        agreement.partner_municipalities.set(partners)
    return {
        "institutions": sorted(agreement.institutions.values_list("pk", flat=True)),
        "partner_municipalities": sorted(
            agreement.partner_municipalities.values_list("pk", flat=True)
        ),
    }


def agreement_create(
    *,
    municipality: Municipality,
    actor: Any,
    institutions: Iterable[Institution] = (),
    partner_municipalities: Iterable[Municipality] = (),
    document: UploadedFile | None = None,
    **values: Any,
) -> Agreement:
    """Record an agreement with its parties and, optionally, the signed document."""
    _require(actor, permissions.ADD, municipality.pk)
    unknown = set(values) - set(AGREEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown agreement fields: {sorted(unknown)}")
    institutions = _own_institutions(municipality, institutions)
    partner_municipalities = [m for m in partner_municipalities if m.pk != municipality.pk]
    if not institutions and not partner_municipalities:
        raise ValidationError(
            {"institutions": _("Eine Vereinbarung braucht mindestens eine Partei.")}
        )
    if document is not None:
        agreement_document_validate(document)
    with transaction.atomic():
        agreement = Agreement(municipality=municipality, **values)
        agreement.full_clean(exclude=["document"])
        agreement.save()
        if document is not None:
            agreement.document.save(Path(document.name).name, document, save=True)
        parties = _set_parties(agreement, institutions, partner_municipalities)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=agreement,
            after={**serialize_for_audit(agreement), **parties},
        )
    return agreement


def agreement_update(
    *,
    agreement: Agreement,
    actor: Any,
    reason: str = "",
    institutions: Iterable[Institution] | None = None,
    partner_municipalities: Iterable[Municipality] | None = None,
    document: UploadedFile | None = None,
    **values: Any,
) -> Agreement:
    """Change an agreement; a new review date re-arms its reminder."""
    _require(actor, permissions.CHANGE, agreement.municipality_id)
    unknown = set(values) - set(AGREEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown agreement fields: {sorted(unknown)}")
    if document is not None:
        agreement_document_validate(document)
    with transaction.atomic():
        before = {**serialize_for_audit(agreement), **_set_parties(agreement, None, None)}
        old_review = agreement.next_review_on
        for key, value in values.items():
            setattr(agreement, key, value)
        if agreement.next_review_on != old_review:
            agreement.review_reminder_sent_on = None
        agreement.full_clean(exclude=["document"])
        agreement.save()
        if document is not None:
            agreement.document.save(Path(document.name).name, document, save=True)
        parties = _set_parties(agreement, institutions, partner_municipalities)
        audit_updated(
            agreement,
            actor=actor,
            before=before,
            after={**serialize_for_audit(agreement), **parties},
            reason=reason,
        )
    return agreement


def agreements_due_for_review(
    *, today: dt.date, within_days: int = REVIEW_REMINDER_DAYS
) -> list[Agreement]:
    """Agreements whose review falls within ``within_days`` (or is overdue) and whose
    reminder for that date has not gone out yet."""
    horizon = today + dt.timedelta(days=within_days)
    return list(
        Agreement.objects.filter(
            next_review_on__isnull=False,
            next_review_on__lte=horizon,
            review_reminder_sent_on__isnull=True,
        )
        .select_related("municipality")
        .order_by("municipality__name", "next_review_on")
    )


def agreement_send_review_reminders(
    *, actor: Any, today: dt.date | None = None, within_days: int = REVIEW_REMINDER_DAYS
) -> dict[str, int]:
    """E-mail each commune's coordinators the agreements to review soon (one mail per
    commune), and mark them so that the next run does not repeat the reminder."""
    today = today or timezone.localdate()
    due = agreements_due_for_review(today=today, within_days=within_days)
    by_municipality: dict[int, list[Agreement]] = {}
    for agreement in due:
        _require(actor, permissions.CHANGE, agreement.municipality_id)
        by_municipality.setdefault(agreement.municipality_id, []).append(agreement)
    mails = 0
    for municipality_id, agreements in by_municipality.items():
        recipients = sorted(
            set(
                Membership.objects.filter(
                    municipality_id=municipality_id, role=Role.COORDINATOR, user__is_active=True
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        municipality = agreements[0].municipality
        with transaction.atomic():
            for agreement in agreements:
                agreement.review_reminder_sent_on = today
                agreement.save(update_fields=["review_reminder_sent_on", "updated_at"])
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    target=agreement,
                    before={"review_reminder_sent_on": None},
                    after={"review_reminder_sent_on": today.isoformat()},
                    reason=_("Erinnerung an die Überprüfung versandt"),
                )
            if recipients:
                mail_send(
                    template="network/mail/review_reminder.txt",
                    context={
                        "municipality": municipality,
                        "agreements": agreements,
                        "today": today,
                    },
                    to=recipients,
                )
                mails += 1
    return {"agreements": len(due), "mails": mails}
