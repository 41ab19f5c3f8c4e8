"""CSV/Excel import: column mapping, row-numbered errors, all-or-nothing, duplicates."""

import io

import pytest
from django.core.exceptions import PermissionDenied

from core.models import AuditEvent
from directory import search, selectors, services
from directory.models import Service
from directory.services import ServiceImportError
from directory.tests.factories import ServiceFactory

HEADER = (
    "Name;Träger;Zielgruppen;Alter von;Alter bis;Sprachen;kostenfrei;PLZ;Stadtteil;"
    "E-Mail;bestätigt am\n"
)


def _rows(text: str) -> list[dict[str, str]]:
    return services.read_table(content=text.encode("utf-8"), filename="angebote.csv")


def test_valid_file_is_imported_and_searchable(coordinator_a, muni_a):
    rows = _rows(
        HEADER
        + "Hebammensprechstunde;Demo Träger;Schwangere und werdende Eltern;;;de, tr;ja;53111;"
        + "Nord;a@example.org;01.02.2026\n"
        + "Krabbelgruppe;Demo Träger;kinder-0-3;0;3;de;nein;53113;Süd;;2026-03-01\n"
    )
    result = services.service_import(
        municipality=muni_a, rows=rows, actor=coordinator_a, source="a.csv"
    )
    assert result.created == 2
    assert result.duplicates == []
    hebamme = Service.objects.get(name="Hebammensprechstunde")
    assert hebamme.language_codes == ["de", "tr"]
    assert hebamme.last_confirmed_on.isoformat() == "2026-02-01"
    assert [t.slug for t in hebamme.target_groups.all()] == ["schwangere"]
    krabbel = Service.objects.get(name="Krabbelgruppe")
    assert (krabbel.min_age, krabbel.max_age, krabbel.is_free) == (0, 3, False)
    assert [
        s.name for s in selectors.service_search(selectors.ServiceFilters(q="Krabbelgruppen"))
    ] == ["Krabbelgruppe"]
    event = AuditEvent.objects.get(action="import")
    assert event.after["created"] == 2
    assert event.municipality_id == muni_a.pk


def test_any_invalid_row_imports_nothing_and_names_every_row(coordinator_a, muni_a):
    rows = _rows(
        HEADER
        + "Gut;Demo;;;;de;ja;53111;;;\n"
        + ";Demo;;;;de;ja;53111;;;\n"  # row 3: name missing
        + "Alter;Demo;;5;2;de;vielleicht;5311;;keine-mail;31.02.2026\n"  # row 4: many errors
        + "Sprache;Demo;Unbekannte Gruppe;;;xx;ja;53111;;;\n"  # row 5
    )
    with pytest.raises(ServiceImportError) as exc:
        services.service_import(municipality=muni_a, rows=rows, actor=coordinator_a)
    errors = exc.value.errors
    assert {row for row, _ in errors} == {3, 4, 5}
    messages = " | ".join(f"{row}: {m}" for row, m in errors)
    assert "3: Name fehlt" in messages
    assert "kleiner" in messages and "ja oder nein" in messages and "fünf Ziffern" in messages
    assert "E-Mail" in messages and "Datum" in messages
    assert "unbekannte Sprache: xx" in messages and "unbekannte Zielgruppe" in messages
    assert not Service.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()


def test_likely_duplicates_are_reported(coordinator_a, muni_a):
    ServiceFactory(municipality=muni_a, name="Elterncafé Nord", postcode="53111")
    rows = _rows(
        HEADER
        + "Elterncafe  Nord;Demo;;;;de;ja;53111;;;\n"
        + "Stillgruppe;Demo;;;;de;ja;53111;;;\n"
        + "Stillgruppe;Demo;;;;de;ja;53111;;;\n"
    )
    result = services.service_import(municipality=muni_a, rows=rows, actor=coordinator_a)
    assert result.created == 3
    assert [row for row, _ in result.duplicates] == [2, 4]
    assert "Zeile 3" in result.duplicates[1][1]


def test_column_mapping_reads_other_headers(coordinator_a, muni_a):
    rows = _rows("Angebot,PLZ\nFamilienpatenschaft,53115\n")
    result = services.service_import(
        municipality=muni_a, rows=rows, actor=coordinator_a, mapping={"name": "Angebot"}
    )
    assert result.created == 1
    assert Service.objects.get().postcode == "53115"


def test_missing_name_column_is_one_clear_error(coordinator_a, muni_a):
    with pytest.raises(ServiceImportError) as exc:
        services.service_import(municipality=muni_a, rows=_rows("Titel\nX\n"), actor=coordinator_a)
    assert exc.value.errors == [(1, "Spalte „Name“ fehlt")]


def test_excel_file(coordinator_a, muni_a):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Alter von", "Alter bis", "kostenfrei"])
    sheet.append(["Babymassage", 0, 1, "ja"])
    sheet.append([None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = services.read_table(content=buffer.getvalue(), filename="a.xlsx")
    assert rows == [{"Name": "Babymassage", "Alter von": "0", "Alter bis": "1", "kostenfrei": "ja"}]
    services.service_import(municipality=muni_a, rows=rows, actor=coordinator_a)
    assert Service.objects.get().max_age == 1


def test_windows_encoded_csv(coordinator_a, muni_a):
    rows = services.read_table(
        content="Name\nSäuglingssprechstunde\n".encode("cp1252"), filename="a.csv"
    )
    assert rows == [{"Name": "Säuglingssprechstunde"}]


def test_import_needs_coordination_of_that_commune(coordinator_b, readonly_a, muni_a):
    rows = _rows(HEADER + "X;Demo;;;;de;ja;53111;;;\n")
    for actor in (coordinator_b, readonly_a):
        with pytest.raises(PermissionDenied):
            services.service_import(municipality=muni_a, rows=rows, actor=actor)
    assert not Service.objects.exists()


def test_export_csv_reimports(coordinator_a, coordinator_b, muni_a, muni_b):
    ServiceFactory(municipality=muni_a, name="Familienbüro", min_age=0, max_age=6)
    text = selectors.export_csv(Service.objects.all())
    result = services.service_import(municipality=muni_b, rows=_rows(text), actor=coordinator_b)
    assert result.created == 1
    copy = Service.objects.get(municipality=muni_b)
    assert (copy.name, copy.min_age, copy.max_age) == ("Familienbüro", 0, 6)
    assert search.words("Familienbüro") == ["familienbüro"]


def test_import_reads_coordinates_with_comma_or_point(coordinator_a, muni_a):
    rows = [
        {"Name": "Krabbelgruppe Nord", "Breitengrad": "50,737123", "Längengrad": "7.0960444"},
        {"Name": "Stillgruppe", "Breitengrad": "nord", "Längengrad": ""},
    ]
    with pytest.raises(services.ServiceImportError) as exc:
        services.service_import(municipality=muni_a, rows=rows, actor=coordinator_a)
    assert exc.value.errors == [(3, "Koordinate „nord“ ist keine Zahl")]
    services.service_import(municipality=muni_a, rows=rows[:1], actor=coordinator_a)
    service = selectors.public_services().get(name="Krabbelgruppe Nord")
    assert (str(service.latitude), str(service.longitude)) == ("50.737123", "7.096044")
