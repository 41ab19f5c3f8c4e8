"""Synthetic demo data: case reviews, findings, recommendations, near-miss reports.

Every text is invented ("Fall Muster-A", "Familie Muster"), no real case or person.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.permissions import SystemActor
from registry.models import Institution, Municipality
from reviews import services
from reviews.choices import (
    ContextFactor,
    FindingLevel,
    ReviewMethod,
    ReviewStatus,
    ReviewTrigger,
)
from reviews.models import CaseReview, ErrorCategory, IncidentReport

DEMO_SLUGS = ("bundesstadt-bonn", "stadt-bad-kreuznach", "stadt-wolfsburg", "stadtgemeinde-bremen")

EPISODES = (
    (
        "Meldung der Kita",
        "Die Kita meldet wiederholt hungrige Kinder und fehlende Winterkleidung.",
        "Nur die Beobachtungen der Kita; die Familie war dem ASD nicht bekannt.",
        "Die Meldung wirkte wie ein Versorgungsproblem, nicht wie eine Gefährdung.",
    ),
    (
        "Erster Hausbesuch",
        "Angekündigter Hausbesuch; die Wohnung war aufgeräumt, das jüngste Kind schlief.",
        "Die Mutter wirkte kooperativ und nahm eine Beratung an.",
        "Ein angekündigter Besuch mit kooperativer Mutter galt als ausreichend.",
    ),
    (
        "Zuständigkeitswechsel",
        "Die Familie zog in den Nachbarbezirk; die Akte wurde per Post übergeben.",
        "Die Hinweise der Kita standen nur in einer Aktennotiz.",
        "Ein Übergabegespräch war für diese Fallkategorie nicht vorgesehen.",
    ),
    (
        "Hinweis der Kinderärztin",
        "Die Kinderärztin sah Untergewicht und rief beim alten ASD an.",
        "Dem alten ASD war der Umzug bekannt, die neue Zuständigkeit nicht.",
        "Man ging davon aus, dass die Information weitergeleitet wird.",
    ),
)

FINDINGS = (
    (
        FindingLevel.PROFESSIONAL,
        "child-not-seen",
        "weakness",
        "Das jüngste Kind wurde nicht wach gesehen.",
    ),
    (
        FindingLevel.PROFESSIONAL,
        "fixation-first-assessment",
        "weakness",
        "Die erste Einschätzung „Versorgungsproblem“ wurde nicht mehr geprüft.",
    ),
    (
        FindingLevel.TEAM,
        "four-eyes-not-kept",
        "weakness",
        "Die Einschätzung nach dem Hausbesuch wurde nicht im Team beraten.",
    ),
    (
        FindingLevel.ORGANISATION,
        "workload",
        "weakness",
        "Der Bezirk war seit Monaten unterbesetzt.",
    ),
    (
        FindingLevel.ORGANISATION,
        "documentation-gap",
        "weakness",
        "Die Hinweise der Kita fehlten in der Übergabeakte.",
    ),
    (
        FindingLevel.INTERORGANISATIONAL,
        "handover-failed",
        "weakness",
        "Kein Übergabegespräch beim Zuständigkeitswechsel.",
    ),
    (
        FindingLevel.INTERORGANISATIONAL,
        "information-loss-interface",
        "weakness",
        "Der Anruf der Kinderärztin erreichte den zuständigen ASD nicht.",
    ),
    (
        FindingLevel.INTERORGANISATIONAL,
        "reporter-no-feedback",
        "weakness",
        "Die Kita erhielt keine Rückmeldung und meldete nicht erneut.",
    ),
    (
        FindingLevel.INTERORGANISATIONAL,
        "cooperation-culture",
        "strength",
        "Kita und Kinderärztin haben beharrlich nachgefragt.",
    ),
    (
        # Outside the four levels: a context factor, not a fifth level.
        ContextFactor.SOCIETY,
        "staff-turnover",
        "weakness",
        "Fachkräftemangel im ASD verhindert Einarbeitung und Übergaben.",
    ),
    (
        ContextFactor.LAW,
        "unclear-responsibility",
        "weakness",
        "Die örtliche Zuständigkeit nach dem Umzug war rechtlich erst nach Wochen geklärt.",
    ),
)

RECOMMENDATIONS = (
    "Übergabegespräch bei jedem Zuständigkeitswechsel (§ 8a Abs. 6 SGB VIII)",
    "Rückmeldung an meldende Stellen binnen einer Woche (§ 4 Abs. 4 KKG)",
    "Unangekündigter Hausbesuch, wenn ein Kind nicht gesehen wurde",
)

INCIDENTS = (
    (
        "Eine Meldung der Schule lag über die Feiertage in einem unbesetzten Funktionspostfach.",
        "Das Kind hätte zwei Wochen ohne Schutz bleiben können.",
        "Die Schulsozialarbeit hat telefonisch nachgefragt.",
        "Vertretungsregel für Funktionspostfächer.",
        "school",
        FindingLevel.ORGANISATION,
        "tools-procedures",
    ),
    (
        "Die Hebamme wusste nicht, wen sie beim Jugendamt anrufen kann, und wartete ab.",
        "Eine Gefährdung des Säuglings wäre unbemerkt geblieben.",
        "Eine Kollegin kannte die insoweit erfahrene Fachkraft.",
        "Eine Telefonnummer für Fachkräfte auf der Website.",
        "midwife",
        FindingLevel.INTERORGANISATIONAL,
        "insofa-not-consulted",
    ),
    (
        "Die Polizei informierte den ASD per Fax an eine alte Nummer.",
        "Nach häuslicher Gewalt wäre kein Kontakt zu den Kindern entstanden.",
        "Die Leitstelle rief am Folgetag an.",
        "Aktuelle Kontaktdaten im Netzwerkverzeichnis.",
        "police",
        FindingLevel.INTERORGANISATIONAL,
        "information-loss-interface",
    ),
    (
        "Demo Fachkraft X aus der Kita war unsicher, ob sie Daten weitergeben darf.",
        "Die Meldung wäre unterblieben.",
        "Beratung durch die Kita-Leitung.",
        "Schulung zu § 4 KKG für Kitas.",
        "daycare",
        FindingLevel.PROFESSIONAL,
        "data-protection-uncertainty",
    ),
)


def _public(text: str, lead: str = "Aus einer Falluntersuchung") -> str:
    """The moderated version for the library: reworded, never the raw text itself (the
    raw text is encrypted; only the moderator's own words are published in clear)."""
    return f"{lead}: {text[0].lower()}{text[1:]}"


def _review(rng: random.Random, municipality: Municipality, index: int, actor: Any) -> None:
    team = list(Institution.objects.filter(municipality=municipality).order_by("pk")[:4])
    status = (ReviewStatus.CLOSED, ReviewStatus.RUNNING, ReviewStatus.IMPLEMENTED)[index % 3]
    review = services.review_create(
        municipality=municipality,
        actor=actor,
        title=f"Fall Muster-{chr(65 + index)} (Demo)",
        trigger=(ReviewTrigger.SERIOUS_HARM, ReviewTrigger.NEAR_MISS, ReviewTrigger.SUCCESS)[
            index % 3
        ],
        method=ReviewMethod.SYSTEMIC if index % 2 == 0 else ReviewMethod.CASE_WORKSHOP,
        status=status,
        questions="Warum erreichten die Hinweise von Kita und Kinderärztin den zuständigen "
        "ASD nicht rechtzeitig? (synthetischer Demofall)",
        summary="Synthetischer Demofall „Familie Muster“: keine echten Personen.",
        team=team,
        started_on=timezone.localdate() - dt.timedelta(days=rng.randint(30, 400)),
        synthetic=True,
        # The detector flags "Familie Muster"; the demo author confirms it is invented.
        confirmed=True,
    )
    if status == ReviewStatus.CLOSED and index == 0:
        # A closed review kept beyond its retention period (retention with legal hold).
        services.review_update(review=review, actor=actor, closed_on=review.started_on)
        services.review_legal_hold_set(
            review=review,
            actor=actor,
            hold=True,
            reason="Demo: Beschwerdeverfahren läuft noch (synthetisch)",
        )
    start = review.started_on - dt.timedelta(days=120)
    episodes = []
    for step, (title, happened, known, why) in enumerate(EPISODES):
        episodes.append(
            services.episode_create(
                review=review,
                actor=actor,
                title=title,
                occurred_on=start + dt.timedelta(days=step * rng.randint(10, 30)),
                what_happened=happened,
                known_then=known,
                why_sensible=why,
                institution_type=("daycare", "youth_office", "youth_office", "physician")[step],
            )
        )
    categories = {c.code: c for c in ErrorCategory.objects.all()}
    chosen = rng.sample(FINDINGS, k=rng.randint(5, len(FINDINGS)))
    findings = []
    for dimension, code, valence, text in chosen:
        is_level = dimension in FindingLevel.values
        finding = services.finding_create(
            review=review,
            actor=actor,
            level=dimension if is_level else "",
            context_factor="" if is_level else dimension,
            category=categories[code],
            valence=valence,
            text=text,
            episode=rng.choice(episodes),
        )
        findings.append(finding)
        if rng.random() < 0.5:
            services.finding_publish(finding=finding, actor=actor, public_text=_public(text))
    for n, text in enumerate(rng.sample(RECOMMENDATIONS, k=2)):
        rec = services.recommendation_create(
            review=review,
            actor=actor,
            text=text,
            rationale="Ergebnis der Falluntersuchung (Demo).",
            finding=findings[n % len(findings)],
            due_date=timezone.localdate() + dt.timedelta(days=90),
        )
        if n == 0:
            services.recommendation_to_outcome(recommendation=rec, actor=actor)


def _incidents(rng: random.Random, municipality: Municipality, actor: Any, n: int) -> None:
    categories = {c.code: c for c in ErrorCategory.objects.all()}
    for i in range(n):
        happened, could, helped, change, inst, level, code = INCIDENTS[i % len(INCIDENTS)]
        report = services.incident_report_submit(
            municipality=municipality,
            what_happened=happened,
            what_could_have_happened=could,
            what_helped=helped,
            what_should_change=change,
            reporter_institution_type=inst,
            synthetic=True,
        )
        if i % 3 == 2:
            continue  # left in the moderation queue
        services.incident_report_moderate(
            report=report,
            actor=actor,
            answer="Danke für Ihre Meldung. Wir haben das Thema in der Qualitätsentwicklungs"
            "werkstatt besprochen und eine Regelung getroffen. (Demo)",
            public_title=change.rstrip("."),
            public_text=f"{_public(could, 'Möglich gewesen wäre')} "
            f"{_public(helped, 'Geholfen hat')}",
            level=level,
            category=categories[code],
            publish=True,
            confirmed=True,
        )


def _review_from_procedure(municipality: Municipality, actor: Any) -> bool:
    """One review whose timeline comes from a demo procedure, imported by its case team."""
    from cases.models import Procedure, TeamMembership

    procedure = Procedure.objects.filter(municipality=municipality).order_by("pk").first()
    member = (
        TeamMembership.objects.filter(team=procedure.team).select_related("user").first()
        if procedure
        else None
    )
    if member is None:
        return False
    review = services.review_create(
        municipality=municipality,
        actor=actor,
        title="Fall Muster-Z (Demo, Zeitleiste aus Verfahren)",
        trigger=ReviewTrigger.ROUTINE,
        method=ReviewMethod.CASE_WORKSHOP,
        status=ReviewStatus.RUNNING,
        questions="Routinestichprobe: Wurden Fristen und Vier-Augen-Prinzip eingehalten? (Demo)",
        synthetic=True,
    )
    services.episodes_import_from_procedure(
        review=review, procedure_code=procedure.code, actor=member.user
    )
    return True


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    actor = SystemActor("demo_data")
    rng = random.Random(seed + 6)
    municipalities = list(Municipality.objects.filter(slug__in=DEMO_SLUGS).order_by("slug"))
    if not municipalities:
        municipalities = list(Municipality.objects.order_by("pk")[:2])
    reviews_per_commune = 1 if small else 3
    incidents_per_commune = 2 if small else 6
    made = 0
    with transaction.atomic():
        for municipality in municipalities:
            if CaseReview.objects.filter(municipality=municipality, synthetic=True).exists():
                continue
            for index in range(reviews_per_commune):
                _review(rng, municipality, index, actor)
            if not IncidentReport.objects.filter(
                municipality=municipality, synthetic=True
            ).exists():
                _incidents(rng, municipality, actor, incidents_per_commune)
            _review_from_procedure(municipality, actor)
            made += 1
    stdout.write(f"  Falluntersuchungen und Beinahe-Ereignisse für {made} Kommunen angelegt")
    return {}
