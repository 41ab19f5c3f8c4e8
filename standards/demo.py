"""Demo data of the standards library: synthetic standards and glossaries.

Every text is written for the demo and says so; no real commune's document is reproduced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from registry.models import Municipality
from standards import services
from standards.choices import DocumentKind, DocumentStatus, Visibility
from standards.models import StandardDocument

DEMO_SLUGS = (
    "bundesstadt-bonn",
    "stadtgemeinde-bremen",
    "stadt-bad-kreuznach",
    "stadt-wolfsburg",
)
MARK = "*Demo – synthetischer Text, kein Dokument einer realen Kommune.*"

GUIDE_V1 = """{mark}

## 1. Wozu dieser Leitfaden dient
Der Leitfaden beschreibt, wie Fachkräfte in {name} bei gewichtigen Anhaltspunkten für eine
Kindeswohlgefährdung vorgehen.

## 2. Schritte
1. Beobachtungen zeitnah und sachlich dokumentieren.
2. Gefährdungseinschätzung im Zusammenwirken mehrerer Fachkräfte.
3. Eltern und Kind einbeziehen, soweit der Schutz des Kindes nicht gefährdet wird.
4. Bei Bedarf eine insoweit erfahrene Fachkraft beraten lassen.

## 3. Übergabe
Bei einem Zuständigkeitswechsel wird der Fall im persönlichen Gespräch übergeben.
"""

GUIDE_V2_EXTRA = """
## 4. Rückmeldung an meldende Fachkräfte
Das Jugendamt meldet Berufsgeheimnisträgern innerhalb von zwei Wochen zurück, ob es
gewichtige Anhaltspunkte sieht und tätig geworden ist.
"""

HANDOVER = """{mark}

Übergabevereinbarung zwischen dem Jugendamt {name} und den Jugendämtern des Clusters:
Fälle mit laufendem Schutzkonzept werden im Übergabegespräch mit den Eltern übergeben;
die abgebende Fachkraft bleibt bis zur ersten Hilfeplanung ansprechbar.
"""

MISSION = """{mark}

Wir schützen Kinder gemeinsam. Jede Einrichtung im Netzwerk {name} kennt ihre Rolle,
handelt rechtzeitig und lernt aus Fehlern, ohne Schuld zuzuweisen.
"""

TERMS = (
    (
        "Kindeswohl",
        "Das körperliche, geistige und seelische Wohl des Kindes in seiner Entwicklung zu einer "
        "eigenverantwortlichen Persönlichkeit ({variant}).",
        "Jugendhilfe, Gesundheitswesen, Schule, Kita",
    ),
    (
        "Gewichtige Anhaltspunkte",
        "Konkrete Hinweise oder ernst zu nehmende Vermutungen, die eine Gefährdung des Kindes "
        "möglich erscheinen lassen ({variant}).",
        "Jugendhilfe, Polizei, Kita",
    ),
    (
        "Insoweit erfahrene Fachkraft",
        "Eine im Kinderschutz erfahrene Fachkraft, die Einrichtungen bei der "
        "Gefährdungseinschätzung berät, ohne den Fall zu übernehmen ({variant}).",
        "Jugendhilfe, Schule, Eingliederungshilfe",
    ),
)
VARIANTS = (
    "Fassung der Werkstatt, Demo",
    "vereinbart in der Netzwerkkonferenz, Demo",
    "aus dem Leitfaden, Demo",
    "Arbeitsdefinition, Demo",
)


def _load_municipality(index: int, municipality: Municipality, actor: Any) -> dict[str, int]:
    if StandardDocument.objects.filter(municipality=municipality).exists():
        return {"documents": 0, "terms": 0}
    today = timezone.localdate()
    name = municipality.name
    guide = services.document_create(
        municipality=municipality,
        actor=actor,
        title=f"Leitfaden Kinderschutz {name} (Demo)",
        kind=DocumentKind.GUIDE,
        summary="Vorgehen bei gewichtigen Anhaltspunkten – für alle Einrichtungen im Netzwerk.",
        owner="Koordination Kinderschutz im Jugendamt (Demo)",
        visibility=Visibility.PUBLIC,
        text=GUIDE_V1.format(mark=MARK, name=name),
    )
    services.document_transition(
        document=guide,
        status=DocumentStatus.ADOPTED,
        actor=actor,
        decided_by="Jugendhilfeausschuss",
        decided_on=today - dt.timedelta(days=400 + 30 * index),
    )
    services.document_update(
        document=guide, actor=actor, next_review_on=today + dt.timedelta(days=20 + 60 * index)
    )
    services.version_add(
        document=guide,
        actor=actor,
        text=GUIDE_V1.format(mark=MARK, name=name) + GUIDE_V2_EXTRA,
        note="Rückmeldung an meldende Fachkräfte ergänzt (§ 4 Abs. 4 KKG)",
    )
    handover = services.document_create(
        municipality=municipality,
        actor=actor,
        title=f"Übergabevereinbarung Cluster – {name} (Demo)",
        kind=DocumentKind.HANDOVER,
        owner="Jugendamt, Allgemeiner Sozialer Dienst (Demo)",
        visibility=Visibility.CLUSTER,
        text=HANDOVER.format(mark=MARK, name=name),
    )
    services.document_transition(
        document=handover,
        status=DocumentStatus.ADOPTED,
        actor=actor,
        decided_by="Amtsleitung Jugendamt",
        decided_on=today - dt.timedelta(days=200),
    )
    mission = services.document_create(
        municipality=municipality,
        actor=actor,
        title=f"Leitbild Kinderschutz {name} (Demo)",
        kind=DocumentKind.MISSION,
        owner="Netzwerk Kinderschutz (Demo)",
        visibility=Visibility.PUBLIC,
        text=MISSION.format(mark=MARK, name=name),
    )
    services.document_transition(document=mission, status=DocumentStatus.CONSULTATION, actor=actor)
    services.document_create(
        municipality=municipality,
        actor=actor,
        title=f"Verfahrensstandard Hausbesuch {name} (Demo, Entwurf)",
        kind=DocumentKind.PROCEDURE,
        owner="ASD-Teamleitungen (Demo)",
        text=f"{MARK}\n\nHausbesuche bei akuter Gefahr finden zu zweit statt.",
    )
    for term, definition, professions in TERMS:
        services.glossary_term_create(
            municipality=municipality,
            actor=actor,
            term=term,
            definition=definition.format(variant=VARIANTS[index % len(VARIANTS)]),
            source="Qualitätsentwicklungswerkstatt (Demo)",
            professions=professions,
            agreed_on=today - dt.timedelta(days=100 + 10 * index),
        )
    return {"documents": 4, "terms": len(TERMS)}


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    actor = SystemActor("demo_data")
    totals = {"documents": 0, "terms": 0}
    with change_context(AuditSource.CLI), transaction.atomic():
        for index, slug in enumerate(DEMO_SLUGS):
            municipality = Municipality.objects.filter(slug=slug).first()
            if municipality is None:
                continue
            for key, value in _load_municipality(index, municipality, actor).items():
                totals[key] += value
    stdout.write(
        f"  Standards: {totals['documents']} Dokumente, {totals['terms']} Glossarbegriffe "
        "(synthetisch)"
    )
    return {}
