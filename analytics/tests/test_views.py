"""Pages: access by role, commune isolation, htmx partials, rules and uploads."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from analytics import services
from analytics.models import ComplianceRule, EventLogUpload
from analytics.tests.factories import ComplianceRuleFactory, procedure_with_steps, processed_upload
from analytics.tests.logs import EXAMPLE_XES
from cases.tests.factories import team_with

pytestmark = pytest.mark.django_db

PAGES = [
    "analytics:process_map",
    "analytics:variant_list",
    "analytics:compliance_dashboard",
    "analytics:handover_matrix",
    "analytics:comparison",
    "analytics:upload_list",
]


@pytest.fixture
def procedure_a(muni_a, caseworker_a):
    team = team_with(muni_a, caseworker_a)
    return procedure_with_steps(
        team,
        received_at=timezone.now() - dt.timedelta(days=5),
        steps=[("first_contact", 3, "ASD"), ("police_involved", 5, "Polizei")],
    )


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/anmelden/" in response["Location"]


@pytest.mark.parametrize("name", PAGES)
def test_roles_without_analytics_get_403(client, caseworker_a, name):
    client.force_login(caseworker_a)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_coordinator_opens_every_page(client, coordinator_a, procedure_a, name):
    client.force_login(coordinator_a)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "Prozesslandkarte" in response.content.decode()


def test_process_map_shows_own_procedures_with_svg_and_interactive_data(
    client, coordinator_a, procedure_a
):
    client.force_login(coordinator_a)
    body = client.get(reverse("analytics:process_map")).content.decode()
    assert 'id="process-map-data"' in body and "Erstkontakt" in body
    assert "<svg" in body or "Die Grafik kann hier nicht erzeugt werden" in body
    assert "analytics/processmap.js" in body


def test_process_map_without_graphviz_offers_dot(client, coordinator_a, procedure_a, monkeypatch):
    from analytics import rendering
    from core.graphviz import GraphvizUnavailable

    def broken(dot):
        raise GraphvizUnavailable("Graphviz (dot) ist nicht installiert")

    monkeypatch.setattr(rendering, "svg_from_dot", broken)
    client.force_login(coordinator_a)
    body = client.get(reverse("analytics:process_map")).content.decode()
    assert "nicht installiert" in body and "DOT-Quelle herunterladen" in body
    dot = client.get(reverse("analytics:process_map_dot"))
    assert dot.status_code == 200 and b"digraph" in dot.content


def test_coordinator_of_other_commune_sees_none_of_a(client, coordinator_b, procedure_a, muni_a):
    client.force_login(coordinator_b)
    body = client.get(reverse("analytics:process_map")).content.decode()
    assert "Für diese Auswahl gibt es keine Ereignisse" in body
    # Choosing commune A in the filter is not even a valid choice.
    response = client.get(reverse("analytics:process_map"), {"municipality": muni_a.slug})
    assert "Erstkontakt" not in response.content.decode()
    assert response.context["form"].errors["municipality"]


def test_htmx_filter_returns_only_the_result(client, coordinator_a, procedure_a):
    client.force_login(coordinator_a)
    response = client.get(
        reverse("analytics:process_map"), {"min_frequency": 1}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body and "process-map-data" in body


def test_variants_and_time_between(client, coordinator_a, procedure_a):
    client.force_login(coordinator_a)
    response = client.get(
        reverse("analytics:variant_list"), {"source": "report_received", "target": "first_contact"}
    )
    body = response.content.decode()
    assert "Meldung eingegangen" in body and 'id="time-between"' in body
    assert response.context["between"]["median"] == 3 * 3600
    (longest,) = response.context["report"]["longest_cases"]
    assert longest["events"] == 4 and longest["seconds"] == 5 * 3600
    assert 'id="longest-cases"' in body


def test_compliance_dashboard_lists_rule_results(client, coordinator_a, procedure_a, muni_a):
    ComplianceRuleFactory(municipality=muni_a, name="Erstkontakt 2 h", deadline_hours=2)
    client.force_login(coordinator_a)
    response = client.get(reverse("analytics:compliance_dashboard"))
    (result,) = [r for r in response.context["results"] if r["rule"].name == "Erstkontakt 2 h"]
    assert result["missed"] == 1
    assert "Erstkontakt 2 h" in response.content.decode()


def test_coordinator_manages_rules_through_the_pages(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("analytics:compliance_rule_create"),
        {
            "municipality": muni_a.pk,
            "name": "Meldung → Einschätzung 14 Tage",
            "start_activity": "report_received",
            "end_activity": "risk_assessment_signed",
            "deadline_hours": 336,
            "urgency": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule = ComplianceRule.objects.get()
    assert rule.deadline_label == "14 Tage"
    response = client.post(
        reverse("analytics:compliance_rule_edit", args=[rule.pk]),
        {
            "name": rule.name,
            "start_activity": "report_received",
            "end_activity": "risk_assessment_signed",
            "deadline_hours": 240,
            "urgency": "immediate",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.deadline_hours, rule.urgency, rule.active) == (240, "immediate", False)
    client.post(reverse("analytics:compliance_rule_delete", args=[rule.pk]))
    assert not ComplianceRule.objects.exists()


def test_rules_of_other_commune_are_404(client, coordinator_b, muni_a):
    rule = ComplianceRuleFactory(municipality=muni_a)
    client.force_login(coordinator_b)
    assert client.get(reverse("analytics:compliance_rule_edit", args=[rule.pk])).status_code == 404
    response = client.post(reverse("analytics:compliance_rule_delete", args=[rule.pk]))
    assert response.status_code == 404
    assert ComplianceRule.objects.exists()


def test_team_lead_reads_but_cannot_edit_rules(client, team_lead_a):
    client.force_login(team_lead_a)
    assert client.get(reverse("analytics:compliance_dashboard")).status_code == 200
    assert client.get(reverse("analytics:compliance_rule_create")).status_code == 403


def test_upload_flow_with_progress_panel(
    client, coordinator_a, muni_a, django_capture_on_commit_callbacks
):
    client.force_login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("analytics:upload_list"),
            {
                "name": "Beispiel",
                "municipality": muni_a.pk,
                "source_file": SimpleUploadedFile("beispiel.xes", EXAMPLE_XES.encode()),
            },
        )
    upload = EventLogUpload.objects.get()
    assert response.status_code == 302 and str(upload.code) in response["Location"]
    panel = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in panel and "6 Fälle, 30 Ereignisse" in panel
    assert "every 2s" not in panel  # finished: polling stops
    body = client.get(reverse("analytics:process_map"), {"log": upload.code}).content.decode()
    assert "Prüfung gründlich" in body


def test_running_upload_is_polled(client, coordinator_a, muni_a):
    upload = EventLogUpload.objects.create(
        municipality=muni_a, name="läuft", log_format="xes", progress=0.42, status="running"
    )
    client.force_login(coordinator_a)
    body = client.get(reverse("analytics:upload_detail", args=[upload.code])).content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="42"' in body


def test_upload_of_other_commune_is_404_and_bad_file_shows_error(
    client, coordinator_a, coordinator_b, muni_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = services.event_log_upload_create(
            municipality=muni_a,
            name="kaputt",
            uploaded_file=SimpleUploadedFile("k.csv", b"case_id,activity\n1,A\n"),
            actor=coordinator_a,
        )
    client.force_login(coordinator_b)
    assert client.get(reverse("analytics:upload_detail", args=[upload.code])).status_code == 404
    client.force_login(coordinator_a)
    body = client.get(reverse("analytics:upload_detail", args=[upload.code])).content.decode()
    assert "Pflichtspalten fehlen: timestamp" in body


def test_readers_cannot_upload(client, team_lead_a):
    client.force_login(team_lead_a)
    response = client.post(
        reverse("analytics:upload_list"),
        {"source_file": SimpleUploadedFile("x.xes", EXAMPLE_XES.encode())},
    )
    assert response.status_code == 403
    assert not EventLogUpload.objects.exists()


def test_export_downloads(client, coordinator_a, procedure_a, caseworker_a):
    client.force_login(coordinator_a)
    response = client.get(reverse("analytics:export", args=["xes"]))
    assert response.status_code == 200 and b"<trace>" in response.content
    assert b"Erstkontakt" in response.content
    assert client.get(reverse("analytics:export", args=["pdf"])).status_code == 400
    client.force_login(caseworker_a)
    assert client.get(reverse("analytics:export", args=["csv"])).status_code == 403


def test_comparison_page_shows_suppression(client, coordinator_a, procedure_a, muni_a, muni_b):
    client.force_login(coordinator_a)
    response = client.get(
        reverse("analytics:comparison"), {"municipalities": [muni_a.slug, muni_b.slug]}
    )
    body = response.content.decode()
    assert "nicht ausgewiesen" in body
    assert all(row["suppressed"] for row in response.context["rows"])


def test_handover_page_shows_matrix(client, coordinator_a, procedure_a):
    client.force_login(coordinator_a)
    response = client.get(reverse("analytics:handover_matrix"))
    assert 'id="handover-matrix"' in response.content.decode()
    assert response.context["report"]["rows"][0]["source"] == "ASD"


def test_delete_button_and_post(
    client, coordinator_a, coordinator_b, team_lead_a, muni_a, django_capture_on_commit_callbacks
):
    upload = processed_upload(muni_a, coordinator_a)
    detail = reverse("analytics:upload_detail", args=[upload.code])
    delete = reverse("analytics:upload_delete", args=[upload.code])
    client.force_login(team_lead_a)
    assert "Protokoll löschen" not in client.get(detail).content.decode()
    assert client.post(delete).status_code == 403
    client.force_login(coordinator_b)
    assert client.post(delete).status_code == 404
    client.force_login(coordinator_a)
    assert "Protokoll löschen" in client.get(detail).content.decode()
    assert client.get(delete).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete)
    assert response.status_code == 302 and response["Location"] == reverse("analytics:upload_list")
    assert not EventLogUpload.objects.exists()


def _partner_log(muni, actor):
    from analytics.demo import _lotsen_csv

    return services.event_log_upload_create(
        municipality=muni,
        name="Lotsendienst",
        uploaded_file=SimpleUploadedFile("l.csv", _lotsen_csv(40, seed=3)),
        column_mapping={"case_id": "Fall", "activity": "Schritt", "timestamp": "Zeitpunkt"},
        timestamp_format="%d.%m.%Y %H:%M",
        actor=actor,
        background=False,
    )


def test_uploaded_log_offers_its_own_activities_for_time_between_and_deadlines(
    client, coordinator_a, muni_a
):
    upload = _partner_log(muni_a, coordinator_a)
    client.force_login(coordinator_a)
    page = client.get(reverse("analytics:variant_list"), {"log": upload.code})
    choices = [c[0] for c in page.context["between_form"].fields["source"].choices]
    assert "Belastungseinschätzung" in choices and "report_received" not in choices
    between = client.get(
        reverse("analytics:variant_list"),
        {"log": upload.code, "source": "Erstgespräch auf Station", "target": "Abschluss"},
    ).context["between"]
    assert between["count"] == 40 and between["median"] > 0

    dashboard = reverse("analytics:compliance_dashboard")
    body = client.get(dashboard, {"log": upload.code}).content.decode()
    assert "Frist in Stunden" in body and "gelten die Fristregeln der Kommune nicht" in body
    response = client.get(
        dashboard,
        {
            "log": upload.code,
            "source": "Erstgespräch auf Station",
            "target": "Belastungseinschätzung",
            "deadline_hours": 1,
        },
    )
    (result,) = response.context["results"]
    assert result["met"] + result["missed"] + result["open"] == 40
    assert result["missed"] > 0 and result["municipality"] == muni_a
    assert "Fälle mit verfehlter Frist" in response.content.decode()
    bad = client.get(
        dashboard,
        {"log": upload.code, "source": "nicht da", "target": "Abschluss", "deadline_hours": 0},
    )
    assert bad.status_code == 200 and "results" not in bad.context
    assert bad.context["deadline_form"].errors.keys() >= {"source", "deadline_hours"}


def test_changing_the_data_source_reloads_the_whole_page(client, coordinator_a, muni_a):
    upload = _partner_log(muni_a, coordinator_a)
    client.force_login(coordinator_a)
    url = reverse("analytics:variant_list")
    partial = client.get(url, {"log": upload.code}, headers={"HX-Request": "true"})
    assert "<h1>" not in partial.content.decode()
    full = client.get(
        url, {"log": upload.code}, headers={"HX-Request": "true", "HX-Target": "main"}
    )
    assert "<h1>" in full.content.decode() and 'hx-target="#main"' in full.content.decode()
