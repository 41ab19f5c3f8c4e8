"""The tenancy scenario as fixtures (healthchecks' Alice/Bob idea, STYLE §7.8).

Two communes, A and B, each with people in every role, plus the national project team.
Every isolation test reads like a sentence built from these names.
"""

from __future__ import annotations

import pytest

from core.choices import Role
from core.tests.factories import MembershipFactory, UserFactory
from registry.tests.factories import MunicipalityFactory


@pytest.fixture
def muni_a(db):
    return MunicipalityFactory(name="Stadt Musterstadt A", slug="musterstadt-a")


@pytest.fixture
def muni_b(db):
    return MunicipalityFactory(name="Landkreis Beispiel B", slug="beispiel-b")


def _member(municipality, role: str, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, municipality=municipality, role=role)
    return user


@pytest.fixture
def coordinator_a(muni_a):
    return _member(muni_a, Role.COORDINATOR, "koordination-a")


@pytest.fixture
def caseworker_a(muni_a):
    return _member(muni_a, Role.CASEWORKER, "fachkraft-a")


@pytest.fixture
def team_lead_a(muni_a):
    return _member(muni_a, Role.TEAM_LEAD, "teamleitung-a")


@pytest.fixture
def data_protection_a(muni_a):
    return _member(muni_a, Role.DATA_PROTECTION, "datenschutz-a")


@pytest.fixture
def partner_a(muni_a):
    return _member(muni_a, Role.NETWORK_PARTNER, "netzwerk-a")


@pytest.fixture
def readonly_a(muni_a):
    return _member(muni_a, Role.READER, "lesen-a")


@pytest.fixture
def coordinator_b(muni_b):
    return _member(muni_b, Role.COORDINATOR, "koordination-b")


@pytest.fixture
def caseworker_b(muni_b):
    return _member(muni_b, Role.CASEWORKER, "fachkraft-b")


@pytest.fixture
def project_team(db):
    return _member(None, Role.PROJECT_TEAM, "projektteam")


@pytest.fixture
def platform_admin(db):
    return _member(None, Role.PLATFORM_ADMIN, "plattform-admin")


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
