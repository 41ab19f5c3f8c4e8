"""Demo data: roles, on-call plan and crisis path for each demo commune, repeatable."""

import io

import pytest

from registry.tests.factories import InstitutionFactory, MunicipalityFactory
from roles import demo
from roles.models import EscalationStep, NetworkRole, OnCallSlot

pytestmark = pytest.mark.django_db


def test_demo_roles_can_run_twice(reference_data):
    bonn = MunicipalityFactory(name="Bundesstadt Bonn", slug="bundesstadt-bonn")
    InstitutionFactory(municipality=bonn, name="Jugendamt Demo", institution_type="youth_office")
    demo.load(seed=2009, small=True, stdout=io.StringIO())
    assert NetworkRole.objects.count() == len(demo.ROLES)
    assert NetworkRole.objects.filter(reports_to__isnull=True).count() == 1
    assert OnCallSlot.objects.count() == 4 and EscalationStep.objects.count() == 3
    demo.load(seed=2009, small=True, stdout=io.StringIO())
    assert NetworkRole.objects.count() == len(demo.ROLES)
