"""The demo loader: two rounds a year apart for two demo communes, idempotent."""

from io import StringIO

from evaluation import demo, selectors
from evaluation.models import FollowUp, Response, Round
from registry.tests.factories import MunicipalityFactory


def test_demo_loads_two_rounds_per_commune_and_runs_twice(db, project_team):
    bonn = MunicipalityFactory(slug="bundesstadt-bonn", name="Bundesstadt Bonn")
    MunicipalityFactory(slug="stadtgemeinde-bremen", name="Stadtgemeinde Bremen")
    demo.load(seed=1, small=True, stdout=StringIO())
    demo.load(seed=1, small=True, stdout=StringIO())
    assert Round.objects.count() == 4
    assert Response.objects.count() == 2 * (12 + 10)
    first, second = Round.objects.filter(municipality=bonn).order_by("opens_on")
    assert (second.opens_on - first.opens_on).days == 365
    trend = selectors.round_trend(user=project_team, evaluation_round=second)
    assert len(trend) == 2 and not trend[1]["suppressed"]
    assert trend[1]["changes"]  # the second round shows change per dimension
    assert FollowUp.objects.filter(round=first).get().outcome is not None
