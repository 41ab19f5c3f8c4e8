"""Writes of the Frühe-Hilfen directory: offers, confirmation, import, stale reminders."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from core.permissions import SystemActor
from directory import geo, search
from directory.constants import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_CELL,
    IMPORT_MAX_ROWS,
    LANGUAGE_CODES,
    STALE_AFTER_DAYS,
    TARGET_GROUP_TAXONOMY,
)
from directory.models import Schedule, SearchSynonym, Service, ServiceIndicator, TaxonomyTerm
from registry.models import Institution, Municipality
from registry.taxonomy import normalize_name

# What a service may set is what the audit trail follows (the provider as object, not id).
SERVICE_FIELDS = tuple("provider" if f == "provider_id" else f for f in Service.audit_fields)


def languages_field(codes: Iterable[str]) -> str:
    """ ",de,tr," – the stored form that one LIKE can search on every engine."""
    cleaned = sorted({c.strip().lower() for c in codes if c.strip()})
    return "," + ",".join(cleaned) + "," if cleaned else ""


def refresh_search(services: Iterable[Service]) -> None:
    """Recompute the search documents (name, text, provider, target groups) and index them."""
    items = list(services)
    for service in items:
        names = [t.name for t in service.target_groups.all()]
        document = service.build_search_document(names)
        if document != service.search_document:
            service.search_document = document
            Service.objects.filter(pk=service.pk).update(search_document=document)
    search.index_services([s.pk for s in items])


def _apply(service: Service, values: dict[str, Any]) -> None:
    unknown = set(values) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service fields: {sorted(unknown)}")
    for key, value in values.items():
        if key == "languages" and not isinstance(value, str):
            value = languages_field(value)
        setattr(service, key, value)
    # No coordinates given: the centre of the postcode from the local table, so that the
    # distance search and the map know the offer (no online geocoder is ever asked).
    if service.latitude is None and service.longitude is None and service.postcode:
        centre = geo.centre_of_postcode(service.postcode)
        if centre is not None:
            service.latitude, service.longitude = centre
    if service.provider_id and service.provider.municipality_id != service.municipality_id:
        raise ValidationError({"provider": _("Der Träger gehört zu einer anderen Kommune.")})


def service_create(
    *,
    municipality: Municipality,
    actor: Any,
    target_groups: Iterable[TaxonomyTerm] = (),
    schedules: Iterable[tuple[str, dt.time, dt.time]] = (),
    **values: Any,
) -> Service:
    """Publish an offer in a commune's directory (coordination of that commune)."""
    permissions.require(actor, permissions.ADD, permissions.NETWORK, municipality.pk)
    with transaction.atomic():
        service = Service(municipality=municipality)
        _apply(service, values)
        service.full_clean(exclude=["search_document"])
        service.save()
        service.target_groups.set(list(target_groups))
        for weekday, opens_at, closes_at in schedules:
            slot = Schedule(
                service=service, weekday=weekday, opens_at=opens_at, closes_at=closes_at
            )
            slot.full_clean()
            slot.save()
        refresh_search([service])
        after = serialize_for_audit(service)
        after["target_groups"] = sorted(t.slug for t in service.target_groups.all())
        audit_record(actor=actor, action=AuditAction.CREATE, target=service, after=after)
    return service


def service_update(
    *,
    service: Service,
    actor: Any,
    reason: str = "",
    target_groups: Iterable[TaxonomyTerm] | None = None,
    **values: Any,
) -> Service:
    permissions.require(actor, permissions.CHANGE, permissions.NETWORK, service.municipality_id)
    with transaction.atomic():
        before = serialize_for_audit(service)
        before["target_groups"] = sorted(t.slug for t in service.target_groups.all())
        _apply(service, values)
        service.full_clean(exclude=["search_document"])
        service.save()
        if target_groups is not None:
            service.target_groups.set(list(target_groups))
        refresh_search([service])
        after = serialize_for_audit(service)
        after["target_groups"] = sorted(t.slug for t in service.target_groups.all())
        audit_updated(service, actor=actor, before=before, after=after, reason=reason)
    return service


def _require_vocabulary_admin(actor: Any) -> None:
    # The vocabulary serves every commune: only a global role that may change network data
    # in every commune (the platform administration) edits it; a record without a commune
    # is reachable for global roles only.
    permissions.require(actor, permissions.CHANGE, permissions.NETWORK, None)


