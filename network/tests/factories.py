"""Factories of network models (synthetic names only)."""

import datetime as dt

import factory

from network.choices import AgreementKind
from network.models import Agreement, Contact, WorkingGroup
from registry.tests.factories import InstitutionFactory, MunicipalityFactory


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    institution = factory.SubFactory(InstitutionFactory)
    municipality = factory.LazyAttribute(lambda o: o.institution.municipality)
    name = factory.Sequence(lambda n: f"Demo Fachkraft {n}")
    function = "Beratung"
    phone = "0228 000000"
    email = factory.Sequence(lambda n: f"fachkraft{n}@example.org")


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Arbeitskreis Muster {n}")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Kooperationsvereinbarung Muster {n}")
    kind = AgreementKind.COOPERATION
    signed_on = dt.date(2025, 3, 1)
    valid_from = dt.date(2025, 3, 1)
    next_review_on = dt.date(2027, 3, 1)
