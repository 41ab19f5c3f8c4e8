"""`make run`: every demo login that needs a second factor can get one (issue 14, item 5)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts import demo
from accounts.models import TOTPApp
from core.choices import Role
from core.tests.factories import MembershipFactory, UserFactory
from profiles.demo import DEMO_PASSWORD


@pytest.fixture
def demo_users(muni_a):
    caseworker = UserFactory(username="fachkraft-demo", first_name="Demo", password=DEMO_PASSWORD)
    MembershipFactory(user=caseworker, municipality=muni_a, role=Role.CASEWORKER)
    partner = UserFactory(username="netzwerk-demo", first_name="Demo", password=DEMO_PASSWORD)
    MembershipFactory(user=partner, municipality=muni_a, role=Role.NETWORK_PARTNER)
    real = UserFactory(username="echte-fachkraft", first_name="Demo", password="eigenes-Passwort")
    MembershipFactory(user=real, municipality=muni_a, role=Role.CASEWORKER)
    return caseworker, partner, real


def test_demo_gives_case_roles_the_synthetic_totp_app_and_says_how(demo_users):
    caseworker, partner, real = demo_users
    out = io.StringIO()
    result = demo.load(seed=1, small=True, stdout=out)
    assert TOTPApp.objects.get(user=caseworker).secret == demo.demo_key_hex()
    assert not TOTPApp.objects.filter(user=partner).exists()
    # Only logins with the published demo password ever get the published secret.
    assert not TOTPApp.objects.filter(user=real).exists()
    assert any(demo.DEMO_TOTP_SECRET in line for line in result["notes"])
    assert any("demo_totp" in line for line in result["notes"])
    demo.load(seed=1, small=True, stdout=out)  # idempotent
    assert TOTPApp.objects.filter(user=caseworker).count() == 1


def test_printed_demo_code_passes_the_second_step(client, demo_users, settings, login_security):
    caseworker = demo_users[0]
    demo.load(seed=1, small=True, stdout=io.StringIO())
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_totp", stdout=out)
    code = out.getvalue().split()[1]
    assert len(code) == 6 and code.isdigit()
    client.force_login(caseworker)
    assert client.get("/verfahren/").status_code == 302
    client.post("/anmelden/zweiter-faktor/", {"token": code})
    assert client.get("/verfahren/").status_code == 200


def test_demo_totp_refuses_outside_the_demo(demo_users, settings):
    demo.load(seed=1, small=True, stdout=io.StringIO())
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_totp", stdout=io.StringIO())


def test_demo_data_prints_the_second_factor(db, capsys):
    call_command("demo_data", "--small")
    out = capsys.readouterr().out
    assert demo.DEMO_TOTP_SECRET in out
    for username in ("fachkraft-bonn", "admin", "datenschutz-bonn"):
        user = get_user_model().objects.get(username=username)
        assert [d.secret for d in TOTPApp.objects.filter(user=user)] == [demo.demo_key_hex()], (
            username
        )
    # Case workers the cases demo adds for the other communes are covered as well.
    extra = (
        get_user_model()
        .objects.filter(username__startswith="fachkraft-")
        .exclude(username__endswith="bonn")
    )
    assert extra.exists()
    assert all(TOTPApp.objects.filter(user=u).exists() for u in extra)
