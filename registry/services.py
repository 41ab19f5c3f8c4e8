"""Writes of the registry's master data: communes, aliases, clusters, participants, population.

The profile import (``profiles.services``) orchestrates these; it writes nothing itself.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import permissions
from core.audit import audit_record, changed_only, save_created, save_updated, serialize_for_audit
from core.choices import AuditAction
from registry import gazetteer
from registry.choices import Sex
from registry.matching import body_kind_of, municipality_slug, name_key, same_commune
from registry.models import (
    Cluster,
    Institution,
    Municipality,
    MunicipalityAlias,
    PopulationCount,
    State,
)
from registry.taxonomy import classify_institution


def municipality_find(name: str, *, website: str = "") -> tuple[Municipality | None, str]:
    """The commune this name denotes, trying its known spellings; (None, "") if new."""
    key = str(name_key(name))
    alias = MunicipalityAlias.objects.select_related("municipality").filter(key=key).first()
    if alias is not None:
        return alias.municipality, "exact"
    for candidate in Municipality.objects.all().only("pk", "name", "website"):
        reason = same_commune(name, candidate.name, website_a=website, website_b=candidate.website)
        if reason:
            return candidate, reason
    return None, ""


def municipality_alias_add(*, municipality: Municipality, name: str, actor: Any) -> bool:
    """Remember ``name`` as a spelling of the commune (audited); False if already known."""
    alias, created = MunicipalityAlias.objects.get_or_create(
        municipality=municipality, name=name, defaults={"key": str(name_key(name))}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=alias,
            after={"municipality": municipality.pk, "name": name},
            municipality_id=municipality.pk,
        )
    return created


def _unique_slug(name: str) -> str:
    base = municipality_slug(name)
    slug, n = base, 2
    while Municipality.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@dataclass
class MunicipalityMatch:
    """The commune a name denotes: found under a spelling (``reason``) or newly created."""

    municipality: Municipality
    created: bool
    reason: str = ""


def municipality_get_or_create(*, name: str, website: str = "", actor: Any) -> MunicipalityMatch:
    """The commune ``name`` denotes, created (audited) when no known spelling matches.

    The spelling is remembered as an alias either way, so the next import finds it exactly.
    """
    municipality, reason = municipality_find(name, website=website)
    if municipality is not None:
        municipality_alias_add(municipality=municipality, name=name, actor=actor)
        return MunicipalityMatch(municipality, created=False, reason=reason)
    municipality = Municipality(
        name=name, slug=_unique_slug(name), body_kind=body_kind_of(name), website=website
    )
    # A partner list names no Land; the gazetteer knows it for the project's communes.
    code = gazetteer.state_code_for(name)
    if code:
        municipality.state = State.objects.filter(code=code).first()
    municipality.full_clean()
    municipality.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=municipality,
        after=serialize_for_audit(municipality),
    )
    municipality_alias_add(municipality=municipality, name=name, actor=actor)
    return MunicipalityMatch(municipality, created=True)


def municipality_apply(
    *, municipality: Municipality, values: dict[str, Any], actor: Any, reason: str = ""
) -> bool:
    """Set fields that differ and write one audit row; False when nothing changed.

    The caller checks the permission; this is the registry's one writer of commune fields.
    """
    before = serialize_for_audit(municipality)
    for name, value in values.items():
        setattr(municipality, name, value)
    old, new = changed_only(before, serialize_for_audit(municipality))
    if not new:
        return False
    municipality.full_clean()
    municipality.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=municipality,
        before=old,
        after=new,
        reason=reason,
    )
    return True


def cluster_get_or_create(*, number: int, actor: Any) -> Cluster:
    cluster, created = Cluster.objects.get_or_create(number=number)
    if created:
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=cluster, after={"number": number}
        )
    return cluster


def _cluster_save(cluster: Cluster, model: Municipality | None, *, actor: Any) -> None:
    before = serialize_for_audit(cluster)
    cluster.model_municipality = model
    save_updated(cluster, actor=actor, before=before, clean=False)


def cluster_set_model(*, cluster: Cluster, model: Municipality, actor: Any) -> list[str]:
    """Make ``model`` the cluster's model commune; returns what a person should hear about.

    A commune leads at most one cluster: another cluster it led loses it (audited per cluster).
    """
    if cluster.model_municipality_id == model.pk:
        return []
    notes = []
    if cluster.model_municipality_id is not None:
        notes.append(
            f"Cluster {cluster.number}: Modellkommune „{cluster.model_municipality}“ "
            f"ersetzt durch „{model}“"
        )
    for other in Cluster.objects.filter(model_municipality=model).exclude(pk=cluster.pk):
        _cluster_save(other, None, actor=actor)
    _cluster_save(cluster, model, actor=actor)
    return notes


def institution_participants_sync(
    *, municipality: Municipality, names: list[str], actor: Any
) -> list[str]:
    """Flag exactly these institutions as the commune's workshop participants, in this order.

    Unknown names become imported institutions (type guessed by the taxonomy); participants
    no longer named stay in the network registry, only unflagged. Returns the changes.
    """
    changes = []
    seen: set[int] = set()
    for position, raw in enumerate(names):
        text = raw.strip()
        if not text:
            continue
        institution = Institution.objects.filter(municipality=municipality, name=text).first()
        if institution is None:
            classification = classify_institution(text)
            institution = Institution(
                municipality=municipality,
                name=text,
                institution_type=classification.type_code,
                type_confidence=classification.confidence,
                workshop_participant=True,
                position=position,
                imported=True,
            )
            institution.full_clean()
            institution.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=institution,
                after=serialize_for_audit(institution),
            )
            changes.append(f"+ Teilnehmende: {text[:60]}")
        else:
            before = serialize_for_audit(institution)
            institution.position = position
            institution.workshop_participant = True
            old, new = changed_only(before, serialize_for_audit(institution))
            if new:
                institution.save()
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    target=institution,
                    before=old,
                    after=new,
                )
        seen.add(institution.pk)
    for institution in Institution.objects.filter(
        municipality=municipality, imported=True, workshop_participant=True
    ).exclude(pk__in=seen):
        institution.workshop_participant = False
        institution.save(update_fields=["workshop_participant", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=institution,
            before={"workshop_participant": True},
            after={"workshop_participant": False},
        )
        changes.append(f"- Teilnehmende: {institution.name[:60]}")
    return changes


# --- institutions (the network's pages edit them; the registry is their one writer) ---------

INSTITUTION_FIELDS = (
    "name",
    "institution_type",
    "parent",
    "street",
    "postcode",
    "city",
    "district",
    "phone",
    "email",
    "website",
    "is_public",
)


def _check_parent(institution: Institution) -> None:
    parent = institution.parent
    if parent is None:
        return
    if parent.municipality_id != institution.municipality_id:
        raise ValidationError(
            {"parent": _("Die übergeordnete Einrichtung gehört zu einer anderen Kommune.")}
        )
    seen = {institution.pk}
    while parent is not None:
        if parent.pk in seen:
            raise ValidationError({"parent": _("Die Hierarchie darf keinen Kreis bilden.")})
        seen.add(parent.pk)
        parent = parent.parent


def institution_create(*, municipality: Municipality, actor: Any, **values: Any) -> Institution:
    """Add an institution (e.g. a department such as the ASD under its Jugendamt)."""
    permissions.require(actor, permissions.ADD, permissions.REGISTRY, municipality.pk)
    unknown = set(values) - set(INSTITUTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown institution fields: {sorted(unknown)}")
    with transaction.atomic():
        institution = Institution(municipality=municipality, **values)
        _check_parent(institution)
        save_created(institution, actor=actor)
    return institution


def institution_update(
    *, institution: Institution, actor: Any, reason: str = "", **values: Any
) -> Institution:
    """Change address, type or hierarchy of an institution."""
    permissions.require(
        actor, permissions.CHANGE, permissions.REGISTRY, institution.municipality_id
    )
    unknown = set(values) - set(INSTITUTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown institution fields: {sorted(unknown)}")
    with transaction.atomic():
        before = serialize_for_audit(institution)
        for key, value in values.items():
            setattr(institution, key, value)
        try:
            _check_parent(institution)
            institution.full_clean()
        except ValidationError:
            # Leave the caller's object as it is stored, not half-changed.
            institution.refresh_from_db()
            raise
        save_updated(institution, actor=actor, before=before, clean=False, reason=reason)
    return institution


def municipality_update(
    *, municipality: Municipality, actor: Any, reason: str = "", **values: Any
) -> Municipality:
    """Edit a commune's master data (coordinator of that commune, or the project team)."""
    permissions.require(actor, permissions.CHANGE, permissions.REGISTRY, municipality.pk)
    allowed = {"website", "highlights", "body_kind", "state", "emergency_phone"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"Felder nicht änderbar: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        municipality_apply(municipality=municipality, values=values, actor=actor, reason=reason)
    return municipality


# --- population -------------------------------------------------------------------------

POPULATION_COLUMNS = ("municipality", "year", "age_from", "age_to", "sex", "count")
_SEX_VALUES = {
    "f": Sex.FEMALE,
    "w": Sex.FEMALE,
    "weiblich": Sex.FEMALE,
    "female": Sex.FEMALE,
    "m": Sex.MALE,
    "männlich": Sex.MALE,
    "maennlich": Sex.MALE,
    "male": Sex.MALE,
    "d": Sex.DIVERSE,
    "divers": Sex.DIVERSE,
    "t": Sex.TOTAL,
    "insgesamt": Sex.TOTAL,
    "total": Sex.TOTAL,
}


class PopulationImportError(ValueError):
    """Invalid population CSV; ``errors`` lists every problem with its line number."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: " + "; ".join(errors[:20]))


# Bounds a real population table stays within; beyond them the value is a typo, and a
# database integer would overflow.
POPULATION_MAX = {"year": 2200, "age_from": 130, "age_to": 130, "count": 50_000_000}
POPULATION_MAX_ROWS = 200_000
POPULATION_MAX_ERRORS = 200


def _int(value: str, *, line: int, column: str, errors: list[str], minimum: int = 0) -> int | None:
    try:
        number = int(value.strip())
    except (ValueError, AttributeError):
        errors.append(f"Zeile {line}, Spalte „{column}“: „{value[:40]}“ ist keine ganze Zahl")
        return None
    if number < minimum:
        errors.append(f"Zeile {line}, Spalte „{column}“: {number} ist kleiner als {minimum}")
        return None
    maximum = POPULATION_MAX[column]
    if number > maximum:
        errors.append(f"Zeile {line}, Spalte „{column}“: {number} ist größer als {maximum}")
        return None
    return number


def population_import_csv(*, text: str, source: str, actor: Any) -> int:
    """Import population counts (CSV with header ``municipality,year,age_from,age_to,sex,count``).

    ``municipality`` is a slug or a known spelling of the name; ``age_to`` may be empty for
    "and older"; ``sex`` is f/m/d/t (or weiblich/männlich/divers/insgesamt). All rows are
    checked first: any error imports nothing. Returns the number of rows written.
    """
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel  # no delimiter recognised: the header check below says what is missing
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise PopulationImportError(source, [f"Zeile 1: keine lesbare Kopfzeile ({exc})"]) from exc
    # Every column is required, ``age_to`` too: without it an existing band's upper bound would
    # silently become "and older". An empty value in the column still means "and older".
    missing = [c for c in POPULATION_COLUMNS if c not in header]
    if missing:
        raise PopulationImportError(
            source,
            [
                f"Zeile 1: Spalten fehlen: {', '.join(missing)} "
                f"(erwartet: {','.join(POPULATION_COLUMNS)})"
            ],
        )
    doubled = sorted({h for h in header if h in POPULATION_COLUMNS and header.count(h) > 1})
    if doubled:
        raise PopulationImportError(source, [f"Zeile 1: Spalten doppelt: {', '.join(doubled)}"])
    errors: list[str] = []
    rows: list[PopulationCount] = []
    cache: dict[str, Municipality | None] = {}
    seen: set[tuple[int, int, int, str]] = set()
    read = 0
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"Zeile {reader.line_num}: nicht lesbar ({exc})")
            break
        line, read = reader.line_num, read + 1
        if read > POPULATION_MAX_ROWS:
            errors.append(f"Zeile {line}: mehr als {POPULATION_MAX_ROWS} Zeilen")
            break
        if len(errors) >= POPULATION_MAX_ERRORS:
            errors.append(f"Zeile {line}: Abbruch nach {POPULATION_MAX_ERRORS} Fehlern")
            break
        if None in raw:
            errors.append(f"Zeile {line}: mehr Werte als Spalten in der Kopfzeile")
            continue
        if any(value is None for value in raw.values()):
            errors.append(f"Zeile {line}: weniger Werte als Spalten in der Kopfzeile")
            continue
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        ref = record.get("municipality", "")
        if ref not in cache:
            found = Municipality.objects.filter(slug=ref).first() or municipality_find(ref)[0]
            cache[ref] = found
        municipality = cache[ref]
        if municipality is None:
            errors.append(f"Zeile {line}, Spalte „municipality“: Kommune „{ref}“ ist unbekannt")
            continue
        year = _int(record.get("year", ""), line=line, column="year", errors=errors, minimum=1900)
        age_from = _int(record.get("age_from", ""), line=line, column="age_from", errors=errors)
        age_to = None
        if record.get("age_to"):
            age_to = _int(record["age_to"], line=line, column="age_to", errors=errors)
        count = _int(record.get("count", ""), line=line, column="count", errors=errors)
        sex = _SEX_VALUES.get(record.get("sex", "").lower())
        if sex is None:
            errors.append(f"Zeile {line}, Spalte „sex“: „{record.get('sex', '')}“ ist unbekannt")
        if None in (year, age_from, count, sex):
            continue
        if age_to is not None and age_to < age_from:
            errors.append(f"Zeile {line}: „age_to“ {age_to} ist kleiner als „age_from“ {age_from}")
            continue
        key = (municipality.pk, year, age_from, sex)
        if key in seen:
            errors.append(
                f"Zeile {line}: doppelte Zeile für {municipality} {year} {age_from} {sex}"
            )
            continue
        seen.add(key)
        rows.append(
            PopulationCount(
                municipality=municipality,
                year=year,
                age_from=age_from,
                age_to=age_to,
                sex=sex,
                count=count,
            )
        )
    if errors:
        raise PopulationImportError(source, errors)
    for municipality_id in {r.municipality_id for r in rows}:
        permissions.require(actor, permissions.CHANGE, permissions.REGISTRY, municipality_id)
    with transaction.atomic():
        for row in rows:
            existing = PopulationCount.objects.filter(
                municipality=row.municipality, year=row.year, age_from=row.age_from, sex=row.sex
            ).first()
            if existing is not None:
                if (existing.count, existing.age_to) == (row.count, row.age_to):
                    continue
                before = serialize_for_audit(existing)
                existing.count, existing.age_to, existing.synthetic = row.count, row.age_to, False
                save_updated(existing, actor=actor, before=before, clean=False)
            else:
                row.full_clean()
                row.save()
                audit_record(
                    actor=actor,
                    action=AuditAction.IMPORT,
                    target=row,
                    after=serialize_for_audit(row),
                    reason=source,
                )
    return len(rows)
