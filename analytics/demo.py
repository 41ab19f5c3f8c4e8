"""Demo data: one uploaded event log.

The procedures themselves come from the cases app's demo data and the deadlines from each
commune's case policy (one source for due lists and the compliance analysis); analytics
adds a synthetic CSV log from a partner's system (a clinic's Lotsendienst, clearly marked
as generated) so that the upload pages and the analyses of external logs have something
to show. Idempotent: an existing log is kept.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from analytics import services
from analytics.models import EventLogUpload
from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from registry.models import Municipality

DEMO_COMMUNES = (
    "bundesstadt-bonn",
    "stadt-bad-kreuznach",
    "stadt-wolfsburg",
    "stadtgemeinde-bremen",
)


def load(*, seed: int, small: bool, stdout: Any) -> dict:
    """Upload the synthetic partner log (the deadlines come from the case policy)."""
    actor = SystemActor("demo_data")
    with change_context(AuditSource.CLI):
        uploaded = _demo_upload(actor, seed=seed, cases=200 if small else 1_500)
    stdout.write(f"analytics: {uploaded} Protokoll hochgeladen\n")
    return {}


DEMO_LOG_NAME = "Lotsendienst Geburtsklinik (synthetisch)"
# step → [(next step, probability)], hours until the next step (mean)
_LOTSEN_STEPS = {
    "Erstgespräch auf Station": ([("Belastungseinschätzung", 1.0)], 6),
    "Belastungseinschätzung": (
        [
            ("Information Frühe Hilfen", 0.6),
            ("Vermittlung Familienhebamme", 0.3),
            ("Meldung an Jugendamt", 0.1),
        ],
        20,
    ),
    "Information Frühe Hilfen": ([("Abschluss", 1.0)], 48),
    "Vermittlung Familienhebamme": (
        [("Erstbesuch Familienhebamme", 0.85), ("Abschluss", 0.15)],
        96,
    ),
    "Erstbesuch Familienhebamme": ([("Abschluss", 1.0)], 240),
    "Meldung an Jugendamt": ([("Rückmeldung Jugendamt", 0.8), ("Abschluss", 0.2)], 72),
    "Rückmeldung Jugendamt": ([("Abschluss", 1.0)], 24),
}


def _lotsen_csv(cases: int, seed: int) -> bytes:
    """A generated log (semicolon CSV, German dates) — no real people, ids are counters."""
    rng = random.Random(seed)
    start = dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC)  # written without zone, read as UTC
    out = io.StringIO()
    out.write("Fall;Schritt;Zeitpunkt;Stelle\n")
    for number in range(1, cases + 1):
        when = start + dt.timedelta(hours=rng.uniform(0, 24 * 330))
        step = "Erstgespräch auf Station"
        while True:
            place = "Jugendamt" if "Jugendamt" in step else "Geburtsklinik"
            out.write(f"LD-{number:05d};{step};{when:%d.%m.%Y %H:%M};{place}\n")
            if step == "Abschluss":
                break
            choices, mean_hours = _LOTSEN_STEPS[step]
            step = rng.choices([c for c, _ in choices], [p for _, p in choices])[0]
            when += dt.timedelta(hours=rng.expovariate(1 / mean_hours) + 0.5)
    return out.getvalue().encode("utf-8")


def _demo_upload(actor: Any, *, seed: int, cases: int) -> int:
    municipality = Municipality.objects.filter(slug=DEMO_COMMUNES[0]).first()
    if municipality is None or EventLogUpload.objects.filter(name=DEMO_LOG_NAME).exists():
        return 0
    services.event_log_upload_create(
        municipality=municipality,
        name=DEMO_LOG_NAME,
        uploaded_file=SimpleUploadedFile("lotsendienst.csv", _lotsen_csv(cases, seed)),
        column_mapping={
            "case_id": "Fall",
            "activity": "Schritt",
            "timestamp": "Zeitpunkt",
            "institution": "Stelle",
        },
        timestamp_format="%d.%m.%Y %H:%M",
        actor=actor,
        background=False,
    )
    return 1
