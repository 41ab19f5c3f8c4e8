"""Pages: isolation by commune and team, read log, forms through the services."""

import datetime as dt
import pathlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Procedure
from cases.tests.factories import decide, intake_post, make_procedure
from core.models import AccessLog

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "other_caseworker_a",
    "caseworker_b",
    "coordinator_a",
    "partner_a",
    "data_protection_a",
    "readonly_a",
    "project_team",
    "platform_admin",
]


@pytest.fixture
def procedure(team_a, caseworker_a):
    return make_procedure(team=team_a, actor=caseworker_a)


def _urls(p):
    a = p.assessments.first()
    person = p.persons.first()
    urls = [
        ("get", reverse("cases:procedure_detail", args=[p.code])),
        ("post", reverse("cases:procedure_step", args=[p.code])),
        ("post", reverse("cases:procedure_close", args=[p.code])),
        ("post", reverse("cases:amendment_add", args=[p.code])),
        ("post", reverse("cases:assessment_start", args=[p.code])),
        ("get", reverse("cases:person_export", args=[p.code, person.code])),
    ]
    if a:
        urls += [
            ("get", reverse("cases:assessment_detail", args=[a.code])),
            ("post", reverse("cases:assessment_sign_off", args=[a.code])),
        ]
    return urls


def test_anonymous_is_sent_to_login(client, procedure):
    for method, url in _urls(procedure) + [("get", reverse("cases:procedure_list"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/anmelden/" in response["Location"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_outside_the_team_gets_404_on_every_case_url(
    request, client, procedure, caseworker_a, team_lead_a, who
):
    services_start = procedure.received_at + dt.timedelta(hours=1)
    from cases import services

    services.risk_assessment_start(
        procedure=procedure, actor=caseworker_a, occurred_at=services_start
    )
    client.force_login(request.getfixturevalue(who))
    before = AccessLog.objects.count()
    for method, url in _urls(procedure):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (who, url)
    assert AccessLog.objects.count() == before
    assert procedure.events.count() == 3


@pytest.mark.parametrize("who", ["partner_a", "project_team", "readonly_a", "data_protection_a"])
def test_non_case_roles_get_403_on_list(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("cases:procedure_list")).status_code == 403
    assert client.get(reverse("cases:procedure_create")).status_code == 403


@pytest.mark.parametrize("who", ["coordinator_a", "platform_admin"])
def test_coordination_sees_team_settings_instead_of_procedures(request, client, procedure, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("cases:procedure_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert procedure.file_number not in body
    assert reverse("cases:commune_settings", args=["musterstadt-a"]) in body
    assert client.get(reverse("cases:procedure_create")).status_code == 403


def test_detail_shows_identifying_data_to_team_and_logs_the_read(client, procedure, team_lead_a):
    client.force_login(team_lead_a)
    response = client.get(procedure.get_absolute_url())
    assert response.status_code == 200
    assert "Sabine Muster-A" in response.content.decode()
    log = AccessLog.objects.get()
    assert log.actor == team_lead_a
    assert log.target_id == str(procedure.pk)
    assert log.purpose == "Verfahren ansehen"


def test_list_shows_only_own_teams_procedures(
    client, procedure, caseworker_a, other_caseworker_a, muni_a, django_assert_max_num_queries
):
    from cases.tests.factories import team_with

    other_team = team_with(muni_a, other_caseworker_a, name="ASD Süd")
    other = make_procedure(team=other_team, actor=other_caseworker_a)
    for _ in range(5):
        make_procedure(team=procedure.team, actor=caseworker_a)
    client.force_login(caseworker_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:procedure_list"))
    body = response.content.decode()
    assert procedure.file_number in body
    assert other.file_number not in body
    assert "Muster-A" not in body  # the list never shows names
    assert not AccessLog.objects.exists()


def test_list_drops_a_team_at_once_when_the_user_leaves_it(client, procedure, caseworker_a):
    """The user's teams travel in the login snapshot (core.principal); leaving a team
    must still close its procedures on the very next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import TeamMembership

    client.force_login(caseworker_a)
    url = reverse("cases:procedure_list")
    assert procedure.file_number in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert procedure.file_number in client.get(url).content.decode()
    assert not any("cases_teammembership" in q["sql"] for q in queries)
    TeamMembership.objects.get(team=procedure.team, user=caseworker_a).delete()
    assert procedure.file_number not in client.get(url).content.decode()


def test_list_due_filter(client, team_a, caseworker_a):
    overdue = make_procedure(
        team=team_a,
        actor=caseworker_a,
        received_at=timezone.now() - dt.timedelta(days=2),
        urgency="same_day",
    )
    fresh = make_procedure(
        team=team_a,
        actor=caseworker_a,
        received_at=timezone.now() - dt.timedelta(minutes=5),
        urgency="within_week",
        reporter_category="neighbours",
    )
    client.force_login(caseworker_a)
    body = client.get(reverse("cases:procedure_list") + "?due=overdue").content.decode()
    assert overdue.file_number in body
    assert fresh.file_number not in body
    assert "überfällig" in body


def test_create_report_through_the_form(client, team_a, caseworker_a):
    client.force_login(caseworker_a)
    response = client.post(reverse("cases:procedure_create"), intake_post(team_a))
    procedure = Procedure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == procedure.get_absolute_url()
    assert procedure.persons.count() == 2
    assert procedure.child.birth_year == 2014 and procedure.child.german_family_language is True
    assert procedure.child.foreign_origin is None  # "unbekannt", chosen explicitly


def test_rejected_sequence_shows_clear_message(client, procedure, caseworker_a):
    client.force_login(caseworker_a)
    response = client.post(
        reverse("cases:procedure_close", args=[procedure.code]),
        {"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "Pflichtschritt fehlt" in response.content.decode()


def test_four_eyes_in_the_ui(client, procedure, caseworker_a, team_lead_a):
    client.force_login(caseworker_a)
    start = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("cases:assessment_start", args=[procedure.code]), {"occurred_at": start}
    )
    assessment = procedure.assessments.get()
    assert response["Location"] == reverse("cases:assessment_detail", args=[assessment.code])
    response = client.post(
        response["Location"],
        {
            "item__grundversorgung.ernaehrung": "3",
            "result": "latent",
            "kinds": ["neglect", "psychological"],
            "danger_source": "mother",
            "parents_involved": "on",
            "child_not_involved_reason": "Säugling; Eindruck beim Hausbesuch.",
            "notes": "Begründung",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers == {"grundversorgung.ernaehrung": 3}
    page = client.get(reverse("cases:assessment_detail", args=[assessment.code])).content.decode()
    assert "Als zweite Fachkraft abzeichnen" not in page
    client.post(reverse("cases:assessment_sign_off", args=[assessment.code]))
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    client.force_login(team_lead_a)
    client.post(reverse("cases:assessment_sign_off", args=[assessment.code]), {"reason": "ok"})
    assessment.refresh_from_db()
    assert assessment.status == "signed" and assessment.signed_by == team_lead_a


def test_subject_access_download(client, procedure, caseworker_a):
    client.force_login(caseworker_a)
    person = procedure.persons.get(role="mother")
    response = client.get(reverse("cases:person_export", args=[procedure.code, person.code]))
    assert response.status_code == 200
    assert response.json()["person"]["name"] == "Sabine Muster-A"


def test_statistics_page_for_team_lead_only(
    client, procedure, caseworker_a, team_lead_a, coordinator_a
):
    decide(procedure, author=caseworker_a, signer=team_lead_a)
    year = timezone.localdate().year
    url = reverse("cases:statistics") + f"?year={year}&format=html&municipality=musterstadt-a"
    client.force_login(caseworker_a)
    assert client.get(url).status_code == 403  # caseworkers don't export
    client.force_login(coordinator_a)
    assert client.get(url).status_code == 403
    client.force_login(team_lead_a)
    body = client.get(url).content.decode()
    assert "latente Kindeswohlgefährdung" in body
    csv_response = client.get(url.replace("format=html", "format=csv"))
    assert csv_response["Content-Type"].startswith("text/csv")
    xlsx = client.get(url.replace("format=html", "format=xlsx"))
    assert xlsx.content[:2] == b"PK"


SENSITIVE = ("Procedure", "PersonRecord", "RiskAssessment", "ProcedureEvent", "Amendment")


def test_views_and_api_never_bypass_the_chokepoint():
    root = pathlib.Path(__file__).resolve().parents[1]
    offenders = []
    for name in ("views.py", "api.py"):
        source = (root / name).read_text()
        if "get_object_or_404" in source:
            offenders.append(f"{name}: get_object_or_404")
        offenders.extend(
            f"{name}: {model}.objects"
            for model in SENSITIVE
            if re.search(rf"\b{model}\.objects\.", source)
        )
        if ".objects.get(" in source:
            offenders.append(f"{name}: .objects.get(")
    assert offenders == []


def test_intake_records_the_reporting_institution(client, team_a, caseworker_a, muni_a, muni_b):
    """A phone report from a Kita names the Kita: the first link of the chain (issue 13)."""
    from cases.models import ProcedureEvent
    from registry.tests.factories import InstitutionFactory

    kita = InstitutionFactory(
        municipality=muni_a, name="Kita Am Bach A", institution_type="daycare"
    )
    foreign = InstitutionFactory(municipality=muni_b, name="Kita Anderswo B")
    client.force_login(caseworker_a)
    page = client.get(reverse("cases:procedure_create")).content.decode()
    assert "Kita Am Bach A" in page and "Kita Anderswo B" not in page
    response = client.post(
        reverse("cases:procedure_create"),
        intake_post(team_a, reporter_category="daycare", reporter_institution=str(foreign.pk)),
    )
    assert response.status_code == 200 and "reporter_institution" in response.context["form"].errors
    response = client.post(
        reverse("cases:procedure_create"),
        intake_post(team_a, reporter_category="daycare", reporter_institution=str(kita.pk)),
    )
    assert response.status_code == 302
    event = ProcedureEvent.objects.get(activity_code="report_received")
    assert event.institution == kita
