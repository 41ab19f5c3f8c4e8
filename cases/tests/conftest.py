import pytest

from cases.tests.factories import team_with


@pytest.fixture
def team_a(muni_a, caseworker_a, team_lead_a):
    """Team in commune A with caseworker A and team lead A."""
    return team_with(muni_a, caseworker_a, team_lead_a)


@pytest.fixture
def other_caseworker_a(muni_a):
    """A caseworker of commune A who is NOT in team A."""
    from conftest import _member
    from core.choices import Role

    return _member(muni_a, Role.CASEWORKER, "fachkraft-a-anderes-team")


@pytest.fixture
def team_b(muni_b, caseworker_b):
    return team_with(muni_b, caseworker_b, name="ASD B")
