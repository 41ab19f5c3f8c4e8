"""Framework definitions: the shipped example validates; broken YAML names the line."""

import pytest

from evaluation.frameworks import FrameworkError, builtin_sources, parse_framework
from evaluation.tests.factories import SMALL_FRAMEWORK


def _errors(source: str) -> list[tuple[int | None, str]]:
    with pytest.raises(FrameworkError) as info:
        parse_framework(source)
    return info.value.errors


def test_shipped_example_covers_the_seed_themes_and_is_marked_as_example():
    definition = parse_framework(builtin_sources()[0].read_text(encoding="utf-8"))
    assert definition.example is True
    keys = {d.key for d in definition.dimensions}
    assert {
        "risk_assessment",
        "documentation",
        "cooperation",
        "handover",
        "early_help",
        "families",
        "error_culture",
    } <= keys
    assert [v for v, _label in definition.scale] == [1, 2, 3, 4, 5]
    assert definition.cannot_judge == "kann ich nicht beurteilen"
    # The police are not asked about the Jugendamt's internal hand-over conversations.
    police = {s.key for s in definition.statements("police")}
    youth_office = {s.key for s in definition.statements("youth_office")}
    assert "ho_personal" in youth_office and "ho_personal" not in police
    assert "coop_police" in police and "coop_school" not in police


def test_audiences_and_type_codes_decide_who_is_asked():
    definition = parse_framework(SMALL_FRAMEWORK)
    assert [s.key for s in definition.statements("school")] == ["coop_a", "err_a"]
    assert [s.key for s in definition.statements("free_provider")] == ["coop_a", "coop_b", "err_a"]
    assert [q.key for q in definition.free_text_questions("school")] == ["coop_text", "wish"]


def test_round_trip_through_json_keeps_everything():
    definition = parse_framework(SMALL_FRAMEWORK)
    assert type(definition).from_json(definition.to_json()) == definition


def test_yaml_syntax_error_names_the_line():
    source = SMALL_FRAMEWORK.replace("title: Kooperation", "title: [Kooperation")
    [(line, message)] = _errors(source)
    assert line in (17, 18)  # the unclosed bracket opens on 17, is noticed on 18
    assert "YAML-Syntaxfehler" in message


def test_unknown_institution_type_names_its_line():
    source = SMALL_FRAMEWORK.replace("[youth_office, free_provider]", "[youth_office, zauberer]")
    errors = _errors(source)
    assert errors == [(14, "Unbekannte Einrichtungsart „zauberer“.")]


def test_duplicate_statement_key_points_at_both_lines():
    source = SMALL_FRAMEWORK.replace("key: err_a", "key: coop_a")
    [(line, message)] = _errors(source)
    assert line == 26
    assert "Zeile 19" in message


def test_gap_in_scale_and_missing_label_are_reported_together():
    source = SMALL_FRAMEWORK.replace("{value: 3, label: teils}", "{value: 7}")
    errors = _errors(source)
    lines = {line for line, _message in errors}
    assert lines == {9, 10}  # 7 breaks the run, and so does the 4 after it
    messages = " ".join(m for _line, m in errors)
    assert "lückenlos" in messages and "„label“" in messages


def test_unknown_audience_in_asked_and_unknown_field():
    source = SMALL_FRAMEWORK.replace("asked: [jugendhilfe]", "asked: [gesundheit]").replace(
        "title: Fehlerkultur", "title: Fehlerkultur\n    colour: red"
    )
    errors = dict(_errors(source))
    assert "gesundheit" in errors[20]
    assert "colour" in errors[25]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("", "leer"),
        ("- a\n- b\n", "Zuordnung"),
        ("schema: ksqm-evaluation/1\nkey: x\nversion: eins\n", "ganze Zahl"),
    ],
)
def test_structurally_wrong_documents_are_rejected(source, fragment):
    errors = _errors(source)
    assert any(fragment in message for _line, message in errors)
