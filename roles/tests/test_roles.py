"""Roles, on-call plan and crisis path: rules, audit, visibility, exports."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.choices import AuditAction
from core.models import AuditEvent
from core.services import api_token_create
from network.tests.factories import ContactFactory
from registry.tests.factories import InstitutionFactory
from roles import selectors, services
from roles.choices import Audience, RoleFunction

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def office(muni_a):
    return InstitutionFactory(
        municipality=muni_a, name="Jugendamt A", institution_type="youth_office"
    )


def _role(muni, actor, office, **values):
    return services.role_create(
        municipality=muni, actor=actor, function=RoleFunction.ASD, institution=office, **values
    )


def test_role_create_is_audited_and_checked(coordinator_a, readonly_a, muni_a, muni_b, office):
    role = _role(muni_a, coordinator_a, office)
    assert AuditEvent.objects.get(action=AuditAction.CREATE).target_repr == str(role)
    with pytest.raises(PermissionDenied):
        _role(muni_a, readonly_a, office)
    with pytest.raises(ValidationError) as exc:
        _role(muni_a, coordinator_a, InstitutionFactory(municipality=muni_b))
    assert "institution" in exc.value.message_dict
    stranger = ContactFactory(municipality=muni_b)
    with pytest.raises(ValidationError) as exc:
        _role(muni_a, coordinator_a, office, holder=stranger)
    assert "holder" in exc.value.message_dict


def test_hierarchy_refuses_cycles_and_same_holder_as_deputy(coordinator_a, muni_a, office):
    top = _role(muni_a, coordinator_a, office, title="Koordination")
    middle = _role(muni_a, coordinator_a, office, title="Teamleitung", reports_to=top)
    with pytest.raises(ValidationError) as exc:
        services.role_update(role=top, actor=coordinator_a, reports_to=middle)
    assert "reports_to" in exc.value.message_dict
    person = ContactFactory(municipality=muni_a, institution=office)
    with pytest.raises(ValidationError):
        services.role_update(role=middle, actor=coordinator_a, holder=person, deputy=person)


def test_organigram_exports_hold_the_hierarchy(coordinator_a, muni_a, office):
    top = _role(muni_a, coordinator_a, office, title="Koordination")
    _role(muni_a, coordinator_a, office, title="ASD Nord", reports_to=top)
    graph = selectors.organigram_graph(municipality=muni_a)
    assert graph.number_of_edges() == 1
    dot = selectors.organigram_dot(graph)
    assert "cluster_0" in dot and "->" in dot and '"Jugendamt A"' in dot
    assert b"<graphml" in selectors.organigram_graphml(graph)
    csv_text = selectors.organigram_csv(graph)
    assert "ASD Nord" in csv_text and f"r{top.pk}" in csv_text


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN), {"Büro"}),  # Monday morning
        (dt.datetime(2026, 12, 7, 22, 0, tzinfo=BERLIN), {"Nacht"}),  # Monday night
        (dt.datetime(2026, 12, 8, 3, 0, tzinfo=BERLIN), {"Nacht"}),  # started Monday
        (dt.datetime(2026, 12, 6, 3, 0, tzinfo=BERLIN), set()),  # Sunday 3:00, Saturday has none
        (dt.datetime(2026, 12, 5, 10, 0, tzinfo=BERLIN), set()),  # Saturday
    ],
)
def test_reachable_now_handles_windows_past_midnight(coordinator_a, muni_a, moment, expected):
    for service, days, start, end in (
        ("Büro", [0, 1, 2, 3, 4], 8, 16),
        ("Nacht", [0, 1, 2, 3, 4], 16, 8),
    ):
        services.on_call_slot_create(
            municipality=muni_a,
            actor=coordinator_a,
            service=service,
            audience=Audience.PUBLIC,
            weekdays=days,
            starts_at=dt.time(start),
            ends_at=dt.time(end),
            phone="0000 1",
        )
    found = selectors.reachable_now(municipality=muni_a, member=False, moment=moment)
    assert {s.service for s in found} == expected


def test_slot_validation(coordinator_a, muni_a):
    with pytest.raises(ValidationError) as exc:
        services.on_call_slot_create(
            municipality=muni_a,
            actor=coordinator_a,
            service="x",
            audience=Audience.PUBLIC,
            weekdays=[9],
            starts_at=dt.time(8),
            ends_at=dt.time(8),
            phone="0000",
        )
    assert {"weekdays", "ends_at"} <= set(exc.value.message_dict)


def test_public_page_shows_open_audiences_only(client, coordinator_a, caseworker_a, muni_a, office):
    for service, audience in (("Öffentlich", Audience.PUBLIC), ("Intern", Audience.INTERNAL)):
        services.on_call_slot_create(
            municipality=muni_a,
            actor=coordinator_a,
            service=service,
            audience=audience,
            weekdays=[0, 1, 2, 3, 4, 5, 6],
            starts_at=dt.time(0),
            ends_at=dt.time(23, 59),
            phone="0000 2",
        )
    services.escalation_step_create(
        municipality=muni_a,
        actor=coordinator_a,
        order=1,
        situation="Geheim",
        action="x",
        is_public=False,
    )
    url = reverse("roles:availability", args=[muni_a.slug])
    public = client.get(url).content.decode()
    assert "Öffentlich" in public and "Intern" not in public and "Geheim" not in public
    assert "110" in public
    client.force_login(caseworker_a)
    member = client.get(url).content.decode()
    assert "Intern" in member and "Geheim" in member
    client.logout()
    api = client.get(f"/api/v1/availability/{muni_a.slug}").json()
    assert [s["service"] for s in api["slots"]] == ["Öffentlich"]
    assert api["slots"][0]["reachable_now"] is True
    assert api["escalation"] == []


def test_roles_pages_and_api_are_for_members(client, coordinator_a, caseworker_b, muni_a, office):
    _role(muni_a, coordinator_a, office, title="ASD Mitte")
    client.force_login(caseworker_b)
    assert client.get(reverse("roles:role_list", args=[muni_a.slug])).status_code == 404
    assert (
        client.get(reverse("roles:organigram_export", args=[muni_a.slug, "csv"])).status_code == 404
    )
    _, token = api_token_create(user=caseworker_b, name="t", actor=caseworker_b)
    response = client.get(
        f"/api/v1/roles/{muni_a.slug}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404 and "ASD Mitte" not in response.content.decode()
    client.force_login(coordinator_a)
    page = client.get(reverse("roles:role_list", args=[muni_a.slug])).content.decode()
    assert "ASD Mitte" in page
    csv_export = client.get(reverse("roles:organigram_export", args=[muni_a.slug, "csv"]))
    assert "ASD Mitte" in csv_export.content.decode()


def test_role_form_keeps_input_on_error(client, coordinator_a, muni_a, office):
    top = _role(muni_a, coordinator_a, office, title="Koordination")
    child = _role(muni_a, coordinator_a, office, title="Kind", reports_to=top)
    client.force_login(coordinator_a)
    response = client.post(
        reverse("roles:role_edit", args=[muni_a.slug, top.pk]),
        {
            "function": RoleFunction.COORDINATION,
            "title": "Neuer Titel",
            "institution": office.pk,
            "reports_to": child.pk,
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert "Kreis" in response.content.decode() and "Neuer Titel" in response.content.decode()
    top.refresh_from_db()
    assert top.title == "Koordination"


@pytest.mark.parametrize(
    ("days", "summary"),
    [
        ([0, 1, 2, 3, 4], "Montag–Freitag"),
        ([0, 1, 2, 3, 4, 5, 6], "täglich"),
        ([5, 6], "Samstag, Sonntag"),
        ([0, 2, 3, 4, 6], "Montag, Mittwoch–Freitag, Sonntag"),
    ],
)
def test_weekday_summary(days, summary):
    from roles.models import OnCallSlot

    assert OnCallSlot(weekdays=days).weekday_summary == summary
