"""Instruments as the commune's own, versioned data: parsing, publishing, diff, pages, API."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEvent
from core.services import api_token_create
from instruments import selectors, services
from instruments.models import Instrument, InstrumentVersion
from instruments.parsing import InstrumentFileError, parse_instrument_file

pytestmark = pytest.mark.django_db

KITA = Path(__file__).resolve().parents[1] / "examples" / "beispiel-kita-0-6.yaml"

GOOD = """\
key: bogen-a
title: "Bogen der Kommune A"
age_bands:
  - {code: "0-3", label: "0 bis 3"}
  - {code: "3-6", label: "3 bis 6"}
scale:
  - {value: 1, label: "gut"}
  - {value: 4, label: "schlecht"}
sections:
  - key: versorgung
    title: "Versorgung"
    items:
      - key: essen
        text: "Ernährung"
        anchors: {"1": "satt", "4": "hungrig"}
      - key: windeln
        text: "Windeln"
        age_bands: ["0-3"]
"""


def test_shipped_examples_are_version_one():
    shipped = {i.key: i for i in Instrument.objects.filter(municipality__isnull=True)}
    assert set(shipped) == {"beispiel-gefaehrdungseinschaetzung", "beispiel-kita-0-6"}
    for instrument in shipped.values():
        assert instrument.example
        assert list(instrument.versions.values_list("number", flat=True)) == [1]
    assert "BEISPIEL-INSTRUMENT" in KITA.read_text(encoding="utf-8")


def test_a_good_file_parses():
    definition = parse_instrument_file(GOOD)
    assert definition["key"] == "bogen-a"
    assert definition["sections"][0]["items"][1]["age_bands"] == ["0-3"]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("key: a\ntitle: [unclosed\n", 3, "begonnen in Zeile 2"),
        (
            GOOD.replace('      - key: essen\n        text: "Ernährung"\n', "      - key: essen\n"),
            13,
            "text",
        ),
        (
            GOOD.replace('{value: 4, label: "schlecht"}', '{value: vier, label: "schlecht"}'),
            8,
            "ganze Zahl",
        ),
        (GOOD.replace('age_bands: ["0-3"]', 'age_bands: ["0-9"]'), 18, "0-9"),
        (GOOD.replace('"4": "hungrig"', '"7": "hungrig"'), 15, "Stufe 7"),
        (GOOD.replace("key: bogen-a", "key: bogen a!"), 1, "key"),
        ("- nur\n- eine Liste\n", 1, "Zuordnung"),
        ("", 1, "leer"),
    ],
)
def test_errors_name_the_line(text, line, fragment):
    with pytest.raises(InstrumentFileError) as exc:
        parse_instrument_file(text)
    first = exc.value.problems[0]
    assert first.line == line, exc.value.problems
    assert fragment in str(exc.value)


def test_upload_publish_and_versions(muni_a, coordinator_a):
    draft = services.instrument_upload(municipality=muni_a, actor=coordinator_a, source=GOOD)
    assert draft.number is None and not draft.is_published
    v1 = services.instrument_publish(
        version=draft, actor=coordinator_a, institution_types=["daycare"]
    )
    assert v1.number == 1
    changed = GOOD.replace('text: "Windeln"', 'text: "Windeln und Wundsein"') + (
        '      - key: kleidung\n        text: "Kleidung"\n'
    )
    v2 = services.instrument_publish(
        version=services.instrument_upload(
            municipality=muni_a, actor=coordinator_a, source=changed
        ),
        actor=coordinator_a,
        institution_types=["daycare"],
        note="Kleidung ergänzt",
    )
    assert v2.number == 2 and v2.instrument_id == v1.instrument_id
    current = selectors.instrument_current_for(
        municipality_id=muni_a.pk, institution_type="daycare"
    )
    assert current == v2
    # The old version still reads the same form.
    old = selectors.instrument_version_definition(
        key="bogen-a", version="1", municipality_id=muni_a.pk
    )
    assert [i.text for i in old.sections[0].items] == ["Ernährung", "Windeln"]
    diff = selectors.version_diff(v1, v2)
    assert [a["key"] for a in diff["added"]] == ["versorgung.kleidung"]
    assert diff["changed"][0]["key"] == "versorgung.windeln"
    assert any(line.startswith("+") and "Kleidung" in line for line in diff["lines"])
    with pytest.raises(ValidationError, match="bereits"):
        services.instrument_publish(version=v2, actor=coordinator_a, institution_types=[])
    assert AuditEvent.objects.filter(target_id=str(v2.pk), action="update").exists()


def test_schools_of_commune_a_keep_the_shipped_example(muni_a, coordinator_a):
    services.instrument_publish(
        version=services.instrument_upload(municipality=muni_a, actor=coordinator_a, source=GOOD),
        actor=coordinator_a,
        institution_types=["daycare"],
    )
    school = selectors.instrument_current_for(municipality_id=muni_a.pk, institution_type="school")
    assert school.instrument.key == "beispiel-gefaehrdungseinschaetzung"


def test_other_commune_and_readers_cannot_upload_or_publish(
    muni_a, coordinator_a, coordinator_b, caseworker_a
):
    with pytest.raises(PermissionDenied):
        services.instrument_upload(municipality=muni_a, actor=caseworker_a, source=GOOD)
    draft = services.instrument_upload(municipality=muni_a, actor=coordinator_a, source=GOOD)
    with pytest.raises(PermissionDenied):
        services.instrument_publish(version=draft, actor=coordinator_b, institution_types=[])
    with pytest.raises(ValidationError):
        services.instrument_publish(
            version=draft, actor=coordinator_a, institution_types=["raumschiff"]
        )


def test_upload_page_shows_line_numbered_errors(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    bad = GOOD.replace('{value: 4, label: "schlecht"}', '{value: vier, label: "schlecht"}')
    response = client.post(
        reverse("instruments:instrument_upload"), {"municipality": muni_a.pk, "source": bad}
    )
    assert response.status_code == 400
    assert "Zeile 8" in response.content.decode()
    assert not InstrumentVersion.objects.filter(instrument__municipality=muni_a).exists()


def test_preview_publish_and_diff_pages(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("instruments:instrument_upload"), {"municipality": muni_a.pk, "source": GOOD}
    )
    draft = InstrumentVersion.objects.get(instrument__municipality=muni_a)
    assert response.status_code == 302
    preview = client.get(reverse("instruments:version_detail", args=[draft.code]) + "?band=0-3")
    assert "Vorschau" in preview.content.decode() and "Windeln" in preview.content.decode()
    band_36 = client.get(reverse("instruments:version_detail", args=[draft.code]) + "?band=3-6")
    assert "Windeln" not in band_36.content.decode()
    client.post(
        reverse("instruments:version_detail", args=[draft.code]), {"institution_types": ["daycare"]}
    )
    draft.refresh_from_db()
    assert draft.number == 1
    second = services.instrument_upload(
        municipality=muni_a, actor=coordinator_a, source=GOOD.replace("Ernährung", "Essen")
    )
    services.instrument_publish(version=second, actor=coordinator_a, institution_types=["daycare"])
    page = client.get(reverse("instruments:version_diff", args=[draft.code, second.code]))
    assert page.status_code == 200 and "Essen" in page.content.decode()


def test_other_commune_gets_404_on_versions_and_drafts(
    client, coordinator_a, coordinator_b, muni_a, caseworker_a
):
    draft = services.instrument_upload(municipality=muni_a, actor=coordinator_a, source=GOOD)
    client.force_login(coordinator_b)
    assert client.get(reverse("instruments:version_detail", args=[draft.code])).status_code == 404
    assert (
        client.get(
            reverse("instruments:instrument_detail", args=[draft.instrument.code])
        ).status_code
        == 404
    )
    # A reader of commune A sees published versions, never drafts.
    client.force_login(caseworker_a)
    assert client.get(reverse("instruments:version_detail", args=[draft.code])).status_code == 404


def test_api_lists_instruments_with_versions(client, coordinator_a, coordinator_b, muni_a):
    services.instrument_publish(
        version=services.instrument_upload(municipality=muni_a, actor=coordinator_a, source=GOOD),
        actor=coordinator_a,
        institution_types=["daycare"],
    )
    _t, raw = api_token_create(user=coordinator_a, name="t", actor=coordinator_a)
    data = client.get("/api/v1/instruments", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    by_key = {i["key"]: i for i in data}
    assert by_key["bogen-a"]["versions"][0]["number"] == 1
    assert by_key["bogen-a"]["versions"][0]["institution_types"] == ["daycare"]
    assert by_key["beispiel-kita-0-6"]["municipality"] is None
    code = by_key["bogen-a"]["code"]
    detail = client.get(
        f"/api/v1/instruments/{code}/versions/1", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert detail.json()["definition"]["key"] == "bogen-a"
    _t, raw_b = api_token_create(user=coordinator_b, name="t", actor=coordinator_b)
    other = client.get("/api/v1/instruments", HTTP_AUTHORIZATION=f"Bearer {raw_b}").json()
    assert "bogen-a" not in {i["key"] for i in other}
    assert (
        client.get(f"/api/v1/instruments/{code}", HTTP_AUTHORIZATION=f"Bearer {raw_b}").status_code
        == 404
    )
    assert client.get("/api/v1/instruments").status_code == 401


def test_jugendamt_assessment_keeps_its_version_forever(muni_a, coordinator_a, caseworker_a):
    from django.utils import timezone

    from cases import services as case_services
    from cases.tests.factories import child_data, make_procedure, team_with

    team = team_with(muni_a, caseworker_a)
    toddler = child_data(birth_year=timezone.localdate().year - 2, birth_month=1)
    procedure = make_procedure(team=team, actor=caseworker_a, child=toddler)
    services.instrument_publish(
        version=services.instrument_upload(municipality=muni_a, actor=coordinator_a, source=GOOD),
        actor=coordinator_a,
        institution_types=["youth_office"],
    )
    assessment = case_services.risk_assessment_start(
        procedure=procedure, actor=caseworker_a, occurred_at=procedure.received_at
    )
    assert (assessment.instrument_key, assessment.instrument_version) == ("bogen-a", "1")
    # Version 2 drops the item; the draft made with version 1 still accepts it.
    services.instrument_publish(
        version=services.instrument_upload(
            municipality=muni_a,
            actor=coordinator_a,
            source=GOOD.replace(
                '      - key: essen\n        text: "Ernährung"\n'
                '        anchors: {"1": "satt", "4": "hungrig"}\n',
                "",
            ),
        ),
        actor=coordinator_a,
        institution_types=["youth_office"],
    )
    assessment.procedure = procedure
    updated = case_services.risk_assessment_update(
        assessment=assessment, actor=caseworker_a, answers={"versorgung.essen": 4}
    )
    assert updated.answers == {"versorgung.essen": 4}


def test_demo_publishes_two_versions_for_bonn():
    import io

    from instruments import demo
    from registry.tests.factories import MunicipalityFactory

    bonn = MunicipalityFactory(slug="bundesstadt-bonn", name="Bundesstadt Bonn")
    demo.load(seed=1, small=True, stdout=io.StringIO())
    demo.load(seed=1, small=True, stdout=io.StringIO())
    instrument = Instrument.objects.get(municipality=bonn)
    assert sorted(instrument.versions.values_list("number", flat=True)) == [1, 2]
    v1, v2 = instrument.versions.order_by("number")
    assert [a["key"] for a in selectors.version_diff(v1, v2)["added"]] == [
        "gesundheit.zahngesundheit"
    ]
    current = selectors.instrument_current_for(municipality_id=bonn.pk, institution_type="daycare")
    assert current == v2
