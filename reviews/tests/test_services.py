"""Services of case reviews: permissions, audit rows, taxonomy, import, outcome link."""

import datetime as dt
import sys
import types
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from registry.tests.factories import InstitutionFactory
from reviews import services
from reviews.choices import (
    CategoryKind,
    FindingLevel,
    FindingValence,
    ReviewMethod,
    ReviewStatus,
    ReviewTrigger,
)
from reviews.models import ErrorCategory, LibraryItem
from reviews.tests.factories import CaseReviewFactory, EpisodeFactory, FindingFactory, category

pytestmark = pytest.mark.django_db


def _review(muni, actor, **extra):
    return services.review_create(
        municipality=muni,
        title="Fall A 2025",
        trigger=ReviewTrigger.SERIOUS_HARM,
        method=ReviewMethod.SYSTEMIC,
        actor=actor,
        **extra,
    )


def test_the_taxonomy_ships_errors_and_contributing_factors():
    codes = set(ErrorCategory.objects.values_list("code", flat=True))
    for expected in (
        "child-not-seen",
        "four-eyes-not-kept",
        "documentation-gap",
        "information-loss-interface",
        "family-not-involved",
        "unclear-responsibility",
        "workload",
        "missing-knowledge",
    ):
        assert expected in codes
    kinds = set(ErrorCategory.objects.values_list("kind", flat=True))
    assert kinds == {CategoryKind.ERROR, CategoryKind.FACTOR}


def test_exactly_the_projects_four_levels():
    # Seed 003: "vier Risiko- und Fehlerebenen im Kinderschutz".
    assert [str(label) for label in FindingLevel.labels] == [
        "Fachkraft",
        "Team",
        "Organisation",
        "interorganisationale Zusammenarbeit",
    ]


def test_coordinator_opens_a_review_with_a_team_of_own_institutions(muni_a, coordinator_a):
    kita = InstitutionFactory(
        municipality=muni_a, name="Kita Sonnenschein", institution_type="daycare"
    )
    asd = InstitutionFactory(municipality=muni_a, name="ASD Mitte")
    review = _review(
        muni_a, coordinator_a, team=[kita, asd], questions="Warum kam die Meldung spät an?"
    )
    assert review.status == ReviewStatus.PLANNED
    assert set(review.team.all()) == {kita, asd}
    event = AuditEvent.objects.get(target_id=str(review.pk), action="create")
    assert event.municipality_id == muni_a.pk
    assert event.after["team"] == [kita.pk, asd.pk] or set(event.after["team"]) == {kita.pk, asd.pk}
    assert event.actor == coordinator_a


def test_review_team_from_another_commune_is_refused(muni_a, muni_b, coordinator_a):
    foreign = InstitutionFactory(municipality=muni_b)
    with pytest.raises(ValidationError):
        _review(muni_a, coordinator_a, team=[foreign])


@pytest.mark.parametrize("who", ["caseworker_a", "readonly_a", "coordinator_b", "project_team"])
def test_only_the_communes_coordination_opens_reviews(request, muni_a, who):
    with pytest.raises(PermissionDenied):
        _review(muni_a, request.getfixturevalue(who))


def test_closing_a_review_sets_the_closing_day_and_audits_the_change(muni_a, coordinator_a):
    review = _review(muni_a, coordinator_a)
    services.review_update(
        review=review, actor=coordinator_a, status=ReviewStatus.CLOSED, reason="Bericht fertig"
    )
    review.refresh_from_db()
    assert review.closed_on is not None
    event = AuditEvent.objects.filter(target_id=str(review.pk), action="update").get()
    assert event.before["status"] == "planned"
    assert event.after["status"] == "closed"
    assert event.reason == "Bericht fertig"


