"""Reads of the Frühe-Hilfen directory: public search, detail, stale lists, exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core import exports, permissions
from directory import geo, search
from directory.choices import ServiceStatus
from directory.constants import (
    DEFAULT_RADIUS_KM,
    LANGUAGES,
    STALE_AFTER_DAYS,
    STALE_GRACE_DAYS,
    TARGET_GROUP_AGES,
    TARGET_GROUP_TAXONOMY,
)
from directory.models import Service, TaxonomyTerm
from directory.services import stale_cutoff


@dataclass(frozen=True)
class ServiceFilters:
    q: str = ""
    municipality: str = ""
    target_group: str = ""
    age: int | None = None
    district: str = ""
    language: str = ""
    free: bool = False
    # "PLZ, Adresse oder Stadtteil" (resolved with the local postcode table) and radius.
    near: str = ""
    radius_km: int = DEFAULT_RADIUS_KM

    @property
    def origin(self) -> geo.Place | None:
        return geo.locate(self.near) if self.near else None


def target_group_q(slug: str) -> Q:
    """Offers for a target group: tagged with it, and for the age-bound groups also tagged
    with an overlapping age group or with an own age range that overlaps."""
    span = TARGET_GROUP_AGES.get(slug)
    if span is None:
        return Q(target_groups__slug=slug)
    low, high = span
    overlapping = [s for s, (lo, hi) in TARGET_GROUP_AGES.items() if lo < high and low < hi]
    # Own range [min_age, max_age] in whole years (max inclusive) overlaps [low, high).
    own_range = (
        (Q(min_age__isnull=False) | Q(max_age__isnull=False))
        & (Q(min_age__isnull=True) | Q(min_age__lt=high))
        & (Q(max_age__isnull=True) | Q(max_age__gte=low))
    )
    return Q(target_groups__slug__in=overlapping) | own_range


def _offer_ids(q: Q) -> QuerySet:
    # A subquery keeps the outer query free of the M2M join (no duplicate rows, no DISTINCT).
    return Service.objects.filter(q).values("pk")


def target_groups() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy=TARGET_GROUP_TAXONOMY)


def public_services(today: dt.date | None = None) -> QuerySet[Service]:
    """What anyone may see: offers not closed for good and not left unconfirmed beyond the
    grace period (12 months + STALE_GRACE_DAYS); in between they show "may be out of date"."""
    today = today or timezone.localdate()
    hidden_before = today - dt.timedelta(days=STALE_AFTER_DAYS + STALE_GRACE_DAYS)
    return Service.objects.exclude(status=ServiceStatus.DEFUNCT).exclude(
        last_confirmed_on__lt=hidden_before
    )


def service_search(filters: ServiceFilters, *, base: QuerySet | None = None) -> QuerySet[Service]:
    """The public search: German full-text plus filters, ordered by name (or distance).

    The same function serves the page, the print list, the exports and
    ``GET /api/v1/directory/services``. With ``near`` resolved to a place, only offers
    within ``radius_km`` remain, nearest first; an unknown place filters nothing (the page
    says so).
    """
    qs = public_services() if base is None else base
    if filters.municipality:
        qs = qs.filter(municipality__slug=filters.municipality)
    if filters.target_group:
        qs = qs.filter(pk__in=_offer_ids(target_group_q(filters.target_group)))
    if filters.age is not None:
        qs = qs.filter(
            Q(min_age__isnull=True) | Q(min_age__lte=filters.age),
            Q(max_age__isnull=True) | Q(max_age__gte=filters.age),
        )
    if filters.district:
        qs = qs.filter(district=filters.district)
    if filters.language:
        qs = qs.filter(languages__contains=f",{filters.language},")
    if filters.free:
        qs = qs.filter(is_free=True)
    qs = search.filter_queryset(qs, filters.q)
    qs = qs.select_related("municipality", "provider")
    origin = filters.origin
    if origin is not None:
        return geo.within(qs, origin, filters.radius_km)
    return qs.order_by("name", "pk")


def district_choices(*, municipality_slug: str = "") -> list[str]:
    qs = public_services().exclude(district="")
    if municipality_slug:
        qs = qs.filter(municipality__slug=municipality_slug)
    return sorted(set(qs.values_list("district", flat=True)))


def language_choices() -> tuple[tuple[str, str], ...]:
    return LANGUAGES


def service_get_public(*, code: Any) -> Service:
    service = (
        public_services()
        .select_related("municipality__state", "provider")
        .prefetch_related("target_groups", "schedules")
        .filter(code=code)
        .first()
    )
    if service is None:
        raise Http404("Angebot nicht gefunden")
    return service


def service_get_for_user(*, user: Any, code: Any, action: str) -> Service:
    service = Service.objects.visible_to(user, action).filter(code=code).first()
    if service is None:
        raise Http404("Angebot nicht gefunden")
    return service


def service_get_for_page(*, user: Any, code: Any) -> Service:
    """The offer page: public offers for everyone; the commune's members also reach an
    offer that left the public directory, to confirm or close it."""
    try:
        return service_get_public(code=code)
    except Http404:
        service = service_get_for_user(user=user, code=code, action=permissions.VIEW)
        return (
            Service.objects.select_related("municipality__state", "provider")
            .prefetch_related("target_groups", "schedules")
            .get(pk=service.pk)
        )


def service_confirmation_get(*, token: Any) -> Service:
    """The offer behind a provider's personal confirmation link (404 when unknown/used)."""
    service = (
        Service.objects.select_related("municipality", "provider")
        .filter(confirmation_token=token)
        .exclude(status=ServiceStatus.DEFUNCT)
        .first()
    )
    if service is None:
        raise Http404("Link nicht gültig")
    return service


