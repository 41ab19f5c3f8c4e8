"""The tenancy scenario as fixtures (healthchecks' Alice/Bob idea, STYLE §7.8).

Two communes, A and B, each with people in every role, plus the national project team.
Every isolation test reads like a sentence built from these names.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

from core.choices import Role
from core.tests.factories import MembershipFactory, UserFactory
from registry.tests.factories import MunicipalityFactory


@pytest.fixture(autouse=True)
def _german_by_default():
    """Every test starts in German: a request in English (LocaleMiddleware) leaves the
    language active in the thread, which made later tests' German assertions order-dependent."""
    from django.utils import translation

    translation.activate("de")
    yield
    translation.deactivate()


@pytest.fixture
def reference_data(db, _reference_snapshot):
    """Reference rows of the data migrations, restored if a transactional test flushed them.

    Browser tests need a transactional database (the live server runs in another
    thread), and transactional tests flush every table afterwards, reference rows included.
    """
    from django.core import serializers

    from registry.models import State

    if not State.objects.exists():
        for row in serializers.deserialize("json", _reference_snapshot):
            row.save()


@pytest.fixture
def muni_a(reference_data):
    return MunicipalityFactory(name="Stadt Musterstadt A", slug="musterstadt-a")


@pytest.fixture
def muni_b(reference_data):
    return MunicipalityFactory(name="Landkreis Beispiel B", slug="beispiel-b")


def _member(municipality, role: str, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, municipality=municipality, role=role)
    return user


@pytest.fixture
def coordinator_a(muni_a):
    return _member(muni_a, Role.COORDINATOR, "koordination-a")


@pytest.fixture
def caseworker_a(muni_a):
    return _member(muni_a, Role.CASEWORKER, "fachkraft-a")


@pytest.fixture
def team_lead_a(muni_a):
    return _member(muni_a, Role.TEAM_LEAD, "teamleitung-a")


@pytest.fixture
def data_protection_a(muni_a):
    return _member(muni_a, Role.DATA_PROTECTION, "datenschutz-a")


@pytest.fixture
def partner_a(muni_a):
    return _member(muni_a, Role.NETWORK_PARTNER, "netzwerk-a")


@pytest.fixture
def readonly_a(muni_a):
    return _member(muni_a, Role.READER, "lesen-a")


@pytest.fixture
def coordinator_b(muni_b):
    return _member(muni_b, Role.COORDINATOR, "koordination-b")


@pytest.fixture
def caseworker_b(muni_b):
    return _member(muni_b, Role.CASEWORKER, "fachkraft-b")


@pytest.fixture
def project_team(db):
    return _member(None, Role.PROJECT_TEAM, "projektteam")


@pytest.fixture
def platform_admin(db):
    return _member(None, Role.PLATFORM_ADMIN, "plattform-admin")


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


# --- browser tests ----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

browser_test = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it as root)"
)


@pytest.fixture(scope="session")
def _playwright_browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, so Django would
    # refuse the ORM calls of the tests' own fixtures; they are safe here (one thread).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _session_uses_database(session: pytest.Session) -> bool:
    db_fixtures = {"db", "transactional_db", "live_server", "django_db_setup", "reference_data"}
    return any(
        item.get_closest_marker("django_db") or db_fixtures & set(getattr(item, "fixturenames", ()))
        for item in session.items
    )


@pytest.fixture(scope="session", autouse=True)
def _reference_snapshot(request, django_db_blocker):
    """The rows data migrations load (Länder, target groups, error taxonomy …), serialized
    once right after the test database was created.

    Autouse, so it is taken before the first test: taken lazily, it was empty whenever a
    transactional test that does not use it (a module overriding ``reference_data``) had
    already flushed the tables, and every later browser test failed (State.DoesNotExist)."""
    from django.apps import apps
    from django.core import serializers

    # Content types and permissions are recreated by the flush itself (post_migrate).
    skip = {("contenttypes", "contenttype"), ("auth", "permission")}
    # A run without database tests gets no test database: reading here would read the
    # development database (and fail on an outdated one).
    if not _session_uses_database(request.session):
        return "[]"
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        rows = []
        for model in apps.get_models():
            if (model._meta.app_label, model._meta.model_name) in skip or model._meta.proxy:
                continue
            rows.extend(model._base_manager.order_by("pk"))
        return serializers.serialize("json", rows)


def _new_page(browser, live_server, *, bypass_csp: bool):
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.base_url = live_server.url
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def page(_playwright_browser, live_server, reference_data):
    """A fresh browser page; ``page.base_url`` is the live server's address.

    Playwright evaluates ``wait_for_function("…")`` strings with eval, which the app's
    Content-Security-Policy refuses; this page therefore bypasses the CSP. The pages are
    checked under the real CSP by ``csp_page`` (accounts/tests/test_browser.py).
    """
    context, page = _new_page(_playwright_browser, live_server, bypass_csp=True)
    yield page
    context.close()


@pytest.fixture
def csp_page(_playwright_browser, live_server, reference_data):
    """A browser page under the app's real Content-Security-Policy; every CSP violation
    the browser reports is collected in ``page.csp_violations``."""
    context, page = _new_page(_playwright_browser, live_server, bypass_csp=False)
    page.csp_violations = []

    def _console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            page.csp_violations.append(message.text)

    page.on("console", _console)
    yield page
    context.close()


def browser_login(page, username: str, password: str = "geheim-123") -> None:  # noqa: S107
    """Log in through the real login form."""
    page.goto(f"{page.base_url}/anmelden/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit] >> nth=-1")
    page.wait_for_url("**/start/")


def nav_click(page, label: str) -> None:
    """Follow a main-menu link as a person does: open its group first (grouped menu)."""
    link = page.locator("nav[aria-label] a", has_text=label).first
    if not link.is_visible():
        link.locator("xpath=ancestor::details[1]/summary").click()
    target_path = urlsplit(link.get_attribute("href") or "").path
    link.click()
    # A click starts the navigation but does not wait for it; reading the page at once
    # could read the old page's heading.
    page.wait_for_url(lambda url: urlsplit(url).path == target_path)


# --- login security (accounts/) ------------------------------------------------------------
#
# Production enforces a second factor for every role that can read case data and logs idle
# sessions out (settings KSQM_REQUIRE_SECOND_FACTOR, KSQM_IDLE_TIMEOUT*; both ON by
# default). The test settings switch both off, so that ``client.force_login(user)`` and
# ``browser_login(page, name)`` keep working everywhere. Tests about login security turn
# enforcement on with the ``login_security`` fixture and log in with ``verified_login``.


@pytest.fixture
def login_security(settings):
    """Production's login enforcement, for one test."""
    settings.KSQM_REQUIRE_SECOND_FACTOR = True
    settings.KSQM_IDLE_TIMEOUT_CASE_ROLES = 15 * 60
    settings.KSQM_IDLE_TIMEOUT = 60 * 60
    return settings


def verified_login(client, user):
    """``client.force_login`` plus a passed second factor (a confirmed TOTP app)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import TOTPApp

    device = TOTPApp.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPApp.objects.create(user=user, name="Test-App", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and login throttles live in the cache: every test starts with none, so
    one test's failed logins never lock out another test's user."""
    from django.core.cache import cache

    cache.clear()
