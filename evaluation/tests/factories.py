"""Factories of evaluation models (synthetic data only)."""

from datetime import date

import factory

from evaluation.choices import RoundKind
from evaluation.frameworks import builtin_sources, parse_framework
from evaluation.models import Framework, Invitation, Round
from evaluation.services import hash_token
from registry.tests.factories import MunicipalityFactory

SMALL_FRAMEWORK = """\
schema: ksqm-evaluation/1
key: klein
version: 1
title: Kleiner Testbogen
scale:
  values:
    - {value: 1, label: gar nicht}
    - {value: 2, label: eher nicht}
    - {value: 3, label: teils}
    - {value: 4, label: eher}
    - {value: 5, label: voll}
  cannot_judge: kann ich nicht beurteilen
audiences:
  jugendhilfe: [youth_office, free_provider]
dimensions:
  - key: coop
    title: Kooperation
    statements:
      - {key: coop_a, text: Wir kennen uns.}
      - {key: coop_b, text: "Rückmeldungen kommen an.", asked: [jugendhilfe]}
    free_text:
      - {key: coop_text, text: "Was hakt?"}
  - key: errors
    title: Fehlerkultur
    statements:
      - {key: err_a, text: Fehler werden besprochen.}
free_text:
  - {key: wish, text: "Was wünschen Sie sich?"}
"""


def framework_json(source: str = SMALL_FRAMEWORK) -> dict:
    return parse_framework(source).to_json()


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ("key", "version")

    key = "klein"
    version = 1
    title = "Kleiner Testbogen"
    source = SMALL_FRAMEWORK
    definition = factory.LazyFunction(framework_json)


def example_framework() -> Framework:
    source = builtin_sources()[0].read_text(encoding="utf-8")
    definition = parse_framework(source)
    return FrameworkFactory(
        key=definition.key,
        version=definition.version,
        title=definition.title,
        source=source,
        definition=definition.to_json(),
        is_example=True,
    )


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    municipality = factory.SubFactory(MunicipalityFactory)
    framework = factory.SubFactory(FrameworkFactory)
    kind = RoundKind.SELF
    title = factory.Sequence(lambda n: f"Selbstevaluation {2024 + n}")
    opens_on = date(2026, 1, 1)
    closes_on = date(2026, 12, 31)
    min_group_size = 3


class InvitationFactory(factory.django.DjangoModelFactory):
    """Pass ``token="…"`` to know the raw link token in a test."""

    class Meta:
        model = Invitation
        exclude = ("token",)

    round = factory.SubFactory(RoundFactory)
    institution_type = "youth_office"
    email = factory.Sequence(lambda n: f"person{n}@example.invalid")
    token = factory.Sequence(lambda n: f"token-{n}")
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
