"""Factories for § 8a procedures (synthetic data only; names like "Familie Muster-A")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from cases import services
from cases.choices import Channel, LivingSituation, ReporterCategory, Sex, Urgency
from cases.models import Team, TeamMembership
from core.permissions import SystemActor


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("municipality", "name")

    name = factory.Sequence(lambda n: f"ASD Team {n}")


def team_with(municipality: Any, *users: Any, name: str = "ASD Mitte") -> Team:
    team = TeamFactory(municipality=municipality, name=name)
    for user in users:
        TeamMembership.objects.get_or_create(team=team, user=user)
    return team


def child_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "sex": Sex.FEMALE,
        "birth_year": 2019,
        "birth_month": 5,
        "living_situation": LivingSituation.SINGLE_PARENT,
        "foreign_origin": False,
        "german_family_language": True,
        "integration_assistance": False,
        "prior_help": False,
    }
    data.update(overrides)
    return data


def make_procedure(
    *, team: Team, actor: Any = None, received_at: dt.datetime | None = None, **kw: Any
) -> Any:
    """A procedure created through the service, as in real use."""
    params = {
        "reporter_category": ReporterCategory.DAYCARE,
        "channel": Channel.PHONE,
        "indications": "Kind kam mehrfach ohne Frühstück und mit unversorgter Wunde in die Kita.",
        "urgency": Urgency.WITHIN_3_DAYS,
        "child": child_data(),
        "persons": [
            {"role": "child", "name": "Mia Muster-A", "birth_date": "2019-05-14"},
            {"role": "mother", "name": "Sabine Muster-A", "address": "Musterweg 1, 12345 Demo"},
        ],
    }
    params.update(kw)
    return services.procedure_create(
        team=team,
        actor=actor or SystemActor("test"),
        received_at=received_at or timezone.now() - dt.timedelta(days=10),
        **params,
    )


def decide(procedure: Any, *, author: Any, signer: Any, result: str = "latent", **kw: Any) -> Any:
    """Run an assessment through to sign-off by a second professional."""
    start = kw.pop("started_at", procedure.received_at + dt.timedelta(days=1))
    assessment = services.risk_assessment_start(
        procedure=procedure, actor=author, occurred_at=start
    )
    services.risk_assessment_update(
        assessment=assessment,
        actor=author,
        result=result,
        kinds=kw.pop("kinds", ["neglect"] if result in ("acute", "latent") else []),
        danger_source=kw.pop("danger_source", "mother" if result in ("acute", "latent") else ""),
        parents_involved=True,
        child_involved=True,
        home_visit=True,
        notes="Synthetische Begründung.",
    )
    return services.risk_assessment_sign_off(
        assessment=assessment, actor=signer, signed_at=kw.pop("signed_at", None)
    )


def intake_post(team: Team, *children: dict[str, str], **overrides: str) -> dict[str, Any]:
    """POST data of the intake form with every statistic field chosen explicitly."""
    data: dict[str, Any] = {
        "team": team.pk,
        "received_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "reporter_category": "school",
        "channel": "phone",
        "indications": "Schüler berichtet von Schlägen.",
        "urgency": "same_day",
        "address": "Demoweg 2",
        "mother_name": "Eva Muster-B",
        "father_name": "",
        "parent_age_group": "27+",
        "foreign_origin": "unknown",
        "german_family_language": "true",
        "prior_help": "false",
    }
    children = children or (
        {
            "name": "Ben Muster-B",
            "birth_date": "2014-03-02",
            "sex": "m",
            "living_situation": "both_parents",
            "integration_assistance": "false",
        },
    )
    data.update(
        {
            "kind-TOTAL_FORMS": str(len(children)),
            "kind-INITIAL_FORMS": "0",
            "kind-MIN_NUM_FORMS": "1",
            "kind-MAX_NUM_FORMS": "12",
        }
    )
    for index, child in enumerate(children):
        for key, value in child.items():
            data[f"kind-{index}-{key}"] = value
    data.update(overrides)
    return data
