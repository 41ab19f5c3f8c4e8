"""Pages of the partner side: dashboard counts, the intake's labels, the link between a
procedure and its Mitteilung."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import selectors, services
from partners.choices import Decision
from partners.tests import factories as f

pytestmark = pytest.mark.django_db


def _acknowledge(message, team, actor):
    services.message_acknowledge(
        message=message,
        team=team,
        actor=actor,
        urgency="within_3_days",
        living_situation="single_parent",
    )
    message.refresh_from_db()
    return message


# --- the institution's dashboard ------------------------------------------------------------


@pytest.fixture
def busy_kita(kita_a, kita_staff_a, kita_lead_a, signed_a, school_a, school_staff_a, kita_b):
    """Kita A: a sent Mitteilung, a draft, a monitored record due and one not yet due.
    The school of the same commune and a Kita of commune B have records of their own."""
    services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    f.record(kita_a, kita_staff_a, child_code="Entwurf")
    today = timezone.localdate()
    for code, review_on in (("fällig", today), ("später", today + dt.timedelta(days=30))):
        rec = f.record(kita_a, kita_staff_a, child_code=code)
        services.record_update(
            record=rec, actor=kita_staff_a, decision=Decision.MONITOR, review_on=review_on
        )
    f.record(school_a, school_staff_a, child_code="Schule")
    kita_staff_b = f.staff(kita_b, "kita-fachkraft-b-2")
    other = f.signed_record(
        kita_b, kita_staff_b, f.staff(kita_b, "kita-leitung-b", "institution_lead")
    )
    services.message_send(record=other, actor=kita_staff_b, **f.message_data())
    return kita_a


def test_dashboard_counts_only_the_own_institution(busy_kita, kita_staff_a):
    counts = selectors.record_dashboard(user=kita_staff_a)
    assert counts == {
        "total": 4,
        "drafts": 3,
        "review_due": 1,
        "messages_open": 1,
        "feedback_received": 0,
    }


def test_dashboard_counts_feedback_received(busy_kita, signed_a, caseworker_a, team_a):
    from partners.models import PartnerMessage

    message = _acknowledge(PartnerMessage.objects.get(record=signed_a), team_a, caseworker_a)
    services.message_feedback_send(
        message=message,
        actor=caseworker_a,
        indications_seen=True,
        active=True,
        text="Wir sind tätig.",
    )
    counts = selectors.record_dashboard(user=signed_a.author)
    assert (counts["messages_open"], counts["feedback_received"]) == (0, 1)


def test_dashboard_counts_are_a_few_queries(busy_kita, kita_staff_a, django_assert_max_num_queries):
    # binding + role lookup, then four counts; no query per record.
    with django_assert_max_num_queries(7):
        selectors.record_dashboard(user=kita_staff_a)


@pytest.mark.parametrize(
    ("user", "total", "open_messages"),
    [
        ("school_staff_a", 1, 0),  # same commune, other institution: its own record only
        ("kita_staff_b", 1, 1),  # other commune: Kita B's record and Mitteilung only
        ("caseworker_a", 0, 0),  # no institution binding
        ("coordinator_a", 0, 0),
    ],
)
def test_dashboard_counts_of_other_institutions_and_communes(
    request, busy_kita, user, total, open_messages
):
    counts = selectors.record_dashboard(user=request.getfixturevalue(user))
    assert (counts["total"], counts["messages_open"]) == (total, open_messages)


def test_dashboard_page_shows_the_counts(client, busy_kita, kita_staff_a):
    client.force_login(kita_staff_a)
    response = client.get(reverse("partners:dashboard"))
    assert response.status_code == 200
    assert response.context["counts"]["review_due"] == 1
    body = response.content.decode()
    assert "Entwurf" in body and "Schule" not in body


# --- the Jugendamt's intake ---------------------------------------------------------------


def test_intake_shows_the_reporter_category_as_its_label(
    client, signed_a, kita_staff_a, caseworker_a
):
    message = services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    client.force_login(caseworker_a)
    response = client.get(reverse("partners:intake_detail", args=[message.code]))
    body = response.content.decode()
    assert message.reporter_category == "daycare"
    assert 'id="reporter-category">Kindertageseinrichtung/Kindertagespflege<' in body


def test_intake_api_carries_code_and_label(client, signed_a, kita_staff_a, caseworker_a):
    from core.services import api_token_create

    services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    _t, raw = api_token_create(user=caseworker_a, name="t", actor=caseworker_a)
    item = client.get("/api/v1/partners/intake", HTTP_AUTHORIZATION=f"Bearer {raw}").json()[
        "items"
    ][0]
    assert item["reporter_category"] == "daycare"
    assert item["reporter_category_label"] == "Kindertageseinrichtung/Kindertagespflege"


# --- procedure ⇄ Mitteilung ------------------------------------------------------------------


@pytest.fixture
def acknowledged(signed_a, kita_staff_a, caseworker_a, team_a):
    message = services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    return _acknowledge(message, team_a, caseworker_a)


def test_procedure_page_links_back_to_the_mitteilung(client, acknowledged, caseworker_a):
    client.force_login(caseworker_a)
    body = client.get(acknowledged.procedure.get_absolute_url()).content.decode()
    intake_url = reverse("partners:intake_detail", args=[acknowledged.code])
    assert f'<a href="{intake_url}">{acknowledged.receipt} von Kita Sonnenblume A' in body
    # The institution's own record is not linked and its pseudonym not shown.
    assert str(acknowledged.record.code) not in body
    assert acknowledged.record.child_code not in body
    # … and the Mitteilung links to the procedure.
    page = client.get(intake_url).content.decode()
    assert acknowledged.procedure.get_absolute_url() in page


def test_procedure_link_only_for_who_may_open_the_mitteilung(
    acknowledged, caseworker_a, kita_staff_a, caseworker_b, muni_a
):
    from cases.selectors import procedure_links
    from cases.tests.factories import team_with
    from conftest import _member

    procedure = acknowledged.procedure
    assert [link.url for link in procedure_links(user=caseworker_a, procedure=procedure)] == [
        reverse("partners:intake_detail", args=[acknowledged.code])
    ]
    other_team = _member(muni_a, "caseworker", "fachkraft-a-nord")
    team_with(muni_a, other_team, name="ASD Nord")
    for user in (kita_staff_a, caseworker_b, other_team):
        assert procedure_links(user=user, procedure=procedure) == []


def test_procedure_without_mitteilung_has_no_link(client, caseworker_a, team_a):
    from cases.tests.factories import make_procedure

    procedure = make_procedure(team=team_a, actor=caseworker_a)
    client.force_login(caseworker_a)
    body = client.get(procedure.get_absolute_url()).content.decode()
    assert 'class="procedure-link"' not in body


# --- Mein Bereich ----------------------------------------------------------------------------


def _kinds(user, today=None):
    return {
        item.kind: item.count
        for item in selectors.due_items_for_user(user=user, today=today or timezone.localdate())
    }


def test_mein_bereich_of_the_institution_insofa_and_jugendamt(
    kita_a, kita_staff_a, kita_lead_a, signed_a, insofa_a, insofa_user_a, caseworker_a, team_a
):
    f.record(kita_a, kita_staff_a, child_code="Entwurf")
    monitored = f.record(kita_a, kita_staff_a, child_code="Beobachtet")
    services.record_update(
        record=monitored,
        actor=kita_staff_a,
        decision=Decision.MONITOR,
        review_on=timezone.localdate() + dt.timedelta(days=7),
    )
    services.consultation_request(
        record=signed_a, insofa=insofa_a, question="Reicht das?", actor=kita_staff_a
    )
    message = services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    # The author's own drafts wait for someone else; the lead sees both.
    assert "partner_sign_off" not in _kinds(kita_staff_a)
    assert _kinds(kita_lead_a)["partner_sign_off"] == 2
    assert "partner_review" not in _kinds(kita_lead_a)
    in_a_week = timezone.localdate() + dt.timedelta(days=7)
    assert _kinds(kita_lead_a, in_a_week)["partner_review"] == 1
    assert _kinds(insofa_user_a) == {"insofa_requests": 1}
    assert _kinds(caseworker_a) == {"intake_new": 1}
    _acknowledge(message, team_a, caseworker_a)
    services.message_feedback_send(
        message=message, actor=caseworker_a, indications_seen=True, active=True, text="Tätig."
    )
    assert _kinds(kita_staff_a)["partner_feedback_received"] == 1
    assert _kinds(caseworker_a) == {}


def test_mein_bereich_shows_nothing_of_another_institution_or_commune(
    kita_a, kita_staff_a, signed_a, school_staff_a, kita_staff_b, caseworker_b, coordinator_a
):
    services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    f.record(kita_a, kita_staff_a, child_code="Entwurf")
    for user in (school_staff_a, kita_staff_b, caseworker_b, coordinator_a):
        assert _kinds(user) == {}, user


def test_mein_bereich_page_lists_the_partner_items(client, signed_a, kita_staff_a, caseworker_a):
    services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    client.force_login(caseworker_a)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "1 Mitteilung einer Einrichtung nicht bestätigt" in body
    assert "Lena Muster-A" not in body and signed_a.child_code not in body
