"""Security headers, no-store for social data, Swagger UI without CDN, `check --deploy`
(issue 14, findings 3 and 9)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from core.services import api_token_create

ROOT = Path(django_settings.BASE_DIR)


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def test_every_page_has_a_strict_csp(client, muni_a):
    policy = _csp(client.get("/"))
    assert policy["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "http" not in policy["script-src"]  # no CDN anywhere


def test_a_nonce_is_only_sent_when_a_page_uses_one(client, caseworker_a):
    # Pages without an inline script carry no nonce at all: nothing inline may run.
    policy = _csp(client.get("/"))
    assert "nonce-" not in policy["script-src"]


def test_permissions_policy_and_other_headers(client, muni_a):
    response = client.get("/")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_is_sent_when_switched_on(client, settings, muni_a):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_ssl_redirect_switch(client, settings, muni_a):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_case_pages_are_not_stored(client, caseworker_a):
    client.force_login(caseworker_a)
    response = client.get("/verfahren/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_case_api_responses_are_not_stored(client, caseworker_a, muni_a):
    _token, raw = api_token_create(user=caseworker_a, name="t", actor=caseworker_a)
    response = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    denied = client.get("/api/v1/cases")
    assert denied["Cache-Control"] == "no-store"


def test_review_pages_of_logged_in_users_are_not_stored(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.get("/lernen/")
    assert response["Cache-Control"] == "no-store"


def test_public_pages_for_visitors_stay_cacheable(client, muni_a):
    response = client.get(muni_a.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_swagger_ui_comes_from_our_own_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']https?://""", html)
    from django.contrib.staticfiles import finders

    assert finders.find("ninja/swagger-ui-bundle.js")
    assert finders.find("ninja/swagger-ui.css")


# --- template audit: no inline script, handler or javascript: URL anywhere ----------------

_TEMPLATE_DIRS = [p for p in ROOT.glob("*/templates") if p.is_dir() and ".venv" not in p.parts] + [
    ROOT / "templates"
]


def _templates():
    for base in _TEMPLATE_DIRS:
        yield from (p for p in base.rglob("*.html") if "tests" not in p.parts)


def test_templates_have_no_inline_script_or_handler():
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            # Allowed: external files, JSON data blocks, or scripts that carry the nonce.
            if "src=" in attrs or "application/json" in attrs or "csp_nonce" in attrs:
                continue
            problems.append(f"{path.relative_to(ROOT)}: inline <script>")
        problems.extend(
            f"{path.relative_to(ROOT)}: inline handler {match.group().strip()}"
            for match in re.finditer(r"\son[a-z]+\s*=", text)
        )
        if re.search(r"""href=["']\s*javascript:""", text, re.IGNORECASE):
            problems.append(f"{path.relative_to(ROOT)}: javascript: URL")
        problems.extend(
            f"{path.relative_to(ROOT)}: <style> without nonce"
            for match in re.finditer(r"<style\b([^>]*)>", text)
            if "csp_nonce" not in match.group(1)
        )
    assert problems == []


# --- `manage.py check --deploy` with production-like env ---------------------------------


def _deploy_check(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "ksqm.example.org",
        "KSQM_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_switches(tmp_path):
    result = _deploy_check(
        tmp_path,
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="True",
        SECURE_HSTS_PRELOAD="True",
        SECURE_SSL_REDIRECT="True",
        KSQM_BEHIND_TLS_PROXY="True",
        KSQM_TRUSTED_PROXIES="10.0.0.1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_switches(tmp_path):
    result = _deploy_check(tmp_path)
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr  # HSTS
    assert "security.W008" in result.stdout + result.stderr  # SSL redirect


@pytest.mark.parametrize("value", ["yes", "-5", "zwölf"])
def test_bad_switch_values_fail_loudly(tmp_path, value):
    result = _deploy_check(tmp_path, SECURE_HSTS_SECONDS=value)
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr
