"""Demo data that starts everything: the seed profiles, demo logins, synthetic population.

``profiles`` is listed before ``quality`` in INSTALLED_APPS so that this runs first: every
other app's demo data belongs to the communes the seed profiles create.
"""

from __future__ import annotations

import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from core.choices import Role
from core.permissions import SystemActor
from core.services import membership_grant
from profiles.services import profile_import
from registry.choices import Sex
from registry.models import Municipality, PopulationCount
from registry.profile_parser import SEED_PROFILE_DIR as SEED_DIR
from registry.profile_parser import parse_profile_file

DEMO_PASSWORD = "demo-kinderschutz"  # noqa: S105 – printed for the demo on purpose

# (username, first name, last name, role, commune slug or None for global roles)
DEMO_USERS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("admin", "Demo", "Administration", Role.PLATFORM_ADMIN, None),
    ("projektteam", "Demo", "Projektteam", Role.PROJECT_TEAM, None),
    ("koordination-bonn", "Demo", "Koordination Bonn", Role.COORDINATOR, "bundesstadt-bonn"),
    ("fachkraft-bonn", "Demo", "Fachkraft Bonn", Role.CASEWORKER, "bundesstadt-bonn"),
    ("fachkraft2-bonn", "Demo", "Fachkraft Bonn 2", Role.CASEWORKER, "bundesstadt-bonn"),
    ("teamleitung-bonn", "Demo", "Teamleitung Bonn", Role.TEAM_LEAD, "bundesstadt-bonn"),
    ("datenschutz-bonn", "Demo", "Datenschutz Bonn", Role.DATA_PROTECTION, "bundesstadt-bonn"),
    ("netzwerk-bonn", "Demo", "Netzwerkpartner Bonn", Role.NETWORK_PARTNER, "bundesstadt-bonn"),
    (
        "koordination-bremen",
        "Demo",
        "Koordination Bremen",
        Role.COORDINATOR,
        "stadtgemeinde-bremen",
    ),
    ("fachkraft-bremen", "Demo", "Fachkraft Bremen", Role.CASEWORKER, "stadtgemeinde-bremen"),
    ("teamleitung-bremen", "Demo", "Teamleitung Bremen", Role.TEAM_LEAD, "stadtgemeinde-bremen"),
)

# Rough age shares of a German city population (synthetic, for the pyramid only).
AGE_BANDS: tuple[tuple[int, int | None, float], ...] = (
    (0, 2, 0.028),
    (3, 5, 0.028),
    (6, 9, 0.036),
    (10, 14, 0.045),
    (15, 17, 0.028),
    (18, 24, 0.085),
    (25, 39, 0.205),
    (40, 59, 0.270),
    (60, 74, 0.165),
    (75, None, 0.110),
)


def _population(rng: random.Random, municipality: Municipality, year: int) -> None:
    total = rng.randint(40_000, 320_000)
    for age_from, age_to, share in AGE_BANDS:
        # Slightly more boys among children, more women among the old, as in reality.
        female = 0.56 if age_from >= 75 else (0.49 if age_from < 18 else 0.5)
        for sex, weight in ((Sex.FEMALE, female), (Sex.MALE, 1 - female)):
            count = int(total * share * weight * rng.uniform(0.92, 1.08))
            PopulationCount.objects.update_or_create(
                municipality=municipality,
                year=year,
                age_from=age_from,
                sex=sex,
                defaults={"age_to": age_to, "count": count, "synthetic": True},
            )


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    actor = SystemActor("demo_data")
    for path in sorted(SEED_DIR.glob("*.txt")):
        profile = parse_profile_file(path)
        result = profile_import(profile=profile, actor=actor)
        stdout.write(f"  Profil {path.name}: {result.municipality}")
    rng = random.Random(seed)
    with transaction.atomic():
        for municipality in Municipality.objects.order_by("pk"):
            if not PopulationCount.objects.filter(municipality=municipality).exists():
                _population(rng, municipality, 2024)
        user_model = get_user_model()
        logins = []
        for username, first, last, role, slug in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.invalid",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role == Role.PLATFORM_ADMIN
                user.is_superuser = role == Role.PLATFORM_ADMIN
                user.save()
            municipality = Municipality.objects.get(slug=slug) if slug else None
            # Roles change only through the audited service (core.services).
            membership_grant(user=user, municipality=municipality, role=role, actor=actor)
            logins.append((username, DEMO_PASSWORD, f"{Role(role).label} {slug or ''}".strip()))
    return {"logins": logins}
