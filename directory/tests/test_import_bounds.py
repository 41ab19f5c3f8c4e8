"""Hostile import files end in a line-numbered message, never in a server error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import services
from directory.constants import IMPORT_MAX_CELL
from directory.models import Service


def _post(client, user, muni, name, content):
    client.force_login(user)
    data = {
        "municipality": muni.pk,
        "file": SimpleUploadedFile(name, content),
        "col_name": "Name",
        "col_postcode": "PLZ",
    }
    return client.post(reverse("directory:service_import"), data)


def test_file_neither_utf8_nor_cp1252_is_named(client, coordinator_a, muni_a):
    # 0x81 and 0x8d are undefined in Windows-1252 and invalid as UTF-8.
    response = _post(client, coordinator_a, muni_a, "a.csv", b"Name;PLZ\nKita \x81\x8d;53111\n")
    assert response.status_code == 200
    assert "weder UTF-8 noch Windows-1252" in response.content.decode()
    assert not Service.objects.exists()


def test_nine_megabyte_cell_is_refused_with_its_line(client, coordinator_a, muni_a):
    content = b"Name;PLZ\nGut;53111\n" + b"x" * 9_000_000 + b";53111\n"
    response = _post(client, coordinator_a, muni_a, "a.csv", content)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Zeile 3" in text
    assert len(text) < 200_000  # the cell is not echoed
    assert not Service.objects.exists()


def test_overlong_cell_below_the_csv_limit_is_refused_too():
    content = b"Name;PLZ\n" + b"y" * (IMPORT_MAX_CELL + 1) + b";53111\n"
    with pytest.raises(services.ServiceImportError) as caught:
        services.read_table(content=content, filename="a.csv")
    assert caught.value.errors[0][0] == 2
    assert "Name" in caught.value.errors[0][1]


def test_row_limit_is_checked_while_reading(monkeypatch):
    monkeypatch.setattr(services, "IMPORT_MAX_ROWS", 3)
    content = b"Name;PLZ\n" + b"".join(b"K%d;53111\n" % i for i in range(10))
    with pytest.raises(services.ServiceImportError) as caught:
        services.read_table(content=content, filename="a.csv")
    assert caught.value.errors[0][0] == 5  # the fourth data row
