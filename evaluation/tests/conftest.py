import pytest

from evaluation.tests.factories import InvitationFactory, RoundFactory


@pytest.fixture
def round_a(muni_a):
    return RoundFactory(municipality=muni_a, title="Selbstevaluation 2026")


@pytest.fixture
def round_b(muni_b):
    return RoundFactory(municipality=muni_b, title="Selbstevaluation B")


@pytest.fixture
def invite(round_a):
    """Make an invitation with a known token: ``invite("tok", "school")``."""

    def make(token: str, institution_type: str = "youth_office", evaluation_round=None):
        return InvitationFactory(
            round=evaluation_round or round_a, token=token, institution_type=institution_type
        )

    return make


FULL = {"coop_a": "4", "coop_b": "5", "err_a": "na"}
