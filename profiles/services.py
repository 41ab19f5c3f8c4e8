"""The profile import: one parsed profile written through the registry's and quality's services.

This module writes nothing itself. Communes, aliases, clusters and participants are the
registry's entities, the profile items (interests, topics, outcomes) quality's; each is
written by its owner's service, which audits it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core import permissions
from core.audit import audit_record
from core.choices import AuditAction
from quality import services as quality_services
from quality.models import DevelopmentInterest, Outcome, Topic
from registry import services as registry_services
from registry.choices import BodyKind, ProjectRole
from registry.matching import body_kind_of
from registry.models import Cluster, Institution, Municipality, State
from registry.profile_types import Profile, ProfileItemNode


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


def _commune(
    name: str, *, website: str, result: ImportResult, actor: Any
) -> tuple[Municipality, bool]:
    match = registry_services.municipality_get_or_create(name=name, website=website, actor=actor)
    if not match.created and match.municipality.name != name and match.reason != "exact":
        result.merges.append(f"„{name}“ → „{match.municipality.name}“ ({match.reason})")
    return match.municipality, match.created


def _set_model(cluster: Cluster, model: Municipality, *, actor: Any, result: ImportResult) -> None:
    if cluster.model_municipality_id == model.pk:
        return
    result.warnings += registry_services.cluster_set_model(
        cluster=cluster, model=model, actor=actor
    )
    result.changes.append(f"Cluster {cluster.number}: Modellkommune {model}")


def _register_cluster_members(
    profile: Profile,
    municipality: Municipality,
    cluster: Cluster,
    *,
    actor: Any,
    result: ImportResult,
) -> None:
    """Put every commune the profile names into its cluster.

    A model profile names its partners; a partner profile names its model commune and, under
    "Partnerkommunen:", the other partners. All become members without a profile of their
    own; spellings are merged as for the profile's own commune.
    """
    named: list[tuple[str, str]] = []  # (name, project role it has by this profile)
    if profile["kind"] == "model":
        _set_model(cluster, municipality, actor=actor, result=result)
    elif profile.get("model_municipality"):
        named.append((profile["model_municipality"], ProjectRole.MODEL))
    named += [(name, ProjectRole.PARTNER) for name in profile.get("partners") or []]
    model_pk = municipality.pk if profile["kind"] == "model" else None
    for related_name, role in named:
        related, related_created = _commune(related_name, website="", result=result, actor=actor)
        if related.pk == municipality.pk:
            continue
        if role == ProjectRole.PARTNER and related.pk == model_pk:
            continue  # a partner list that repeats the model commune
        related_values: dict[str, Any] = {"cluster": cluster}
        # A commune's own profile outranks what another profile says about it.
        if not related.project_role or related_created:
            related_values["project_role"] = role
        if registry_services.municipality_apply(
            municipality=related,
            values=related_values,
            actor=actor,
            reason=f"Profil {municipality}",
        ):
            result.changes.append(f"{related}: Cluster {cluster.number}")
        if role == ProjectRole.MODEL:
            _set_model(cluster, related, actor=actor, result=result)
            model_pk = related.pk


# --- refusals: an import that looks like a damaged file is refused unless forced ------------

# A section that had at least this many items and would lose more than half of them.
MIN_ITEMS_FOR_LOSS_CHECK = 2
SECTION_LABELS = {
    "interests": "Qualitätsentwicklungsinteressen",
    "topics": "Zentrale Themen",
    "participants": "Teilnehmende",
    "outcomes": "Ergebnisse",
}
MAX_CLUSTER_NUMBER = 999


class ProfileImportRefused(ValidationError):
    """The profile would damage the commune's data; ``reasons`` says how. ``--force`` overrides."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(reasons)


def _item_texts(items: list[ProfileItemNode]) -> list[list[str]]:
    """The texts of each sibling group (top level, then each item's children)."""
    groups = [[" ".join(item["text"].split()).casefold() for item in items]]
    for item in items:
        groups += _item_texts(item.get("children") or [])
    return groups


def _duplicate_reasons(profile: Profile) -> list[str]:
    """Items repeated within one list: a file of concatenated copies, or a broken export."""
    outcomes = profile.get("outcomes") or {}
    sections: list[tuple[str, list[ProfileItemNode]]] = [
        ("interests", profile.get("interests") or []),
        ("topics", profile.get("topics") or []),
        ("participants", profile.get("participants") or []),
    ] + [
        ("outcomes", (outcomes.get(scope) or {}).get(status) or [])
        for scope in ("municipal", "cross_cluster")
        for status in ("achieved", "planned")
    ]
    reasons = []
    for key, items in sections:
        counts: dict[str, int] = {}
        for group in _item_texts(items):
            for text in group:
                if text:
                    counts[text] = counts.get(text, 0) + 1
        repeated = {text: n for text, n in counts.items() if n > 1}
        if repeated:
            text, n = max(repeated.items(), key=lambda kv: kv[1])
            reasons.append(
                f"Abschnitt „{SECTION_LABELS[key]}“: {len(repeated)} Punkte mehrfach, "
                f"z. B. „{text[:60]}“ {n}-mal (aneinandergehängte Kopien?)"
            )
    return reasons


def _imported_ids(municipality: Municipality) -> dict[str, set[int]]:
    """The commune's imported items per section, to measure what an import removes."""
    return {
        "interests": set(
            DevelopmentInterest.objects.filter(
                municipality=municipality, imported=True
            ).values_list("pk", flat=True)
        ),
        "topics": set(
            Topic.objects.filter(municipality=municipality, imported=True).values_list(
                "pk", flat=True
            )
        ),
        "outcomes": set(
            Outcome.objects.filter(municipality=municipality, imported=True).values_list(
                "pk", flat=True
            )
        ),
        "participants": set(
            Institution.objects.filter(
                municipality=municipality, imported=True, workshop_participant=True
            ).values_list("pk", flat=True)
        ),
    }


