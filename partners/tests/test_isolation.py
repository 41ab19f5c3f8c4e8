"""Isolation matrix over every URL and API endpoint of the partner side (issue 13).

Partner of another institution or commune, insoFa not asked, Jugendamt caseworker on a
partner record, partner on a procedure: 404 only, and none of the record's data in any
body. Each row also has a rightful user who gets the page, so the matrix can fail.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from core.services import api_token_create
from partners import services
from partners.tests import factories as f

pytestmark = pytest.mark.django_db

SECRETS = ("Hämatome", "Lena Muster-A", "L.M. Gruppe Igel", "Reichen die Anhaltspunkte")


@pytest.fixture
def chain(signed_a, kita_staff_a, insofa_a, insofa_user_a, caseworker_a, team_a, other_insofa_a):
    """A record with a consultation, a Mitteilung acknowledged as a procedure of team A."""
    consultation = services.consultation_request(
        record=signed_a, insofa=insofa_a, question="Reichen die Anhaltspunkte?", actor=kita_staff_a
    )
    message = services.message_send(record=signed_a, actor=kita_staff_a, **f.message_data())
    services.message_acknowledge(
        message=message,
        team=team_a,
        actor=caseworker_a,
        urgency="within_3_days",
        living_situation="single_parent",
    )
    message.refresh_from_db()
    # A second, not yet acknowledged message for the pending intake rows.
    other = f.record(signed_a.institution, kita_staff_a, child_code="Z.Z.")
    services.record_update(record=other, actor=kita_staff_a, decision="inform", parents_talk=True)
    lead = f.staff(signed_a.institution, "kita-leitung-zwei", "institution_lead")
    services.record_sign_off(record=other, actor=lead)
    pending = services.message_send(record=other, actor=kita_staff_a, **f.message_data())
    return {
        "record": signed_a,
        "consultation": consultation,
        "message": message,
        "pending": pending,
        "procedure": message.procedure,
    }


def _urls(chain):
    r, c, m, p, pend = (
        chain["record"].code,
        chain["consultation"].code,
        chain["message"].code,
        chain["procedure"].code,
        chain["pending"].code,
    )
    record_urls = [
        ("get", reverse("partners:record_detail", args=[r])),
        ("post", reverse("partners:record_detail", args=[r])),
        ("post", reverse("partners:record_sign_off", args=[r])),
        ("get", reverse("partners:consultation_request", args=[r])),
        ("post", reverse("partners:consultation_request", args=[r])),
        ("get", reverse("partners:message_create", args=[r])),
        ("post", reverse("partners:message_create", args=[r])),
        ("get", f"/api/v1/partners/records/{r}"),
        ("patch", f"/api/v1/partners/records/{r}"),
        ("post", f"/api/v1/partners/records/{r}/sign-off"),
        ("post", f"/api/v1/partners/records/{r}/consultations"),
        ("post", f"/api/v1/partners/records/{r}/message"),
    ]
    institution_area = [
        ("get", reverse("partners:dashboard")),
        ("get", reverse("partners:record_create")),
        ("post", reverse("partners:record_create")),
        ("get", reverse("partners:staff_list")),
        ("get", "/api/v1/partners/records"),
        ("post", "/api/v1/partners/records"),
        ("get", "/api/v1/partners/pool"),
    ]
    consultation_urls = [
        ("get", reverse("partners:consultation_detail", args=[c])),
        ("post", reverse("partners:consultation_respond", args=[c])),
        ("post", reverse("partners:consultation_result", args=[c])),
        ("post", f"/api/v1/partners/consultations/{c}/answer"),
        ("post", f"/api/v1/partners/consultations/{c}/result"),
    ]
    intake_urls = [
        ("get", reverse("partners:intake_detail", args=[m])),
        ("post", reverse("partners:intake_involvement", args=[m])),
        ("post", reverse("partners:intake_feedback", args=[m])),
        ("get", reverse("partners:intake_detail", args=[pend])),
        ("post", reverse("partners:intake_acknowledge", args=[pend])),
        ("post", f"/api/v1/partners/intake/{m}/involvement"),
        ("post", f"/api/v1/partners/intake/{m}/feedback"),
        ("post", f"/api/v1/partners/intake/{pend}/acknowledge"),
    ]
    procedure_urls = [
        ("get", reverse("cases:procedure_detail", args=[p])),
        ("get", f"/api/v1/cases/{p}"),
        ("get", f"/api/v1/cases/{p}/events"),
    ]
    return record_urls, institution_area, consultation_urls, intake_urls, procedure_urls


def _body(url: str) -> dict:
    """A valid body for each API write, so the answer is about access, not about input."""
    now = timezone.now().isoformat()
    if url.endswith("/consultations"):
        import uuid

        return {"insofa": str(uuid.uuid4()), "question": "Frage"}
    if url.endswith("/message"):
        return f.message_data()
    if url.endswith("/partners/records"):
        return {
            "child_code": "X",
            "age_band": "3-6",
            "noticed_on": "2026-01-05",
            "indications": "x",
        }
    if url.endswith("/answer"):
        return {"accept": True}
    if url.endswith("/result"):
        return {"consulted_at": now, "outcome": "inform", "result": "x"}
    if url.endswith("/involvement"):
        return {"involvement": "involved", "kind": "conversation", "occurred_at": now}
    if url.endswith("/feedback"):
        return {"indications_seen": True, "active": True, "text": "x"}
    if url.endswith("/acknowledge"):
        from cases.models import Team

        team = Team.objects.order_by("pk").first()
        return {"team_id": team.pk, "urgency": "within_week", "living_situation": "other"}
    return {}


def _request(client, user, method, url):
    if url.startswith("/api/"):
        _token, raw = api_token_create(user=user, name="matrix", actor=user)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if method == "get":
            return client.get(url, **headers)
        return getattr(client, method)(
            url, data=_body(url), content_type="application/json", **headers
        )
    client.force_login(user)
    return getattr(client, method)(url)


def _assert_hidden(response, url):
    assert response.status_code == 404, (url, response.status_code)
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body, (url, secret)


@pytest.mark.parametrize(
    "outsider",
    [
        "school_staff_a",
        "kita_staff_b",
        "insofa_user_a",
        "other_insofa_a",
        "caseworker_a",
        "team_lead_a",
        "coordinator_a",
        "caseworker_b",
    ],
)
def test_a_partner_record_is_its_institutions_alone(request, client, chain, outsider):
    user = request.getfixturevalue(outsider)
    if hasattr(user, "user"):  # a pool member fixture
        user = user.user
    record_urls, *_rest = _urls(chain)
    for method, url in record_urls:
        _assert_hidden(_request(client, user, method, url), url)


@pytest.mark.parametrize(
    "outsider", ["caseworker_a", "insofa_user_a", "coordinator_a", "caseworker_b"]
)
def test_the_institution_area_is_only_for_bound_staff(request, client, chain, outsider):
    user = request.getfixturevalue(outsider)
    _record, area, *_rest = _urls(chain)
    for method, url in area:
        _assert_hidden(_request(client, user, method, url), url)


def test_staff_management_is_only_for_the_lead(client, chain, kita_staff_a, kita_lead_a):
    _assert_hidden(_request(client, kita_staff_a, "get", reverse("partners:staff_list")), "staff")
    assert _request(client, kita_lead_a, "get", reverse("partners:staff_list")).status_code == 200


@pytest.mark.parametrize(
    "outsider",
    [
        "other_insofa_a",
        "kita_staff_a",
        "kita_lead_a",
        "caseworker_a",
        "coordinator_a",
        "kita_staff_b",
    ],
)
def test_a_consultation_is_only_for_the_insofa_asked(request, client, chain, outsider):
    user = request.getfixturevalue(outsider)
    if hasattr(user, "user"):
        user = user.user
    *_head, consultation_urls, _intake, _proc = _urls(chain)
    for method, url in consultation_urls:
        _assert_hidden(_request(client, user, method, url), url)


@pytest.mark.parametrize(
    "outsider",
    [
        "kita_staff_a",
        "kita_lead_a",
        "insofa_user_a",
        "coordinator_a",
        "caseworker_b",
        "school_staff_a",
    ],
)
def test_the_intake_is_the_jugendamts_alone(request, client, chain, outsider):
    user = request.getfixturevalue(outsider)
    *_head, intake_urls, _proc = _urls(chain)
    lists = [("get", reverse("partners:intake")), ("get", "/api/v1/partners/intake")]
    if outsider == "caseworker_b":
        # The other commune's Jugendamt has an intake of its own: empty of commune A's.
        for _method, url in lists:
            response = _request(client, user, "get", url)
            assert response.status_code == 200
            assert chain["pending"].receipt not in response.content.decode()
        lists = []
    for method, url in [*intake_urls, *lists]:
        _assert_hidden(_request(client, user, method, url), url)


def test_another_team_sees_only_pending_messages(client, chain, muni_a):
    from cases.tests.factories import team_with
    from conftest import _member

    outsider = _member(muni_a, "caseworker", "fachkraft-a-sued")
    team_with(muni_a, outsider, name="ASD Süd")
    m = chain["message"].code
    for method, url in [
        ("get", reverse("partners:intake_detail", args=[m])),
        ("post", reverse("partners:intake_feedback", args=[m])),
        ("post", f"/api/v1/partners/intake/{m}/feedback"),
    ]:
        _assert_hidden(_request(client, outsider, method, url), url)
    pending = reverse("partners:intake_detail", args=[chain["pending"].code])
    assert _request(client, outsider, "get", pending).status_code == 200


@pytest.mark.parametrize("partner", ["kita_staff_a", "kita_lead_a", "insofa_user_a"])
def test_partners_never_see_the_procedure(request, client, chain, partner):
    user = request.getfixturevalue(partner)
    *_head, procedure_urls = _urls(chain)
    for method, url in procedure_urls:
        response = _request(client, user, method, url)
        assert response.status_code == 404, url
        assert "Lena Muster-A" not in response.content.decode()


def test_rightful_users_get_every_page(client, chain, kita_staff_a, insofa_user_a, caseworker_a):
    record_urls, area, consultation_urls, intake_urls, procedure_urls = _urls(chain)
    gets = lambda urls: [u for m, u in urls if m == "get"]  # noqa: E731
    for url in gets(record_urls) + [u for u in gets(area) if "mitarbeitende" not in u]:
        assert _request(client, kita_staff_a, "get", url).status_code == 200, url
    for url in gets(consultation_urls) + ["/api/v1/partners/consultations"]:
        assert _request(client, insofa_user_a, "get", url).status_code == 200, url
    for url in gets(intake_urls) + gets(procedure_urls) + ["/api/v1/partners/intake"]:
        assert _request(client, caseworker_a, "get", url).status_code == 200, url


def test_every_read_of_a_record_is_logged(client, chain, kita_staff_a):
    from core.models import AccessLog

    before = AccessLog.objects.count()
    client.force_login(kita_staff_a)
    client.get(reverse("partners:record_detail", args=[chain["record"].code]))
    log = AccessLog.objects.order_by("-id").first()
    assert AccessLog.objects.count() == before + 1
    assert log.target_id == str(chain["record"].pk) and log.actor == kita_staff_a


def test_anonymous_is_sent_to_login(client, chain):
    response = client.get(reverse("partners:record_detail", args=[chain["record"].code]))
    assert response.status_code == 302 and "/anmelden/" in response["Location"]
    assert client.get("/api/v1/partners/records").status_code == 401


def test_invitation_link_is_public_but_unguessable(client, kita_a, kita_lead_a):
    assert client.get(reverse("partners:invitation_accept", args=["falsch"])).status_code == 404
    _inv, raw = services.staff_invite(
        institution=kita_a, email="neu@example.invalid", role="institution_staff", actor=kita_lead_a
    )
    assert client.get(reverse("partners:invitation_accept", args=[raw])).status_code == 200
    assert timezone.now()  # the invitation is valid now; expiry is tested in test_services
