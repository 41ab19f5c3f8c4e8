"""Second factor for every role that can read case data; idle timeout (issue 14, finding 9).

Enforcement is on in production and off in the test settings; ``login_security`` turns it
on here (see conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.oath import TOTP

from accounts import services
from accounts.models import TOTPApp
from conftest import verified_login
from core import permissions
from core.choices import AuditAction
from core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("login_security")


def totp_code(device: TOTPApp, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def test_case_roles_and_staff_need_a_second_factor_readers_do_not(
    caseworker_a,
    team_lead_a,
    coordinator_a,
    data_protection_a,
    readonly_a,
    partner_a,
    platform_admin,
):
    for user in (caseworker_a, team_lead_a, coordinator_a, data_protection_a, platform_admin):
        assert permissions.requires_second_factor(user), user
    for user in (readonly_a, partner_a):
        assert not permissions.requires_second_factor(user), user


@pytest.mark.parametrize("role", ["institution_staff", "institution_lead", "insofa"])
def test_partner_roles_with_records_need_a_second_factor(role, muni_a):
    from core.tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=f"partner-{role}")
    MembershipFactory(user=user, municipality=muni_a, role=role)
    assert permissions.requires_second_factor(user)


def test_password_alone_does_not_open_a_case_page(client, caseworker_a):
    client.force_login(caseworker_a)
    response = client.get("/verfahren/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/sicherheit/neu/")


def test_password_alone_gets_no_case_api_through_the_session(client, caseworker_a):
    client.force_login(caseworker_a)
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_enrolled_user_is_sent_to_the_second_step(client, caseworker_a):
    TOTPApp.objects.create(user=caseworker_a, name="App", confirmed=True)
    client.force_login(caseworker_a)
    response = client.get("/verfahren/")
    assert response["Location"].startswith("/anmelden/zweiter-faktor/")
    # Enrolling another app is not open to a password-only session.
    assert client.get("/konto/sicherheit/neu/")["Location"].startswith("/anmelden/zweiter-faktor/")


def test_right_code_opens_wrong_code_does_not(client, caseworker_a):
    device = TOTPApp.objects.create(user=caseworker_a, name="App", confirmed=True)
    client.force_login(caseworker_a)
    wrong = client.post("/anmelden/zweiter-faktor/", {"token": "000000", "next": "/verfahren/"})
    assert wrong.status_code == 200
    assert client.get("/verfahren/").status_code == 302
    # django-otp's own backoff after a wrong code (1 s, doubling) is not what is tested here.
    device.refresh_from_db()
    device.throttle_reset()
    right = client.post(
        "/anmelden/zweiter-faktor/", {"token": totp_code(device), "next": "/verfahren/"}
    )
    assert right.status_code == 302
    assert right["Location"] == "/verfahren/"
    assert client.get("/verfahren/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, actor=caseworker_a, reason__contains="TOTP"
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, reason__contains="zweiter Faktor"
    ).exists()


def test_a_used_code_cannot_be_replayed(client, caseworker_a):
    device = TOTPApp.objects.create(user=caseworker_a, name="App", confirmed=True)
    code = totp_code(device)
    client.force_login(caseworker_a)
    client.post("/anmelden/zweiter-faktor/", {"token": code})
    client.logout()
    client.force_login(caseworker_a)
    client.post("/anmelden/zweiter-faktor/", {"token": code})
    assert client.get("/verfahren/").status_code == 302


def test_ten_wrong_codes_lock_the_second_step(client, caseworker_a):
    device = TOTPApp.objects.create(user=caseworker_a, name="App", confirmed=True)
    client.force_login(caseworker_a)
    for n in range(10):
        client.post("/anmelden/zweiter-faktor/", {"token": f"{n:06d}"})
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/anmelden/zweiter-faktor/", {"token": totp_code(device)})
    assert response.status_code == 200
    assert client.get("/verfahren/").status_code == 302


def test_recovery_code_works_once(client, caseworker_a):
    verified_login(client, caseworker_a)
    codes = services.recovery_codes_generate(user=caseworker_a, actor=caseworker_a, verified=True)
    assert len(codes) == 10 and len(set(codes)) == 10
    client.logout()
    client.force_login(caseworker_a)
    client.post("/anmelden/zweiter-faktor/", {"token": codes[0].upper().replace("-", "")})
    assert client.get("/verfahren/").status_code == 200
    client.logout()
    client.force_login(caseworker_a)
    client.post("/anmelden/zweiter-faktor/", {"token": codes[0]})
    assert client.get("/verfahren/").status_code == 302
    assert services.recovery_codes_left(caseworker_a) == 9


def test_app_login_does_not_throttle_the_recovery_codes_and_back(client, caseworker_a):
    """Each code is tried on its own kind of device only: an app login right before does
    not make the recovery device refuse a correct code (its throttle counts failures)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device = TOTPApp.objects.create(user=caseworker_a, name="App", confirmed=True)
    verified_login(client, caseworker_a)
    codes = services.recovery_codes_generate(user=caseworker_a, actor=caseworker_a, verified=True)
    client.logout()
    client.force_login(caseworker_a)
    client.post("/anmelden/zweiter-faktor/", {"token": totp_code(device)})
    assert client.get("/verfahren/").status_code == 200
    assert StaticDevice.objects.get(user=caseworker_a).throttling_failure_count == 0
    client.logout()
    client.force_login(caseworker_a)
    client.post("/anmelden/zweiter-faktor/", {"token": codes[0]})
    assert client.get("/verfahren/").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_enrolment_confirms_the_app_verifies_and_shows_recovery_codes(client, caseworker_a):
    client.force_login(caseworker_a)
    page = client.get("/konto/sicherheit/neu/?next=/verfahren/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPApp.objects.get(user=caseworker_a, confirmed=False)
    bad = client.post("/konto/sicherheit/neu/", {"token": "123456"})
    assert bad.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post(
        "/konto/sicherheit/neu/", {"token": totp_code(device), "next": "/verfahren/"}
    )
    assert done.status_code == 200
    assert done.content.decode().count("<code>") == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/verfahren/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, target_repr__startswith="TOTP"
    ).exists()


