"""The tenancy scenario as fixtures (healthchecks' Alice/Bob idea, STYLE §7.8).

Two communes, A and B, each with people in every role, plus the national project team.
Every isolation test reads like a sentence built from these names.
"""

from __future__ import annotations

import os
import shutil

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


@pytest.fixture(scope="session")
def _reference_snapshot(django_db_setup, django_db_blocker):
    """The rows data migrations load (Länder, target groups, error taxonomy …), serialized
    once right after the test database was created."""
    from django.apps import apps
    from django.core import serializers

    # Content types and permissions are recreated by the flush itself (post_migrate).
    skip = {("contenttypes", "contenttype"), ("auth", "permission")}
    with django_db_blocker.unblock():
        rows = []
        for model in apps.get_models():
            if (model._meta.app_label, model._meta.model_name) in skip or model._meta.proxy:
                continue
            rows.extend(model._base_manager.order_by("pk"))
        return serializers.serialize("json", rows)


@pytest.fixture
def page(_playwright_browser, live_server, reference_data):
    """A fresh browser page; ``page.base_url`` is the live server's address."""
    context = _playwright_browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.base_url = live_server.url
    page.set_default_timeout(15_000)
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
    link.click()
