"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict:
    return {
        "PLATFORM_NAME": "Kinderschutz-QM",
        "LANGUAGES": settings.LANGUAGES,
    }
