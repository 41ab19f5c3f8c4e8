"""Demo data: two self-evaluation rounds a year apart for two demo communes.

All answers are synthetic (random numbers around a per-commune profile, drawn from a
seeded generator); the invitees are "demo-netzwerk-N@demo.invalid". The second round
shows change: weak dimensions of the first round improve a little, as they would after
a year of work on them.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.permissions import SystemActor
from evaluation.choices import RoundKind, RoundStatus
from evaluation.models import Answer, FollowUp, FreeTextAnswer, Invitation, Response, Round
from evaluation.services import follow_up_create, framework_ensure_builtin, hash_token
from registry.models import Municipality

COMMUNES = ("bundesstadt-bonn", "stadtgemeinde-bremen")

# Who answers, roughly as a network is composed (weights).
TYPES = (
    ("youth_office", 24),
    ("free_provider", 14),
    ("daycare", 14),
    ("school", 14),
    ("health_office", 5),
    ("clinic", 6),
    ("physician", 4),
    ("midwife", 4),
    ("police", 8),
    ("family_court", 4),
    ("counselling", 3),
)

# How institution types tend to see things differently (synthetic, for the demo only).
TYPE_OFFSETS = {
    ("school", "cooperation"): -0.6,
    ("police", "cooperation"): -0.3,
    ("youth_office", "documentation"): +0.4,
    ("clinic", "early_help"): -0.5,
    ("daycare", "early_help"): +0.4,
    ("family_court", "handover"): -0.4,
}

TEXTS = {
    "ra_comment": (
        "Demo: Ein gemeinsamer Einschätzungsbogen würde helfen.",
        "Demo: Die insoweit erfahrene Fachkraft ist oft schwer erreichbar.",
        "Demo: Klare Ansprechpartner im Jugendamt erleichtern vieles.",
    ),
    "coop_comment": (
        "Demo: Rückmeldungen des Jugendamts an die Schulen fehlen oft.",
        "Demo: Die Kooperation mit der Polizei am Wochenende ist unklar.",
        "Demo: Gemeinsame Fortbildungen haben die Zusammenarbeit verbessert.",
    ),
    "err_comment": (
        "Demo: Fallbesprechungen ohne Schuldzuweisung wären ein Anfang.",
        "Demo: Beinahe-Fehler sollten anonym gemeldet werden können.",
    ),
    "strengths": (
        "Demo: Das Netzwerk kennt sich persönlich.",
        "Demo: Die Frühen Hilfen sind gut erreichbar.",
    ),
    "wishes": ("Demo: Mehr Zeit für Fallkonferenzen.", "Demo: Ein aktuelles Verzeichnis."),
}


def _value(rng: random.Random, mean: float) -> int | None:
    if rng.random() < 0.07:
        return None  # kann ich nicht beurteilen
    return max(1, min(5, round(rng.gauss(mean, 0.9))))


def _round(
    *,
    rng: random.Random,
    municipality: Municipality,
    framework: Any,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    status: str,
    invited: int,
    answered: int,
    profile: dict[str, float],
) -> Round:
    evaluation_round = Round.objects.create(
        municipality=municipality,
        framework=framework,
        kind=RoundKind.SELF,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        status=status,
        min_group_size=5,
        closed_on=closes_on if status == RoundStatus.CLOSED else None,
    )
    definition = framework.parsed()
    codes = [code for code, _w in TYPES]
    weights = [w for _c, w in TYPES]
    types = rng.choices(codes, weights=weights, k=invited)
    Invitation.objects.bulk_create(
        Invitation(
            round=evaluation_round,
            institution_type=type_code,
            email=f"demo-netzwerk-{i + 1}@demo.invalid",
            token_hash=hash_token(f"demo-{evaluation_round.code}-{i}-{rng.random()}"),
            used=i < answered,
        )
        for i, type_code in enumerate(types)
    )
    answers, texts, responses = [], [], []
    for type_code in types[:answered]:
        response = Response(
            round=evaluation_round,
            institution_type=type_code,
            submitted_on=opens_on + dt.timedelta(days=rng.randint(0, 20)),
        )
        responses.append(response)
        for statement in definition.statements(type_code):
            mean = profile[statement.dimension] + TYPE_OFFSETS.get(
                (type_code, statement.dimension), 0
            )
            answers.append(
                Answer(
                    response=response,
                    round=evaluation_round,
                    institution_type=type_code,
                    dimension_key=statement.dimension,
                    statement_key=statement.key,
                    value=_value(rng, mean),
                )
            )
        texts.extend(
            FreeTextAnswer(
                response=response,
                round=evaluation_round,
                dimension_key=question.dimension or "",
                question_key=question.key,
                text=rng.choice(TEXTS[question.key]),
            )
            for question in definition.free_text_questions(type_code)
            if question.key in TEXTS and rng.random() < 0.12
        )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers, batch_size=2000)
    FreeTextAnswer.objects.bulk_create(texts)
    return evaluation_round


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    actor = SystemActor("demo_data")
    framework = framework_ensure_builtin(actor=actor)[0]
    rng = random.Random(seed + 8)
    today = timezone.localdate()
    invited, answered = (20, 12) if small else (140, 95)
    dimensions = [d.key for d in framework.parsed().dimensions]
    for slug in COMMUNES:
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            stdout.write(f"  Evaluation: Kommune {slug} fehlt, übersprungen")
            continue
        if Round.objects.filter(municipality=municipality, title__startswith="Demo:").exists():
            continue
        profile = {key: rng.uniform(2.4, 4.1) for key in dimensions}
        later = {
            key: min(4.6, value + max(0.0, 3.4 - value) * 0.6) for key, value in profile.items()
        }
        with transaction.atomic():
            first = _round(
                rng=rng,
                municipality=municipality,
                framework=framework,
                title=f"Demo: Selbstevaluation {today.year - 1}",
                opens_on=today - dt.timedelta(days=400),
                closes_on=today - dt.timedelta(days=360),
                status=RoundStatus.CLOSED,
                invited=invited,
                answered=answered,
                profile=profile,
            )
            _round(
                rng=rng,
                municipality=municipality,
                framework=framework,
                title=f"Demo: Selbstevaluation {today.year}",
                opens_on=today - dt.timedelta(days=35),
                closes_on=today + dt.timedelta(days=25),
                status=RoundStatus.OPEN,
                invited=invited,
                answered=answered - 2,
                profile=later,
            )
            weakest = min(profile, key=profile.get)
            if not FollowUp.objects.filter(round=first).exists():
                follow_up_create(
                    evaluation_round=first,
                    dimension_key=weakest,
                    kind="outcome",
                    text=f"Demo: {framework.parsed().dimension(weakest).title} verbessern",
                    actor=actor,
                    origin_url=f"/evaluation/runden/{first.code}/ergebnisse/",
                )
        stdout.write(
            f"  Evaluation {municipality}: zwei Runden mit je etwa {answered} Antwortbögen"
        )
    return {}