def test_a_password_only_session_cannot_add_a_factor_to_an_enrolled_account(caseworker_a):
    TOTPApp.objects.create(user=caseworker_a, name="App", confirmed=True)
    with pytest.raises(PermissionDenied):
        services.totp_device_start(user=caseworker_a, actor=caseworker_a, verified=False)
    with pytest.raises(PermissionDenied):
        services.recovery_codes_generate(user=caseworker_a, actor=caseworker_a, verified=False)


def test_factors_are_personal(caseworker_a, coordinator_a):
    device = TOTPApp.objects.create(user=caseworker_a, name="App", confirmed=True)
    with pytest.raises(PermissionDenied):
        services.device_remove(device=device, actor=coordinator_a, verified=True)


def test_the_last_factor_cannot_be_removed(client, caseworker_a):
    device = verified_login(client, caseworker_a)
    with pytest.raises(ValidationError):
        services.device_remove(device=device, actor=caseworker_a, verified=True)
    second = TOTPApp.objects.create(user=caseworker_a, name="Zweites Handy", confirmed=True)
    response = client.post(f"/konto/sicherheit/totp/{second.pk}/entfernen/")
    assert response.status_code == 302
    assert not TOTPApp.objects.filter(pk=second.pk).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, target_repr__startswith="TOTP"
    ).exists()


def test_another_users_device_is_not_found(client, caseworker_a, caseworker_b):
    verified_login(client, caseworker_a)
    other = TOTPApp.objects.create(user=caseworker_b, name="App", confirmed=True)
    assert client.post(f"/konto/sicherheit/totp/{other.pk}/entfernen/").status_code == 404
    assert TOTPApp.objects.filter(pk=other.pk).exists()


def test_reader_logs_in_with_password_alone(client, readonly_a):
    client.force_login(readonly_a)
    assert client.get("/start/").status_code == 200


def test_security_page_lists_factors(client, caseworker_a):
    verified_login(client, caseworker_a)
    page = client.get("/konto/sicherheit/")
    assert page.status_code == 200
    assert "Test-App" in page.content.decode()


def test_case_role_is_logged_out_after_fifteen_idle_minutes(client, caseworker_a):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        verified_login(client, caseworker_a)
        assert client.get("/verfahren/").status_code == 200
        traveller.shift(14 * 60)
        assert client.get("/verfahren/").status_code == 200
        traveller.shift(16 * 60)
        response = client.get("/verfahren/")
        assert response.status_code == 302
        assert response["Location"].startswith("/anmelden/")
        assert "_auth_user_id" not in client.session


