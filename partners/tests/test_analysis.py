"""The chain in the analyses: event log, hand-overs, reaction times, network view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics import selectors as analytics
from analytics.selectors import LogFilter
from cases import services as case_services
from core import crypto
from core.services import api_token_create
from partners import selectors, services
from partners.tests import factories as f

pytestmark = pytest.mark.django_db


def _chain(
    institution,
    author,
    signer,
    caseworker,
    team,
    *,
    noticed_days_ago,
    contact_hours,
    insofa=None,
    insofa_user=None,
):
    record = f.record(
        institution,
        author,
        child_code=f"K{noticed_days_ago}-{contact_hours}",
        noticed_on=timezone.localdate() - dt.timedelta(days=noticed_days_ago),
    )
    if insofa is not None:
        consultation = services.consultation_request(
            record=record, insofa=insofa, question="Frage", actor=author
        )
        services.consultation_respond(consultation=consultation, actor=insofa_user, accept=True)
        services.consultation_complete(
            consultation=consultation,
            actor=insofa_user,
            consulted_at=timezone.now(),
            outcome="inform",
            result="Jugendamt informieren.",
        )
    services.record_update(record=record, actor=author, decision="inform", parents_talk=True)
    services.record_sign_off(record=record, actor=signer)
    message = services.message_send(record=record, actor=author, **f.message_data())
    message = services.message_acknowledge(
        message=message,
        team=team,
        actor=caseworker,
        urgency="within_3_days",
        living_situation="other",
    )
    if contact_hours is not None:
        # The first contact is documented "now"; shift the receipt back instead.
        from cases.models import Procedure
        from partners.models import PartnerMessage

        sent = timezone.now() - dt.timedelta(hours=contact_hours)
        PartnerMessage.objects.filter(pk=message.pk).update(sent_at=sent)
        Procedure.objects.filter(pk=message.procedure_id).update(received_at=sent)
        case_services.procedure_record_step(
            procedure=Procedure.objects.get(pk=message.procedure_id),
            actor=caseworker,
            activity_code="first_contact",
            occurred_at=timezone.now(),
        )
    return message


@pytest.fixture
def kita_chains(kita_a, kita_staff_a, kita_lead_a, caseworker_a, team_a):
    return [
        _chain(
            kita_a,
            kita_staff_a,
            kita_lead_a,
            caseworker_a,
            team_a,
            noticed_days_ago=d,
            contact_hours=h,
        )
        for d, h in [(2, 10), (4, 20), (6, 30), (8, 40), (10, 50)]
    ]


def test_reaction_times_per_type_with_suppression(
    kita_chains, school_a, school_staff_a, caseworker_a, team_a, coordinator_a, coordinator_b
):
    school_lead = f.staff(school_a, "schul-leitung", "institution_lead")
    _chain(
        school_a,
        school_staff_a,
        school_lead,
        caseworker_a,
        team_a,
        noticed_days_ago=3,
        contact_hours=5,
    )
    rows = {r["institution_type"]: r for r in selectors.reaction_times(user=coordinator_a)}
    kita = rows["daycare"]
    assert not kita["suppressed"] and kita["messages"] == 5
    assert kita["median_hours_to_first_contact"] == pytest.approx(30, abs=0.1)
    # Noticed 6 days ago at noon, received 30 hours ago: about 4.75 days (± time of day).
    assert 3.5 < kita["median_days_to_receipt"] < 6
    school = rows["school"]
    assert school["suppressed"] and school["messages"] is None
    assert school["median_days_to_receipt"] is None
    assert selectors.reaction_times(user=coordinator_b) == []


def test_network_overview_counts_and_gaps(
    kita_chains, muni_a, school_a, school_staff_a, coordinator_a, kita_staff_b
):
    overview = selectors.network_overview(
        user=coordinator_a, municipality=muni_a, year=timezone.localdate().year
    )
    (kita,) = [r for r in overview["rows"] if r["institution_type"] == "daycare"]
    assert (kita["records"], kita["consultations"], kita["messages"]) == (5, 0, 5)
    assert [i.name for i in overview["never_documented"]] == [school_a.name]
    assert [i.name for i in overview["never_consulted"]] == ["Kita Sonnenblume A"]
    assert overview["never_reported"] == []


def test_chain_appears_in_process_map_and_handovers(
    kita_a,
    kita_staff_a,
    kita_lead_a,
    caseworker_a,
    team_a,
    insofa_a,
    insofa_user_a,
    coordinator_a,
    muni_a,
):
    beratung = f.institution(muni_a, "Kinderschutzbund Beratung A", "child_protection_association")
    insofa_a.institution = beratung
    insofa_a.save()
    message = _chain(
        kita_a,
        kita_staff_a,
        kita_lead_a,
        caseworker_a,
        team_a,
        noticed_days_ago=3,
        contact_hours=4,
        insofa=insofa_a,
        insofa_user=insofa_user_a,
    )
    frame = analytics.platform_events(user=coordinator_a, log_filter=LogFilter())
    case = frame.filter(
        frame["case_id"] == crypto.analysis_pseudonym("case", message.procedure.code)
    )
    codes = case.sort("timestamp")["activity_code"].to_list()
    assert codes[0] == "partner_noticed"
    assert "partner_insofa_consulted" in codes and "report_received" in codes
    report = analytics.handover_report(user=coordinator_a, log_filter=LogFilter())
    pairs = {(r["source"], r["target"]) for r in report["rows"]}
    assert ("Kita Sonnenblume A", "Kinderschutzbund Beratung A") in pairs
    assert ("Kinderschutzbund Beratung A", "Kita Sonnenblume A") in pairs
    assert any(target == "Jugendamt" for source, target in pairs if source == "Kita Sonnenblume A")
    pmap = analytics.process_map(user=coordinator_a, log_filter=LogFilter())
    assert "Mitteilung an das Jugendamt" in pmap.activities


def test_network_page_and_api(client, kita_chains, coordinator_a, kita_staff_a, muni_a):
    client.force_login(coordinator_a)
    page = client.get(reverse("partners:network"), {"municipality": muni_a.slug})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Kita Sonnenblume A" in body and "reaction-table" in body
    client.force_login(kita_staff_a)
    assert client.get(reverse("partners:network")).status_code == 404
    _t, raw = api_token_create(user=coordinator_a, name="t", actor=coordinator_a)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    times = client.get("/api/v1/partners/analysis/reaction-times", **headers).json()
    assert times[0]["institution_type"] == "daycare" and times[0]["messages"] == 5
    year = timezone.localdate().year
    net = client.get(f"/api/v1/partners/network/{muni_a.slug}?year={year}", **headers).json()
    assert net["rows"][0]["messages"] == 5
    _t, raw_k = api_token_create(user=kita_staff_a, name="t", actor=kita_staff_a)
    other = {"HTTP_AUTHORIZATION": f"Bearer {raw_k}"}
    assert client.get("/api/v1/partners/analysis/reaction-times", **other).status_code == 404
    assert (
        client.get(f"/api/v1/partners/network/{muni_a.slug}?year={year}", **other).status_code
        == 404
    )
