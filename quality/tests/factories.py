"""Factories of quality models (synthetic names only)."""

from datetime import timedelta

import factory
from django.utils import timezone

from quality.models import Outcome, Registration, Workshop, WorkshopSession
from registry.tests.factories import MunicipalityFactory


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Qualitätsentwicklungswerkstatt Muster {n}")
    default_place = "Rathaus Musterstadt, Saal 1"


class WorkshopSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopSession

    workshop = factory.SubFactory(WorkshopFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    place = "Rathaus Musterstadt, Saal 1"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(WorkshopSessionFactory)
    name = factory.Sequence(lambda n: f"Demo Fachkraft {n}")
    email = factory.Sequence(lambda n: f"fachkraft{n}@example.invalid")
    status = "registered"
    queued_at = factory.LazyFunction(timezone.now)


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    municipality = factory.SubFactory(MunicipalityFactory)
    text = factory.Sequence(lambda n: f"Kooperationsvereinbarung Muster {n}")
