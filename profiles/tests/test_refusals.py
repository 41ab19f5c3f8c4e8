"""Issue 14 item 6: the profile importer refuses what looks like a damaged file.

A truncated profile, a profile that would rename a commune with its own profile, and a file
of concatenated copies are refused with a clear message, a non-zero exit and nothing
written — unless ``--force --reason "…"``, which is audited.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import AuditEvent
from quality.models import DevelopmentInterest, Outcome, Topic
from registry.models import Cluster, Institution, Municipality
from registry.profile_parser import SEED_PROFILE_DIR

BONN = SEED_PROFILE_DIR / "000_a67e0e16fe20fe3b.txt"


def _state() -> dict[str, object]:
    bonn = Municipality.objects.get(slug="bundesstadt-bonn")
    return {
        "name": bonn.name,
        "interests": list(DevelopmentInterest.objects.filter(municipality=bonn).values("text")),
        "topics": list(Topic.objects.filter(municipality=bonn).values("text")),
        "outcomes": Outcome.objects.filter(municipality=bonn).count(),
        "participants": Institution.objects.filter(
            municipality=bonn, workshop_participant=True
        ).count(),
        "communes": Municipality.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def bonn(db):
    call_command("import_profiles", str(BONN))
    return _state()


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_truncated_profile_is_refused_and_changes_nothing(bonn, tmp_path, capsys):
    text = BONN.read_text(encoding="utf-8")
    truncated = text[: text.index("Qualitätsentwicklungs- interesse")]
    path = _write(tmp_path, "bonn_kurz.txt", truncated)
    capsys.readouterr()
    with pytest.raises(CommandError, match="1 von 1 Dateien nicht importiert"):
        call_command("import_profiles", str(path))
    err = capsys.readouterr().err
    assert "bonn_kurz.txt: abgelehnt, nichts importiert" in err
    assert "Qualitätsentwicklungsinteressen" in err and "Zentrale Themen" in err
    assert "--force" in err
    assert _state() == bonn


def test_same_website_other_title_does_not_rename_the_commune(bonn, tmp_path, capsys):
    text = BONN.read_text(encoding="utf-8").replace("Bundesstadt Bonn", "Stadt Köln")
    path = _write(tmp_path, "koeln.txt", text)
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("import_profiles", str(path))
    err = capsys.readouterr().err
    assert "„Bundesstadt Bonn“" in err and "umbenannt" in err and "„Stadt Köln“" in err
    assert _state() == bonn


def test_concatenated_copies_are_refused(db, tmp_path, capsys):
    path = _write(tmp_path, "bonn_400.txt", "\n".join([BONN.read_text(encoding="utf-8")] * 400))
    with pytest.raises(CommandError):
        call_command("import_profiles", str(path))
    err = capsys.readouterr().err
    assert "400-mal" in err and "aneinandergehängte Kopien" in err
    assert not Municipality.objects.exists()
    assert not Cluster.objects.exists()
    assert not AuditEvent.objects.exists()


def test_force_with_reason_imports_and_is_audited(bonn, tmp_path, capsys):
    text = BONN.read_text(encoding="utf-8")
    path = _write(tmp_path, "bonn_kurz.txt", text[: text.index("Zentrale Themen")])
    with pytest.raises(CommandError, match="Begründung"):
        call_command("import_profiles", str(path), force=True)
    with pytest.raises(CommandError, match="nur zusammen mit --force"):
        call_command("import_profiles", str(path), reason="x")
    assert _state() == bonn
    call_command(
        "import_profiles", str(path), force=True, reason="Profil 2011 ohne Themen, geprüft"
    )
    out = capsys.readouterr().out
    assert "erzwungen" in out
    assert not Topic.objects.filter(municipality__slug="bundesstadt-bonn").exists()
    event = AuditEvent.objects.filter(action="import").latest("pk")
    assert event.reason == "Import erzwungen: Profil 2011 ohne Themen, geprüft"
    assert any("Zentrale Themen" in why for why in event.after["overridden"])
    assert event.source == "cli"


def test_a_commune_named_only_by_others_takes_its_own_profiles_name(db, tmp_path):
    # Lohmar exists only from Bonn's partner list: its own profile may rename it.
    call_command("import_profiles", str(BONN))
    lohmar = Municipality.objects.get(name="Stadt Lohmar")
    text = (
        "PARTNERKOMMUNE\n\nStadt Lohmar im Rhein-Sieg-Kreis\n\nwww.lohmar.de\n\n"
        "BUNDESLAND: NORDRHEIN-WESTFALEN\n\nKINDERSCHUTZCLUSTER 6\n\n"
        "Modellkommune: Bundesstadt Bonn\n\nZentrale Themen\n\n• Frühe Hilfen\n"
    )
    call_command("import_profiles", str(_write(tmp_path, "lohmar.txt", text)))
    lohmar.refresh_from_db()
    assert lohmar.name == "Stadt Lohmar im Rhein-Sieg-Kreis"


def test_absurd_cluster_number_is_a_validation_error(db):
    # The parser already refuses such a line; the service guards callers that build the dict.
    from django.core.exceptions import ValidationError

    from core.permissions import SYSTEM
    from profiles.services import profile_import
    from registry.profile_parser import parse_profile_file

    profile = parse_profile_file(BONN)
    profile["cluster"] = 10**20
    with pytest.raises(ValidationError, match="Clusternummer"):
        profile_import(profile=profile, actor=SYSTEM)
    assert not Municipality.objects.exists()
