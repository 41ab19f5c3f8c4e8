"""Public directory pages (no login), print list, exports and the import page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.models import Service
from directory.tests.factories import ScheduleFactory, ServiceFactory


@pytest.fixture
def offers(muni_a, muni_b):
    a = ServiceFactory(
        municipality=muni_a,
        name="Hebammensprechstunde",
        district="Nord",
        contact_name="Demo Hebamme",
    )
    ScheduleFactory(service=a, weekday="WE")
    ServiceFactory(municipality=muni_b, name="Krabbelgruppe", district="Süd")
    ServiceFactory(municipality=muni_a, name="Eingestellt", status="defunct")
    return a


def test_search_page_is_public_and_filters(client, offers, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("directory:service_list"), {"q": "Hebamme"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Hebammensprechstunde" in text and "Krabbelgruppe" not in text
    assert "Eingestellt" not in client.get(reverse("directory:service_list")).content.decode()


def test_htmx_request_gets_only_the_results(client, offers):
    response = client.get(
        reverse("directory:service_list"),
        {"municipality": "beispiel-b"},
        headers={"HX-Request": "true"},
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="results"')
    assert "Krabbelgruppe" in text and "Hebammensprechstunde" not in text


def test_invalid_filter_values_do_not_break_the_page(client, offers):
    response = client.get(reverse("directory:service_list"), {"age": "abc", "language": "zz"})
    assert response.status_code == 200


def test_detail_shows_contact_and_schedule(client, offers):
    text = client.get(offers.get_absolute_url()).content.decode()
    assert "Demo Hebamme" in text
    assert "Mittwoch 09:00–12:00" in text
    assert "Angaben als aktuell bestätigen" not in text


def test_defunct_offer_detail_is_404(client, offers):
    defunct = Service.objects.get(name="Eingestellt")
    assert client.get(defunct.get_absolute_url()).status_code == 404


def test_print_list(client, offers):
    text = client.get(
        reverse("directory:service_print"), {"municipality": "musterstadt-a"}
    ).content.decode()
    assert "Hebammensprechstunde" in text and "Krabbelgruppe" not in text
    assert "data-print" in text  # the print button (static/js/app.js; CSP forbids onclick)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_public_exports(client, offers, fmt):
    response = client.get(
        reverse("directory:service_export", args=[fmt]), {"municipality": "musterstadt-a"}
    )
    assert response.status_code == 200
    assert f"fruehe-hilfen.{fmt}" in response["Content-Disposition"]
    if fmt == "json":
        assert [s["name"] for s in json.loads(response.content)] == ["Hebammensprechstunde"]


def test_hsds_detail(client, offers):
    data = json.loads(client.get(reverse("directory:service_hsds", args=[offers.code])).content)
    assert data["id"] == str(offers.code)


def test_import_page_shows_row_errors_and_imports_nothing(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    upload = SimpleUploadedFile("a.csv", b"Name;PLZ\nGut;53111\n;53111\n")
    data = {"municipality": muni_a.pk, "file": upload, "col_name": "Name", "col_postcode": "PLZ"}
    text = client.post(reverse("directory:service_import"), data).content.decode()
    assert "Zeile 3: Name fehlt" in text
    assert not Service.objects.exists()


def test_import_page_imports(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    upload = SimpleUploadedFile("a.csv", "Angebot;PLZ\nStillcafé;53111\n".encode())
    data = {"municipality": muni_a.pk, "file": upload, "col_name": "Angebot", "col_postcode": "PLZ"}
    text = client.post(reverse("directory:service_import"), data).content.decode()
    assert "1 Angebot importiert" in text
    assert Service.objects.get().name == "Stillcafé"


def test_import_page_rules(client, coordinator_b, readonly_a, muni_a):
    assert client.get(reverse("directory:service_import")).status_code == 302
    client.force_login(readonly_a)
    assert client.get(reverse("directory:service_import")).status_code == 403
    client.force_login(coordinator_b)
    upload = SimpleUploadedFile("a.csv", b"Name\nX\n")
    response = client.post(
        reverse("directory:service_import"),
        {"municipality": muni_a.pk, "file": upload, "col_name": "Name"},
    )
    assert "Auswahl" in response.content.decode()  # commune A is not a valid choice for B
    assert not Service.objects.exists()


def test_coordinator_creates_and_edits_an_offer(client, coordinator_a, coordinator_b, muni_a):
    from directory.models import TaxonomyTerm

    client.force_login(coordinator_b)
    assert client.get(reverse("directory:service_create", args=[muni_a.slug])).status_code == 403
    client.force_login(coordinator_a)
    listing = client.get(reverse("directory:service_list")).content.decode()
    assert reverse("directory:service_create", args=[muni_a.slug]) in listing
    term = TaxonomyTerm.objects.get(slug="vaeter")
    response = client.post(
        reverse("directory:service_create", args=[muni_a.slug]),
        {
            "name": "Väterfrühstück",
            "target_groups": [term.pk],
            "language_codes": ["de", "tr"],
            "is_free": "on",
            "status": "active",
            "min_age": "4",
            "max_age": "2",
        },
    )
    assert response.status_code == 200  # ages in the wrong order → inline error
    assert "darf nicht kleiner" in response.content.decode()
    assert not Service.objects.exists()
    response = client.post(
        reverse("directory:service_create", args=[muni_a.slug]),
        {
            "name": "Väterfrühstück",
            "target_groups": [term.pk],
            "language_codes": ["de", "tr"],
            "is_free": "on",
            "status": "active",
        },
    )
    service = Service.objects.get(name="Väterfrühstück")
    assert response.status_code == 302
    assert service.language_codes == ["de", "tr"]
    edit = reverse("directory:service_edit", args=[service.code])
    client.post(
        edit, {"name": "Väterfrühstück am Samstag", "status": "active", "language_codes": ["de"]}
    )
    service.refresh_from_db()
    assert service.name == "Väterfrühstück am Samstag"
    client.force_login(coordinator_b)
    assert client.get(edit).status_code == 404
