"""Pages of the quality app: roles and communes, htmx board, conflict message, feeds."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from core.models import AuditEvent
from core.tests.test_accessibility import check_page
from quality import services
from quality.models import Outcome, Registration
from quality.tests.factories import (
    OutcomeFactory,
    RegistrationFactory,
    WorkshopFactory,
    WorkshopSessionFactory,
)
from registry.tests.factories import ClusterFactory, InstitutionFactory


@pytest.fixture
def cluster(muni_a, muni_b):
    cluster = ClusterFactory(number=42, model_municipality=muni_a)
    muni_a.cluster = cluster
    muni_a.save()
    return cluster


@pytest.fixture
def outcome(muni_a):
    return OutcomeFactory(municipality=muni_a, text="Gefährdungseinschätzungsbogen Musterstadt")


def test_board_needs_login(client, outcome):
    response = client.get("/qualitaet/ergebnisse/")
    assert response.status_code == 302 and response["Location"].startswith("/anmelden/")


def test_board_shows_own_commune_and_hides_others(client, coordinator_a, outcome, muni_b):
    OutcomeFactory(municipality=muni_b, text="Geheimes Ergebnis B")
    client.force_login(coordinator_a)
    html = client.get("/qualitaet/ergebnisse/").content.decode()
    assert "Gefährdungseinschätzungsbogen Musterstadt" in html
    assert "Geheimes Ergebnis B" not in html
    assert client.get("/qualitaet/ergebnisse/?kommune=beispiel-b").status_code == 404
    assert check_page(html) == []


def test_board_query_count_stays_flat(client, coordinator_a, muni_a, django_assert_max_num_queries):
    for i in range(30):
        OutcomeFactory(municipality=muni_a, text=f"Maßnahme {i}")
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(25):
        assert client.get("/qualitaet/ergebnisse/").status_code == 200


def test_overdue_items_are_marked_in_words(client, coordinator_a, outcome):
    outcome.due_date = timezone.localdate() - timedelta(days=1)
    outcome.save()
    client.force_login(coordinator_a)
    html = client.get("/qualitaet/ergebnisse/").content.decode()
    assert "board-card overdue" in html and "überfällig" in html


def test_htmx_transition_rerenders_the_board(client, coordinator_a, outcome):
    client.force_login(coordinator_a)
    response = client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/status/",
        {"to_status": "in_progress", "version": 1, "board": "1", "kommune": "musterstadt-a"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="board"' in html and "<html" not in html
    assert "ist jetzt „in Umsetzung“" in html
    outcome.refresh_from_db()
    assert outcome.status == "in_progress"
    # A stale card (old version) gets the conflict message instead of a silent overwrite.
    stale = client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/status/",
        {"to_status": "achieved", "version": 1, "board": "1", "kommune": "musterstadt-a"},
        HTTP_HX_REQUEST="true",
    )
    assert "inzwischen" in stale.content.decode()
    illegal = client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/status/",
        {"to_status": "planned", "version": 2, "board": "1", "kommune": "musterstadt-a"},
        HTTP_HX_REQUEST="true",
    )
    assert illegal.status_code == 200
    outcome.refresh_from_db()
    assert outcome.status == "planned"


def test_readers_see_but_cannot_move(client, readonly_a, outcome):
    client.force_login(readonly_a)
    html = client.get("/qualitaet/ergebnisse/").content.decode()
    assert "Gefährdungseinschätzungsbogen" in html and 'name="to_status"' not in html
    response = client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/status/", {"to_status": "in_progress"}
    )
    assert response.status_code == 403
    assert client.get("/qualitaet/ergebnisse/export.csv").status_code == 403


@pytest.mark.parametrize("user", ["caseworker_b", "coordinator_b"])
def test_other_commune_gets_404(client, outcome, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(f"/qualitaet/ergebnisse/{outcome.pk}/").status_code == 404
    post = client.post(f"/qualitaet/ergebnisse/{outcome.pk}/status/", {"to_status": "in_progress"})
    assert post.status_code == 404


def test_data_protection_officer_has_no_quality_access(client, data_protection_a, outcome):
    client.force_login(data_protection_a)
    assert client.get(f"/qualitaet/ergebnisse/{outcome.pk}/").status_code == 404


def test_edit_conflict_shows_a_clear_message_and_keeps_input(client, coordinator_a, outcome):
    client.force_login(coordinator_a)
    services.outcome_update(
        outcome=outcome, actor=coordinator_a, expected_version=1, description="Erste Fassung"
    )
    response = client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/",
        {"version": 1, "text": outcome.text, "scope": "municipal", "description": "Meine Fassung"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bearbeitungskonflikt" in html and "Erste Fassung" in html and "Meine Fassung" in html
    assert 'name="version" value="2"' in html
    outcome.refresh_from_db()
    assert outcome.description == "Erste Fassung"
    ok = client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/",
        {"version": 2, "text": outcome.text, "scope": "municipal", "description": "Meine Fassung"},
    )
    assert ok.status_code == 302
    outcome.refresh_from_db()
    assert outcome.description == "Meine Fassung" and outcome.version == 3


def test_outcome_detail_lists_history_evidence_and_create(
    client, coordinator_a, outcome, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(coordinator_a)
    client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/status/", {"to_status": "in_progress", "version": 1}
    )
    upload = SimpleUploadedFile("bogen.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/nachweise/", {"title": "Bogen", "file": upload}
    )
    html = client.get(f"/qualitaet/ergebnisse/{outcome.pk}/").content.decode()
    assert "in Umsetzung" in html and "Bogen" in html
    evidence = outcome.evidence.get()
    download = client.get(f"/qualitaet/nachweise/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    bad = SimpleUploadedFile("bogen.pdf", b"not a pdf")
    client.post(f"/qualitaet/ergebnisse/{outcome.pk}/nachweise/", {"title": "X", "file": bad})
    assert outcome.evidence.count() == 1
    response = client.post(
        "/qualitaet/ergebnisse/neu/",
        {"kommune": "musterstadt-a", "text": "Neue Maßnahme", "scope": "municipal"},
    )
    assert response.status_code == 302 and Outcome.objects.filter(text="Neue Maßnahme").exists()


def test_evidence_of_other_commune_is_not_downloadable(
    client, coordinator_b, outcome, tmp_path, settings, coordinator_a
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("bogen.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    evidence = services.evidence_add(outcome=outcome, title="B", upload=upload, actor=coordinator_a)
    client.force_login(coordinator_b)
    assert client.get(f"/qualitaet/nachweise/{evidence.pk}/").status_code == 404


def test_cluster_board_lists_every_member_commune(
    client, project_team, cluster, muni_a, muni_b, outcome
):
    muni_b.cluster = cluster
    muni_b.save()
    OutcomeFactory(municipality=muni_b, text="Ergebnis der Partnerkommune")
    client.force_login(project_team)
    html = client.get("/qualitaet/ergebnisse/?cluster=42").content.decode()
    assert "Gefährdungseinschätzungsbogen Musterstadt" in html
    assert "Ergebnis der Partnerkommune" in html and "Landkreis Beispiel B" in html


def test_exports_csv_and_excel(client, coordinator_a, outcome):
    client.force_login(coordinator_a)
    csv = client.get("/qualitaet/ergebnisse/export.csv?kommune=musterstadt-a")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Gefährdungseinschätzungsbogen Musterstadt" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/qualitaet/ergebnisse/export.xlsx?kommune=musterstadt-a")
    import io

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["C2"].value == "Gefährdungseinschätzungsbogen Musterstadt"
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_workshop_pages_for_host_partner_and_outsider(
    client, cluster, muni_a, muni_b, coordinator_a, caseworker_b, coordinator_b
):
    workshop = WorkshopFactory(municipality=muni_a, cluster=cluster, title="Werkstatt Cluster 42")
    session = WorkshopSessionFactory(workshop=workshop)
    client.force_login(coordinator_b)
    assert client.get(f"/qualitaet/werkstaetten/{workshop.pk}/").status_code == 404
    muni_b.cluster = cluster
    muni_b.save()
    client.force_login(caseworker_b)
    html = client.get(f"/qualitaet/termine/{session.pk}/").content.decode()
    assert "Anmelden" in html and "Einladung senden" not in html
    response = client.post(f"/qualitaet/termine/{session.pk}/anmelden/")
    assert response.status_code == 302
    assert Registration.objects.get(session=session).user == caseworker_b
    assert client.post(f"/qualitaet/termine/{session.pk}/absagen/").status_code == 403
    client.force_login(coordinator_a)
    response = client.post(
        f"/qualitaet/werkstaetten/{workshop.pk}/",
        {
            "action": "series",
            "series-first": "2027-01-14",
            "series-until": "2027-12-31",
            "series-start_time": "09:30",
            "series-end_time": "13:00",
            "series-interval_months": "2",
        },
    )
    assert response.status_code == 302 and workshop.sessions.count() == 7
    html = client.get(f"/qualitaet/werkstaetten/{workshop.pk}/").content.decode()
    assert check_page(html) == []


def test_session_management_agenda_minutes_attendance(
    client, coordinator_a, muni_a, django_capture_on_commit_callbacks
):
    from quality.models import DevelopmentInterest

    interest = DevelopmentInterest.objects.create(
        municipality=muni_a, text="Standardisierte Risikoeinschätzung"
    )
    workshop = WorkshopFactory(municipality=muni_a)
    session = WorkshopSessionFactory(workshop=workshop)
    client.force_login(coordinator_a)
    url = f"/qualitaet/termine/{session.pk}/"
    client.post(url + "tagesordnung/", {"agenda-interest": interest.pk})
    assert session.agenda.get().interest == interest
    client.post(
        url + "niederschrift/",
        {"minutes-minutes": "## Ergebnis\n<script>alert(1)</script>**fett**"},
    )
    html = client.get(url).content.decode()
    assert "<strong>fett</strong>" in html and "<script>alert" not in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url + "einladen/",
            {
                "invite-name": "Demo Fachkraft",
                "invite-email": "demo@example.invalid",
            },
        )
    registration = session.registrations.get()
    client.post(f"{url}anmeldungen/{registration.pk}/anmelden/")
    registration.refresh_from_db()
    assert registration.status == "registered"
    session.starts_at = timezone.now() - timedelta(hours=1)
    session.ends_at = timezone.now() + timedelta(hours=1)
    session.save()
    client.post(
        url + "anwesenheit/",
        {"registration": [registration.pk], "present": [registration.pk]},
    )
    registration.refresh_from_db()
    assert registration.attended is True
    protocol = client.get(f"/qualitaet/termine/{session.pk}/protokoll/").content.decode()
    assert "Demo Fachkraft" in protocol and "Standardisierte Risikoeinschätzung" in protocol
    pdf = client.get(f"/qualitaet/termine/{session.pk}/protokoll/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/qualitaet/werkstaetten/{workshop.pk}/teilnahme.xlsx")
    assert xlsx.status_code == 200


def test_session_page_is_get_only_and_each_action_has_its_own_url(client, coordinator_a, muni_a):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a))
    client.force_login(coordinator_a)
    url = f"/qualitaet/termine/{session.pk}/"
    assert client.post(url, {"action": "cancel", "cancel-reason": "x"}).status_code == 405
    assert client.get(url + "absagen/").status_code == 405
    html = client.get(url).content.decode()
    assert 'name="action"' not in html
    for name in ("aendern", "absagen", "niederschrift", "tagesordnung", "einladen"):
        assert f'action="{url}{name}/"' in html
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_session_form_errors_stand_inline_and_nothing_changes(client, coordinator_a, muni_a):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a), place="Rathaus")
    client.force_login(coordinator_a)
    url = f"/qualitaet/termine/{session.pk}/"
    response = client.post(
        url + "aendern/",
        {
            "edit-starts_at": "2027-03-01T12:00",
            "edit-ends_at": "2027-03-01T10:00",
            "edit-place": "Schule",
        },
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    session.refresh_from_db()
    assert session.place == "Rathaus"
    response = client.post(url + "einladen/", {"invite-name": "", "invite-email": "kaputt"})
    assert response.status_code == 400 and not session.registrations.exists()


def test_session_actions_of_another_commune_are_not_found(
    client, coordinator_a, coordinator_b, muni_a
):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a))
    registration = RegistrationFactory(session=session)
    item_session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a))
    client.force_login(coordinator_b)
    url = f"/qualitaet/termine/{session.pk}/"
    for path in (
        "absagen/",
        "anmelden/",
        "anwesenheit/",
        f"anmeldungen/{registration.pk}/abmelden/",
    ):
        assert client.post(url + path, {"cancel-reason": "x"}).status_code == 404, path
    registration.refresh_from_db()
    assert registration.status != "cancelled"
    client.force_login(coordinator_a)
    # A registration or agenda item of another session is not found through this one.
    other = f"/qualitaet/termine/{item_session.pk}/"
    assert client.post(f"{other}anmeldungen/{registration.pk}/abmelden/").status_code == 404
    assert client.post(f"{other}tagesordnung/999999/entfernen/").status_code == 404


def test_session_agenda_delete_and_cancel(client, coordinator_a, muni_a):
    session = WorkshopSessionFactory(workshop=WorkshopFactory(municipality=muni_a))
    client.force_login(coordinator_a)
    url = f"/qualitaet/termine/{session.pk}/"
    client.post(url + "tagesordnung/", {"agenda-title": "Begrüßung"})
    item = session.agenda.get()
    response = client.post(f"{url}tagesordnung/{item.pk}/entfernen/")
    assert response.status_code == 302 and response["Location"].endswith("#tagesordnung")
    assert not session.agenda.exists()
    response = client.post(url + "absagen/", {"cancel-reason": "Krankheit"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "cancelled" and session.cancel_reason == "Krankheit"


def test_participation_table_chart_and_kkg_gaps(client, coordinator_a, muni_a):
    workshop = WorkshopFactory(municipality=muni_a)
    police = InstitutionFactory(
        municipality=muni_a, name="Polizeiinspektion Muster", institution_type="police"
    )
    school = InstitutionFactory(
        municipality=muni_a, name="Grundschule Muster", institution_type="school"
    )
    now = timezone.now()
    for days, institutions in ((120, [police, school]), (60, [police])):
        session = WorkshopSessionFactory(
            workshop=workshop,
            starts_at=now - timedelta(days=days),
            ends_at=now - timedelta(days=days) + timedelta(hours=2),
        )
        for institution in institutions:
            RegistrationFactory(session=session, institution=institution, attended=True)
    client.force_login(coordinator_a)
    html = client.get(f"/qualitaet/werkstaetten/{workshop.pk}/teilnahme/").content.decode()
    assert "<svg" in html and "Polizei" in html
    assert "50 %" in html  # stability: 1 of 2 institutions came again
    assert "Familiengerichte" in html or "Familiengericht" in html  # never came
    assert check_page(html) == []


def test_ical_feeds_parse_back(client, coordinator_a, muni_a):
    workshop = WorkshopFactory(municipality=muni_a, title="Werkstatt Musterstadt")
    session = WorkshopSessionFactory(workshop=workshop, place="Rathaus")
    cancelled = WorkshopSessionFactory(workshop=workshop, status="cancelled", sequence=1)
    response = client.get(f"/qualitaet/kalender/werkstatt/{workshop.feed_token}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    events = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {str(session.uid), str(cancelled.uid)}
    event = events[str(session.uid)]
    assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    assert str(event["LOCATION"]) == "Rathaus" and "DTSTAMP" in event
    assert str(events[str(cancelled.uid)]["STATUS"]) == "CANCELLED"
    assert (
        client.get(
            "/qualitaet/kalender/werkstatt/00000000-0000-0000-0000-000000000000.ics"
        ).status_code
        == 404
    )
    # Personal feed: only the sessions the person signed up for.
    RegistrationFactory(session=session, user=coordinator_a, email="")
    feed = services.calendar_feed_for(user=coordinator_a)
    personal = Calendar.from_ical(
        client.get(f"/qualitaet/kalender/person/{feed.token}.ics").content
    )
    assert [str(e["UID"]).split("@")[0] for e in personal.walk("VEVENT")] == [str(session.uid)]
    renewed = services.calendar_feed_renew(user=coordinator_a)
    assert client.get(f"/qualitaet/kalender/person/{feed.token}.ics").status_code == 404
    assert client.get(f"/qualitaet/kalender/person/{renewed.token}.ics").status_code == 200


def test_public_search_page(client, outcome, muni_b):
    OutcomeFactory(municipality=muni_b, text="Risikoeinschätzung im ASD")
    html = client.get("/qualitaet/suche/?q=Einschätzung").content.decode()
    assert (
        "Risikoeinschätzung im ASD" in html and "Gefährdungseinschätzungsbogen Musterstadt" in html
    )
    assert check_page(html) == []
    partial = client.get("/qualitaet/suche/?q=ASD", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Risikoeinschätzung im ASD" in partial


def test_workshop_capacity_is_configurable_and_moves_waiting_list(client, coordinator_a, muni_a):
    workshop = WorkshopFactory(municipality=muni_a, capacity=1)
    session = WorkshopSessionFactory(workshop=workshop)
    RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status="waitlisted")
    client.force_login(coordinator_a)
    response = client.post(
        f"/qualitaet/werkstaetten/{workshop.pk}/",
        {
            "action": "settings",
            "settings-title": workshop.title,
            "settings-kind": "workshop",
            "settings-capacity": "2",
        },
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "registered"


def test_cluster_board_is_for_members_only(client, cluster, coordinator_b, data_protection_a):
    client.force_login(coordinator_b)
    assert client.get("/qualitaet/ergebnisse/?cluster=42").status_code == 404
    client.force_login(data_protection_a)
    assert client.get("/qualitaet/ergebnisse/").status_code == 403


def test_member_pages_pass_basic_accessibility_checks(client, coordinator_a, muni_a, outcome):
    workshop = WorkshopFactory(municipality=muni_a)
    session = WorkshopSessionFactory(workshop=workshop)
    RegistrationFactory(session=session)
    client.force_login(coordinator_a)
    for url in (
        f"/qualitaet/ergebnisse/{outcome.pk}/",
        "/qualitaet/werkstaetten/",
        f"/qualitaet/termine/{session.pk}/",
        f"/qualitaet/termine/{session.pk}/protokoll/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert check_page(response.content.decode()) == [], url


def test_menu_shows_quality_entries_only_to_those_with_access(
    client, coordinator_a, data_protection_a
):
    client.force_login(coordinator_a)
    html = client.get("/qualitaet/suche/").content.decode()
    assert 'href="/qualitaet/ergebnisse/"' in html and 'href="/qualitaet/werkstaetten/"' in html
    client.force_login(data_protection_a)
    html = client.get("/qualitaet/suche/").content.decode()
    assert 'href="/qualitaet/ergebnisse/"' not in html and 'href="/qualitaet/suche/"' in html
