"""The four seed profiles through parser, importer, pages and CLI."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import AuditEvent
from quality.models import Outcome
from registry.models import Cluster, Institution, Municipality
from registry.profile_parser import SEED_PROFILE_DIR

SEEDS = SEED_PROFILE_DIR


@pytest.fixture
def seeds_imported(db):
    call_command("import_profiles", str(SEEDS))


def test_import_builds_the_four_clusters(seeds_imported):
    assert sorted(Cluster.objects.values_list("number", flat=True)) == [2, 5, 6, 9]
    models = dict(Cluster.objects.values_list("number", "model_municipality__name"))
    assert models == {
        2: "Stadtgemeinde Bremen",
        5: "Stadt Wolfsburg",
        6: "Bundesstadt Bonn",
        9: "Stadt Bad Kreuznach",
    }
    assert Municipality.objects.filter(project_role="model").count() == 4
    partners = set(
        Municipality.objects.filter(project_role="partner").values_list("name", flat=True)
    )
    assert partners == {
        "Stadt Lohmar",
        "Stadt Meckenheim",
        "Stadt Sankt Augustin",
        "Stadt Ludwigshafen",
        "Landkreis Mainz-Bingen",
        "Altmarkkreis Salzwedel",
        "Landkreis Helmstedt",
        "Stadt Bremerhaven",
        "Stadt Osnabrück",
        "Stadt Nürnberg",
    }
    bonn = Municipality.objects.get(slug="bundesstadt-bonn")
    assert bonn.state.name == "Nordrhein-Westfalen"
    assert bonn.body_kind == "bundesstadt"
    assert Institution.objects.filter(municipality=bonn, workshop_participant=True).count() == 16


def test_wolfsburg_is_one_commune_despite_the_typo(seeds_imported):
    assert Municipality.objects.filter(name__icontains="wolf").count() == 1
    wolfsburg = Municipality.objects.get(name="Stadt Wolfsburg")
    assert wolfsburg.website == "www.wolfsburg.de"


def test_second_import_changes_nothing(seeds_imported, capsys):
    before = (AuditEvent.objects.count(), Outcome.objects.count(), Municipality.objects.count())
    call_command("import_profiles", str(SEEDS))
    assert (
        AuditEvent.objects.count(),
        Outcome.objects.count(),
        Municipality.objects.count(),
    ) == before
    assert capsys.readouterr().out.count("unverändert") == 4


def test_partner_profile_under_another_spelling_merges(seeds_imported, tmp_path, capsys):
    profile = tmp_path / "ludwigshafen.txt"
    profile.write_text(
        "PARTNERKOMMUNE\n\nStadt Ludwigshafen am Rhein\n\nwww.ludwigshafen.de\n\n"
        "BUNDESLAND: RHEINLAND-PFALZ\n\nKINDERSCHUTZCLUSTER 9\n\n"
        "Modellkommune: Stadt Bad Kreuznach\n\nZentrale Themen\n\n• Frühe Hilfen\n",
        encoding="utf-8",
    )
    call_command("import_profiles", str(profile))
    out = capsys.readouterr().out
    assert Municipality.objects.filter(name__icontains="Ludwigshafen").count() == 1
    ludwigshafen = Municipality.objects.get(name__icontains="Ludwigshafen")
    assert ludwigshafen.name == "Stadt Ludwigshafen am Rhein"
    assert ludwigshafen.cluster.number == 9
    assert "Ludwigshafen" in out


def test_bad_files_fail_with_their_name_and_others_still_import(db, tmp_path, capsys):
    empty = tmp_path / "leer.txt"
    empty.write_text("")
    binary = tmp_path / "bild.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    news = tmp_path / "artikel.txt"
    news.write_text("Sie sind hier\n\nKinderschutz-Modellprojekt: 42 Kommunen beteiligen sich\n")
    good = SEEDS / sorted(p.name for p in SEEDS.iterdir())[0]
    with pytest.raises(CommandError, match="4 von 5"):
        call_command(
            "import_profiles",
            str(empty),
            str(binary),
            str(news),
            str(good),
            str(tmp_path / "fehlt.txt"),
        )
    err = capsys.readouterr().err
    for name in ("leer.txt", "bild.txt", "artikel.txt"):
        assert name in err
    assert Municipality.objects.filter(slug="bundesstadt-bonn").exists()


def test_missing_path_is_reported(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_profiles", str(tmp_path / "gibt-es-nicht"))


def test_parse_profiles_prints_json(capsys):
    import json

    call_command("parse_profiles", *[str(p) for p in sorted(SEEDS.glob("*.txt"))])
    data = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in data] == [
        "Bundesstadt Bonn",
        "Stadt Bad Kreuznach",
        "Stadt Wolfsburg",
        "Stadtgemeinde Bremen",
    ]
    assert [d["cluster"] for d in data] == [6, 9, 5, 2]


def test_parse_profiles_fails_on_bad_file(tmp_path, capsys):
    bad = tmp_path / "leer.txt"
    bad.write_text("")
    with pytest.raises(CommandError):
        call_command("parse_profiles", str(bad))
    assert "leer.txt" in capsys.readouterr().err


def test_seed_pages_render(seeds_imported, client):
    body = client.get("/kommunen/bundesstadt-bonn/").content.decode()
    assert "Gefährdungseinschätzungsbogen" in body
    assert "Polizei" in body
    body = client.get("/cluster/2/").content.decode()
    assert "Stadt Nürnberg" in body and "Stadtgemeinde Bremen" in body
    data = client.get("/api/v1/municipalities/stadtgemeinde-bremen").json()
    assert data["topics"][0]["children"][0]["text"] == "Ebene der Fachkraft"
    assert data["cluster"] == 2


def test_demo_data_runs_twice(db, capsys):
    call_command("demo_data", "--small")
    call_command("demo_data", "--small")
    out = capsys.readouterr().out
    assert "koordination-bonn" in out
    assert Municipality.objects.get(slug="bundesstadt-bonn").population.exists()


def test_interests_link_to_similar_items_elsewhere(seeds_imported, client):
    body = client.get("/kommunen/bundesstadt-bonn/").content.decode()
    assert "/qualitaet/aehnlich/interest/" in body
    assert "/qualitaet/aehnlich/topic/" in body
