"""The Bundesland of partner communes comes from the local gazetteer, not "unbekannt"."""

import pytest

from core.permissions import SystemActor
from registry import gazetteer
from registry.services import municipality_get_or_create


def test_every_commune_of_the_seed_profiles_has_its_land():
    assert gazetteer.state_code_for("Stadt Ludwigshafen") == "RP"  # "am Rhein" dropped
    assert gazetteer.state_code_for("Altmarkkreis Salzwedel") == "ST"
    assert gazetteer.state_code_for("Stadt Nürnberg") == "BY"
    assert gazetteer.state_code_for("Gemeinde Nirgendwo") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [("name\nBonn;NW\n", "line 1"), ("name;state\nBonn;Nordrhein\n", "line 2")],
)
def test_a_malformed_gazetteer_names_the_line(text, message):
    with pytest.raises(ValueError, match=message):
        gazetteer.parse(text)


@pytest.mark.django_db
def test_a_partner_commune_created_from_a_list_gets_its_land(reference_data):
    match = municipality_get_or_create(name="Stadt Osnabrück", actor=SystemActor("test"))
    assert match.created and match.municipality.state.code == "NI"
    unknown = municipality_get_or_create(name="Gemeinde Nirgendwo", actor=SystemActor("test"))
    assert unknown.municipality.state is None
