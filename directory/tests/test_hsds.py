"""The HSDS 3.0 export validates against the (transcribed) compiled-service schema."""

import datetime as dt
import json

import jsonschema
import pytest
from django.core.management import call_command

from directory import hsds
from directory.hsds_schema import compiled_service_schema, service_list_schema
from directory.models import Service, TaxonomyTerm
from directory.tests.factories import ScheduleFactory, ServiceFactory
from registry.tests.factories import InstitutionFactory

CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def _validate(document, schema):
    jsonschema.Draft202012Validator(schema, format_checker=CHECKER).validate(document)


@pytest.fixture
def full_service(muni_a):
    provider = InstitutionFactory(
        municipality=muni_a,
        name="Demo Familienzentrum",
        institution_type="family_education",
        email="info@example.org",
        website="https://example.org",
    )
    service = ServiceFactory(
        municipality=muni_a,
        provider=provider,
        name="Elterncafé",
        min_age=0,
        max_age=3,
        languages=",ar,de,",
        is_free=False,
        fees_description="2 € je Treffen",
        accessibility="Aufzug vorhanden",
        wheelchair_accessible=True,
        latitude="50.737400",
        longitude="7.098200",
        contact_name="Demo Fachkraft",
        email="cafe@example.org",
        website="https://example.org/cafe",
        target_groups=[TaxonomyTerm.objects.get(slug="kinder-0-3")],
    )
    ScheduleFactory(service=service, weekday="TU", note="nicht in den Ferien")
    return Service.objects.get(pk=service.pk)


def test_full_service_validates_strictly(full_service):
    doc = hsds.service_to_hsds(full_service)
    _validate(doc, compiled_service_schema(strict=True))
    assert doc["organization"]["name"] == "Demo Familienzentrum"
    location = doc["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "53111"
    assert location["latitude"] == pytest.approx(50.7374)
    assert doc["schedules"][0]["byday"] == "TU"
    assert doc["contacts"][0]["phones"][0]["number"] == "0228 000000"
    assert {lang["code"] for lang in doc["languages"]} == {"ar", "de"}
    assert doc["attributes"][0]["taxonomy_term"]["code"] == "kinder-0-3"


def test_minimal_service_validates(muni_a):
    service = ServiceFactory(
        municipality=muni_a,
        provider_name="",
        street="",
        phone="",
        location_name="",
        description="",
    )
    doc = hsds.service_to_hsds(service)
    _validate(doc, compiled_service_schema(strict=True))
    assert doc["service_at_locations"] == []
    assert doc["organization"]["name"] == service.name


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("status"),
        lambda d: d.__setitem__("status", "offen"),
        lambda d: d["organization"].pop("description"),
        lambda d: d["service_at_locations"][0]["location"]["addresses"][0].pop("postal_code"),
        lambda d: d["phones"][0].pop("number"),
        lambda d: d.__setitem__("id", "keine-uuid"),
        lambda d: d.__setitem__("minimum_age", "0"),
        lambda d: d["schedules"][0].__setitem__("freq", "DAILY"),
    ],
)
def test_schema_rejects_broken_documents(full_service, breakage):
    doc = hsds.service_to_hsds(full_service)
    breakage(doc)
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, compiled_service_schema())


def test_strict_schema_catches_misspelt_fields(full_service):
    doc = hsds.service_to_hsds(full_service)
    doc["minimum_age_years"] = 0
    _validate(doc, compiled_service_schema())  # the official rules allow extra fields
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, compiled_service_schema(strict=True))


def test_ids_are_stable_between_exports(full_service):
    assert hsds.service_to_hsds(full_service) == hsds.service_to_hsds(full_service)


def test_export_command_writes_a_valid_array(full_service, muni_b, tmp_path):
    ServiceFactory(municipality=muni_b, name="Angebot B")
    out = tmp_path / "hsds.json"
    call_command(
        "export_directory",
        "--format",
        "hsds",
        "--municipality",
        "musterstadt-a",
        "--output",
        str(out),
    )
    data = json.loads(out.read_text())
    _validate(data, service_list_schema(strict=True))
    assert [d["name"] for d in data] == ["Elterncafé"]


def test_export_command_csv_and_xlsx(full_service, tmp_path):
    from openpyxl import load_workbook

    csv_file = tmp_path / "a.csv"
    call_command("export_directory", "--format", "csv", "--output", str(csv_file))
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("id;Kommune;Name")
    assert "Elterncafé" in text
    xlsx = tmp_path / "a.xlsx"
    call_command("export_directory", "--format", "xlsx", "--output", str(xlsx))
    sheet = load_workbook(xlsx).active
    assert sheet.cell(2, 3).value == "Elterncafé"


def test_assured_date_is_the_confirmation_date(full_service):
    full_service.last_confirmed_on = dt.date(2025, 2, 3)
    assert hsds.service_to_hsds(full_service)["assured_date"] == "2025-02-03"
