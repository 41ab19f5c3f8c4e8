"""Pages of the training records: flow for the coordination, 404/403 for others."""

import datetime as dt

from django.urls import reverse

from registry.tests.factories import InstitutionFactory
from trainings.choices import TrainingTopic
from trainings.models import Participation, Training
from trainings.tests.factories import ParticipationFactory, TrainingFactory


def test_coordinator_records_a_training_and_a_participant(client, coordinator_a, muni_a):
    kita = InstitutionFactory(
        municipality=muni_a, name="Kita Sonnenschein", institution_type="daycare"
    )
    client.force_login(coordinator_a)
    response = client.post(
        reverse("trainings:training_create", args=[muni_a.slug]),
        {
            "title": "Schulung zum Bogen",
            "topic": TrainingTopic.RISK_ASSESSMENT,
            "origin": "external",
            "held_on": "2026-10-01",
            "hours": "4",
            "target_groups": ["daycare"],
            "covers_instrument": "on",
        },
    )
    assert response.status_code == 302
    training = Training.objects.get()
    response = client.post(
        reverse("trainings:participation_add", args=[training.code]),
        {"person_name": "Test-Fachkraft", "institution": kita.pk},
    )
    assert response.status_code == 302
    coverage = client.get(reverse("trainings:coverage", args=[muni_a.slug])).content.decode()
    assert "Test-Fachkraft" in coverage
    pdf = client.get(
        reverse("trainings:certificate", args=[Participation.objects.get().certificate_code])
    )
    assert pdf["Content-Type"] == "application/pdf"


def test_invalid_participant_keeps_the_input(client, coordinator_a, muni_a, muni_b):
    training = TrainingFactory(municipality=muni_a)
    foreign = InstitutionFactory(municipality=muni_b)
    client.force_login(coordinator_a)
    response = client.post(
        reverse("trainings:participation_add", args=[training.code]),
        {"person_name": "Getippter Name", "institution": foreign.pk},
    )
    assert response.status_code == 422
    assert "Getippter Name" in response.content.decode()
    assert not Participation.objects.exists()


def test_other_commune_and_reader(client, caseworker_b, readonly_a, muni_a):
    training = TrainingFactory(municipality=muni_a, held_on=dt.date(2026, 1, 1))
    participation = ParticipationFactory(training=training)
    client.force_login(caseworker_b)
    for url in (
        reverse("trainings:training_detail", args=[training.code]),
        reverse("trainings:coverage", args=[muni_a.slug]),
        reverse("trainings:certificate", args=[participation.certificate_code]),
    ):
        assert client.get(url).status_code == 404, url
    assert training.title not in client.get(reverse("trainings:training_list")).content.decode()
    client.force_login(readonly_a)
    assert client.get(reverse("trainings:training_detail", args=[training.code])).status_code == 200
    assert client.get(reverse("trainings:training_edit", args=[training.code])).status_code == 403
    response = client.post(
        reverse("trainings:participation_remove", args=[participation.certificate_code])
    )
    assert response.status_code == 404
    assert Participation.objects.count() == 1


def test_professional_gets_her_own_certificate(client, caseworker_a, muni_a):
    participation = ParticipationFactory(training__municipality=muni_a, user=caseworker_a)
    client.force_login(caseworker_a)
    page = client.get(reverse("trainings:training_list")).content.decode()
    assert "Mein Fortbildungsnachweis" in page
    response = client.get(reverse("trainings:certificate", args=[participation.certificate_code]))
    assert response.status_code == 200
