"""The public search as parents use it: place and distance, map, plain words, exports."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from directory import geo
from directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def located(muni_a, muni_b):
    beuel = geo.centre_of_postcode("53225")
    centre = geo.centre_of_postcode("53111")
    bremen = geo.centre_of_postcode("28195")
    return {
        "beuel": ServiceFactory(
            municipality=muni_a,
            name="Familienhebamme Beuel",
            postcode="53225",
            latitude=beuel[0],
            longitude=beuel[1],
            languages=",de,tr,",
        ),
        "centre": ServiceFactory(
            municipality=muni_a,
            name="Elterncafé Zentrum",
            postcode="53111",
            latitude=centre[0],
            longitude=centre[1],
        ),
        "bremen": ServiceFactory(
            municipality=muni_b,
            name="Elterncafé Bremen",
            postcode="28195",
            latitude=bremen[0],
            longitude=bremen[1],
        ),
    }


def test_postcode_table_is_valid_and_locates_postcodes_addresses_and_districts():
    assert len(geo.places()) > 40
    assert geo.locate("53113").district == "Gronau"
    assert geo.locate("Musterweg 3, 53225 Bonn").district == "Beuel"
    assert geo.locate("bad godesberg").postcode == "53173"
    assert geo.locate("Atlantis") is None
    assert geo.locate("12345") is None
    assert 1.5 < geo.distance_km(50.738, 7.129, 50.726, 7.114) < 1.9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("postcode;place\n", "line 1: header"),
        ("postcode;place;district;latitude;longitude\n5311;Bonn;X;50;7\n", "line 2"),
        ("postcode;place;district;latitude;longitude\n53111;Bonn;X;nord;7\n", "line 2"),
        ("postcode;place;district;latitude;longitude\n\n53111;Bonn;X;95;7\n", "line 3"),
    ],
)
def test_a_bad_postcode_table_names_the_line(text, message):
    with pytest.raises(geo.PostcodeTableError, match=message):
        geo.parse_table(text)


def test_offers_without_coordinates_get_their_postcode_centre(coordinator_a, muni_a):
    from directory import services

    service = services.service_create(
        municipality=muni_a, actor=coordinator_a, name="Stillgruppe", postcode="53173"
    )
    assert (float(service.latitude), float(service.longitude)) == (50.684, 7.157)
    unknown = services.service_create(
        municipality=muni_a, actor=coordinator_a, name="Krabbelgruppe", postcode="99999"
    )
    assert unknown.latitude is None


def test_near_search_on_the_page_orders_by_distance_and_shows_km(client, located):
    url = reverse("directory:service_list")
    text = client.get(url, {"near": "53225", "radius_km": 5}).content.decode()
    assert text.index("Familienhebamme Beuel") < text.index("Elterncafé Zentrum")
    assert "Elterncafé Bremen" not in text
    assert "km entfernt" in text
    assert "im Umkreis von 5 km um 53225 Bonn (Beuel)" in text
    text = client.get(url, {"near": "Atlantis"}).content.decode()
    assert "Diesen Ort kennen wir nicht" in text
    assert "Elterncafé Bremen" in text


def test_map_is_a_static_svg_without_any_tile_server(client, located):
    text = client.get(
        reverse("directory:service_list"), {"near": "53225", "radius_km": 20, "karte": 1}
    ).content.decode()
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.count("<circle") == 2
    assert "http" not in svg.replace('href="/', "")
    assert 'role="img"' in svg


def test_api_uses_the_same_search_with_place_and_synonyms(client, located):
    body = client.get("/api/v1/directory/services", {"near": "53225", "radius_km": 5}).json()
    assert [s["name"] for s in body["items"]] == ["Familienhebamme Beuel", "Elterncafé Zentrum"]
    body = client.get("/api/v1/directory/services", {"q": "midwife"}).json()
    assert [s["name"] for s in body["items"]] == ["Familienhebamme Beuel"]
    assert client.get("/api/v1/directory/services", {"radius_km": 0}).status_code == 422


def test_parents_see_plain_words_and_the_emergency_notice(client, located, muni_a):
    detail = client.get(located["beuel"].get_absolute_url()).content.decode()
    assert "Deutsch, Türkisch" in detail
    assert "HSDS" not in detail
    assert 'href="tel:110"' in detail
    listing = client.get(reverse("directory:service_list")).content.decode()
    assert "HSDS" not in listing and "CSV" not in listing
    assert 'href="tel:110"' in listing
    muni_a.emergency_phone = "0228 77 0000"
    muni_a.save()
    listing = client.get(reverse("directory:service_list"), {"municipality": muni_a.slug})
    assert "tel:0228770000" in listing.content.decode()


def test_the_results_region_has_unique_ids_and_is_replaced_whole(client, located):
    response = client.get(reverse("directory:service_list"), HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert text.count('id="results"') == 1
    assert text.lstrip().startswith('<div id="results">')
    page = client.get(reverse("directory:service_list")).content.decode()
    assert page.count('id="results"') == 1
    assert 'hx-swap="outerHTML"' in page and "submit," in page


def test_excel_csv_has_a_bom_and_xlsx_has_widths_and_frozen_header(client, coordinator_a, located):
    from openpyxl import load_workbook

    client.force_login(coordinator_a)
    url = reverse("directory:service_export", args=["csv"])
    plain = client.get(url).content.decode("utf-8")
    assert not plain.startswith("\ufeff") and plain.startswith("id;Kommune;Name")
    excel = client.get(url, {"excel": "1"}).content.decode("utf-8")
    assert excel.startswith("\ufeffid;Kommune;Name")
    xlsx = client.get(reverse("directory:service_export", args=["xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= len("Familienhebamme Beuel")
    assert sheet.column_dimensions["E"].width <= 60