def synonym_save(*, synonym: SearchSynonym, actor: Any) -> SearchSynonym:
    """Create or change a synonym group of the public search (administration only)."""
    _require_vocabulary_admin(actor)
    with transaction.atomic():
        before = {"terms": SearchSynonym.objects.get(pk=synonym.pk).terms} if synonym.pk else None
        synonym.full_clean()
        synonym.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            target=synonym,
            before=before,
            after={"terms": synonym.terms},
        )
    return synonym


def synonym_delete(*, synonym: SearchSynonym, actor: Any) -> None:
    _require_vocabulary_admin(actor)
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditAction.DELETE, target=synonym, before={"terms": synonym.terms}
        )
        synonym.delete()


def service_confirm(*, service: Service, actor: Any, today: dt.date | None = None) -> Service:
    """The provider confirmed the entry is still correct: restart the 12-month clock."""
    return service_update(
        service=service,
        actor=actor,
        last_confirmed_on=today or timezone.localdate(),
        reason=_("Angaben bestätigt"),
    )


def service_confirm_by_link(*, service: Service, today: dt.date | None = None) -> Service:
    """The provider confirmed through her personal link: the link is the authority, so
    the change is recorded under it and the link is used up."""
    with transaction.atomic():
        service = service_confirm(
            service=service, actor=SystemActor(_("Bestätigungslink des Trägers")), today=today
        )
        Service.objects.filter(pk=service.pk).update(confirmation_token=None)
        service.confirmation_token = None
    return service


INDICATOR_FIELDS = (
    "families_reached",
    "waiting_days",
    "referred_from_procedures",
    "feedback_score",
    "notes",
)


def service_indicator_record(
    *, service: Service, year: int, actor: Any, **values: Any
) -> ServiceIndicator:
    """Record (or correct) the agreed effect indicators of an offer for one year."""
    permissions.require(actor, permissions.CHANGE, permissions.NETWORK, service.municipality_id)
    unknown = set(values) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown indicator fields: {sorted(unknown)}")
    with transaction.atomic():
        indicator = ServiceIndicator.objects.filter(service=service, year=year).first()
        if indicator is None:
            return save_created(
                ServiceIndicator(service=service, year=year, **values), actor=actor, related=service
            )
        before = serialize_for_audit(indicator)
        for key, value in values.items():
            setattr(indicator, key, value)
        save_updated(indicator, actor=actor, before=before, related=service)
        return indicator


# --- stale offers -----------------------------------------------------------------------


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=STALE_AFTER_DAYS)


