"""Network pages: isolation between communes, 403 for read-only roles, exports, upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from network.models import Agreement, Contact
from network.tests.factories import AgreementFactory, ContactFactory
from registry.tests.factories import ClusterFactory, InstitutionFactory

PDF = b"%PDF-1.4\n%synthetic\n"


@pytest.fixture
def inst_a(muni_a):
    return InstitutionFactory(
        municipality=muni_a, name="Jugendamt A", institution_type="youth_office"
    )


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name", ["municipality_network", "network_map", "contact_create", "agreement_create"]
)
def test_anonymous_is_sent_to_login(client, muni_a, name):
    response = client.get(reverse(f"network:{name}", args=[muni_a.slug]))
    assert response.status_code == 302
    assert "/anmelden/" in response["Location"]


@pytest.mark.parametrize(
    "name", ["municipality_network", "network_map", "contact_create", "agreement_create"]
)
def test_other_commune_gets_404(client, coordinator_b, muni_a, name):
    response = _login(client, coordinator_b).get(reverse(f"network:{name}", args=[muni_a.slug]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["contact_create", "agreement_create", "working_group_create"])
def test_read_only_member_gets_403_on_writes(client, readonly_a, muni_a, name):
    response = _login(client, readonly_a).get(reverse(f"network:{name}", args=[muni_a.slug]))
    assert response.status_code == 403


def test_network_page_shows_gaps_contacts_and_agreements(
    client, caseworker_a, muni_a, inst_a, django_assert_max_num_queries
):
    ContactFactory(institution=inst_a, name="Demo Fachkraft Intern")
    AgreementFactory(municipality=muni_a, title="Kooperation Polizei").institutions.set([inst_a])
    _login(client, caseworker_a)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("network:municipality_network", args=[muni_a.slug]))
    text = response.content.decode()
    assert "Demo Fachkraft Intern" in text
    assert "Kooperation Polizei" in text
    assert "Krankenhäuser" in text  # a gap
    assert "Ansprechperson hinzufügen" not in text  # caseworkers only read


def test_public_contact_list_hides_private_staff(client, muni_a, inst_a):
    ContactFactory(
        institution=inst_a, name="Demo Beratung Öffentlich", is_public=True, is_insofa=True
    )
    ContactFactory(institution=inst_a, name="Demo Privat", is_public=False, is_insofa=True)
    response = client.get(reverse("network:contact_list", args=[muni_a.slug]) + "?insofa=1")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Demo Beratung Öffentlich" in text
    assert "Demo Privat" not in text


def test_coordinator_adds_contact_through_the_form(client, coordinator_a, muni_a, inst_a):
    response = _login(client, coordinator_a).post(
        reverse("network:contact_create", args=[muni_a.slug]),
        {"institution": inst_a.pk, "name": "Demo Neu", "insofa_specialism": "Sucht"},
    )
    assert response.status_code == 200  # specialism without the flag → inline error
    assert "Schwerpunkt" in response.content.decode()
    response = client.post(
        reverse("network:contact_create", args=[muni_a.slug]),
        {
            "institution": inst_a.pk,
            "name": "Demo Neu",
            "is_insofa": "on",
            "insofa_specialism": "Sucht",
        },
    )
    assert response.status_code == 302
    assert Contact.objects.get(name="Demo Neu").is_insofa


def test_agreement_upload_and_protected_download(
    client, coordinator_a, caseworker_b, muni_a, inst_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _login(client, coordinator_a)
    response = client.post(
        reverse("network:agreement_create", args=[muni_a.slug]),
        {
            "title": "§ 8a-Vereinbarung Träger",
            "kind": "section_8a",
            "institutions": [inst_a.pk],
            "document": SimpleUploadedFile("v.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get()
    url = reverse("network:agreement_document", args=[muni_a.slug, agreement.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    client.force_login(caseworker_b)
    assert client.get(url).status_code == 404


def test_bad_upload_shows_inline_error(client, coordinator_a, muni_a, inst_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _login(client, coordinator_a).post(
        reverse("network:agreement_create", args=[muni_a.slug]),
        {
            "title": "X",
            "kind": "cooperation",
            "institutions": [inst_a.pk],
            "document": SimpleUploadedFile("v.html", b"<html>"),
        },
    )
    assert response.status_code == 200
    assert "Erlaubt sind" in response.content.decode()
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("graphml", "application/xml"), ("csv", "text/csv"), ("dot", "text/vnd.graphviz")],
)
def test_exports(client, caseworker_a, muni_a, inst_a, fmt, content_type):
    response = _login(client, caseworker_a).get(
        reverse("network:network_export", args=[muni_a.slug, fmt])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "Jugendamt A" in response.content.decode()


def test_map_degrades_without_graphviz(client, caseworker_a, muni_a, inst_a, monkeypatch):
    from core.graphviz import GraphvizUnavailable
    from network import views

    def unavailable(source):
        raise GraphvizUnavailable("Graphviz (dot) ist nicht installiert")

    monkeypatch.setattr(views, "dot_to_svg", unavailable)
    response = _login(client, caseworker_a).get(reverse("network:network_map", args=[muni_a.slug]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "nicht installiert" in text
    assert 'id="network-data"' in text
    assert reverse("network:network_export", args=[muni_a.slug, "dot"]) in text


def test_map_renders_svg_when_graphviz_works(client, caseworker_a, muni_a, inst_a, monkeypatch):
    from network import views

    monkeypatch.setattr(views, "dot_to_svg", lambda source: "<svg><text>Jugendamt A</text></svg>")
    response = _login(client, caseworker_a).get(reverse("network:network_map", args=[muni_a.slug]))
    assert "<svg><text>Jugendamt A</text></svg>" in response.content.decode()


def test_cluster_gap_page_is_public(client, muni_a, muni_b):
    cluster = ClusterFactory(number=31, model_municipality=muni_a)
    muni_b.cluster = cluster
    muni_b.save()
    InstitutionFactory(
        municipality=muni_b, name="Klinikum B", institution_type="clinic", workshop_participant=True
    )
    response = client.get(reverse("network:cluster_gaps", args=[31]))
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Stadt Musterstadt A") < text.index("Landkreis Beispiel B")
    assert "Klinikum B" in text


def test_coordinator_edits_institution_address(client, coordinator_a, readonly_a, muni_a, inst_a):
    url = reverse("network:institution_edit", args=[muni_a.slug, inst_a.pk])
    client.force_login(readonly_a)
    assert client.get(url).status_code == 403
    client.force_login(coordinator_a)
    response = client.post(
        url,
        {
            "name": "Jugendamt A",
            "institution_type": "youth_office",
            "street": "Rathausplatz 1",
            "postcode": "53111",
            "city": "Musterstadt",
            "district": "Mitte",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    inst_a.refresh_from_db()
    assert inst_a.street == "Rathausplatz 1"
    create = client.post(
        reverse("network:institution_create", args=[muni_a.slug]),
        {"name": "ASD Nord", "institution_type": "youth_office", "parent": inst_a.pk},
    )
    assert create.status_code == 302
    assert inst_a.departments.get().name == "ASD Nord"


def test_coordinator_moves_the_review_date(client, coordinator_a, coordinator_b, muni_a, inst_a):
    agreement = AgreementFactory(municipality=muni_a, title="Kooperation")
    agreement.institutions.set([inst_a])
    url = reverse("network:agreement_edit", args=[muni_a.slug, agreement.pk])
    client.force_login(coordinator_b)
    assert client.get(url).status_code == 404
    client.force_login(coordinator_a)
    response = client.post(
        url,
        {
            "title": "Kooperation",
            "kind": "cooperation",
            "institutions": [inst_a.pk],
            "next_review_on": "2028-01-15",
        },
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.next_review_on.isoformat() == "2028-01-15"


def test_overview_lists_only_own_communes(
    client, coordinator_a, project_team, muni_a, muni_b, inst_a
):
    client.force_login(coordinator_a)
    text = client.get(reverse("network:overview")).content.decode()
    assert "Stadt Musterstadt A" in text and "Landkreis Beispiel B" not in text
    client.force_login(project_team)
    text = client.get(reverse("network:overview")).content.decode()
    assert "Stadt Musterstadt A" in text  # has institutions
    assert "Landkreis Beispiel B" not in text  # nothing recorded yet