def indicators_for(*, user: Any, service: Service) -> list:
    """The offer's yearly effect indicators, for members of its commune only."""
    if not permissions.has_permission(
        user, permissions.VIEW, permissions.NETWORK, service.municipality_id
    ):
        return []
    return list(service.indicators.order_by("-year"))


def stale_services_for_user(*, user: Any, today: dt.date | None = None) -> QuerySet[Service]:
    """Offers the user's communes must re-confirm (not confirmed for 12 months)."""
    return (
        Service.objects.visible_to(user, permissions.CHANGE)
        .filter(last_confirmed_on__lt=stale_cutoff(today))
        .exclude(status=ServiceStatus.DEFUNCT)
        .select_related("municipality", "provider")
        .order_by("municipality__name", "last_confirmed_on", "name")
    )


EXPORT_HEADER = [
    "id",
    "Kommune",
    "Name",
    "Träger",
    "Beschreibung",
    "Zielgruppen",
    "Alter von",
    "Alter bis",
    "Sprachen",
    "kostenfrei",
    "Kosten",
    "Barrierefreiheit",
    "Öffnungszeiten",
    "Ort",
    "Straße",
    "PLZ",
    "Stadt",
    "Stadtteil",
    "Breitengrad",
    "Längengrad",
    "Ansprechperson",
    "Telefon",
    "E-Mail",
    "Website",
    "Status",
    "bestätigt am",
]


def export_rows(qs: QuerySet[Service]) -> list[list[Any]]:
    """One row per offer with the import's column names, so an export can be re-imported."""
    return [
        [
            str(s.code),
            s.municipality.slug,
            s.name,
            s.organization_name,
            s.description,
            "; ".join(t.name for t in s.target_groups.all()),
            s.min_age if s.min_age is not None else "",
            s.max_age if s.max_age is not None else "",
            ", ".join(s.language_codes),
            "ja" if s.is_free else "nein",
            s.fees_description,
            s.accessibility,
            s.opening_hours,
            s.location_name,
            s.street,
            s.postcode,
            s.city,
            s.district,
            str(s.latitude) if s.latitude is not None else "",
            str(s.longitude) if s.longitude is not None else "",
            s.contact_name,
            s.phone,
            s.email,
            s.website,
            s.status,
            s.last_confirmed_on.isoformat(),
        ]
        for s in qs.select_related("municipality", "provider").prefetch_related("target_groups")
    ]


def export_csv(qs: QuerySet[Service], *, excel: bool = False) -> str:
    """``;``-separated; ``excel`` adds the BOM German Excel needs for umlauts."""
    return exports.csv_text(EXPORT_HEADER, export_rows(qs), excel=excel)


def export_xlsx(qs: QuerySet[Service]) -> bytes:
    """One sheet with bold, frozen header and fitted column widths."""
    return exports.xlsx_bytes("Frühe Hilfen", EXPORT_HEADER, export_rows(qs))


def today() -> dt.date:
    return timezone.localdate()


def due_items_for_user(*, user: Any, today: dt.date) -> list:
    """Mein Bereich: offers of the user's communes that wait for re-confirmation."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    from core.inbox import DueItem

    if not permissions.municipality_ids_for(user, permissions.CHANGE, permissions.NETWORK):
        return []
    stale = stale_services_for_user(user=user, today=today).count()
    if not stale:
        return []
    return [
        DueItem(
            kind="stale_offers",
            title=ngettext(
                "%(n)d Angebot seit über 12 Monaten nicht bestätigt",
                "%(n)d Angebote seit über 12 Monaten nicht bestätigt",
                stale,
            )
            % {"n": stale},
            url=reverse("directory:stale_list"),
            count=stale,
            overdue=True,
        )
    ]
