"""Episode import against the real cases app: case team only, read logged, no identifying data."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.tests.factories import make_procedure, team_with
from core.models import AccessLog
from reviews import services
from reviews.tests.factories import CaseReviewFactory

pytestmark = pytest.mark.django_db

IDENTIFYING = ("Sabine", "Mia", "Musterweg", "12345", "0228", "14.05.2019")


@pytest.fixture
def procedure(muni_a, caseworker_a):
    team = team_with(muni_a, caseworker_a)
    procedure = make_procedure(team=team, actor=caseworker_a)
    case_services.procedure_record_step(
        procedure=procedure,
        actor=caseworker_a,
        activity_code="home_visit",
        occurred_at=timezone.now() - dt.timedelta(days=5),
        institution_name="ASD Mitte",
        note="Hausbesuch bei Sabine Muster im Musterweg 1, Tel. 0228 / 12 34 56; Mia schlief.",
    )
    return procedure


def test_case_team_imports_the_timeline_without_identifying_data(
    client, muni_a, caseworker_a, procedure
):
    review = CaseReviewFactory(municipality=muni_a)
    episodes = services.episodes_import_from_procedure(
        review=review, procedure_code=procedure.code, actor=caseworker_a
    )
    assert len(episodes) == procedure.events.count() >= 2
    assert "Hausbesuch" in [e.title for e in episodes]
    visit = next(e for e in episodes if e.activity_code == "home_visit")
    assert visit.institution_label == "ASD Mitte"
    assert visit.what_happened == ""  # case notes are never copied into a review
    for episode in episodes:
        copied = " ".join(
            [episode.title, episode.what_happened, episode.institution_label, episode.known_then]
        )
        for secret in IDENTIFYING:
            assert secret not in copied, (secret, copied)
    review.refresh_from_db()
    assert review.procedure_code == procedure.code
    assert AccessLog.objects.filter(actor=caseworker_a, target_id=str(procedure.pk)).exists()
    # Through the page as well: the caseworker of the team posts the procedure code.
    client.force_login(caseworker_a)
    response = client.post(
        reverse("reviews:episode_import", args=[review.code]),
        {"import-procedure_code": str(procedure.code)},
    )
    assert response.status_code == 302
    assert review.episodes.count() == 2 * len(episodes)


@pytest.mark.parametrize("who", ["coordinator_a", "team_lead_a", "project_team"])
def test_outside_the_case_team_nothing_is_imported(request, muni_a, procedure, who):
    review = CaseReviewFactory(municipality=muni_a)
    with pytest.raises(Http404):
        services.episodes_import_from_procedure(
            review=review, procedure_code=procedure.code, actor=request.getfixturevalue(who)
        )
    assert not review.episodes.exists()
