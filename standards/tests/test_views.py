"""Pages: public library, coordinator flow, and the other commune's 404/403."""

import datetime as dt

from django.urls import reverse

from core.models import AuditEvent
from standards import services
from standards.choices import DocumentKind, DocumentStatus, Visibility


def _document(muni, actor, **values):
    defaults = {
        "title": "Leitfaden Kinderschutz",
        "kind": DocumentKind.GUIDE,
        "owner": "Koordination",
        "text": "## Schritte\nErstens <script>alert(1)</script> beobachten.",
        "visibility": Visibility.PUBLIC,
    }
    return services.document_create(municipality=muni, actor=actor, **{**defaults, **values})


def _adopt(document, actor):
    return services.document_transition(
        document=document,
        status=DocumentStatus.ADOPTED,
        actor=actor,
        decided_by="Jugendhilfeausschuss",
        decided_on=dt.date(2026, 1, 1),
    )


def test_public_library_lists_adopted_public_documents_only(client, coordinator_a, muni_a):
    _adopt(_document(muni_a, coordinator_a), coordinator_a)
    _document(muni_a, coordinator_a, title="Geheimer Entwurf")
    page = client.get(reverse("standards:document_list"))
    assert page.status_code == 200
    assert "Leitfaden Kinderschutz" in page.content.decode()
    assert "Geheimer Entwurf" not in page.content.decode()


def test_document_text_is_sanitised(client, coordinator_a, muni_a):
    document = _adopt(_document(muni_a, coordinator_a), coordinator_a)
    page = client.get(reverse("standards:document_detail", args=[document.code]))
    body = page.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "<h2>Schritte</h2>" in body


def test_coordinator_creates_publishes_and_versions(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("standards:document_create", args=[muni_a.slug]),
        {
            "title": "Verfahrensstandard Hausbesuch",
            "kind": DocumentKind.PROCEDURE,
            "owner": "ASD",
            "visibility": Visibility.CLUSTER,
            "text": "Zu zweit.",
        },
    )
    assert response.status_code == 302
    document = muni_a.standard_documents.get()
    response = client.post(
        reverse("standards:document_transition", args=[document.code]),
        {"status": DocumentStatus.ADOPTED, "decided_by": "Amtsleitung", "decided_on": "2026-11-02"},
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.ADOPTED
    response = client.post(
        reverse("standards:version_create", args=[document.code]),
        {"text": "Zu zweit, bei Nacht mit Polizei.", "note": "Nachtdienst"},
    )
    assert response.status_code == 302
    compare = client.get(reverse("standards:version_compare", args=[document.code]))
    assert "bei Nacht mit Polizei" in compare.content.decode()
    assert AuditEvent.objects.filter(municipality=muni_a).count() >= 4


def test_invalid_version_keeps_the_typed_text(client, coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    client.force_login(coordinator_a)
    page = client.post(
        reverse("standards:version_create", args=[document.code]),
        {"text": document.versions.get().text, "note": "nichts"},
    )
    assert page.status_code == 200
    assert "unverändert" in page.content.decode()
    assert document.versions.count() == 1


def test_invalid_transition_shows_an_error_and_changes_nothing(client, coordinator_a, muni_a):
    document = _document(muni_a, coordinator_a)
    client.force_login(coordinator_a)
    response = client.post(
        reverse("standards:document_transition", args=[document.code]),
        {"status": DocumentStatus.ADOPTED},
        follow=True,
    )
    assert "beschlossen hat" in response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT


def test_other_commune_gets_403_on_writes_and_404_on_drafts(
    client, coordinator_a, coordinator_b, muni_a
):
    draft = _document(muni_a, coordinator_a, title="Entwurf")
    public = _adopt(_document(muni_a, coordinator_a), coordinator_a)
    client.force_login(coordinator_b)
    assert client.get(reverse("standards:document_detail", args=[draft.code])).status_code == 404
    assert client.get(reverse("standards:document_edit", args=[public.code])).status_code == 403
    assert (
        client.post(
            reverse("standards:version_create", args=[public.code]), {"text": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("standards:document_create", args=[muni_a.slug])).status_code == 404
    assert public.versions.count() == 1


def test_reader_of_the_commune_may_read_but_not_write(client, readonly_a, coordinator_a, muni_a):
    draft = _document(muni_a, coordinator_a, title="Entwurf")
    client.force_login(readonly_a)
    assert client.get(reverse("standards:document_detail", args=[draft.code])).status_code == 200
    assert client.get(reverse("standards:document_create", args=[muni_a.slug])).status_code == 403


def test_glossary_page_and_form(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("standards:glossary_term_create", args=[muni_a.slug]),
        {
            "term": "Kindeswohl",
            "definition": "Das Wohl des Kindes.",
            "visibility": Visibility.PUBLIC,
        },
    )
    assert response.status_code == 302
    client.logout()
    assert "Das Wohl des Kindes." in client.get(reverse("standards:glossary")).content.decode()
