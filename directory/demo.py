"""Demo data of the Frühe-Hilfen directory: about 200 synthetic offers per demo commune.

The offers go through the real import (:func:`directory.services.service_import`), so the
demo exercises validation, duplicate detection, the audit row and the search index.
Names are built from generic parts ("Elterncafé Nord (Demo)"); no real provider, person
or phone number appears (phone numbers use the 0000 range, e-mail the .invalid domain).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from directory import geo
from directory.models import Schedule, Service
from directory.services import service_import, service_indicator_record
from registry.models import Municipality
from registry.services import municipality_update

DEMO_SLUGS = (
    "bundesstadt-bonn",
    "stadtgemeinde-bremen",
    "stadt-bad-kreuznach",
    "stadt-wolfsburg",
)
DISTRICTS = ("Mitte", "Nord", "Süd", "Ost", "West", "Altstadt", "Neustadt", "Hafen")
# (kind of offer, description, target-group slugs, min age, max age, free)
KINDS: tuple[tuple[str, str, tuple[str, ...], int | None, int | None, bool], ...] = (
    (
        "Hebammensprechstunde",
        "Beratung rund um Schwangerschaft, Geburt und Wochenbett.",
        ("schwangere", "saeugling"),
        None,
        1,
        True,
    ),
    (
        "Familienhebamme",
        "Hausbesuche von Familienhebammen im ersten Lebensjahr.",
        ("saeugling", "belastete-eltern"),
        0,
        1,
        True,
    ),
    (
        "Elterncafé",
        "Offener Treff für Eltern mit Babys und Kleinkindern.",
        ("saeugling", "kinder-0-3"),
        0,
        3,
        True,
    ),
    (
        "Schwangerschaftsberatung",
        "Beratung zu Schwangerschaft, finanziellen Hilfen und Konflikten.",
        ("schwangere",),
        None,
        None,
        True,
    ),
    (
        "Babymassage-Kurs",
        "Kurs für Eltern mit Säuglingen, acht Termine.",
        ("saeugling",),
        0,
        1,
        False,
    ),
    ("Krabbelgruppe", "Spielgruppe mit Austausch für Eltern.", ("kinder-0-3",), 0, 3, False),
    (
        "Eltern-Kind-Gruppe",
        "Wöchentliches Treffen mit Spielangeboten für Kleinkinder.",
        (),
        1,
        3,
        True,
    ),
    (
        "Willkommensbesuch",
        "Begrüßungsbesuch nach der Geburt mit Informationen zu Angeboten.",
        ("saeugling",),
        0,
        1,
        True,
    ),
    (
        "Erziehungsberatung",
        "Beratung für Eltern bei Fragen zur Entwicklung und Erziehung.",
        ("kinder-0-3", "kinder-3-6"),
        0,
        6,
        True,
    ),
    (
        "Familienpatenschaft",
        "Ehrenamtliche Patinnen und Paten begleiten Familien im Alltag.",
        ("kinder-0-3", "alleinerziehende"),
        0,
        3,
        True,
    ),
    (
        "Alleinerziehenden-Treff",
        "Austausch und Kinderbetreuung für Alleinerziehende.",
        ("alleinerziehende",),
        0,
        6,
        True,
    ),
    (
        "Väter-Kind-Gruppe",
        "Samstagstreff für Väter mit kleinen Kindern.",
        ("vaeter", "kinder-0-3"),
        0,
        3,
        True,
    ),
    (
        "Sprechstunde Frühförderung",
        "Beratung bei Entwicklungsauffälligkeiten und Behinderung.",
        ("behinderung", "kinder-0-3"),
        0,
        6,
        True,
    ),
    (
        "Elternkurs",
        "Kurs zu Erziehung und Alltag mit kleinen Kindern.",
        ("kinder-3-6",),
        3,
        6,
        False,
    ),
    (
        "Mehrsprachige Elterngruppe",
        "Elterngruppe mit Sprachmittlung.",
        ("migration", "kinder-0-3"),
        0,
        3,
        True,
    ),
    (
        "Beratung für junge Eltern",
        "Unterstützung für Eltern unter 21.",
        ("junge-eltern", "saeugling"),
        0,
        3,
        True,
    ),
    ("Stillgruppe", "Treffen mit Stillberaterin.", ("saeugling",), 0, 1, True),
)
CARRIERS = (
    "Demo Familienzentrum",
    "Demo Träger e. V.",
    "Demo Beratungsstelle",
    "Demo Elternschule",
    "Demo Stadtteilhaus",
)
LANGUAGE_SETS = ("de", "de", "de", "de, en", "de, tr", "de, ar", "de, ru, uk", "de, fa", "de, pl")
HOURS = ("Mo 9–12 Uhr", "Di und Do 14–17 Uhr", "Mi 10–12 Uhr", "nach Vereinbarung", "Fr 9–11 Uhr")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


def _places(municipality: Municipality) -> list[geo.Place]:
    """The commune's postcode areas from the local table (by place name in its name)."""
    return [p for p in geo.places() if p.place in municipality.name]


