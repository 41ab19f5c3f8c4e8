"""End to end in headless chromium under the real Content-Security-Policy: TOTP enrolment
and login, recovery code, passkeys, and no CSP violation on the main pages."""

from __future__ import annotations

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from cases.tests.factories import team_with
from conftest import browser_login, browser_test

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def _code_from_secret(secret: str, offset_steps: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + offset_steps * 30
    return f"{totp.token():06d}"


def _password_step(page, username: str, password: str = "geheim-123", next_url: str = "") -> None:  # noqa: S107
    page.goto(f"{page.base_url}/anmelden/{'?next=' + next_url if next_url else ''}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")


def test_totp_enrolment_then_login_with_app_and_with_recovery_code(
    csp_page, login_security, muni_a, caseworker_a
):
    page = csp_page
    # First login: the password alone leads to the enrolment, not to the cases.
    _password_step(page, "fachkraft-a", next_url="/verfahren/")
    page.wait_for_url("**/konto/sicherheit/neu/**")
    assert page.is_visible(".qr svg")
    secret = page.inner_text("#totp-secret").strip()
    page.goto(page.base_url + "/verfahren/")
    page.wait_for_url("**/konto/sicherheit/neu/**")  # still nothing else reachable

    page.fill("#id_token", "000000")
    page.click("main form button[type=submit] >> text=App bestätigen")
    assert page.is_visible("text=Der Code stimmt nicht")
    time.sleep(1.1)  # django-otp's backoff after a wrong code
    page.fill("#id_token", _code_from_secret(secret))
    page.click("main form button[type=submit] >> text=App bestätigen")
    page.wait_for_selector("#recovery-codes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("text=Weiter")
    page.wait_for_url("**/verfahren/")
    assert page.inner_text("h1")

    # Second login: the app's next code.
    page.click("text=Abmelden")
    _password_step(page, "fachkraft-a", next_url="/verfahren/")
    page.wait_for_url("**/anmelden/zweiter-faktor/**")
    page.fill("#id_token", _code_from_secret(secret, offset_steps=1))
    page.click("main form button[type=submit] >> text=Bestätigen")
    page.wait_for_url("**/verfahren/")

    # Third login: a recovery code, once.
    page.click("text=Abmelden")
    _password_step(page, "fachkraft-a")
    page.wait_for_url("**/anmelden/zweiter-faktor/**")
    page.fill("#id_token", codes[0])
    page.click("main form button[type=submit] >> text=Bestätigen")
    page.wait_for_url("**/start/")
    assert page.csp_violations == []


def test_passkey_registration_and_login(csp_page, login_security, muni_a, caseworker_a):
    page = csp_page
    if not page.base_url.startswith("http://localhost"):
        page.base_url = page.base_url.replace("127.0.0.1", "localhost")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    _password_step(page, "fachkraft-a")
    page.wait_for_url("**/konto/sicherheit/neu/**")
    page.fill("#passkey-name", "Laptop Büro")
    page.click("#passkey-register")
    page.wait_for_url("**/konto/sicherheit/")
    expect(page.locator("main")).to_contain_text("Laptop Büro")

    page.click("text=Abmelden")
    _password_step(page, "fachkraft-a", next_url="/verfahren/")
    page.wait_for_url("**/anmelden/zweiter-faktor/**")
    page.click("#passkey-login")
    page.wait_for_url("**/verfahren/")
    assert page.csp_violations == []


def test_inline_script_without_nonce_is_blocked(csp_page, muni_a):
    page = csp_page

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</body>", "<script>document.title = 'XSS';</script></body>")
        route.fulfill(response=response, body=body)

    page.route("**/kommunen/", inject)
    page.goto(page.base_url + "/kommunen/")
    assert page.title() != "XSS"
    assert any("inline script" in v or "script-src" in v for v in page.csp_violations)


def test_main_pages_run_under_the_csp_without_violations(
    csp_page, muni_a, caseworker_a, coordinator_a, team_lead_a
):
    page = csp_page
    team_with(muni_a, caseworker_a, team_lead_a)
    for path in ("/", "/kommunen/", f"/kommunen/{muni_a.slug}/", "/fruehe-hilfen/", "/api/v1/docs"):
        page.goto(page.base_url + path)
    page.wait_for_selector("#swagger-ui .info")  # Swagger UI rendered from our static files
    browser_login(page, "koordination-a")
    for path in ("/start/", "/qualitaet/", f"/netzwerk/{muni_a.slug}/karte/", "/lernen/"):
        page.goto(page.base_url + path)
    page.click("text=Abmelden")
    browser_login(page, "fachkraft-a")
    for path in ("/verfahren/", "/verfahren/neu/", "/analyse/", "/konto/sicherheit/"):
        page.goto(page.base_url + path)
    assert page.csp_violations == []
