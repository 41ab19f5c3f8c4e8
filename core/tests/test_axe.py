"""Every page the demo roles reach, in headless chromium: axe-core finds no violation and
nothing scrolls sideways on a 390 px phone (issue 17).

One browser, one page per role, one demo database (``demo_data --small``): the crawler
starts on the role's home page and follows the links of each page it checks, one page
per URL pattern (ids and codes folded), so every template is checked once without
visiting all 300 offers of the directory.

axe-core comes from the npm registry (tools/axe/package.json, MPL-2.0), installed by
``make test``; ``make test`` sets KSQM_REQUIRE_AXE=1 so that a missing install fails
instead of skipping.
"""

from __future__ import annotations

import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from conftest import browser_test

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE_WIDTH = 390
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "demo-kinderschutz"  # noqa: S105 – the demo's published password

# Every demo role (accounts, partners); None is the visitor without a login.
ROLES = [
    None,
    "koordination-bonn",
    "fachkraft-bonn",
    "teamleitung-bonn",
    "datenschutz-bonn",
    "netzwerk-bonn",
    "projektteam",
    "admin",
    "kita-leitung-bonn",
    "kita-fachkraft-bonn",
    "insofa-bonn",
]
# Not pages: downloads, the API, Django's admin (not our templates), leaving the session.
SKIP = re.compile(
    r"^/(admin|api|i18n|health|static|media)/|^/abmelden/|"
    r"/[^/]+\.[a-z]+$|/export|/datei/|/nachweise/\d+/$"
)
# Some pages are wide by nature and scroll inside their own box (tables, maps); the
# document itself must not: this is checked on every page.
IDS = re.compile(r"/([0-9a-f]{8}-[0-9a-f-]{27}|\d+|[A-Za-z0-9_-]{32,})(?=/|$|\.)")
MAX_PAGES = 400


def _pattern(path: str, slugs: frozenset[str]) -> str:
    """One representative per URL pattern: ids, codes, tokens and commune slugs folded."""
    path = IDS.sub("/<id>", path)
    return "/".join("<slug>" if part in slugs else part for part in path.split("/"))


def _login(page, username: str) -> None:
    page.goto(f"{page.base_url}/anmelden/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit] >> nth=-1")
    # The click does not wait for the navigation, and wait_for_load_state() would see the
    # login page already loaded: wait until the browser has left it.
    page.wait_for_url(lambda url: "/anmelden/" not in url)


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]", "els => els.map(a => a.href).filter(h => h.startsWith(location.origin))"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.query or SKIP.search(parts.path):
            continue
        paths.append(parts.path)
    return paths


def _axe(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v =>
                v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
                    .map(n => n.target.join(' ')).join(' | ') + ' ×' + v.nodes.length);
        }"""
    )
    return violations


@pytest.fixture
def demo(reference_data):
    call_command("demo_data", "--small", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_every_page_of_every_role_is_accessible_and_fits_a_phone(
    _playwright_browser, live_server, demo
):
    if not AXE.exists():
        if os.environ.get("KSQM_REQUIRE_AXE"):
            pytest.fail(f"axe-core fehlt: {AXE} (make test installiert es mit npm)")
        pytest.skip("axe-core is not installed (make test installs it with npm)")
    from registry.models import Municipality

    slugs = frozenset(Municipality.objects.values_list("slug", flat=True))
    seen: set[str] = set()
    problems: list[str] = []
    checked = 0
    for role in ROLES:
        context = _playwright_browser.new_context(locale="de-DE", viewport=DESKTOP, bypass_csp=True)
        page = context.new_page()
        page.base_url = live_server.url
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        if role:
            _login(page, role)
            start = urlsplit(page.url).path
        else:
            start = "/"
        queue = deque([start])
        # Each role's own start page is always checked (Mein Bereich differs per role).
        seen.discard(_pattern(start, slugs))
        while queue and checked < MAX_PAGES:
            path = queue.popleft()
            key = _pattern(path, slugs)
            if key in seen:
                continue
            seen.add(key)
            page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
            try:
                response = page.goto(live_server.url + path)
            except PlaywrightError as exc:  # a download, not a page
                if "Download" in str(exc):
                    continue
                raise
            if response is None or response.status != 200:
                continue
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            checked += 1
            where = f"{role or 'anonym'} {path}"
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE_WIDTH:
                problems.append(f"{where}: {width} px breit bei {PHONE_WIDTH} px")
            page.set_viewport_size(DESKTOP)
            problems.extend(f"{where}: {v}" for v in _axe(page))
            problems.extend(f"{where}: JavaScript-Fehler {e}" for e in errors)
            errors.clear()
            queue.extend(p for p in _links(page) if _pattern(p, slugs) not in seen)
        context.close()
    print(f"{checked} Seiten geprüft")
    assert checked > 60, f"only {checked} pages reached"
    assert not problems, "\n".join(problems)
