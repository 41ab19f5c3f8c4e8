"""The demo data: a year of workshops for the seed clusters, runnable twice."""

import io

from core.permissions import SYSTEM
from profiles.services import profile_import
from quality import demo
from quality.models import Outcome, OutcomeTransition, Registration, Workshop
from quality.tests.test_search import SEED_DIR
from registry.profile_parser import parse_profile_file


def test_demo_data_builds_a_year_and_is_idempotent(db):
    for path in sorted(SEED_DIR.glob("*.txt")):
        profile_import(profile=parse_profile_file(path), actor=SYSTEM)
    demo.load(seed=1, small=True, stdout=io.StringIO())
    workshop = Workshop.objects.get(kind="workshop")
    assert workshop.sessions.filter(status="scheduled").count() >= 6
    assert workshop.sessions.filter(status="cancelled").count() == 1
    assert Registration.objects.filter(attended=True).exists()
    assert OutcomeTransition.objects.exists()
    assert Outcome.objects.exclude(decided_in=None).exists()
    assert Workshop.objects.filter(kind="training").exists()
    assert workshop.seat_quotas.exists()
    assert Registration.objects.exclude(invitation_token=None).filter(status="invited").exists()
    counts = (Workshop.objects.count(), Registration.objects.count(), Outcome.objects.count())
    demo.load(seed=1, small=True, stdout=io.StringIO())
    assert (
        Workshop.objects.count(),
        Registration.objects.count(),
        Outcome.objects.count(),
    ) == counts
