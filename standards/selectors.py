"""Reads of the standards library: what a user may read, search, diffs, the glossary."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core import permissions
from registry.models import Municipality
from standards import search
from standards.models import GlossaryTerm, StandardDocument, StandardVersion


def document_list_for_user(
    *,
    user: Any,
    query: str = "",
    kind: str = "",
    municipality: Municipality | None = None,
    others_only: bool = False,
) -> QuerySet[StandardDocument]:
    """Documents ``user`` may read, newest version prefetched; ``others_only`` answers
    "what do other communes have on …?" by leaving out the user's own communes."""
    qs = StandardDocument.objects.readable_by(user).select_related(
        "municipality", "municipality__cluster"
    )
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if others_only:
        own = permissions.municipality_ids_for(user, permissions.VIEW, permissions.QUALITY)
        if isinstance(own, set):
            qs = qs.exclude(municipality_id__in=own)
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = search.filter_by_query(qs, query)
    return qs.prefetch_related(
        Prefetch("versions", queryset=StandardVersion.objects.order_by("-number"))
    ).order_by("municipality__name", "kind", "title")


def document_get_for_user(*, user: Any, code: Any) -> StandardDocument:
    """One readable document, or 404 — "not found" and "not yours" look the same."""
    try:
        return (
            StandardDocument.objects.readable_by(user)
            .select_related("municipality")
            .prefetch_related("outcomes", "workshops", "agreements")
            .get(code=code)
        )
    except (StandardDocument.DoesNotExist, ValueError) as exc:
        raise Http404("Dokument nicht gefunden") from exc


def can_edit(*, user: Any, municipality_id: int) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.QUALITY, municipality_id
    )


def is_own(*, user: Any, municipality_id: int) -> bool:
    """Whether ``user`` reads as a member of the commune (drafts, undecided versions)."""
    return permissions.has_permission(user, permissions.VIEW, permissions.QUALITY, municipality_id)


def versions_for_user(*, user: Any, document: StandardDocument) -> list[StandardVersion]:
    return document.versions_for(own=is_own(user=user, municipality_id=document.municipality_id))


def version_get(*, user: Any, document: StandardDocument, number: int) -> StandardVersion:
    for version in versions_for_user(user=user, document=document):
        if version.number == number:
            return version
    raise Http404("Version nicht gefunden")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def version_diff(old: StandardVersion, new: StandardVersion) -> list[DiffLine]:
    """Line diff of two text versions (files are compared by name and size only)."""
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old.text.splitlines(), b=new.text.splitlines())
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", t) for t in matcher.a[a0:a1])
            continue
        lines.extend(DiffLine("removed", t) for t in matcher.a[a0:a1])
        lines.extend(DiffLine("added", t) for t in matcher.b[b0:b1])
    return lines


def glossary_for_user(*, user: Any, municipality: Municipality | None = None) -> QuerySet:
    qs = GlossaryTerm.objects.readable_by(user).select_related("municipality")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    return qs.order_by("key", "municipality__name")


def glossary_comparison(*, user: Any) -> list[tuple[str, list[GlossaryTerm]]]:
    """Terms defined by several communes side by side: one row per term key, the
    definitions of every commune the user may read, for "how do others define …?"."""
    groups: dict[str, list[GlossaryTerm]] = {}
    for term in glossary_for_user(user=user):
        groups.setdefault(term.key, []).append(term)
    return [(terms[0].term, terms) for key, terms in sorted(groups.items()) if len(terms) > 1]


def glossary_term_get_for_user(
    *, user: Any, pk: int, action: str = permissions.VIEW
) -> GlossaryTerm:
    qs = (
        GlossaryTerm.objects.readable_by(user)
        if action == permissions.VIEW
        else GlossaryTerm.objects.visible_to(user, action)
    )
    term = qs.select_related("municipality").filter(pk=pk).first()
    if term is None:
        raise Http404("Begriff nicht gefunden")
    return term


def due_items_for_user(*, user: Any, today: dt.date) -> list:
    """Mein Bereich: the commune's standards in force whose review is due within a month."""
    from django.urls import reverse

    from core.inbox import DueItem
    from standards.choices import DocumentStatus
    from standards.constants import REVIEW_REMINDER_DAYS

    documents = (
        StandardDocument.objects.visible_to(user, permissions.CHANGE)
        .filter(
            status__in=[DocumentStatus.ADOPTED, DocumentStatus.CONSULTATION],
            next_review_on__lte=today + dt.timedelta(days=REVIEW_REMINDER_DAYS),
        )
        .select_related("municipality")
        .order_by("next_review_on")[:20]
    )
    return [
        DueItem(
            kind="standard_review",
            title=_("Überprüfung: %(title)s") % {"title": d.title},
            url=reverse("standards:document_detail", args=[d.code]),
            when=d.next_review_on,
            overdue=d.next_review_on < today,
            detail=d.municipality.name,
        )
        for d in documents
    ]
