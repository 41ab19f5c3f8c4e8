"""Demo data of the training records: synthetic trainings and participants.

Participants are "Demo-Fachkraft …" at the communes' imported institutions; no real person.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from registry.models import Institution, Municipality
from trainings import services
from trainings.choices import TrainingOrigin, TrainingTopic
from trainings.models import Training

DEMO_SLUGS = (
    "bundesstadt-bonn",
    "stadtgemeinde-bremen",
    "stadt-bad-kreuznach",
    "stadt-wolfsburg",
)
TRAININGS = (
    ("Datenschutz im Kinderschutz (Demo)", TrainingTopic.DATA_PROTECTION, "3.0", False,
     ["daycare", "school", "clinic"]),
    ("Kinderschutz in der Kita – Grundlagen (Demo)", TrainingTopic.CHILD_PROTECTION, "6.0",
     False, ["daycare"]),
    ("Schulung zum Gefährdungseinschätzungsbogen (Demo)", TrainingTopic.RISK_ASSESSMENT, "4.0",
     True, ["youth_office", "daycare", "school"]),
    ("Gespräche mit Eltern bei gewichtigen Anhaltspunkten (Demo)", TrainingTopic.CONVERSATION,
     "7.5", False, ["school", "counselling"]),
)  # fmt: skip


def _load_municipality(rng: random.Random, municipality: Municipality, actor: Any) -> int:
    if Training.objects.filter(municipality=municipality).exists():
        return 0
    institutions = list(Institution.objects.filter(municipality=municipality).order_by("name"))
    if not institutions:
        return 0
    known = {code for code, _label in Institution._meta.get_field("institution_type").choices}
    today = timezone.localdate()
    caseworker = (
        get_user_model()
        .objects.filter(username=f"fachkraft-{municipality.slug.split('-')[-1]}")
        .first()
    )
    count = 0
    for index, (title, topic, hours, instrument, groups) in enumerate(TRAININGS):
        training = services.training_create(
            municipality=municipality,
            actor=actor,
            title=title,
            topic=topic,
            origin=TrainingOrigin.EXTERNAL,
            provider="Fortbildungsinstitut Muster (Demo)",
            held_on=today - dt.timedelta(days=60 + 150 * index),
            hours=Decimal(hours),
            target_groups=[g for g in groups if g in known],
            covers_instrument=instrument,
        )
        for number, institution in enumerate(rng.sample(institutions, min(6, len(institutions)))):
            services.participation_add(
                training=training,
                actor=actor,
                person_name=f"Demo-Fachkraft {index + 1}.{number + 1}",
                institution=institution,
            )
        if caseworker is not None and instrument:
            services.participation_add(
                training=training,
                actor=actor,
                person_name=caseworker.get_full_name() or caseworker.username,
                institution=institutions[0],
                user=caseworker,
            )
        count += 1
    return count


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    rng = random.Random(seed + 18)
    actor = SystemActor("demo_data")
    total = 0
    with change_context(AuditSource.CLI), transaction.atomic():
        for slug in DEMO_SLUGS:
            municipality = Municipality.objects.filter(slug=slug).first()
            if municipality is not None:
                total += _load_municipality(rng, municipality, actor)
    stdout.write(f"  Fortbildungen: {total} Fortbildungen mit Teilnahmen (synthetisch)")
    return {}
