"""Login throttling and lockout (issue 14, finding 9: 30 wrong passwords, then the right
one logged in)."""

from __future__ import annotations

import time_machine
from django.utils import timezone

from core.choices import AuditAction
from core.models import AuditEvent

PASSWORD = "geheim-123"


def _login(client, username, password, **extra):
    return client.post("/anmelden/", {"username": username, "password": password}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(client, caseworker_a):
    for _ in range(30):
        _login(client, "fachkraft-a", "falsch-falsch")
    response = _login(client, "fachkraft-a", PASSWORD)
    assert response.status_code == 200
    assert not _logged_in(client)
    assert "vorübergehend gesperrt" in response.content.decode()


def test_lockout_is_audited_once_when_it_starts(client, caseworker_a):
    for _ in range(8):
        _login(client, "fachkraft-a", "falsch-falsch")
    locks = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, reason__contains="gesperrt")
    assert locks.count() == 1
    assert locks.get().target_repr == "fachkraft-a"


def test_four_failures_do_not_lock_and_success_clears_the_count(client, caseworker_a):
    for _ in range(4):
        _login(client, "fachkraft-a", "falsch-falsch")
    _login(client, "fachkraft-a", PASSWORD)
    assert _logged_in(client)
    client.logout()
    # The counter restarted: four more failures still leave the door open.
    for _ in range(4):
        _login(client, "fachkraft-a", "falsch-falsch")
    _login(client, "fachkraft-a", PASSWORD)
    assert _logged_in(client)


def test_lockout_of_one_name_leaves_another_name_alone(client, caseworker_a, caseworker_b):
    for _ in range(6):
        _login(client, "fachkraft-a", "falsch-falsch")
    _login(client, "fachkraft-b", PASSWORD)
    assert _logged_in(client)


def test_lockout_ends_after_the_lockout_period(client, caseworker_a, settings):
    settings.KSQM_LOGIN_LOCKOUT_SECONDS = 600
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(6):
            _login(client, "fachkraft-a", "falsch-falsch")
        _login(client, "fachkraft-a", PASSWORD)
        assert not _logged_in(client)
        traveller.shift(601)
        _login(client, "fachkraft-a", PASSWORD)
        assert _logged_in(client)


def test_the_admin_login_is_throttled_too(client, platform_admin):
    platform_admin.is_staff = True
    platform_admin.save()
    for _ in range(10):
        client.post("/admin/login/", {"username": "plattform-admin", "password": "falsch-falsch"})
    client.post("/admin/login/", {"username": "plattform-admin", "password": PASSWORD})
    assert not _logged_in(client)


def test_spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape_the_lock(
    client, caseworker_a, settings
):
    settings.KSQM_TRUSTED_PROXIES = []
    for n in range(6):
        _login(client, "fachkraft-a", "falsch-falsch", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    # The address bucket is 127.0.0.1 for all of them: name+address is locked.
    settings.KSQM_LOGIN_FAILURES_PER_NAME = 0  # only the name+address rule may lock here
    _login(client, "fachkraft-a", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert not _logged_in(client)


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(client, caseworker_a, settings):
    settings.KSQM_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.KSQM_LOGIN_FAILURES_PER_NAME = 0  # isolate the name+address rule
    for _ in range(6):
        _login(client, "fachkraft-a", "falsch-falsch", HTTP_X_FORWARDED_FOR="198.51.100.7")
    _login(client, "fachkraft-a", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert not _logged_in(client)
    # Another office behind the same proxy is not locked out by the first one.
    _login(client, "fachkraft-a", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _logged_in(client)


def test_password_spraying_from_one_address_is_stopped(client, settings, muni_a):
    from core.tests.factories import UserFactory

    settings.KSQM_LOGIN_FAILURES_PER_ADDRESS = 10
    users = [UserFactory(username=f"person-{n}") for n in range(11)]
    for user in users[:10]:
        _login(client, user.username, "Sommer2024!")
    _login(client, users[10].username, PASSWORD)
    assert not _logged_in(client)
