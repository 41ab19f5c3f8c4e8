"""Issue 16: one child across procedures — keyed blind index, confirmed links, siblings."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases import person_index, selectors, services
from cases.models import IndexedPerson, Procedure
from cases.tests.factories import make_procedure
from core import crypto
from core.models import AccessLog

pytestmark = pytest.mark.django_db


def _report(team, actor, name="Mia Muster-A", birth="2019-05-14", days_ago=10, **kw):
    return make_procedure(
        team=team,
        actor=actor,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        persons=[{"role": "child", "name": name, "birth_date": birth}],
        **kw,
    )


def test_normalisation_ignores_case_umlauts_order_and_hyphens():
    assert person_index.normalise_name("Müller-Lüdenscheidt, Lea") == person_index.normalise_name(
        "lea MUELLER luedenscheidt"
    )
    assert person_index.normalise_name("Zoë") == person_index.normalise_name("zoe")
    assert person_index.normalise_name("Lea Meier") != person_index.normalise_name("Lea Maier")


def test_blind_index_depends_on_commune_and_key():
    a = person_index.blind_index(municipality_id=1, name="Mia Muster", birth_date="2019-05-14")
    assert len(a) == 64
    assert a != person_index.blind_index(
        municipality_id=2, name="Mia Muster", birth_date="2019-05-14"
    )
    assert a != person_index.blind_index(
        municipality_id=1, name="Mia Muster", birth_date="2019-05-15"
    )
    with override_settings(FIELD_ENCRYPTION_KEY=crypto.generate_key()):
        assert a != person_index.blind_index(
            municipality_id=1, name="Mia Muster", birth_date="2019-05-14"
        )


def test_earlier_procedure_is_offered_and_linked_only_on_confirmation(team_a, caseworker_a, client):
    first = _report(team_a, caseworker_a, days_ago=200)
    services.procedure_link_child(procedure=first, actor=caseworker_a)
    first.refresh_from_db()
    second = _report(team_a, caseworker_a, name="muster-a, MIA", days_ago=3)
    second.refresh_from_db()
    assert second.indexed_child is None  # never automatic
    candidates = selectors.person_index_candidates(user=caseworker_a, procedure=second)
    assert [c["person"] for c in candidates] == [first.indexed_child]
    assert [p.file_number for p in candidates[0]["procedures"]] == [first.file_number]
    # The index read is logged like a case read.
    assert AccessLog.objects.filter(
        target_type__model="indexedperson", target_id=str(first.indexed_child.pk)
    ).exists()
    client.force_login(caseworker_a)
    page = client.get(second.get_absolute_url()).content.decode()
    assert first.file_number in page and 'id="index-candidates"' in page
    response = client.post(
        reverse("cases:procedure_link_child", args=[second.code]),
        {"person": str(first.indexed_child.code)},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.indexed_child == first.indexed_child


@time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC))
def test_repeated_report_is_derived_from_the_links(team_a, caseworker_a):
    # A fixed mid-year day: two reports fit into the current year on every date the suite runs.
    now = timezone.localtime()
    days_into_year = (now.date() - now.date().replace(month=1, day=1)).days
    early = _report(team_a, caseworker_a, days_ago=days_into_year - 1)
    late = _report(team_a, caseworker_a, days_ago=1)
    last_year = _report(team_a, caseworker_a, days_ago=days_into_year + 30)
    person = services.procedure_link_child(procedure=late, actor=caseworker_a)
    services.procedure_link_child(procedure=last_year, actor=caseworker_a, person=person)
    services.procedure_link_child(procedure=early, actor=caseworker_a, person=person)
    flags = {
        p.pk: p.repeated_report
        for p in Procedure.objects.filter(pk__in=[early.pk, late.pk, last_year.pk])
    }
    assert flags == {early.pk: False, late.pk: True, last_year.pk: False}


def test_link_refused_without_identity_for_a_non_match_and_twice(
    team_a, caseworker_a, team_b, caseworker_b
):
    anonymous = make_procedure(team=team_a, actor=caseworker_a, persons=[])
    with pytest.raises(ValidationError, match="Name und Geburtsdatum"):
        services.procedure_link_child(procedure=anonymous, actor=caseworker_a)
    mia = _report(team_a, caseworker_a)
    ben = _report(team_a, caseworker_a, name="Ben Anders-A", birth="2016-01-01")
    person = services.procedure_link_child(procedure=mia, actor=caseworker_a)
    with pytest.raises(ValidationError, match="passt nicht"):
        services.procedure_link_child(procedure=ben, actor=caseworker_a, person=person)
    with pytest.raises(ValidationError, match="bereits"):
        services.procedure_link_child(procedure=mia, actor=caseworker_a)
    # The same name and birth date in commune B is another person: no cross-commune match.
    b = _report(team_b, caseworker_b)
    assert selectors.person_index_candidates(user=caseworker_b, procedure=b) == []
    with pytest.raises(ValidationError):
        services.procedure_link_child(procedure=b, actor=caseworker_b, person=person)


def test_no_plaintext_name_in_the_raw_database(team_a, caseworker_a):
    procedure = _report(team_a, caseworker_a, name="Klara Rohdaten-Test")
    services.procedure_link_child(procedure=procedure, actor=caseworker_a)
    table = IndexedPerson._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, birth_date, blind_index FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    raw = " ".join(str(v) for row in rows for v in row)
    assert "Klara" not in raw and "Rohdaten" not in raw and "2019-05-14" not in raw
    assert "klara" not in raw.lower()


def test_a_changed_key_rebuilds_the_index(team_a, caseworker_a, settings):
    first = _report(team_a, caseworker_a, days_ago=100)
    person = services.procedure_link_child(procedure=first, actor=caseworker_a)
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = crypto.generate_key()
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old_key]
    second = _report(team_a, caseworker_a, days_ago=2)
    # Before the rebuild the stored value was made with the old key: no match.
    assert selectors.person_index_candidates(user=caseworker_a, procedure=second) == []
    call_command("rebuild_person_index")
    person.refresh_from_db()
    assert person.key_id == person_index.key_id()
    candidates = selectors.person_index_candidates(user=caseworker_a, procedure=second)
    assert [c["person"] for c in candidates] == [person]


def test_siblings_linked_and_shown(team_a, caseworker_a, client):
    lea = _report(team_a, caseworker_a, name="Lea Muster-C", birth="2016-02-01")
    tom = _report(team_a, caseworker_a, name="Tom Muster-C", birth="2019-09-09")
    services.procedure_link_child(procedure=lea, actor=caseworker_a)
    services.procedure_link_child(procedure=tom, actor=caseworker_a)
    client.force_login(caseworker_a)
    response = client.post(
        reverse("cases:procedure_link_sibling", args=[lea.code]), {"other": str(tom.code)}
    )
    assert response.status_code == 302
    lea.refresh_from_db()
    tom.refresh_from_db()
    assert lea.indexed_child.household_id == tom.indexed_child.household_id is not None
    page = client.get(lea.get_absolute_url()).content.decode()
    assert tom.file_number in page and 'id="index-siblings"' in page
    with pytest.raises(ValidationError):
        services.person_household_link(
            person=lea.indexed_child, other=lea.indexed_child, actor=caseworker_a
        )


def test_other_commune_cannot_link_or_read(team_a, caseworker_a, caseworker_b, client):
    procedure = _report(team_a, caseworker_a)
    client.force_login(caseworker_b)
    response = client.post(
        reverse("cases:procedure_link_child", args=[procedure.code]), {"person": "new"}
    )
    assert response.status_code == 404
    procedure.refresh_from_db()
    assert procedure.indexed_child is None
