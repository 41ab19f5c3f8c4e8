"""Scoped reads of instruments: the commune's own plus the shipped examples."""

from __future__ import annotations

import difflib
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from cases.instruments import Instrument as Definition
from cases.instruments import InstrumentError, parse_instrument
from core import permissions
from instruments.choices import VersionStatus
from instruments.models import Instrument, InstrumentVersion

NOT_FOUND = "Instrument nicht gefunden."


def _visible_filter(user: Any) -> Q:
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.QUALITY)
    if allowed == permissions.ALL:
        return Q()
    # Shipped examples (no commune) are readable by everyone who may read quality work.
    shipped = Q(municipality__isnull=True) if allowed else Q(pk__in=[])
    return shipped | Q(municipality_id__in=allowed)


def instruments_for_user(*, user: Any) -> QuerySet[Instrument]:
    """Instruments the user may read, with their published versions (newest first)."""
    return (
        Instrument.objects.filter(_visible_filter(user))
        .select_related("municipality")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=InstrumentVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by(
                    "-number"
                ),
                to_attr="published_versions",
            )
        )
        .order_by("municipality__name", "title")
    )


def instrument_get_for_user(*, user: Any, code: Any) -> Instrument:
    """One instrument the user may read; 404 when unknown or of another commune."""
    try:
        return instruments_for_user(user=user).get(code=code)
    except (Instrument.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(NOT_FOUND) from exc


def version_get_for_user(*, user: Any, code: Any) -> InstrumentVersion:
    """One version (drafts only for those who may change the commune's instruments)."""
    try:
        version = InstrumentVersion.objects.select_related(
            "instrument", "instrument__municipality"
        ).get(code=code)
    except (InstrumentVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(NOT_FOUND) from exc
    visible = instruments_for_user(user=user).filter(pk=version.instrument_id).exists()
    if not visible:
        raise Http404(NOT_FOUND)
    if not version.is_published and not permissions.has_permission(
        user, permissions.CHANGE, permissions.QUALITY, version.instrument.municipality_id
    ):
        raise Http404(NOT_FOUND)
    return version


def normalize_version(version: str) -> int | None:
    """Stored version strings ("2", or "1.0" of the first shipped file) → number."""
    text = str(version).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() else None


def instrument_current_for(
    *, municipality_id: int, institution_type: str
) -> InstrumentVersion | None:
    """The newest published version for this institution type: the commune's own first,
    then a shipped example for the type, then a shipped example for every type."""
    published = InstrumentVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "instrument"
    )
    candidates = [
        published.filter(instrument__municipality_id=municipality_id),
        published.filter(instrument__municipality__isnull=True),
    ]
    for qs in candidates:
        versions = list(qs.order_by("instrument_id", "-number"))
        latest: dict[int, InstrumentVersion] = {}
        for version in versions:
            latest.setdefault(version.instrument_id, version)
        specific = [v for v in latest.values() if institution_type in (v.institution_types or [])]
        if specific:
            return max(specific, key=lambda v: v.published_at or v.uploaded_at)
        general = [v for v in latest.values() if not v.institution_types]
        if general and qs is candidates[-1]:
            return max(general, key=lambda v: v.published_at or v.uploaded_at)
    return None


def as_definition(version: InstrumentVersion) -> Definition:
    """The stored definition as the instrument object the forms and validators use."""
    return parse_instrument(version.definition, version=str(version.number or "Entwurf"))


def instrument_version_definition(
    *, key: str, version: str, municipality_id: int | None
) -> Definition | None:
    """The definition an assessment was made with (its own commune's or a shipped one)."""
    number = normalize_version(version)
    if not key or number is None:
        return None
    row = (
        InstrumentVersion.objects.filter(
            instrument__key=key, number=number, status=VersionStatus.PUBLISHED
        )
        .filter(
            Q(instrument__municipality_id=municipality_id)
            | Q(instrument__municipality__isnull=True)
        )
        .order_by("instrument__municipality_id")
        .first()
    )
    if row is None:
        return None
    try:
        return as_definition(row)
    except InstrumentError:
        return None


def _items(definition: dict[str, Any]) -> dict[str, tuple[str, str, dict, tuple]]:
    out = {}
    for section in definition.get("sections", []):
        for item in section.get("items", []):
            out[f"{section['key']}.{item['key']}"] = (
                section.get("title", ""),
                item.get("text", ""),
                item.get("anchors", {}),
                tuple(item.get("age_bands") or ()),
            )
    return out


def version_diff(old: InstrumentVersion, new: InstrumentVersion) -> dict[str, Any]:
    """What changed between two versions: items added, removed, reworded; scale and bands;
    plus the line diff of the sources for the exact wording."""
    a, b = _items(old.definition), _items(new.definition)
    changed = []
    for key in sorted(set(a) & set(b)):
        if a[key] != b[key]:
            fields = [
                name
                for name, i in (("section", 0), ("text", 1), ("anchors", 2), ("age_bands", 3))
                if a[key][i] != b[key][i]
            ]
            changed.append({"key": key, "before": a[key][1], "after": b[key][1], "fields": fields})
    lines = list(
        difflib.unified_diff(
            old.source.splitlines(),
            new.source.splitlines(),
            fromfile=f"Version {old.number or '–'}",
            tofile=f"Version {new.number or '–'}",
            lineterm="",
        )
    )
    return {
        "added": [{"key": k, "text": b[k][1]} for k in sorted(set(b) - set(a))],
        "removed": [{"key": k, "text": a[k][1]} for k in sorted(set(a) - set(b))],
        "changed": changed,
        "scale_changed": old.definition.get("scale") != new.definition.get("scale"),
        "age_bands_changed": old.definition.get("age_bands") != new.definition.get("age_bands"),
        "title_changed": old.definition.get("title") != new.definition.get("title"),
        "lines": lines,
    }
