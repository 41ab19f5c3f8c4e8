"""Template context shared by every page."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@cache
def _navigation() -> tuple[tuple[str, str, bool], ...]:
    # Each app declares its menu entries on its AppConfig (``navigation``), so adding an
    # app never means editing the base template.
    entries = []
    for config in apps.get_app_configs():
        for url_name, label, needs_login in getattr(config, "navigation", ()):
            try:
                entries.append((reverse(url_name), label, needs_login))
            except NoReverseMatch:
                continue
    return tuple(entries)


def platform(request: HttpRequest) -> dict:
    authenticated = request.user.is_authenticated if hasattr(request, "user") else False
    return {
        "PLATFORM_NAME": "Kinderschutz-QM",
        "LANGUAGES": settings.LANGUAGES,
        "NAVIGATION": [
            (url, label)
            for url, label, needs_login in _navigation()
            if authenticated or not needs_login
        ],
    }
