"""Reads of the training records: lists, a person's and an institution's record, coverage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core import permissions
from registry.models import Institution, Municipality
from registry.taxonomy import institution_type_choices
from trainings.models import Participation, Training

# Coverage counts trainings of the last five years: knowledge and staff both turn over.
COVERAGE_YEARS = 5


def training_list_for_user(
    *, user: Any, municipality: Municipality | None = None, topic: str = ""
) -> QuerySet[Training]:
    qs = Training.objects.visible_to(user).select_related("municipality", "workshop")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if topic:
        qs = qs.filter(topic=topic)
    return qs.annotate(
        participants=Count("participations", filter=Q(participations__completed=True))
    ).order_by("-held_on", "title")


def training_get_for_user(*, user: Any, code: Any, action: str = permissions.VIEW) -> Training:
    try:
        return (
            Training.objects.visible_to(user, action)
            .select_related("municipality", "workshop")
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=Participation.objects.select_related("institution").order_by(
                        "institution__name", "person_name"
                    ),
                )
            )
            .get(code=code)
        )
    except (Training.DoesNotExist, ValueError) as exc:
        raise Http404("Fortbildung nicht gefunden") from exc


def participation_get_for_user(
    *, user: Any, code: Any, action: str = permissions.VIEW
) -> Participation:
    """A participation the user may see: the commune's members, or the person herself."""
    qs = Participation.objects.select_related("training", "institution", "municipality")
    try:
        participation = qs.get(certificate_code=code)
    except (Participation.DoesNotExist, ValueError) as exc:
        raise Http404("Teilnahme nicht gefunden") from exc
    own = user.is_authenticated and participation.user_id == user.pk and action == permissions.VIEW
    if not own and not permissions.has_permission(
        user, action, permissions.QUALITY, participation.municipality_id
    ):
        raise Http404("Teilnahme nicht gefunden")
    return participation


def person_record(*, user: Any) -> QuerySet[Participation]:
    """A professional's own training record: every participation linked to her account."""
    if not user.is_authenticated:
        return Participation.objects.none()
    return (
        Participation.objects.filter(user=user)
        .select_related("training", "institution", "municipality")
        .order_by("-training__held_on")
    )


def institution_record(*, institution: Institution) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(institution=institution, completed=True)
        .select_related("training")
        .order_by("-training__held_on", "person_name")
    )


@dataclass(frozen=True)
class CoverageRow:
    institution_type: str
    label: str
    institutions: int
    trained: int  # institutions with at least one trained person
    instrument: int  # institutions with someone trained on the instrument
    persons: int

    @property
    def trained_share(self) -> int:
        return round(100 * self.trained / self.institutions) if self.institutions else 0

    @property
    def instrument_share(self) -> int:
        return round(100 * self.instrument / self.institutions) if self.institutions else 0


def coverage(*, municipality: Municipality, today: dt.date | None = None) -> list[CoverageRow]:
    """Per institution type of the commune's registry: how many institutions have
    someone trained (last five years), and on the commune's risk-assessment instrument.

    Two grouped queries, whatever the size of the network.
    """
    today = today or timezone.localdate()
    since = today.replace(year=today.year - COVERAGE_YEARS)
    institutions = dict(
        Institution.objects.filter(municipality=municipality)
        .values_list("institution_type")
        .annotate(n=Count("id"))
    )
    recent = Participation.objects.filter(
        municipality=municipality, completed=True, training__held_on__gte=since
    )
    trained = {
        row["institution__institution_type"]: row
        for row in recent.values("institution__institution_type").annotate(
            trained=Count("institution", distinct=True),
            instrument=Count(
                "institution", filter=Q(training__covers_instrument=True), distinct=True
            ),
            persons=Count("person_name", distinct=True),
        )
    }
    labels = dict(institution_type_choices())
    rows = []
    for code, count in institutions.items():
        found = trained.get(code, {})
        rows.append(
            CoverageRow(
                institution_type=code,
                label=str(labels.get(code, code)),
                institutions=count,
                trained=found.get("trained", 0),
                instrument=found.get("instrument", 0),
                persons=found.get("persons", 0),
            )
        )
    return sorted(rows, key=lambda r: (r.trained_share, r.label))


def instrument_trained(*, municipality: Municipality) -> QuerySet[Participation]:
    """Who in the network is trained on the commune's risk-assessment instrument."""
    return (
        Participation.objects.filter(
            municipality=municipality, completed=True, training__covers_instrument=True
        )
        .select_related("institution", "training")
        .order_by("institution__name", "person_name", "-training__held_on")
    )


def can_edit(*, user: Any, municipality_id: int) -> bool:
    return permissions.has_permission(
        user, permissions.CHANGE, permissions.QUALITY, municipality_id
    )
