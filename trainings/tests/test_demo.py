"""Demo data: synthetic trainings for the demo communes, repeatable."""

import io

import pytest

from registry.tests.factories import InstitutionFactory, MunicipalityFactory
from trainings import demo
from trainings.models import Participation, Training

pytestmark = pytest.mark.django_db


def test_demo_trainings_are_synthetic_and_can_run_twice(reference_data):
    bonn = MunicipalityFactory(name="Bundesstadt Bonn", slug="bundesstadt-bonn")
    for n in range(8):
        InstitutionFactory(municipality=bonn, name=f"Kita Demo {n}", institution_type="daycare")
    demo.load(seed=2009, small=True, stdout=io.StringIO())
    assert Training.objects.count() == len(demo.TRAININGS)
    assert Participation.objects.count() == 6 * len(demo.TRAININGS)
    assert all(p.person_name.startswith("Demo-") for p in Participation.objects.all())
    demo.load(seed=2009, small=True, stdout=io.StringIO())
    assert Training.objects.count() == len(demo.TRAININGS)
