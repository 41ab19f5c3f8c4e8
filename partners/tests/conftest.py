import pytest

from cases.tests.factories import team_with
from partners.choices import StaffRole
from partners.tests import factories as f


@pytest.fixture
def kita_a(muni_a):
    return f.institution(muni_a, "Kita Sonnenblume A")


@pytest.fixture
def school_a(muni_a):
    return f.institution(muni_a, "Grundschule Am Park A", "school")


@pytest.fixture
def jugendamt_a(muni_a):
    return f.institution(muni_a, "Jugendamt Musterstadt A", "youth_office")


@pytest.fixture
def kita_b(muni_b):
    return f.institution(muni_b, "Kita Regenbogen B")


@pytest.fixture
def kita_staff_a(kita_a):
    return f.staff(kita_a, "kita-fachkraft-a")


@pytest.fixture
def kita_colleague_a(kita_a):
    return f.staff(kita_a, "kita-kollegin-a")


@pytest.fixture
def kita_lead_a(kita_a):
    return f.staff(kita_a, "kita-leitung-a", StaffRole.LEAD)


@pytest.fixture
def school_staff_a(school_a):
    return f.staff(school_a, "schule-fachkraft-a")


@pytest.fixture
def kita_staff_b(kita_b):
    return f.staff(kita_b, "kita-fachkraft-b")


@pytest.fixture
def insofa_user_a(muni_a):
    from conftest import _member
    from core.choices import Role

    return _member(muni_a, Role.INSOFA, "insofa-a")


@pytest.fixture
def insofa_a(muni_a, insofa_user_a):
    member = f.insofa(muni_a, None, name="Frau Insofa A")
    member.user = insofa_user_a
    member.save()
    return member


@pytest.fixture
def other_insofa_a(muni_a):
    return f.insofa(muni_a, "insofa-a-andere", name="Herr Insofa Andere")


@pytest.fixture
def team_a(muni_a, caseworker_a, team_lead_a):
    return team_with(muni_a, caseworker_a, team_lead_a)


@pytest.fixture
def team_b(muni_b, caseworker_b):
    return team_with(muni_b, caseworker_b, name="ASD B")


@pytest.fixture
def signed_a(kita_a, kita_staff_a, kita_lead_a):
    return f.signed_record(kita_a, kita_staff_a, kita_lead_a)