def test_finding_needs_an_active_category_and_the_reviews_episode(muni_a, coordinator_a):
    review = _review(muni_a, coordinator_a)
    other_episode = EpisodeFactory(review=CaseReviewFactory(municipality=muni_a))
    with pytest.raises(ValidationError):
        services.finding_create(
            review=review,
            actor=coordinator_a,
            level=FindingLevel.TEAM,
            category=category(),
            text="x",
            episode=other_episode,
        )
    retired = category("workload")
    retired.is_active = False
    retired.save()
    with pytest.raises(ValidationError):
        services.finding_create(
            review=review,
            actor=coordinator_a,
            level=FindingLevel.ORGANISATION,
            category=retired,
            text="Zu viele Fälle pro Fachkraft.",
        )
    finding = services.finding_create(
        review=review,
        actor=coordinator_a,
        level=FindingLevel.INTERORGANISATIONAL,
        category=category("information-loss-interface"),
        valence=FindingValence.WEAKNESS,
        text="Die Information der Klinik erreichte den ASD nicht.",
    )
    assert AuditEvent.objects.filter(
        target_id=str(finding.pk), action="create", related_id=str(review.pk)
    ).exists()


def test_caseworker_cannot_add_findings(muni_a, caseworker_a):
    review = CaseReviewFactory(municipality=muni_a)
    with pytest.raises(PermissionDenied):
        services.finding_create(
            review=review, actor=caseworker_a, level="team", category=category(), text="x"
        )


def test_publishing_a_finding_refuses_identifying_details_until_confirmed(muni_a, coordinator_a):
    finding = FindingFactory(review=CaseReviewFactory(municipality=muni_a))
    with pytest.raises(ValidationError) as exc:
        services.finding_publish(
            finding=finding,
            actor=coordinator_a,
            public_text="Frau Yilmaz vom ASD rief am 12.03.2024 nicht zurück.",
        )
    assert "Name" in str(exc.value) and "Datum" in str(exc.value)
    assert not LibraryItem.objects.exists()
    item = services.finding_publish(
        finding=finding,
        actor=coordinator_a,
        public_text="Die zuständige Fachkraft rief die meldende Kita nicht zurück.",
    )
    finding.refresh_from_db()
    assert finding.is_published
    assert item.kind == "finding" and item.municipality == muni_a
    assert "kita" in item.search_text
    services.finding_unpublish(finding=finding, actor=coordinator_a)
    assert not LibraryItem.objects.exists()


def test_confirmed_check_publishes_despite_a_false_alarm(muni_a, coordinator_a):
    finding = FindingFactory(review=CaseReviewFactory(municipality=muni_a))
    services.finding_publish(
        finding=finding,
        actor=coordinator_a,
        public_text="Die Leitung (Frau Leitung) war im Urlaub.",
        confirmed=True,
    )
    assert LibraryItem.objects.filter(finding=finding).exists()


def test_recommendation_becomes_a_planned_outcome_of_the_workshop(muni_a, coordinator_a):
    from quality.models import Outcome

    review = _review(muni_a, coordinator_a)
    rec = services.recommendation_create(
        review=review,
        actor=coordinator_a,
        text="Rückmeldung an meldende Kitas binnen einer Woche",
        rationale="§ 4 Abs. 4 KKG",
        due_date=dt.date(2026, 12, 31),
    )
    outcome = services.recommendation_to_outcome(recommendation=rec, actor=coordinator_a)
    rec.refresh_from_db()
    assert rec.outcome_id == outcome.pk
    stored = Outcome.objects.get(pk=outcome.pk)
    assert stored.municipality == muni_a
    assert stored.text == "Rückmeldung an meldende Kitas binnen einer Woche"
    assert stored.status == "planned"
    assert stored.origin_url == review.get_absolute_url()
    assert "Fall A 2025" in stored.origin
    with pytest.raises(ValidationError):
        services.recommendation_to_outcome(recommendation=rec, actor=coordinator_a)


