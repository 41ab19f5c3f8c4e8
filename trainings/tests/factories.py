"""Factories of the training records (synthetic names only)."""

import datetime as dt
from decimal import Decimal

import factory

from registry.tests.factories import InstitutionFactory, MunicipalityFactory
from trainings.choices import TrainingTopic
from trainings.models import Participation, Training


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Fortbildung Muster {n}")
    topic = TrainingTopic.CHILD_PROTECTION
    held_on = dt.date(2026, 5, 1)
    hours = Decimal("4.0")


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    training = factory.SubFactory(TrainingFactory)
    municipality = factory.SelfAttribute("training.municipality")
    institution = factory.SubFactory(
        InstitutionFactory, municipality=factory.SelfAttribute("..municipality")
    )
    person_name = factory.Sequence(lambda n: f"Test-Fachkraft {n}")
