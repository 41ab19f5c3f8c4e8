"""Factories for analytics tests: rules, and § 8a procedures made through the cases app."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from analytics.models import ComplianceRule, EventLogUpload
from core.permissions import SystemActor

ACTOR = SystemActor("test")


class ComplianceRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceRule

    name = factory.Sequence(lambda n: f"Regel {n}")
    start_activity = "report_received"
    end_activity = "first_contact"
    deadline_hours = 24


def procedure_with_steps(
    team: Any,
    *,
    received_at: dt.datetime,
    steps: list[tuple[str, float, str]] = (),  # type: ignore[assignment]
    urgency: str = "within_3_days",
) -> Any:
    """A procedure created and documented through the cases services (steps: code, hours
    after the report, acting institution)."""
    from cases import services
    from cases.tests.factories import make_procedure

    procedure = make_procedure(team=team, actor=ACTOR, received_at=received_at, urgency=urgency)
    for code, hours, institution in steps:
        services.procedure_record_step(
            procedure=procedure,
            actor=ACTOR,
            activity_code=code,
            occurred_at=received_at + dt.timedelta(hours=hours),
            institution_name=institution,
            details={"transmitted": "Name, Anschrift"} if code == "handover_sent" else None,
        )
    return procedure


def processed_upload(
    municipality: Any, actor: Any, *, name: str = "Beispiel", content: bytes | None = None
) -> EventLogUpload:
    """An uploaded XES log (the hand-written example unless ``content``), processed now."""
    from analytics import services
    from analytics.tests.logs import EXAMPLE_XES

    return services.event_log_upload_create(
        municipality=municipality,
        name=name,
        uploaded_file=SimpleUploadedFile("log.xes", content or EXAMPLE_XES.encode()),
        actor=actor,
        background=False,
    )
