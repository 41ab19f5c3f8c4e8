"""Pages: the public questionnaire, round management, results, PDF, comparison."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from core.models import AuditEvent
from evaluation.models import Framework, Invitation, Response, Round
from evaluation.tests.conftest import FULL
from evaluation.tests.factories import SMALL_FRAMEWORK, FrameworkFactory, RoundFactory
from evaluation.tests.test_selectors import fill
from registry.tests.factories import ClusterFactory, InstitutionFactory


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        yield


def _answer_url(token):
    return reverse("evaluation:answer", args=[token])


# --- public questionnaire -------------------------------------------------------------


def test_questionnaire_opens_without_account_and_shows_only_asked_statements(client, invite):
    invite("schule-1", "school")
    response = client.get(_answer_url("schule-1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Wir kennen uns." in body and "Rückmeldungen kommen an." not in body
    assert "kann ich nicht beurteilen" in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_answering_stores_an_anonymous_response(client, invite):
    invite("t1")
    post = {f"s_{k}": v for k, v in FULL.items()} | {"t_wish": "Mehr Zeit", "action": "submit"}
    response = client.post(_answer_url("t1"), post)
    assert response.status_code == 200 and "Vielen Dank" in response.content.decode()
    assert Response.objects.get().institution_type == "youth_office"
    again = client.get(_answer_url("t1"))
    assert again.status_code == 410 and "bereits geantwortet" in again.content.decode()


def test_draft_is_saved_and_shown_again(client, invite):
    invite("t1")
    response = client.post(
        _answer_url("t1"), {"s_coop_a": "2", "t_wish": "halb", "action": "draft"}
    )
    assert response.status_code == 200 and "Zwischenstand gespeichert" in response.content.decode()
    page = client.get(_answer_url("t1")).content.decode()
    assert "Zwischenstand wurde geladen" in page
    assert 'value="2" required' not in page  # sanity: radio not forced
    assert 'name="s_coop_a" value="2"' in page and "checked" in page
    assert "halb</textarea>" in page


def test_incomplete_submission_shows_errors_and_keeps_input(client, invite):
    invite("t1")
    response = client.post(_answer_url("t1"), {"s_coop_a": "9", "action": "submit"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "außerhalb der Skala" in body and "Bitte bewerten Sie diese Aussage" in body
    assert Invitation.objects.get().draft["answers"] == {"coop_a": 9}
    assert not Response.objects.exists()


def test_unknown_and_expired_links_get_clear_messages(client, invite, round_a):
    assert client.get(_answer_url("gibt-es-nicht")).status_code == 404
    invite("t1")
    round_a.closes_on = date(2026, 2, 1)
    round_a.save()
    response = client.get(_answer_url("t1"))
    assert response.status_code == 410 and "abgelaufen" in response.content.decode()


# --- round management -----------------------------------------------------------------


def test_coordinator_opens_round_and_invites(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    page = client.get(reverse("evaluation:round_create"))
    assert page.status_code == 200
    assert 'value="external"' not in page.content.decode()  # only the project team
    framework = Framework.objects.get(key="netzwerk-kinderschutz")
    response = client.post(
        reverse("evaluation:round_create"),
        {
            "municipality": muni_a.pk,
            "framework": framework.pk,
            "kind": "self",
            "title": "Selbstevaluation 2026",
            "opens_on": "2026-03-01",
            "closes_on": "2026-04-30",
            "min_group_size": 3,
        },
    )
    evaluation_round = Round.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == evaluation_round.get_absolute_url()
    )
    school = InstitutionFactory(municipality=muni_a, institution_type="school", name="Grundschule")
    with_links = client.post(
        reverse("evaluation:invitation_add", args=[evaluation_round.code]),
        {"institution": school.pk, "emails": "a@example.invalid, b@example.invalid"},
    )
    assert with_links.status_code == 200
    assert with_links.content.decode().count("/evaluation/antworten/") == 2
    assert Invitation.objects.filter(institution_type="school").count() == 2
    detail = client.get(evaluation_round.get_absolute_url()).content.decode()
    assert "Schule / Schulaufsicht" in detail and "a@example.invalid" in detail


def test_invitation_form_errors_are_shown(client, coordinator_a, round_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("evaluation:invitation_add", args=[round_a.code]),
        {"emails": "a@example.invalid"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "Bitte Einrichtung oder Art" in response.content.decode()
    assert not Invitation.objects.exists()


def test_reader_sees_progress_but_not_addresses_or_buttons(client, readonly_a, invite, round_a):
    invite("t1", "school")
    client.force_login(readonly_a)
    body = client.get(round_a.get_absolute_url()).content.decode()
    assert "Schule / Schulaufsicht" in body
    assert "@example.invalid" not in body and "Runde abschließen" not in body
    assert client.post(reverse("evaluation:round_close", args=[round_a.code])).status_code == 403
    assert client.post(reverse("evaluation:round_remind", args=[round_a.code])).status_code == 403


def test_other_commune_gets_404_everywhere(client, coordinator_b, round_a):
    client.force_login(coordinator_b)
    for name in ("round_detail", "round_results", "round_results_pdf"):
        assert client.get(reverse(f"evaluation:{name}", args=[round_a.code])).status_code == 404
    for name in ("invitation_add", "round_close", "round_remind", "follow_up_create"):
        assert client.post(reverse(f"evaluation:{name}", args=[round_a.code])).status_code == 404
    assert round_a.title not in client.get(reverse("evaluation:round_list")).content.decode()


def test_remind_and_close_buttons(
    client, coordinator_a, invite, round_a, django_capture_on_commit_callbacks
):
    invite("t1", "school")
    client.force_login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evaluation:round_remind", args=[round_a.code]))
    assert len(mail.outbox) == 1
    client.post(reverse("evaluation:round_close", args=[round_a.code]), {"reason": "Ende"})
    round_a.refresh_from_db()
    assert round_a.status == "closed"


# --- results ------------------------------------------------------------------------


def test_results_page_with_charts_and_suppression(client, coordinator_a, round_a):
    fill(
        round_a,
        {"youth_office": [(4, 4, 3)] * 3, "school": [(2, None, 2)] * 3, "police": [(5, None, 5)]},
    )
    client.force_login(coordinator_a)
    body = client.get(reverse("evaluation:round_results", args=[round_a.code])).content.decode()
    # Two dimensions: the bar chart only (a radar needs three axes).
    assert body.count("<svg") == 1 and "Streuung" in body
    assert "Kooperation" in body and "Jugendamt / Allgemeiner Sozialer Dienst" in body
    # One police answer: folded together with the schools, never a column of its own.
    assert "weitere Einrichtungsarten (zusammengefasst) <span" in body
    assert 'Polizei <span class="muted">(n' not in body


def test_results_below_minimum_show_nothing(client, coordinator_a, round_a):
    fill(round_a, {"youth_office": [(4, 4, 3)] * 2})
    client.force_login(coordinator_a)
    body = client.get(reverse("evaluation:round_results", args=[round_a.code])).content.decode()
    assert "ab 3 Antworten" in body and "<svg" not in body


def test_results_pdf(client, coordinator_a, round_a):
    fill(round_a, {"youth_office": [(4, 4, 3)] * 3})
    client.force_login(coordinator_a)
    response = client.get(reverse("evaluation:round_results_pdf", args=[round_a.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_follow_up_from_results(client, coordinator_a, round_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("evaluation:follow_up_create", args=[round_a.code]),
        {
            "dimension_key": "errors",
            "statement_key": "err_a",
            "kind": "outcome",
            "text": "Fallanalysen",
        },
    )
    assert response.status_code == 302
    from quality.models import Outcome

    outcome = Outcome.objects.get(text="Fallanalysen")
    assert reverse("evaluation:round_results", args=[round_a.code]) == outcome.origin_url
    assert AuditEvent.objects.filter(target_id=str(outcome.pk), action="create").exists()


def test_reader_cannot_create_follow_up(client, readonly_a, round_a):
    client.force_login(readonly_a)
    response = client.post(
        reverse("evaluation:follow_up_create", args=[round_a.code]),
        {"dimension_key": "errors", "kind": "outcome", "text": "x"},
    )
    assert response.status_code == 403


def test_comparison_of_a_cluster_with_suppression(client, project_team, muni_a, muni_b):
    cluster = ClusterFactory(number=7, model_municipality=muni_a)
    for m in (muni_a, muni_b):
        m.cluster = cluster
        m.save()
    fill(RoundFactory(municipality=muni_a), {"youth_office": [(4, 4, 4)] * 3})
    fill(RoundFactory(municipality=muni_b), {"youth_office": [(2, 2, 2)] * 2})
    client.force_login(project_team)
    body = client.get(
        reverse("evaluation:comparison"), {"framework": "klein", "cluster": cluster.pk}
    ).content.decode()
    assert "Stadt Musterstadt A" in body and "Landkreis Beispiel B" in body
    assert "4,00" in body or "4.00" in body
    assert "2,00" not in body and "2.00" not in body
    assert "zu wenige Antworten" in body


# --- frameworks ---------------------------------------------------------------------


def test_framework_upload_shows_line_numbers(client, coordinator_a, muni_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("evaluation:framework_create"),
        {"municipality": muni_a.pk, "source": SMALL_FRAMEWORK.replace("version: 1", "version: -1")},
    )
    assert response.status_code == 200
    assert "Zeile 3: „version“ muss mindestens 1 sein." in response.content.decode()
    ok = client.post(
        reverse("evaluation:framework_create"),
        {"municipality": muni_a.pk, "source": SMALL_FRAMEWORK},
    )
    framework = Framework.objects.get(key="klein")
    assert ok.status_code == 302 and framework.municipality == muni_a
    yaml_download = client.get(
        reverse("evaluation:framework_detail", args=[framework.pk]), {"format": "yaml"}
    )
    assert yaml_download.content.decode() == SMALL_FRAMEWORK.strip()


def test_framework_of_other_commune_is_404(client, coordinator_b, muni_a):
    framework = FrameworkFactory(municipality=muni_a)
    client.force_login(coordinator_b)
    assert (
        client.get(reverse("evaluation:framework_detail", args=[framework.pk])).status_code == 404
    )


def test_caseworker_cannot_open_rounds_or_upload(client, caseworker_a):
    client.force_login(caseworker_a)
    assert client.get(reverse("evaluation:round_create")).status_code == 403
    assert client.get(reverse("evaluation:framework_create")).status_code == 403
    assert client.get(reverse("evaluation:round_list")).status_code == 200


def test_network_contacts_of_the_commune_can_be_invited(
    client, coordinator_a, round_a, muni_a, muni_b
):
    from network.tests.factories import ContactFactory

    police = InstitutionFactory(municipality=muni_a, institution_type="police", name="Polizei A")
    mine = ContactFactory(institution=police, email="kommissariat@example.invalid")
    ContactFactory(institution=InstitutionFactory(municipality=muni_b), email="b@example.invalid")
    client.force_login(coordinator_a)
    page = client.get(round_a.get_absolute_url()).content.decode()
    assert "kommissariat" not in page  # names, not addresses, in the picker
    assert mine.name in page and "b@example.invalid" not in page
    response = client.post(
        reverse("evaluation:invitation_add", args=[round_a.code]), {"contacts": [mine.pk]}
    )
    assert response.status_code == 200
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.institution_type) == (
        "kommissariat@example.invalid",
        "police",
    )


def test_round_list_query_count_does_not_grow(
    client, project_team, muni_a, invite, django_assert_max_num_queries
):
    for _ in range(6):
        RoundFactory(municipality=muni_a)
    invite("a", "school")
    client.force_login(project_team)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evaluation:round_list"))
    assert response.content.decode().count("/evaluation/runden/") >= 7


def test_results_page_shows_change_since_last_round(client, coordinator_a, muni_a):
    first = RoundFactory(municipality=muni_a, title="Runde 2025", opens_on=date(2025, 3, 1))
    second = RoundFactory(municipality=muni_a, title="Runde 2026", opens_on=date(2026, 3, 1))
    fill(first, {"youth_office": [(2, 2, 2)] * 3})
    fill(second, {"youth_office": [(4, 4, 3)] * 3})
    client.force_login(coordinator_a)
    body = client.get(reverse("evaluation:round_results", args=[second.code])).content.decode()
    assert "Runde 2025 (03/2025)" in body  # legend of the change chart
    assert "+2,00 ▲" in body or "+2.00 ▲" in body
    assert "+1,00 ▲" in body or "+1.00 ▲" in body


def test_framework_detail_says_who_is_asked_what(client, coordinator_a):
    framework = FrameworkFactory()
    client.force_login(coordinator_a)
    body = client.get(reverse("evaluation:framework_detail", args=[framework.pk])).content.decode()
    assert "nur für: Freier Träger der Jugendhilfe, Jugendamt / Allgemeiner Sozialer Dienst" in body