def test_reader_keeps_the_session_for_an_idle_quarter_hour(client, readonly_a):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(readonly_a)
        assert client.get("/start/").status_code == 200
        traveller.shift(30 * 60)
        assert client.get("/start/").status_code == 200
        traveller.shift(61 * 60)
        assert client.get("/start/").status_code == 302


def test_production_defaults_enforce():
    # The test settings switch enforcement off; production settings must have it on.
    code = (
        "import os; os.environ['SECRET_KEY']='x'*50; os.environ['DEBUG']='False';"
        "import config.settings as s;"
        "print(s.KSQM_REQUIRE_SECOND_FACTOR, s.KSQM_IDLE_TIMEOUT_CASE_ROLES, s.SESSION_COOKIE_AGE,"
        " s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KSQM_", "SESSION"))}
    out = subprocess.run(  # noqa: S603 – our own interpreter and a fixed snippet
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    assert out == ["True", "900", "28800", "True"]


def test_operator_resets_a_lost_second_factor(client, caseworker_a):
    import io

    from django.core.management import CommandError, call_command

    verified_login(client, caseworker_a)
    services.recovery_codes_generate(user=caseworker_a, actor=caseworker_a, verified=True)
    with pytest.raises(CommandError):
        call_command("reset_second_factor", "fachkraft-a", "--reason", " ")
    with pytest.raises(CommandError):
        call_command("reset_second_factor", "niemand", "--reason", "Handy verloren")
    out = io.StringIO()
    call_command("reset_second_factor", "fachkraft-a", "--reason", "Handy verloren", stdout=out)
    assert "2 zweite Faktoren" in out.getvalue()
    assert not services.has_second_factor(caseworker_a)
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, reason="Handy verloren", source="cli"
    ).exists()
    # In the web nobody may, not even the owner or an administrator.
    with pytest.raises(PermissionDenied):
        services.second_factor_reset(user=caseworker_a, actor=caseworker_a, reason="x")


# The session's device is checked against the login snapshot (core.principal), not read
# on every request; a change of any device must still count on the very next request.


def test_a_verified_session_needs_no_device_query(client, caseworker_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    verified_login(client, caseworker_a)
    assert client.get("/verfahren/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/verfahren/").status_code == 200
    assert not any("accounts_totpapp" in q["sql"] for q in queries)


def test_a_deleted_device_unverifies_the_session_at_once(client, caseworker_a):
    device = verified_login(client, caseworker_a)
    assert client.get("/verfahren/").status_code == 200
    TOTPApp.objects.create(user=caseworker_a, name="Zweites Handy", confirmed=True)
    device.delete()
    response = client.get("/verfahren/")
    assert response["Location"].startswith("/anmelden/zweiter-faktor/")
    assert "otp_device_id" not in client.session


def test_an_unconfirmed_device_no_longer_verifies(client, caseworker_a):
    device = verified_login(client, caseworker_a)
    assert client.get("/verfahren/").status_code == 200
    device.confirmed = False
    device.save(update_fields=["confirmed"])
    assert client.get("/verfahren/")["Location"].startswith("/konto/sicherheit/neu/")


def test_a_device_of_another_user_does_not_verify_a_session(client, caseworker_a, caseworker_b):
    from django_otp import DEVICE_ID_SESSION_KEY

    verified_login(client, caseworker_a)
    foreign = TOTPApp.objects.create(user=caseworker_b, name="Fremd", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = foreign.persistent_id
    session.save()
    assert client.get("/verfahren/")["Location"].startswith("/anmelden/zweiter-faktor/")


def test_the_verified_device_is_loaded_when_a_view_uses_it(client, caseworker_a, rf):
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.middleware import VerifiedDeviceMiddleware
    from core import principal

    device = TOTPApp.objects.create(user=caseworker_a, name="App", confirmed=True)
    request = rf.get("/")
    request.session = SessionStore()
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.user = principal.load_user(caseworker_a.pk)
    VerifiedDeviceMiddleware(lambda r: r)(request)
    assert request.user.is_verified()
    assert request.user.otp_device.pk == device.pk
    assert isinstance(request.user.otp_device, TOTPApp)
