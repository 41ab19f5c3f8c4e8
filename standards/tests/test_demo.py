"""Demo data: synthetic, marked as such, repeatable."""

import io

import pytest

from registry.tests.factories import MunicipalityFactory
from standards import demo
from standards.choices import DocumentStatus
from standards.models import GlossaryTerm, StandardDocument

pytestmark = pytest.mark.django_db


def test_demo_standards_are_synthetic_and_can_run_twice(reference_data):
    MunicipalityFactory(name="Bundesstadt Bonn", slug="bundesstadt-bonn")
    MunicipalityFactory(name="Stadt Wolfsburg", slug="stadt-wolfsburg")
    demo.load(seed=2009, small=True, stdout=io.StringIO())
    assert StandardDocument.objects.count() == 8
    assert GlossaryTerm.objects.count() == 6
    guide = StandardDocument.objects.filter(title__startswith="Leitfaden").first()
    assert (guide.status, guide.adopted_number, guide.versions.count()) == (
        DocumentStatus.ADOPTED,
        1,
        2,
    )
    assert all(
        demo.MARK in v.text for d in StandardDocument.objects.all() for v in d.versions.all()
    )
    demo.load(seed=2009, small=True, stdout=io.StringIO())
    assert StandardDocument.objects.count() == 8
