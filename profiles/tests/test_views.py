"""Public registry pages and the coordinator's edit and history views."""

import pytest

from core.models import AuditEvent
from quality.models import Outcome
from registry.tests.factories import ClusterFactory, InstitutionFactory, PopulationCountFactory


@pytest.fixture
def profile_a(muni_a):
    cluster = ClusterFactory(number=41, model_municipality=muni_a)
    muni_a.cluster = cluster
    muni_a.project_role = "model"
    muni_a.highlights = "Sehr engagiertes Netzwerk."
    muni_a.save()
    InstitutionFactory(
        municipality=muni_a,
        name="Polizei Musterstadt",
        institution_type="police",
        workshop_participant=True,
    )
    Outcome.objects.create(municipality=muni_a, text="Organigramm Musterstadt", status="achieved")
    PopulationCountFactory(municipality=muni_a, sex="f", count=500)
    PopulationCountFactory(municipality=muni_a, sex="m", count=520)
    return muni_a


def test_home_shows_the_project_at_a_glance(client, profile_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nordrhein-Westfalen" in body
    assert "Kinderschutzcluster 41" in body


def test_municipality_list_filters(client, profile_a, muni_b):
    body = client.get("/kommunen/").content.decode()
    assert "Stadt Musterstadt A" in body and "Landkreis Beispiel B" in body
    body = client.get("/kommunen/?role=model").content.decode()
    assert "Stadt Musterstadt A" in body and "Landkreis Beispiel B" not in body
    body = client.get("/kommunen/?q=beispiel").content.decode()
    assert "Stadt Musterstadt A" not in body and "Landkreis Beispiel B" in body
    body = client.get("/kommunen/?cluster=41").content.decode()
    assert "Landkreis Beispiel B" not in body


def test_municipality_list_htmx_returns_only_the_table(client, profile_a):
    response = client.get("/kommunen/?q=muster", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="municipality-table"' in body
    assert "<html" not in body


def test_municipality_list_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    from registry.tests.factories import MunicipalityFactory

    MunicipalityFactory.create_batch(30)
    with django_assert_max_num_queries(6):
        assert client.get("/kommunen/").status_code == 200


def test_municipality_page_shows_every_section(client, profile_a):
    body = client.get("/kommunen/musterstadt-a/").content.decode()
    for text in (
        "Qualitätsentwicklungsinteressen",
        "Teilnehmende",
        "Polizei Musterstadt",
        "Zentrale Themen",
        "Organigramm Musterstadt",
        "Besonderheiten",
        "Sehr engagiertes Netzwerk.",
        "Altersstruktur",
        "bar-f",
    ):
        assert text in body, text
    assert "Profil bearbeiten" not in body  # anonymous


def test_unknown_municipality_is_404(client, db):
    assert client.get("/kommunen/gibt-es-nicht/").status_code == 404
    assert client.get("/cluster/999/").status_code == 404


def test_cluster_page_shows_members_side_by_side(client, profile_a):
    body = client.get("/cluster/41/").content.decode()
    assert "Stadt Musterstadt A" in body
    assert "Organigramm Musterstadt" in body
    assert client.get("/cluster/").status_code == 200


def test_coordinator_edits_own_profile_with_history(client, coordinator_a, profile_a):
    client.force_login(coordinator_a)
    response = client.post(
        "/kommunen/musterstadt-a/bearbeiten/",
        {
            "body_kind": "stadt",
            "state": "",
            "website": "www.musterstadt.example",
            "highlights": "Neu.",
            "reason": "Aktualisierung",
        },
    )
    assert response.status_code == 302
    profile_a.refresh_from_db()
    assert profile_a.highlights == "Neu."
    event = AuditEvent.objects.get(action="update", target_id=str(profile_a.pk))
    assert event.actor == coordinator_a
    assert event.before["highlights"] == "Sehr engagiertes Netzwerk."
    assert event.after["highlights"] == "Neu."
    assert event.reason == "Aktualisierung"
    history = client.get("/kommunen/musterstadt-a/historie/").content.decode()
    assert "Sehr engagiertes Netzwerk." in history and "Neu." in history


def test_invalid_website_shows_inline_error_and_saves_nothing(client, coordinator_a, profile_a):
    client.force_login(coordinator_a)
    response = client.post(
        "/kommunen/musterstadt-a/bearbeiten/",
        {"body_kind": "stadt", "website": "kein link", "highlights": "X"},
    )
    assert response.status_code == 200
    assert "Bitte eine Webadresse" in response.content.decode()
    profile_a.refresh_from_db()
    assert profile_a.highlights == "Sehr engagiertes Netzwerk."


def test_coordinator_of_other_municipality_gets_403(client, coordinator_b, profile_a):
    client.force_login(coordinator_b)
    assert client.get("/kommunen/musterstadt-a/bearbeiten/").status_code == 403
    assert (
        client.post("/kommunen/musterstadt-a/bearbeiten/", {"body_kind": "stadt"}).status_code
        == 403
    )
    assert client.get("/kommunen/musterstadt-a/historie/").status_code == 403


@pytest.mark.parametrize("fixture", ["readonly_a", "partner_a", "caseworker_a"])
def test_read_only_roles_cannot_edit(client, request, fixture, profile_a):
    client.force_login(request.getfixturevalue(fixture))
    assert (
        client.post("/kommunen/musterstadt-a/bearbeiten/", {"body_kind": "stadt"}).status_code
        == 403
    )


def test_project_team_edits_any_profile(client, project_team, muni_b):
    client.force_login(project_team)
    response = client.post(
        "/kommunen/beispiel-b/bearbeiten/",
        {"body_kind": "landkreis", "website": "", "highlights": ""},
    )
    assert response.status_code == 302


def test_edit_needs_login(client, profile_a):
    response = client.get("/kommunen/musterstadt-a/bearbeiten/")
    assert response.status_code == 302 and "/anmelden/" in response["Location"]


def test_english_translation_is_switchable(client, profile_a):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/kommunen/musterstadt-a/").content.decode()
    assert 'lang="en"' in body
    assert "Participants" in body


def test_outcomes_in_progress_are_not_shown_as_merely_planned(client, profile_a):
    Outcome.objects.create(municipality=profile_a, text="Leitbild Kinderschutz", status="planned")
    Outcome.objects.create(
        municipality=profile_a, text="Gemeinsamer Meldebogen", status="in_progress"
    )
    body = client.get("/kommunen/musterstadt-a/").content.decode()
    item = body[body.index("Gemeinsamer Meldebogen") :]
    assert item[: item.index("</li>")].count("in Umsetzung") == 1
    plain = body[body.index("Leitbild Kinderschutz") :]
    assert "in Umsetzung" not in plain[: plain.index("</li>")]
    assert "in Planung</span></h4>" not in body
    api = client.get("/api/v1/municipalities/musterstadt-a").json()
    assert "status_label" not in str(api)
