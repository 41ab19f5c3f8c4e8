"""Coverage per institution type, and the records of a person and an institution."""

import datetime as dt

import pytest

from registry.tests.factories import InstitutionFactory
from trainings import selectors
from trainings.tests.factories import ParticipationFactory, TrainingFactory

TODAY = dt.date(2026, 12, 6)


def test_coverage_counts_institutions_per_type(muni_a, muni_b):
    kitas = [InstitutionFactory(municipality=muni_a, institution_type="daycare") for _ in range(4)]
    school = InstitutionFactory(municipality=muni_a, institution_type="school")
    bogen = TrainingFactory(
        municipality=muni_a, covers_instrument=True, held_on=dt.date(2026, 3, 1)
    )
    basics = TrainingFactory(municipality=muni_a, held_on=dt.date(2025, 3, 1))
    old = TrainingFactory(municipality=muni_a, covers_instrument=True, held_on=dt.date(2019, 1, 1))
    ParticipationFactory(training=bogen, institution=kitas[0], person_name="P1")
    ParticipationFactory(training=bogen, institution=kitas[0], person_name="P2")
    ParticipationFactory(training=basics, institution=kitas[1], person_name="P3")
    ParticipationFactory(training=old, institution=school, person_name="P4")  # too long ago
    ParticipationFactory(training=basics, institution=kitas[2], person_name="P5", completed=False)
    # Another commune's trainings never count.
    other = TrainingFactory(municipality=muni_b, covers_instrument=True)
    ParticipationFactory(training=other, person_name="Fremd")

    rows = {r.institution_type: r for r in selectors.coverage(municipality=muni_a, today=TODAY)}
    daycare, schools = rows["daycare"], rows["school"]
    assert (daycare.institutions, daycare.trained, daycare.instrument, daycare.persons) == (
        4,
        2,
        1,
        3,
    )
    assert (daycare.trained_share, daycare.instrument_share) == (50, 25)
    assert (schools.institutions, schools.trained, schools.instrument) == (1, 0, 0)
    assert list(rows) == ["school", "daycare"]  # least covered first: plan with it


def test_instrument_trained_lists_only_instrument_trainings(muni_a):
    bogen = TrainingFactory(municipality=muni_a, covers_instrument=True)
    ParticipationFactory(training=bogen, person_name="Geschult")
    ParticipationFactory(training=TrainingFactory(municipality=muni_a), person_name="Andere")
    names = [p.person_name for p in selectors.instrument_trained(municipality=muni_a)]
    assert names == ["Geschult"]


def test_person_record_shows_only_own_participations(muni_a, caseworker_a, caseworker_b):
    own = ParticipationFactory(training__municipality=muni_a, user=caseworker_a)
    ParticipationFactory(training__municipality=muni_a)
    assert list(selectors.person_record(user=caseworker_a)) == [own]
    assert list(selectors.person_record(user=caseworker_b)) == []


@pytest.mark.parametrize("who", ["caseworker_b", "anonymous_user"])
def test_participation_of_another_commune_is_404(who, muni_a, caseworker_b, request):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    user = caseworker_b if who == "caseworker_b" else AnonymousUser()
    participation = ParticipationFactory(training__municipality=muni_a)
    with pytest.raises(Http404):
        selectors.participation_get_for_user(user=user, code=participation.certificate_code)
