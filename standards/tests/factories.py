"""Factories of the standards library (synthetic texts only)."""

import factory

from registry.tests.factories import MunicipalityFactory
from standards.choices import DocumentKind, DocumentStatus, Visibility
from standards.models import GlossaryTerm, StandardDocument, StandardVersion


class StandardDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardDocument

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Leitfaden Muster {n}")
    kind = DocumentKind.GUIDE
    owner = "Koordination Kinderschutz (Test)"
    status = DocumentStatus.DRAFT
    visibility = Visibility.MUNICIPALITY


class StandardVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardVersion

    document = factory.SubFactory(StandardDocumentFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Synthetischer Testtext."


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    municipality = factory.SubFactory(MunicipalityFactory)
    term = "Kindeswohl"
    key = "kindeswohl"
    definition = "Synthetische Testdefinition."
