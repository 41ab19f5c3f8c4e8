"""Personal API tokens: shown once, stored hashed, revocable, personal."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import ApiToken, AuditEvent
from core.services import api_token_authenticate


def test_user_creates_token_shown_once_and_stored_hashed(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post("/api-tokens/", {"name": "Schnittstelle", "valid_days": 30})
    body = response.content.decode()
    token = ApiToken.objects.get(user=coordinator_a)
    raw = body.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("ksqm_")
    assert raw not in str(ApiToken.objects.values_list())  # only the hash is stored
    assert api_token_authenticate(raw) == coordinator_a
    assert raw not in client.get("/api-tokens/").content.decode()  # never shown again
    assert AuditEvent.objects.filter(target_id=str(token.pk), action="create").exists()


def test_invalid_form_shows_inline_error(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post("/api-tokens/", {"name": "", "valid_days": 0})
    assert response.status_code == 200
    assert ApiToken.objects.count() == 0
    assert "errorlist" in response.content.decode()


def test_revoke_own_token_but_not_others(client, coordinator_a, coordinator_b):
    client.force_login(coordinator_a)
    client.post("/api-tokens/", {"name": "A", "valid_days": 30})
    token = ApiToken.objects.get()
    client.force_login(coordinator_b)
    assert client.post(f"/api-tokens/{token.code}/widerrufen/").status_code == 404
    client.force_login(coordinator_a)
    assert client.post(f"/api-tokens/{token.code}/widerrufen/").status_code == 302
    assert not ApiToken.objects.exists()


def test_inactive_user_token_is_rejected(coordinator_a):
    from core.services import api_token_create

    _token, raw = api_token_create(user=coordinator_a, name="x", actor=coordinator_a)
    coordinator_a.is_active = False
    coordinator_a.save()
    assert api_token_authenticate(raw) is None
    assert api_token_authenticate("") is None
    assert api_token_authenticate("nicht-ksqm") is None


def test_cli_creates_token(coordinator_a, capsys):
    call_command("create_api_token", "koordination-a", "Skript")
    raw = capsys.readouterr().out.strip()
    assert api_token_authenticate(raw) == coordinator_a
    with pytest.raises(CommandError):
        call_command("create_api_token", "niemand", "x")
