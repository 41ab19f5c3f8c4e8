"""Demo data: synthetic, repeatable, and enough to show the library and the charts."""

import io

import pytest

from reviews import demo
from reviews.models import CaseReview, Finding, IncidentReport, LibraryItem, Recommendation

pytestmark = pytest.mark.django_db


def test_demo_data_is_synthetic_and_can_run_twice(muni_a, muni_b):
    demo.load(seed=2009, small=True, stdout=io.StringIO())
    assert CaseReview.objects.filter(synthetic=True).count() == 2
    assert set(CaseReview.objects.values_list("municipality", flat=True)) == {muni_a.pk, muni_b.pk}
    assert Finding.objects.count() >= 10
    assert IncidentReport.objects.filter(synthetic=True).count() == 4
    assert LibraryItem.objects.filter(kind="incident").exists()
    assert Recommendation.objects.exclude(outcome=None).count() == 2
    assert all("Demo" in r.title for r in CaseReview.objects.all())
    demo.load(seed=2009, small=True, stdout=io.StringIO())
    assert CaseReview.objects.count() == 2
    assert IncidentReport.objects.count() == 4
