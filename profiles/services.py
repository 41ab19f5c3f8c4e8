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
from registry import services as registry_services
from registry.choices import BodyKind, ProjectRole
from registry.matching import body_kind_of
from registry.models import Cluster, Municipality, State
from registry.profile_types import Profile


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


def profile_import(*, profile: Profile, actor: Any) -> ImportResult:
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
        municipality, created = _commune(
            name, website=profile.get("website") or "", result=result, actor=actor
        )
        result.municipality, result.created = municipality, created
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
            values["state"] = State.objects.get(name=profile["state"])
        if municipality.body_kind == BodyKind.UNKNOWN:
            values["body_kind"] = body_kind_of(name)
        # The commune's own profile is authoritative for its name.
        if municipality.name != name:
            values["name"] = name
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
        if result.changed:
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=municipality,
                after={"source": result.source, "changes": len(result.changes)},
                reason="Profilimport",
            )
    return result
