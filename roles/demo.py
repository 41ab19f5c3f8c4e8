"""Demo data of roles, on-call plans and crisis paths: synthetic, reserved phone numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from network.models import Contact
from registry.models import Institution, Municipality
from roles import services
from roles.choices import Audience, RoleFunction
from roles.models import NetworkRole

DEMO_SLUGS = (
    "bundesstadt-bonn",
    "stadtgemeinde-bremen",
    "stadt-bad-kreuznach",
    "stadt-wolfsburg",
)
# (function, institution types to look for, parent function)
ROLES = (
    (RoleFunction.COORDINATION, ("youth_office",), None),
    (RoleFunction.ASD_LEAD, ("youth_office",), RoleFunction.COORDINATION),
    (RoleFunction.ASD, ("youth_office",), RoleFunction.ASD_LEAD),
    (RoleFunction.INSOFA_POOL, ("counselling", "free_provider"), RoleFunction.COORDINATION),
    (RoleFunction.EARLY_HELP, ("youth_office", "health_office"), RoleFunction.COORDINATION),
    (RoleFunction.KITA_ADVICE, ("daycare",), RoleFunction.COORDINATION),
    (RoleFunction.POLICE_CONTACT, ("police",), RoleFunction.COORDINATION),
    (RoleFunction.CLINIC_GROUP, ("clinic",), RoleFunction.COORDINATION),
)  # fmt: skip
WEEKDAYS, EVERY_DAY, WEEKEND = [0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5, 6], [5, 6]


def _institution(municipality: Municipality, types: tuple[str, ...]) -> Institution | None:
    qs = Institution.objects.filter(municipality=municipality)
    return (
        qs.filter(institution_type__in=types).order_by("name").first()
        or qs.order_by("name").first()
    )


def _load_municipality(municipality: Municipality, actor: Any) -> int:
    if NetworkRole.objects.filter(municipality=municipality).exists():
        return 0
    created: dict[str, NetworkRole] = {}
    for position, (function, types, parent) in enumerate(ROLES):
        institution = _institution(municipality, types)
        if institution is None:
            return 0
        contacts = list(Contact.objects.filter(institution=institution).order_by("name")[:2])
        created[function] = services.role_create(
            municipality=municipality,
            actor=actor,
            function=function,
            institution=institution,
            holder=contacts[0] if contacts else None,
            deputy=contacts[1] if len(contacts) > 1 else None,
            reports_to=created.get(parent) if parent else None,
            responsibilities="Synthetische Aufgabenbeschreibung für die Demo.",
            position=position,
        )
    emergency = created[RoleFunction.ASD]
    for service, audience, days, start, end, note in (
        ("Jugendamt – Allgemeiner Sozialer Dienst (Demo)", Audience.PUBLIC, WEEKDAYS, 8, 16, ""),
        ("Rufbereitschaft des Jugendamts (Demo)", Audience.PARTNERS, EVERY_DAY, 16, 8,
         "nur für Fachkräfte, Polizei und Kliniken"),
        ("Rufbereitschaft am Wochenende, Tagdienst (Demo)", Audience.PARTNERS, WEEKEND, 8, 16, ""),
        ("Leitung vom Dienst (Demo)", Audience.INTERNAL, EVERY_DAY, 16, 8, "Hintergrunddienst"),
    ):  # fmt: skip
        services.on_call_slot_create(
            municipality=municipality,
            actor=actor,
            service=service,
            role=emergency,
            audience=audience,
            weekdays=days,
            starts_at=dt.time(start),
            ends_at=dt.time(end),
            phone="0000 555 01 0" + str(start % 10),
            note=note,
        )
    for order, (situation, action, function, minutes) in enumerate(
        (
            ("Akute Gefahr für Leib und Leben", "Polizei 110 rufen, dann die Rufbereitschaft "
             "des Jugendamts informieren.", RoleFunction.POLICE_CONTACT, 0),
            ("Gewichtige Anhaltspunkte in einer Einrichtung", "Leitung informieren, "
             "insoweit erfahrene Fachkraft hinzuziehen, Einschätzung dokumentieren.",
             RoleFunction.INSOFA_POOL, 1440),
            ("Mitteilung an das Jugendamt", "Der ASD bestätigt den Eingang und nimmt "
             "Kontakt zur meldenden Fachkraft auf.", RoleFunction.ASD, 240),
        ),
        start=1,
    ):  # fmt: skip
        services.escalation_step_create(
            municipality=municipality,
            actor=actor,
            order=order,
            situation=situation,
            action=action,
            role=created[function],
            within_minutes=minutes or None,
        )
    return len(created)


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    actor = SystemActor("demo_data")
    total = 0
    with change_context(AuditSource.CLI), transaction.atomic():
        for slug in DEMO_SLUGS:
            municipality = Municipality.objects.filter(slug=slug).first()
            if municipality is not None:
                total += _load_municipality(municipality, actor)
    stdout.write(f"  Rollen: {total} Rollen mit Erreichbarkeit und Krisenweg (synthetisch)")
    return {}