def test_recommendation_of_another_commune_cannot_become_an_outcome(muni_a, coordinator_b):
    review = CaseReviewFactory(municipality=muni_a)
    rec = review.recommendations.create(text="Etwas ändern")
    with pytest.raises(PermissionDenied):
        services.recommendation_to_outcome(recommendation=rec, actor=coordinator_b)


class _FakeEvent:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


def _fake_cases(monkeypatch, events, allowed_users):
    """The cases selector of the contract: only the case team reads; it raises otherwise."""
    calls = []

    def procedure_events_for_review(*, user, code):
        calls.append((user, code))
        if user not in allowed_users:
            from django.http import Http404

            raise Http404("Nicht gefunden.")
        return events

    module = types.ModuleType("cases.selectors")
    module.procedure_events_for_review = procedure_events_for_review
    monkeypatch.setitem(sys.modules, "cases.selectors", module)
    return calls


def test_episodes_are_imported_from_a_procedure_by_its_case_team(
    monkeypatch, muni_a, caseworker_a, team_lead_a
):
    code = uuid.uuid4()
    events = [
        _FakeEvent(
            id=7,
            timestamp=dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC),
            activity_label="Meldung eingegangen",
            activity_code="report_received",
            institution_name="Kita Regenbogen",
            institution_type="daycare",
            note="Kita meldet wiederholt Hunger.",
        ),
        {
            "id": 8,
            "timestamp": dt.datetime(2025, 3, 20, 14, 0, tzinfo=dt.UTC),
            "activity_label": "Hausbesuch",
            "activity_code": "home_visit",
            "institution_name": "ASD Nord",
            "institution_type": "youth_office",
            "note": "",
        },
    ]
    calls = _fake_cases(monkeypatch, events, allowed_users={caseworker_a})
    review = CaseReviewFactory(municipality=muni_a)
    episodes = services.episodes_import_from_procedure(
        review=review, procedure_code=code, actor=caseworker_a
    )
    assert calls == [(caseworker_a, code)]
    assert [e.title for e in episodes] == ["Meldung eingegangen", "Hausbesuch"]
    assert episodes[0].occurred_on == dt.date(2025, 3, 1)
    assert episodes[0].institution_label == "Kita Regenbogen"
    assert episodes[0].what_happened == ""  # notes stay in the case file
    assert all(e.imported for e in episodes)
    review.refresh_from_db()
    assert review.procedure_code == code
    assert AuditEvent.objects.filter(target_id=str(review.pk), action="import").exists()

    # Someone outside the case team gets the selector's 404, and nothing is copied.
    from django.http import Http404

    with pytest.raises(Http404):
        services.episodes_import_from_procedure(
            review=review, procedure_code=code, actor=team_lead_a
        )
    assert review.episodes.count() == 2


def test_import_needs_the_right_to_read_the_review(monkeypatch, muni_a, caseworker_b):
    _fake_cases(monkeypatch, [], allowed_users={caseworker_b})
    with pytest.raises(PermissionDenied):
        services.episodes_import_from_procedure(
            review=CaseReviewFactory(municipality=muni_a),
            procedure_code=uuid.uuid4(),
            actor=caseworker_b,
        )


def test_project_team_edits_the_taxonomy_and_coordinators_cannot(project_team, coordinator_a):
    new = services.error_category_save(
        actor=project_team,
        code="language-barrier",
        label="Sprachbarriere ohne Dolmetschung",
        kind=CategoryKind.FACTOR,
    )
    assert AuditEvent.objects.filter(target_id=str(new.pk), action="create").exists()
    services.error_category_save(
        actor=project_team,
        category=new,
        code="language-barrier",
        label="Sprachbarriere",
        kind=CategoryKind.FACTOR,
        is_active=False,
    )
    new.refresh_from_db()
    assert new.label == "Sprachbarriere" and not new.is_active
    with pytest.raises(PermissionDenied):
        services.error_category_save(
            actor=coordinator_a, code="x", label="x", kind=CategoryKind.ERROR
        )