def services_notify_stale(
    *, actor: Any, today: dt.date | None = None, base_url: str = ""
) -> dict[str, int]:
    """E-mail each commune's coordinators the active offers to re-confirm (one mail each),
    and, with ``base_url``, each offer's own address a personal link to confirm it."""
    cutoff = stale_cutoff(today)
    stale = (
        Service.objects.filter(last_confirmed_on__lt=cutoff)
        .exclude(status="defunct")
        .select_related("municipality")
        .order_by("municipality__name", "last_confirmed_on", "name")
    )
    by_municipality: dict[int, list[Service]] = {}
    for service in stale:
        permissions.require(actor, permissions.VIEW, permissions.NETWORK, service.municipality_id)
        by_municipality.setdefault(service.municipality_id, []).append(service)
    mails = 0
    for municipality_id, services in by_municipality.items():
        recipients = sorted(
            set(
                Membership.objects.filter(
                    municipality_id=municipality_id, role=Role.COORDINATOR, user__is_active=True
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        if base_url:
            mails += _request_confirmations(services, actor=actor, base_url=base_url)
        if not recipients:
            continue
        mail_send(
            template="directory/mail/stale_services.txt",
            context={"municipality": services[0].municipality, "services": services},
            to=recipients,
        )
        mails += 1
    return {"services": sum(len(v) for v in by_municipality.values()), "mails": mails}


def _request_confirmations(services: list[Service], *, actor: Any, base_url: str) -> int:
    """A personal confirmation link to every stale offer with an address; the same link
    is sent again until it is used, so a weekly run does not pile up valid links."""
    sent = 0
    for service in services:
        if not service.email:
            continue
        with transaction.atomic():
            if service.confirmation_token is None:
                service.confirmation_token = uuid.uuid4()
                Service.objects.filter(pk=service.pk).update(
                    confirmation_token=service.confirmation_token
                )
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    target=service,
                    after={"confirmation_link": "ausgestellt"},
                    reason=_("Bestätigungslink an den Träger versandt"),
                )
            link = base_url.rstrip("/") + reverse(
                "directory:service_confirm_link", args=[service.confirmation_token]
            )
            mail_send(
                template="directory/mail/confirm_request.txt",
                context={"service": service, "link": link},
                to=[service.email],
            )
        sent += 1
    return sent


# --- import -----------------------------------------------------------------------------

# Target field → default column header of the import file (the mapping's defaults).
IMPORT_COLUMNS: dict[str, str] = {
    "name": "Name",
    "provider_name": "Träger",
    "description": "Beschreibung",
    "target_groups": "Zielgruppen",
    "min_age": "Alter von",
    "max_age": "Alter bis",
    "languages": "Sprachen",
    "is_free": "kostenfrei",
    "fees_description": "Kosten",
    "accessibility": "Barrierefreiheit",
    "opening_hours": "Öffnungszeiten",
    "location_name": "Ort",
    "street": "Straße",
    "postcode": "PLZ",
    "city": "Stadt",
    "district": "Stadtteil",
    "latitude": "Breitengrad",
    "longitude": "Längengrad",
    "contact_name": "Ansprechperson",
    "phone": "Telefon",
    "email": "E-Mail",
    "website": "Website",
    "last_confirmed_on": "bestätigt am",
}
_TRUE = {"ja", "j", "yes", "y", "true", "wahr", "1", "x"}
_FALSE = {"nein", "n", "no", "false", "falsch", "0", ""}
_LIST_SPLIT = re.compile(r"\s*[;,|]\s*")


class ServiceImportError(Exception):
    """The file was rejected as a whole; ``errors`` are (row number, message)."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} Fehler")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    duplicates: list[tuple[int, str]] = field(default_factory=list)


def read_table(*, content: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8 or Windows-1252, ``;`` or ``,``) or Excel file as dicts.

    Size, row count and cell length are checked while reading (row numbers as a
    spreadsheet shows them, header = 1), so a hostile file fails early with a clear
    message instead of a server error.
    """
    if len(content) > IMPORT_MAX_BYTES:
        raise ServiceImportError([(0, _("Die Datei ist größer als 10 MB."))])
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            rows = sheet.iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            out = []
            for number, values in enumerate(rows, start=2):
                if values is None or all(v in (None, "") for v in values):
                    continue
                row = {
                    header[i]: ("" if v is None else str(v).strip())
                    for i, v in enumerate(values)
                    if i < len(header)
                }
                out.append(_bounded(row, number, len(out)))
        except ServiceImportError:
            raise
        except Exception as exc:  # openpyxl raises many kinds for broken files
            raise ServiceImportError([(0, _("Die Excel-Datei ist nicht lesbar."))]) from exc
        return out
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ServiceImportError(
                [
                    (
                        0,
                        _("Die Datei ist weder UTF-8 noch Windows-1252 (Byte %(pos)d).")
                        % {"pos": exc.start + 1},
                    )
                ]
            ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    out = []
    try:
        for row in reader:
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            clean = {
                (k or "").strip(): (v or "").strip() if isinstance(v, str) else ""
                for k, v in row.items()
            }
            out.append(_bounded(clean, reader.line_num, len(out)))
    except csv.Error as exc:
        # e.g. a field beyond the csv module's limit (131,072 characters) or a NUL byte
        raise ServiceImportError(
            [(reader.line_num + 1, _("Die Zeile ist nicht lesbar: %(err)s") % {"err": exc})]
        ) from exc
    return out


def _bounded(row: dict[str, str], number: int, before: int) -> dict[str, str]:
    """The row, unless it is one too many or has an overlong cell (then the import stops)."""
    if before >= IMPORT_MAX_ROWS:
        raise ServiceImportError([(number, _("Mehr als %d Zeilen") % IMPORT_MAX_ROWS)])
    for column, value in row.items():
        if len(value) > IMPORT_MAX_CELL:
            raise ServiceImportError(
                [
                    (
                        number,
                        _("Spalte „%(col)s“ ist länger als %(max)d Zeichen.")
                        % {"col": column[:80], "max": IMPORT_MAX_CELL},
                    )
                ]
            )
    return row


def _int(value: str, label: str, errors: list[str]) -> int | None:
    if not value:
        return None
    try:
        number = int(float(value.replace(",", ".")))
    except ValueError:
        errors.append(_("%(label)s „%(value)s“ ist keine Zahl") % {"label": label, "value": value})
        return None
    if number < 0 or number > 120:
        errors.append(
            _("%(label)s %(value)s liegt außerhalb 0–120") % {"label": label, "value": value}
        )
        return None
    return number


def _date(value: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 – a calendar date
        except ValueError:
            continue
    errors.append(_("Datum „%s“ ist ungültig (TT.MM.JJJJ)") % value)
    return None


def _parse_row(
    row: dict[str, str], mapping: dict[str, str], terms: dict[str, TaxonomyTerm]
) -> tuple[dict[str, Any], list[TaxonomyTerm], list[str]]:
    def get(target: str) -> str:
        column = mapping.get(target, "")
        return row.get(column, "").strip() if column else ""

    errors: list[str] = []
    values: dict[str, Any] = {}
    name = get("name")
    if not name:
        errors.append(_("Name fehlt"))
    values["name"] = name
    for key in (
        "provider_name",
        "description",
        "fees_description",
        "accessibility",
        "opening_hours",
        "location_name",
        "street",
        "city",
        "district",
        "contact_name",
        "phone",
    ):
        values[key] = get(key)
    postcode = get("postcode")
    if postcode and not re.fullmatch(r"\d{5}", postcode):
        errors.append(_("PLZ „%s“ hat nicht fünf Ziffern") % postcode)
    values["postcode"] = postcode
    email = get("email")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.append(_("E-Mail „%s“ ist ungültig") % email)
    values["email"] = email
    website = get("website")
    if website:
        if "://" not in website:
            website = "https://" + website
        try:
            URLValidator()(website)
        except ValidationError:
            errors.append(_("Website „%s“ ist ungültig") % website)
    values["website"] = website
    values["min_age"] = _int(get("min_age"), _("Alter von"), errors)
    values["max_age"] = _int(get("max_age"), _("Alter bis"), errors)
    if (
        values["min_age"] is not None
        and values["max_age"] is not None
        and values["max_age"] < values["min_age"]
    ):
        errors.append(_("„Alter bis“ ist kleiner als „Alter von“"))
    free = get("is_free").lower()
    if free in _TRUE:
        values["is_free"] = True
    elif free in _FALSE:
        # An empty cell keeps the default (most early-help offers are free of charge).
        values["is_free"] = free == ""
    else:
        errors.append(_("„kostenfrei“ muss ja oder nein sein, nicht „%s“") % free)
    langs = [code.lower() for code in _LIST_SPLIT.split(get("languages")) if code]
    unknown_langs = [code for code in langs if code not in LANGUAGE_CODES]
    if unknown_langs:
        errors.append(
            ngettext("unbekannte Sprache: %s", "unbekannte Sprachen: %s", len(unknown_langs))
            % ", ".join(unknown_langs)
        )
    values["languages"] = languages_field(langs or ["de"])
    for key in ("latitude", "longitude"):
        raw = get(key)
        values[key] = None
        if raw:
            # A Decimal, quantized: a float would carry binary digits that the model's
            # six decimal places refuse ("höchstens 6 Dezimalstellen").
            try:
                values[key] = Decimal(raw.replace(",", ".")).quantize(Decimal("0.000001"))
            except InvalidOperation:
                errors.append(_("Koordinate „%s“ ist keine Zahl") % raw)
    confirmed = _date(get("last_confirmed_on"), errors)
    values["last_confirmed_on"] = confirmed or timezone.localdate()
    groups = []
    for label in _LIST_SPLIT.split(get("target_groups")):
        if not label:
            continue
        term = terms.get(label.lower()) or terms.get(normalize_name(label))
        if term is None:
            errors.append(_("unbekannte Zielgruppe „%s“") % label)
        else:
            groups.append(term)
    return values, groups, errors


def _duplicate_key(name: str, postcode: str) -> tuple[str, str]:
    """Same offer, written differently: case, umlauts, accents, spaces and hyphens ignored."""
    folded = unicodedata.normalize("NFKD", normalize_name(name))
    letters = "".join(ch for ch in folded if ch.isalnum())
    return (letters, postcode)


def service_import(
    *,
    municipality: Municipality,
    rows: list[dict[str, str]],
    actor: Any,
    mapping: dict[str, str] | None = None,
    source: str = "",
) -> ImportResult:
    """Import offers from table rows with a column mapping (target field → column).

    All or nothing: every row is validated first, and if any row is invalid nothing is
    imported and every error is reported with its row number (row 2 is the first data
    row of a file with a header, as a spreadsheet shows it). Likely duplicates (same
    normalised name and postcode, in the file or already in the directory) are
    imported but reported, for the coordinator to merge.
    """
    permissions.require(actor, permissions.ADD, permissions.NETWORK, municipality.pk)
    mapping = {**IMPORT_COLUMNS, **(mapping or {})}
    if len(rows) > IMPORT_MAX_ROWS:
        raise ServiceImportError([(0, _("Mehr als %d Zeilen") % IMPORT_MAX_ROWS)])
    if not rows:
        raise ServiceImportError([(0, _("Die Datei enthält keine Angebote."))])
    missing = [
        column for target, column in mapping.items() if target == "name" and column not in rows[0]
    ]
    if missing:
        raise ServiceImportError([(1, _("Spalte „%s“ fehlt") % missing[0])])
    terms: dict[str, TaxonomyTerm] = {}
    for term in TaxonomyTerm.objects.filter(taxonomy=TARGET_GROUP_TAXONOMY):
        for key in (term.slug, term.name.lower(), normalize_name(term.name)):
            terms[key] = term
    parsed = []
    errors: list[tuple[int, str]] = []
    for number, row in enumerate(rows, start=2):
        values, groups, row_errors = _parse_row(row, mapping, terms)
        errors.extend((number, message) for message in row_errors)
        parsed.append((number, values, groups))
    if errors:
        raise ServiceImportError(errors)
    existing = {
        _duplicate_key(name, postcode)
        for name, postcode in Service.objects.filter(municipality=municipality).values_list(
            "name", "postcode"
        )
    }
    result = ImportResult()
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        created: list[tuple[Service, list[TaxonomyTerm]]] = []
        for number, values, groups in parsed:
            key = _duplicate_key(values["name"], values["postcode"])
            if key in existing:
                result.duplicates.append(
                    (number, _("„%s“ steht schon im Verzeichnis") % values["name"])
                )
            elif key in seen:
                result.duplicates.append((number, _("gleicht Zeile %(row)d") % {"row": seen[key]}))
            seen.setdefault(key, number)
            service = Service(municipality=municipality, **values)
            try:
                service.full_clean(exclude=["search_document"])
            except ValidationError as exc:
                errors.extend(
                    (number, f"{field}: {' '.join(messages)}")
                    for field, messages in exc.message_dict.items()
                )
                continue
            created.append((service, groups))
        if errors:
            raise ServiceImportError(errors)
        Service.objects.bulk_create([s for s, _groups in created], batch_size=500)
        saved = list(
            Service.objects.filter(code__in=[s.code for s, _groups in created]).only("pk", "code")
        )
        pk_by_code = {s.code: s.pk for s in saved}
        through = Service.target_groups.through
        through.objects.bulk_create(
            [
                through(service_id=pk_by_code[s.code], taxonomyterm_id=t.pk)
                for s, groups in created
                for t in groups
            ],
            batch_size=1000,
        )
        refresh_search(
            Service.objects.filter(pk__in=pk_by_code.values())
            .select_related("provider")
            .prefetch_related("target_groups")
        )
        result.created = len(created)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            target=municipality,
            municipality_id=municipality.pk,
            target_repr=ngettext(
                "Frühe-Hilfen-Import: %(n)d Angebot (%(src)s)",
                "Frühe-Hilfen-Import: %(n)d Angebote (%(src)s)",
                result.created,
            )
            % {"n": result.created, "src": source or "-"},
            after={
                "created": result.created,
                "duplicates": [n for n, _m in result.duplicates],
                "source": source,
            },
        )
    return result


def provider_for(*, municipality: Municipality, name: str) -> Institution | None:
    """The registry's institution of that name in the commune, if there is one."""
    return Institution.objects.filter(municipality=municipality, name=name).first()
