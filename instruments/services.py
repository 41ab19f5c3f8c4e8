"""Writes of instruments: upload a draft (validated), publish it as the next version.

A published version never changes: assessments store (key, version) and must read the
same form forever. Instruments are quality standards (§ 79a SGB VIII), kept by the
coordination, hence the QUALITY domain.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, audit_updated, save_created, serialize_for_audit
from core.choices import AuditAction
from instruments.choices import VersionStatus
from instruments.models import Instrument, InstrumentVersion
from instruments.parsing import InstrumentFileError, parse_instrument_file
from registry.taxonomy import institution_type_choices


def instrument_upload(*, municipality: Any, actor: Any, source: str) -> InstrumentVersion:
    """Validate an uploaded YAML file and keep it as a draft version for the preview.

    Errors name the line (``InstrumentFileError``); a new key creates the instrument.
    """
    permissions.require(actor, permissions.ADD, permissions.QUALITY, municipality.pk)
    definition = parse_instrument_file(source)
    with transaction.atomic():
        instrument = Instrument.objects.filter(
            municipality=municipality, key=definition["key"]
        ).first()
        if instrument is None:
            instrument = Instrument(
                municipality=municipality,
                key=definition["key"],
                title=definition["title"],
                example=definition["example"],
            )
            save_created(instrument, actor=actor)
        version = InstrumentVersion(
            instrument=instrument,
            source=source,
            definition=definition,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        version.full_clean()
        version.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=version,
            after=serialize_for_audit(version),
            municipality_id=municipality.pk,
            related=instrument,
        )
    return version


def instrument_publish(
    *, version: InstrumentVersion, actor: Any, institution_types: list[str], note: str = ""
) -> InstrumentVersion:
    """Publish a draft as the instrument's next version for the given institution types."""
    instrument = version.instrument
    if instrument.municipality_id is None:
        # Shipped examples change only with the software.
        raise ValidationError(_("Mitgelieferte Beispiele können nicht veröffentlicht werden."))
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, instrument.municipality_id)
    known = {code for code, _label in institution_type_choices()}
    unknown = set(institution_types) - known
    if unknown:
        raise ValidationError(
            {"institution_types": _("Unbekannte Art: %(t)s") % {"t": ", ".join(sorted(unknown))}}
        )
    with transaction.atomic():
        version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            raise ValidationError(_("Diese Version ist bereits veröffentlicht."))
        # Lock the instrument row so two publications cannot take the same number.
        Instrument.objects.select_for_update().get(pk=instrument.pk)
        latest = instrument.versions.aggregate(n=Max("number"))["n"] or 0
        before = serialize_for_audit(version)
        version.number = latest + 1
        version.status = VersionStatus.PUBLISHED
        version.institution_types = sorted(set(institution_types))
        version.note = note.strip()
        version.published_at = timezone.now()
        version.full_clean()
        version.save()
        title = version.definition.get("title") or instrument.title
        if title != instrument.title:
            Instrument.objects.filter(pk=instrument.pk).update(title=title)
        audit_updated(
            version,
            actor=actor,
            before=before,
            municipality_id=instrument.municipality_id,
            related=instrument,
            reason=note,
        )
    return version


def instrument_draft_discard(*, version: InstrumentVersion, actor: Any) -> None:
    """Throw a draft away; published versions stay forever."""
    instrument = version.instrument
    permissions.require(actor, permissions.CHANGE, permissions.QUALITY, instrument.municipality_id)
    if version.is_published:
        raise ValidationError(_("Veröffentlichte Versionen bleiben erhalten."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            target=version,
            before=serialize_for_audit(version),
            municipality_id=instrument.municipality_id,
            related=instrument,
        )
        version.delete()


__all__ = [
    "InstrumentFileError",
    "instrument_draft_discard",
    "instrument_publish",
    "instrument_upload",
]
