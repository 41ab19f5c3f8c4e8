"""Demo data: default deadline rules for the seed communes.

The procedures themselves come from the cases app's demo data; analytics only adds the
deadlines each demo commune holds itself to, so that the compliance dashboard shows a
picture out of the box. Idempotent: existing rules are kept.
"""

from __future__ import annotations

from typing import Any

from analytics import services
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
    """Install the default compliance rules in every seed commune that exists."""
    actor = SystemActor("demo_data")
    created = 0
    with change_context(AuditSource.CLI):
        for municipality in Municipality.objects.filter(slug__in=DEMO_COMMUNES):
            created += len(
                services.compliance_rules_install_defaults(municipality=municipality, actor=actor)
            )
    stdout.write(f"analytics: {created} Fristregeln angelegt\n")
    return {}
