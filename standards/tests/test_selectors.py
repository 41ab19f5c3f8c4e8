"""Who reads what: own commune, cluster, public — and search across communes."""

import datetime as dt

import pytest
from django.http import Http404

from registry.tests.factories import ClusterFactory, MunicipalityFactory
from standards import selectors, services
from standards.choices import DocumentKind, DocumentStatus, Visibility


def _adopted(muni, actor, title, visibility, text="Text"):
    document = services.document_create(
        municipality=muni,
        actor=actor,
        title=title,
        kind=DocumentKind.HANDOVER,
        owner="Jugendamt",
        visibility=visibility,
        text=text,
    )
    return services.document_transition(
        document=document,
        status=DocumentStatus.ADOPTED,
        actor=actor,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2026, 1, 1),
    )


@pytest.fixture
def clustered(muni_a, muni_b):
    cluster = ClusterFactory()
    muni_a.cluster = cluster
    muni_a.save()
    muni_b.cluster = cluster
    muni_b.save()
    return cluster


def _titles(user, **kwargs):
    return {d.title for d in selectors.document_list_for_user(user=user, **kwargs)}


def test_visibility_matrix(clustered, coordinator_a, caseworker_b, anonymous, project_team, muni_a):
    _adopted(muni_a, coordinator_a, "Öffentlich", Visibility.PUBLIC)
    _adopted(muni_a, coordinator_a, "Cluster", Visibility.CLUSTER)
    _adopted(muni_a, coordinator_a, "Intern", Visibility.MUNICIPALITY)
    services.document_create(
        municipality=muni_a,
        actor=coordinator_a,
        title="Entwurf öffentlich",
        kind=DocumentKind.GUIDE,
        owner="x",
        visibility=Visibility.PUBLIC,
        text="t",
    )
    outsider = MunicipalityFactory(name="Fern", slug="fern")
    from core.choices import Role
    from core.tests.factories import MembershipFactory, UserFactory

    stranger = UserFactory(username="fremd")
    MembershipFactory(user=stranger, municipality=outsider, role=Role.COORDINATOR)

    everything = {"Öffentlich", "Cluster", "Intern", "Entwurf öffentlich"}
    assert _titles(coordinator_a) == everything
    assert _titles(project_team) == everything
    assert _titles(caseworker_b) == {"Öffentlich", "Cluster"}  # same cluster, no drafts
    assert _titles(stranger) == {"Öffentlich"}
    assert _titles(anonymous) == {"Öffentlich"}


def test_draft_of_another_commune_is_404(muni_a, coordinator_a, caseworker_b):
    draft = services.document_create(
        municipality=muni_a,
        actor=coordinator_a,
        title="Entwurf",
        kind=DocumentKind.GUIDE,
        owner="x",
        visibility=Visibility.PUBLIC,
        text="t",
    )
    with pytest.raises(Http404):
        selectors.document_get_for_user(user=caseworker_b, code=draft.code)
    assert selectors.document_get_for_user(user=coordinator_a, code=draft.code) == draft


def test_search_finds_compounds_and_other_communes(muni_a, muni_b, coordinator_a, coordinator_b):
    _adopted(muni_b, coordinator_b, "Übergabevereinbarung Nord", Visibility.PUBLIC)
    _adopted(muni_a, coordinator_a, "Leitbild", Visibility.PUBLIC, text="Wir schützen Kinder.")
    assert _titles(coordinator_a, query="Übergabe") == {"Übergabevereinbarung Nord"}
    assert _titles(coordinator_a, query="ubergabe") == {"Übergabevereinbarung Nord"}
    assert _titles(coordinator_a, query="schützen") == {"Leitbild"}
    assert _titles(coordinator_a, query="Übergabe Hausbesuch") == set()
    assert _titles(coordinator_b, others_only=True) == {"Leitbild"}


def test_version_diff_marks_added_and_removed_lines(muni_a, coordinator_a):
    document = services.document_create(
        municipality=muni_a,
        actor=coordinator_a,
        title="L",
        kind=DocumentKind.GUIDE,
        owner="x",
        text="eins\nzwei\ndrei",
    )
    services.version_add(document=document, actor=coordinator_a, text="eins\nzwei neu\ndrei\nvier")
    old, new = document.versions.order_by("number")
    diff = [(line.kind, line.text) for line in selectors.version_diff(old, new)]
    assert diff == [
        ("same", "eins"),
        ("removed", "zwei"),
        ("added", "zwei neu"),
        ("same", "drei"),
        ("added", "vier"),
    ]


def test_glossary_comparison_groups_the_same_term(muni_a, muni_b, coordinator_a, coordinator_b):
    services.glossary_term_create(
        municipality=muni_a, actor=coordinator_a, term="Kindeswohl", definition="A-Fassung"
    )
    services.glossary_term_create(
        municipality=muni_b, actor=coordinator_b, term="kindeswohl", definition="B-Fassung"
    )
    services.glossary_term_create(
        municipality=muni_b,
        actor=coordinator_b,
        term="Schutzplan",
        definition="nur B",
        visibility=Visibility.MUNICIPALITY,
    )
    comparison = selectors.glossary_comparison(user=coordinator_a)
    assert [(label.lower(), {t.definition for t in terms}) for label, terms in comparison] == [
        ("kindeswohl", {"A-Fassung", "B-Fassung"})
    ]
    assert "nur B" not in {t.definition for t in selectors.glossary_for_user(user=coordinator_a)}


def test_due_items_list_reviews_for_the_coordination_only(muni_a, coordinator_a, readonly_a):
    today = dt.date(2026, 12, 6)
    document = _adopted(muni_a, coordinator_a, "Leitfaden", Visibility.PUBLIC)
    services.document_update(
        document=document, actor=coordinator_a, next_review_on=today - dt.timedelta(days=1)
    )
    later = _adopted(muni_a, coordinator_a, "Später", Visibility.PUBLIC)
    services.document_update(
        document=later, actor=coordinator_a, next_review_on=today + dt.timedelta(days=90)
    )
    items = selectors.due_items_for_user(user=coordinator_a, today=today)
    assert [(i.kind, i.overdue) for i in items] == [("standard_review", True)]
    assert "Leitfaden" in items[0].title
    assert selectors.due_items_for_user(user=readonly_a, today=today) == []