def _rows(rng: random.Random, municipality: Municipality, count: int) -> list[dict[str, str]]:
    places = _places(municipality)
    city = places[0].place if places else municipality.name.split()[-1]
    today = timezone.localdate()
    rows = []
    for n in range(count):
        kind, text, groups, min_age, max_age, free = KINDS[n % len(KINDS)]
        # Real postcode areas where the table knows the commune: the distance search and
        # the map then show plausible places (the street stays synthetic).
        place = places[(n // len(KINDS)) % len(places)] if places else None
        district = place.district if place else DISTRICTS[(n // len(KINDS)) % len(DISTRICTS)]
        latitude = f"{place.latitude + rng.uniform(-0.004, 0.004):.6f}" if place else ""
        longitude = f"{place.longitude + rng.uniform(-0.006, 0.006):.6f}" if place else ""
        carrier = CARRIERS[rng.randrange(len(CARRIERS))]
        # One offer in six has not been confirmed for more than a year: the stale list.
        age_days = rng.randint(400, 900) if n % 6 == 5 else rng.randint(0, 330)
        rows.append(
            {
                "Name": f"{kind} {district} {n // (len(KINDS) * max(len(places), 1)) + 1} (Demo)",
                "Träger": carrier,
                "Beschreibung": f"{text} Synthetisches Demo-Angebot.",
                "Zielgruppen": "; ".join(groups),
                "Alter von": "" if min_age is None else str(min_age),
                "Alter bis": "" if max_age is None else str(max_age),
                "Sprachen": LANGUAGE_SETS[rng.randrange(len(LANGUAGE_SETS))],
                "kostenfrei": "ja" if free else "nein",
                "Kosten": "" if free else f"{rng.choice((5, 10, 20, 40))} € je Kurs",
                "Barrierefreiheit": rng.choice(("", "barrierefreier Zugang", "Aufzug vorhanden")),
                "Öffnungszeiten": rng.choice(HOURS),
                "Ort": f"{carrier} {district}",
                "Straße": f"Musterweg {rng.randint(1, 120)}",
                "PLZ": place.postcode if place else f"{rng.randint(10000, 99999)}",
                "Breitengrad": latitude,
                "Längengrad": longitude,
                "Stadt": city,
                "Stadtteil": district,
                "Ansprechperson": "",
                "Telefon": f"0000 {rng.randint(100000, 999999)}",
                "E-Mail": f"angebot-{municipality.pk}-{n}@demo.invalid",
                "bestätigt am": (today - dt.timedelta(days=age_days)).isoformat(),
            }
        )
    return rows


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    rng = random.Random(seed + 5)
    per_commune = 20 if small else 200
    actor = SystemActor("demo_data")
    total = 0
    with change_context(AuditSource.CLI):
        for slug in DEMO_SLUGS:
            municipality = Municipality.objects.filter(slug=slug).first()
            if municipality is None:
                continue
            if not municipality.emergency_phone:
                # Synthetic (0000 range), so that the emergency notice shows a commune number.
                municipality_update(
                    municipality=municipality,
                    actor=actor,
                    emergency_phone=f"0000 110 {municipality.pk:03d}",
                    reason="Demo-Notdienstnummer",
                )
            have = Service.objects.filter(municipality=municipality, synthetic=True).count()
            if have >= per_commune:
                continue
            rows = _rows(rng, municipality, per_commune)[have:]
            service_import(municipality=municipality, rows=rows, actor=actor, source="demo_data")
            fresh = Service.objects.filter(municipality=municipality, synthetic=False)
            fresh.filter(email__endswith="@demo.invalid").update(synthetic=True)
            slots = [
                Schedule(
                    service_id=pk,
                    weekday=WEEKDAYS[pk % len(WEEKDAYS)],
                    opens_at=dt.time(9 + pk % 5, 0),
                    closes_at=dt.time(12 + pk % 5, 0),
                )
                for pk in Service.objects.filter(
                    municipality=municipality, synthetic=True, schedules__isnull=True
                ).values_list("pk", flat=True)
            ]
            Schedule.objects.bulk_create(slots)
            total += len(rows)
            _indicators(rng, municipality, actor)
    stdout.write(f"  Frühe Hilfen: {total} synthetische Angebote")
    return {}


def _indicators(rng: random.Random, municipality: Municipality, actor: Any) -> None:
    """Effect indicators of the last two years for a handful of offers (synthetic)."""
    year = timezone.localdate().year - 1
    offers = Service.objects.filter(municipality=municipality, synthetic=True).order_by("pk")[:5]
    for offer in offers:
        if offer.indicators.exists():
            continue
        for delta in (1, 0):
            reached = rng.randint(20, 160)
            service_indicator_record(
                service=offer,
                year=year - delta,
                actor=actor,
                families_reached=reached,
                referred_from_procedures=rng.randint(0, reached // 5),
                waiting_days=rng.randint(2, 40),
                feedback_score=Decimal(rng.randint(30, 50)) / 10,
                notes="Synthetische Kennzahlen (Demo).",
            )