def _surviving(before: dict[str, set[int]]) -> dict[str, set[int]]:
    """Which of the items present before the import still exist (participants: still flagged).

    An outcome with work on it that left the profile is kept, detached from the profile: it
    is not lost.
    """
    return {
        "interests": set(
            DevelopmentInterest.objects.filter(pk__in=before["interests"]).values_list(
                "pk", flat=True
            )
        ),
        "topics": set(Topic.objects.filter(pk__in=before["topics"]).values_list("pk", flat=True)),
        "outcomes": set(
            Outcome.objects.filter(pk__in=before["outcomes"]).values_list("pk", flat=True)
        ),
        "participants": set(
            Institution.objects.filter(
                pk__in=before["participants"], workshop_participant=True
            ).values_list("pk", flat=True)
        ),
    }


def _loss_reasons(before: dict[str, set[int]]) -> list[str]:
    after = _surviving(before)
    reasons = []
    for key, ids in before.items():
        lost = len(ids - after[key])
        if len(ids) >= MIN_ITEMS_FOR_LOSS_CHECK and lost * 2 > len(ids):
            reasons.append(
                f"Abschnitt „{SECTION_LABELS[key]}“: {lost} von {len(ids)} Punkten würden "
                "entfernt (Datei abgeschnitten?)"
            )
    return reasons


def profile_import(*, profile: Profile, actor: Any, force_reason: str = "") -> ImportResult:
    """Write one parsed profile (``registry.profile_parser`` output) to the database.

    One transaction: a failure leaves the database as it was. Idempotent: importing the
    same profile again changes nothing and writes no audit rows. Communes named in the
    profile (its partners, its model commune) are matched against known spellings.

    A profile that looks like a damaged file is refused (:class:`ProfileImportRefused`,
    nothing written): one that would remove most items of a section, rename a commune that
    has its own profile, or repeats items. ``force_reason`` imports it anyway and records
    the reason and the overridden refusals in the audit trail.
    """
    permissions.require(actor, permissions.CHANGE, permissions.REGISTRY, None)
    force_reason = force_reason.strip()
    name = profile["name"]
    if not name:
        raise ValidationError({"name": "Das Profil nennt keine Kommune."})
    cluster_number = profile.get("cluster")
    if cluster_number is not None and not 1 <= int(cluster_number) <= MAX_CLUSTER_NUMBER:
        raise ValidationError({"cluster": f"Clusternummer {cluster_number} ist ungültig."})
    refusals = _duplicate_reasons(profile)
    with transaction.atomic():
        result = ImportResult(source=profile.get("source", ""), municipality=None)  # type: ignore[arg-type]
        municipality, created = _commune(
            name, website=profile.get("website") or "", result=result, actor=actor
        )
        result.municipality, result.created = municipality, created
        items_before = _imported_ids(municipality)
        values: dict[str, Any] = {
            "website": profile.get("website") or municipality.website,
            "project_role": ProjectRole.MODEL
            if profile["kind"] == "model"
            else ProjectRole.PARTNER,
            "highlights": profile.get("highlights") or "",
            "profile_source": Path(profile.get("source") or "").name,
        }
        if profile.get("notes") is not None:
            values["profile_notes"] = profile["notes"]
        if profile.get("state"):
            state = State.objects.filter(name=profile["state"]).first()
            if state is None:
                raise ValidationError({"state": f"Unbekanntes Bundesland „{profile['state']}“"})
            values["state"] = state
        if municipality.body_kind == BodyKind.UNKNOWN:
            values["body_kind"] = body_kind_of(name)
        # The commune's own profile is authoritative for its name, unless an earlier profile of
        # its own named it otherwise: then a different title is more likely another commune
        # with a shared website (or a damaged file) than a renaming.
        if municipality.name != name:
            values["name"] = name
            if not created and municipality.profile_source:
                refusals.append(
                    f"Die Kommune „{municipality.name}“ (eigenes Profil "
                    f"{municipality.profile_source}) würde in „{name}“ umbenannt"
                )
        cluster = None
        if profile.get("cluster") is not None:
            cluster = registry_services.cluster_get_or_create(
                number=int(profile["cluster"]), actor=actor
            )
            values["cluster"] = cluster
        if (
            registry_services.municipality_apply(
                municipality=municipality, values=values, actor=actor, reason="Profilimport"
            )
            and not created
        ):
            result.changes.append(f"Stammdaten von {municipality}")

        if cluster is not None:
            _register_cluster_members(profile, municipality, cluster, actor=actor, result=result)

        result.changes += registry_services.institution_participants_sync(
            municipality=municipality,
            names=[item["text"] for item in profile.get("participants") or []],
            actor=actor,
        )
        result.changes += quality_services.profile_items_sync(
            municipality=municipality,
            interests=profile.get("interests") or [],
            topics=profile.get("topics") or [],
            outcomes=profile.get("outcomes") or {},
            actor=actor,
        )
        refusals += _loss_reasons(items_before)
        if refusals and not force_reason:
            raise ProfileImportRefused(refusals)  # rolls the whole import back
        if result.changed or refusals:
            after: dict[str, Any] = {"source": result.source, "changes": len(result.changes)}
            if refusals:
                after["overridden"] = refusals
                result.warnings += [f"erzwungen: {r}" for r in refusals]
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=municipality,
                after=after,
                reason=f"Import erzwungen: {force_reason}" if refusals else "Profilimport",
            )
    return result
