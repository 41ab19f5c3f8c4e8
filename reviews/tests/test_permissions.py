"""Who may do what with reviews and near-miss reports, as a table that reads like a spec."""

import pytest

from reviews import selectors
from reviews.models import CaseReview, IncidentReport
from reviews.tests.factories import CaseReviewFactory, IncidentReportFactory

pytestmark = pytest.mark.django_db

# role fixture → (reads the review, edits it, moderates near-miss reports of commune A)
MATRIX = {
    "coordinator_a": (True, True, True),
    "caseworker_a": (True, False, False),
    "team_lead_a": (True, False, False),
    "project_team": (True, False, False),
    "platform_admin": (True, False, False),
    "data_protection_a": (False, False, False),
    "partner_a": (False, False, False),
    "readonly_a": (False, False, False),
    "coordinator_b": (False, False, False),
    "caseworker_b": (False, False, False),
}


@pytest.mark.parametrize(("who", "expected"), MATRIX.items())
def test_review_permissions(request, muni_a, who, expected):
    user = request.getfixturevalue(who)
    review = CaseReviewFactory(municipality=muni_a)
    report = IncidentReportFactory(municipality=muni_a)
    reads, edits, moderates = expected
    assert CaseReview.objects.visible_to(user).filter(pk=review.pk).exists() is reads
    assert CaseReview.objects.visible_to(user, "change").filter(pk=review.pk).exists() is edits
    queue = selectors.incident_queue_for_user(user=user)
    assert queue.filter(pk=report.pk).exists() is moderates
    # Raw reports are never readable through the generic view scope by non-moderators
    # of another commune.
    if who.endswith("_b"):
        assert not IncidentReport.objects.visible_to(user).filter(pk=report.pk).exists()


def test_anonymous_reads_nothing_but_the_library(anonymous, muni_a):
    CaseReviewFactory(municipality=muni_a)
    IncidentReportFactory(municipality=muni_a)
    assert not CaseReview.objects.visible_to(anonymous).exists()
    assert not selectors.incident_queue_for_user(user=anonymous).exists()
    assert selectors.library_list().count() == 0
