"""Trainings and participations: state change, audit row, and the refused paths."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.choices import AuditAction
from core.models import AuditEvent
from quality.tests.factories import WorkshopFactory
from registry.tests.factories import InstitutionFactory
from trainings import services
from trainings.choices import TrainingOrigin, TrainingTopic
from trainings.tests.factories import TrainingFactory


def _training(muni, actor, **values):
    defaults = {
        "title": "Schulung zum Bogen",
        "topic": TrainingTopic.RISK_ASSESSMENT,
        "held_on": dt.date(2026, 10, 1),
        "hours": Decimal("4"),
        "target_groups": ["daycare", "school"],
        "covers_instrument": True,
    }
    return services.training_create(municipality=muni, actor=actor, **{**defaults, **values})


def test_create_is_audited(coordinator_a, muni_a):
    training = _training(muni_a, coordinator_a)
    row = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert row.target_repr == "Schulung zum Bogen"
    assert row.after["target_groups"] == ["daycare", "school"]
    assert training.target_group_labels[0] != "daycare"  # shown with its label


def test_unknown_target_group_and_foreign_workshop_are_refused(coordinator_a, muni_a, muni_b):
    with pytest.raises(ValidationError) as exc:
        _training(muni_a, coordinator_a, target_groups=["daycare", "spaceport"])
    assert "spaceport" in str(exc.value.message_dict["target_groups"])
    with pytest.raises(ValidationError) as exc:
        _training(
            muni_a,
            coordinator_a,
            origin=TrainingOrigin.WORKSHOP,
            workshop=WorkshopFactory(municipality=muni_b),
        )
    assert "workshop" in exc.value.message_dict
    with pytest.raises(ValidationError):  # a workshop training names its workshop
        _training(muni_a, coordinator_a, origin=TrainingOrigin.WORKSHOP)


def test_only_the_communes_coordination_may_write(readonly_a, coordinator_b, muni_a):
    for actor in (readonly_a, coordinator_b):
        with pytest.raises(PermissionDenied):
            _training(muni_a, actor)


def test_participation_needs_an_institution_of_the_commune(coordinator_a, muni_a, muni_b):
    training = _training(muni_a, coordinator_a)
    with pytest.raises(ValidationError) as exc:
        services.participation_add(
            training=training,
            actor=coordinator_a,
            person_name="Test-Person",
            institution=InstitutionFactory(municipality=muni_b),
        )
    assert "institution" in exc.value.message_dict
    assert training.participations.count() == 0


def test_participation_is_unique_per_person_and_institution(coordinator_a, muni_a):
    training = _training(muni_a, coordinator_a)
    kita = InstitutionFactory(municipality=muni_a, institution_type="daycare")
    services.participation_add(
        training=training, actor=coordinator_a, person_name="Test  Person", institution=kita
    )
    with pytest.raises(ValidationError):
        services.participation_add(
            training=training, actor=coordinator_a, person_name="Test Person", institution=kita
        )


def test_linked_account_must_belong_to_the_commune(
    coordinator_a, caseworker_a, caseworker_b, muni_a
):
    training = _training(muni_a, coordinator_a)
    kita = InstitutionFactory(municipality=muni_a)
    with pytest.raises(ValidationError):
        services.participation_add(
            training=training,
            actor=coordinator_a,
            person_name="B",
            institution=kita,
            user=caseworker_b,
        )
    participation = services.participation_add(
        training=training, actor=coordinator_a, person_name="A", institution=kita, user=caseworker_a
    )
    assert participation.user == caseworker_a


def test_remove_is_audited_with_the_old_values(coordinator_a, muni_a):
    training = _training(muni_a, coordinator_a)
    participation = services.participation_add(
        training=training,
        actor=coordinator_a,
        person_name="A",
        institution=InstitutionFactory(municipality=muni_a),
    )
    services.participation_remove(participation=participation, actor=coordinator_a, reason="Irrtum")
    row = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert (row.before["person_name"], row.reason) == ("A", "Irrtum")


def test_certificate_is_a_pdf_and_its_issue_is_recorded(coordinator_a, muni_a):
    training = TrainingFactory(municipality=muni_a, title="Datenschutz im Kinderschutz")
    participation = services.participation_add(
        training=training,
        actor=coordinator_a,
        person_name="Test-Fachkraft",
        institution=InstitutionFactory(municipality=muni_a),
    )
    pdf = services.certificate_pdf(participation=participation, actor=coordinator_a)
    assert pdf.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
    participation.completed = False
    with pytest.raises(ValidationError):
        services.certificate_pdf(participation=participation, actor=coordinator_a)
