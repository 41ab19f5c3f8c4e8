"""/api/v1/standards and /api/v1/glossary."""

import datetime as dt

from core.services import api_token_create
from standards import services
from standards.choices import DocumentKind, DocumentStatus, Visibility


def _document(muni, actor, title="Leitfaden", visibility=Visibility.PUBLIC, adopt=True):
    document = services.document_create(
        municipality=muni,
        actor=actor,
        title=title,
        kind=DocumentKind.GUIDE,
        owner="Koordination",
        visibility=visibility,
        text="Version eins",
    )
    if adopt:
        services.document_transition(
            document=document,
            status=DocumentStatus.ADOPTED,
            actor=actor,
            decided_by="Jugendhilfeausschuss",
            decided_on=dt.date(2026, 1, 1),
        )
    return document


def test_list_shows_versions_and_hides_drafts_from_the_public(client, coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    services.version_add(document=document, actor=coordinator_a, text="Version zwei", note="zwei")
    _document(muni_a, coordinator_a, title="Entwurf", adopt=False)
    body = client.get("/api/v1/standards").json()
    assert [d["title"] for d in body] == ["Leitfaden"]
    # The undecided version 2 is the commune's business until it is adopted.
    assert [v["number"] for v in body[0]["versions"]] == [1]
    assert (body[0]["status"], body[0]["adopted_version"]) == (DocumentStatus.ADOPTED, 1)
    assert client.get(f"/api/v1/standards/{document.code}").json()["current_text"] == "Version eins"
    _, token = api_token_create(user=coordinator_a, name="t", actor=coordinator_a)
    own = client.get("/api/v1/standards", headers={"Authorization": f"Bearer {token}"}).json()
    leitfaden = next(d for d in own if d["title"] == "Leitfaden")
    assert [v["number"] for v in leitfaden["versions"]] == [2, 1]
    assert leitfaden["versions"][0]["note"] == "zwei"


def test_token_widens_the_view_to_own_drafts(client, coordinator_a, muni_a):
    _document(muni_a, coordinator_a, title="Entwurf", adopt=False)
    _, token = api_token_create(user=coordinator_a, name="test", actor=coordinator_a)
    body = client.get("/api/v1/standards", headers={"Authorization": f"Bearer {token}"}).json()
    assert [d["title"] for d in body] == ["Entwurf"]


def test_detail_returns_current_text_and_404_for_others(client, coordinator_a, muni_a):
    public = _document(muni_a, coordinator_a)
    draft = _document(muni_a, coordinator_a, title="Entwurf", adopt=False)
    response = client.get(f"/api/v1/standards/{public.code}")
    assert response.json()["current_text"] == "Version eins"
    missing = client.get(f"/api/v1/standards/{draft.code}")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert "Version eins" not in missing.content.decode()


def test_search_and_unknown_commune(client, coordinator_a, muni_a):
    _document(muni_a, coordinator_a, title="Übergabevereinbarung")
    assert len(client.get("/api/v1/standards?q=Übergabe").json()) == 1
    assert client.get("/api/v1/standards?q=Hausbesuch").json() == []
    assert client.get("/api/v1/standards?municipality=gibt-es-nicht").status_code == 404


def test_glossary_api(client, coordinator_a, muni_a):
    services.glossary_term_create(
        municipality=muni_a,
        actor=coordinator_a,
        term="Kindeswohl",
        definition="Das Wohl.",
        professions="Jugendhilfe, Schule",
    )
    body = client.get("/api/v1/glossary").json()
    assert body[0]["professions"] == ["Jugendhilfe", "Schule"]
