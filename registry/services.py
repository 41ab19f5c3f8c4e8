"""Writes of the registry: profile import, population import, profile edits."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core import permissions
from core.audit import audit_record, changed_only, serialize_for_audit
from core.choices import AuditAction
from quality import services as quality_services
from registry.choices import BodyKind, ProjectRole, Sex
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


@dataclass
class ImportResult:
    """What one profile import did, for the CLI and the UI."""

    source: str
    municipality: Municipality
    created: bool = False
    changes: list[str] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


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


def _add_alias(municipality: Municipality, name: str) -> None:
    MunicipalityAlias.objects.get_or_create(
        municipality=municipality, name=name, defaults={"key": str(name_key(name))}
    )


def _unique_slug(name: str) -> str:
    base = municipality_slug(name)
    slug, n = base, 2
    while Municipality.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _municipality_get_or_create(
    *, name: str, website: str, result: ImportResult, actor: Any
) -> tuple[Municipality, bool]:
    municipality, reason = municipality_find(name, website=website)
    if municipality is not None:
        if municipality.name != name and reason != "exact":
            result.merges.append(f"„{name}“ → „{municipality.name}“ ({reason})")
        _add_alias(municipality, name)
        return municipality, False
    municipality = Municipality(
        name=name, slug=_unique_slug(name), body_kind=body_kind_of(name), website=website
    )
    municipality.full_clean()
    municipality.save()
    _add_alias(municipality, name)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=municipality,
        after=serialize_for_audit(municipality),
    )
    return municipality, True


def _apply(municipality: Municipality, values: dict[str, Any], *, actor: Any, reason: str) -> bool:
    """Set fields that differ and write one audit row; False when nothing changed."""
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


def _cluster_get_or_create(number: int, *, actor: Any) -> Cluster:
    cluster, created = Cluster.objects.get_or_create(number=number)
    if created:
        audit_record(
            actor=actor, action=AuditAction.CREATE, target=cluster, after={"number": number}
        )
    return cluster


def _set_cluster_model(cluster: Cluster, model: Municipality, *, actor: Any, result: ImportResult):
    if cluster.model_municipality_id == model.pk:
        return
    if cluster.model_municipality_id is not None:
        result.warnings.append(
            f"Cluster {cluster.number}: Modellkommune „{cluster.model_municipality}“ "
            f"ersetzt durch „{model}“"
        )
    # A commune leads at most one cluster; move it if an earlier profile said otherwise.
    Cluster.objects.filter(model_municipality=model).exclude(pk=cluster.pk).update(
        model_municipality=None
    )
    before = serialize_for_audit(cluster)
    cluster.model_municipality = model
    cluster.save()
    old, new = changed_only(before, serialize_for_audit(cluster))
    audit_record(actor=actor, action=AuditAction.UPDATE, target=cluster, before=old, after=new)
    result.changes.append(f"Cluster {cluster.number}: Modellkommune {model}")


def _sync_participants(
    municipality: Municipality, participants: list[dict[str, Any]], *, actor: Any
) -> list[str]:
    changes = []
    seen: set[int] = set()
    for position, item in enumerate(participants):
        text = item["text"].strip()
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
    # Participants that left the profile stay in the network registry, no longer flagged.
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


def municipality_import_profile(*, profile: dict[str, Any], actor: Any) -> ImportResult:
    """Write one parsed profile (``registry.profile_parser`` output) to the database.

    One transaction: a failure leaves the database as it was. Idempotent: importing the
    same profile again changes nothing and writes no audit rows. Communes named in the
    profile (its partners, its model commune) are matched against known spellings.
    """
    permissions.require(actor, permissions.CHANGE, permissions.REGISTRY, None)
    name = profile["name"]
    if not name:
        raise ValidationError({"name": "Das Profil nennt keine Kommune."})
    with transaction.atomic():
        result = ImportResult(source=profile.get("source", ""), municipality=None)  # type: ignore[arg-type]
        municipality, created = _municipality_get_or_create(
            name=name, website=profile.get("website") or "", result=result, actor=actor
        )
        result.municipality, result.created = municipality, created
        state = None
        if profile.get("state"):
            state = State.objects.get(name=profile["state"])
        values: dict[str, Any] = {
            "website": profile.get("website") or municipality.website,
            "project_role": ProjectRole.MODEL
            if profile["kind"] == "model"
            else ProjectRole.PARTNER,
            "highlights": profile.get("highlights") or "",
            "profile_source": Path(profile.get("source") or "").name,
        }
        if state is not None:
            values["state"] = state
        if municipality.body_kind == BodyKind.UNKNOWN:
            values["body_kind"] = body_kind_of(name)
        # The commune's own profile is authoritative for its name.
        if municipality.name != name:
            values["name"] = name
        cluster = None
        if profile.get("cluster") is not None:
            cluster = _cluster_get_or_create(int(profile["cluster"]), actor=actor)
            values["cluster"] = cluster
        if _apply(municipality, values, actor=actor, reason="Profilimport") and not created:
            result.changes.append(f"Stammdaten von {municipality}")
        if profile.get("notes") is not None and municipality.profile_notes != profile["notes"]:
            municipality.profile_notes = profile["notes"]
            municipality.save(update_fields=["profile_notes"])

        if cluster is not None:
            if profile["kind"] == "model":
                _set_cluster_model(cluster, municipality, actor=actor, result=result)
                related_names = profile.get("partners") or []
                related_role = ProjectRole.PARTNER
            else:
                related_names = (
                    [profile["model_municipality"]] if profile.get("model_municipality") else []
                )
                related_role = ProjectRole.MODEL
            for related_name in related_names:
                related, related_created = _municipality_get_or_create(
                    name=related_name, website="", result=result, actor=actor
                )
                if related.pk == municipality.pk:
                    continue
                related_values: dict[str, Any] = {"cluster": cluster}
                # A commune's own profile outranks what another profile says about it.
                if not related.project_role or related_created:
                    related_values["project_role"] = related_role
                if _apply(related, related_values, actor=actor, reason=f"Profil {municipality}"):
                    result.changes.append(f"{related}: Cluster {cluster.number}")
                if related_role == ProjectRole.MODEL:
                    _set_cluster_model(cluster, related, actor=actor, result=result)

        result.changes += _sync_participants(
            municipality, profile.get("participants") or [], actor=actor
        )
        result.changes += quality_services.profile_items_sync(
            municipality=municipality,
            interests=profile.get("interests") or [],
            topics=profile.get("topics") or [],
            outcomes=profile.get("outcomes") or {},
            actor=actor,
        )
        if result.changed:
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=municipality,
                after={"source": result.source, "changes": len(result.changes)},
                reason="Profilimport",
            )
    return result


def municipality_update(
    *, municipality: Municipality, actor: Any, reason: str = "", **values: Any
) -> Municipality:
    """Edit a commune's master data (coordinator of that commune, or the project team)."""
    permissions.require(actor, permissions.CHANGE, permissions.REGISTRY, municipality.pk)
    allowed = {"website", "highlights", "body_kind", "state"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"Felder nicht änderbar: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        _apply(municipality, values, actor=actor, reason=reason)
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


def _int(value: str, *, line: int, column: str, errors: list[str], minimum: int = 0) -> int | None:
    try:
        number = int(value.strip())
    except (ValueError, AttributeError):
        errors.append(f"Zeile {line}, Spalte „{column}“: „{value}“ ist keine ganze Zahl")
        return None
    if number < minimum:
        errors.append(f"Zeile {line}, Spalte „{column}“: {number} ist kleiner als {minimum}")
        return None
    return number


def population_import_csv(*, text: str, source: str, actor: Any) -> int:
    """Import population counts (CSV with header ``municipality,year,age_from,age_to,sex,count``).

    ``municipality`` is a slug or a known spelling of the name; ``age_to`` may be empty for
    "and older"; ``sex`` is f/m/d/t (or weiblich/männlich/divers/insgesamt). All rows are
    checked first: any error imports nothing. Returns the number of rows written.
    """
    sample = text[:2048]
    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in POPULATION_COLUMNS if c not in header and c != "age_to"]
    if missing:
        raise PopulationImportError(source, [f"Zeile 1: Spalten fehlen: {', '.join(missing)}"])
    errors: list[str] = []
    rows: list[PopulationCount] = []
    cache: dict[str, Municipality | None] = {}
    seen: set[tuple[int, int, int, str]] = set()
    for line, raw in enumerate(reader, start=2):
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
                existing.save()
                old, new = changed_only(before, serialize_for_audit(existing))
                audit_record(
                    actor=actor, action=AuditAction.UPDATE, target=existing, before=old, after=new
                )
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
