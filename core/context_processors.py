"""Template context shared by every page."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from core import permissions


@cache
def _navigation() -> tuple[tuple[str, str, bool, str | None], ...]:
    # Each app declares its menu entries on its AppConfig (``navigation``): (url name,
    # label, needs login[, permission domain]), so adding an app never means editing the
    # base template. With a domain, the entry shows only to users who may view it.
    entries = []
    for config in apps.get_app_configs():
        for url_name, label, needs_login, *domain in getattr(config, "navigation", ()):
            try:
                entries.append(
                    (reverse(url_name), label, needs_login, domain[0] if domain else None)
                )
            except NoReverseMatch:
                continue
    return tuple(entries)


def _visible(user, needs_login: bool, domain: str | None) -> bool:
    if not needs_login:
        return True
    if not user.is_authenticated:
        return False
    return domain is None or bool(permissions.municipality_ids_for(user, permissions.VIEW, domain))


def platform(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "PLATFORM_NAME": "Kinderschutz-QM",
        "LANGUAGES": settings.LANGUAGES,
        "NAVIGATION": [
            (url, label)
            for url, label, needs_login, domain in _navigation()
            if user is not None and _visible(user, needs_login, domain)
        ],
    }
