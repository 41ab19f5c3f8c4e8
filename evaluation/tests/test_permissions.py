"""Who may do what with evaluations: the QUALITY domain of core.permissions, per role."""

import pytest
from django.urls import reverse

from evaluation.tests.test_selectors import fill

# role fixture → (sees round and results, may manage the round)
MATRIX = {
    "coordinator_a": (True, True),
    "project_team": (True, True),
    "platform_admin": (True, True),
    "caseworker_a": (True, False),
    "team_lead_a": (True, False),
    "partner_a": (True, False),
    "readonly_a": (True, False),
    "data_protection_a": (False, False),
    "coordinator_b": (False, False),
    "caseworker_b": (False, False),
}


@pytest.mark.parametrize(("who", "expected"), MATRIX.items())
def test_round_pages_by_role(request, client, round_a, who, expected):
    sees, manages = expected
    fill(round_a, {"youth_office": [(4, 4, 4)] * 3})
    client.force_login(request.getfixturevalue(who))
    detail = client.get(round_a.get_absolute_url())
    results = client.get(reverse("evaluation:round_results", args=[round_a.code]))
    assert detail.status_code == results.status_code == (200 if sees else 404)
    close = client.post(reverse("evaluation:round_close", args=[round_a.code]))
    assert close.status_code == (302 if manages else 403 if sees else 404)
    round_a.refresh_from_db()
    assert (round_a.status == "closed") is manages


def test_anonymous_is_sent_to_login_but_may_answer(client, round_a, invite):
    response = client.get(round_a.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith("/anmelden/")
    invite("t1")
    assert client.get(reverse("evaluation:answer", args=["t1"])).status_code == 200
