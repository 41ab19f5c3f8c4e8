"""Demo data: Bonn's own (synthetic) Kita instrument in two versions, so the instrument
pages show versions, a diff and records made with an older version.

Bonn's headline result is a risk-assessment sheet used city-wide across providers (seed
000); the demo text is our own example wording, marked as such, never a real sheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from instruments import services
from instruments.models import Instrument
from registry.models import Municipality

KITA_EXAMPLE = Path(__file__).resolve().parent / "examples" / "beispiel-kita-0-6.yaml"
KEY = "bonn-kita-demo"
ADDED_ITEM = """\
      - key: zahngesundheit
        text: "Zähne und Zahnpflege"
        anchors:
          "1": "Zähne gepflegt, Zahnarztbesuche bekannt."
          "4": "Sichtbar kariöse Zähne mit Schmerzen, keine Behandlung."
"""


def _source(version: int) -> str:
    text = KITA_EXAMPLE.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    text = text.replace("key: beispiel-kita-0-6", f"key: {KEY}").replace(
        title, 'title: "Demo Bonn: trägerübergreifender Beobachtungsbogen Kita (Beispieltext)"'
    )
    if version == 2:
        anchor = "  - key: verhalten\n"
        text = text.replace(anchor, ADDED_ITEM + anchor, 1)
    return text


def load(*, seed: int, small: bool, stdout: Any) -> dict:
    municipality = Municipality.objects.filter(slug="bundesstadt-bonn").first()
    if (
        municipality is None
        or Instrument.objects.filter(municipality=municipality, key=KEY).exists()
    ):
        return {}
    actor = SystemActor("demo_data")
    with change_context(AuditSource.CLI):
        for version, note in ((1, "erste Fassung (Demo)"), (2, "Zahngesundheit ergänzt (Demo)")):
            draft = services.instrument_upload(
                municipality=municipality, actor=actor, source=_source(version)
            )
            services.instrument_publish(
                version=draft,
                actor=actor,
                institution_types=["daycare", "early_help", "family_education"],
                note=note,
            )
    stdout.write("instruments: Bonner Demo-Instrument in 2 Versionen veröffentlicht\n")
    return {}
