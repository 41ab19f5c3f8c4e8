"""Template context shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.fragcache import FragmentCache

# The menu groups, in menu order. Apps put their entries into one of them: by default
# with ``navigation_group`` on the AppConfig, per entry with ``navigation_groups``
# ({url name: group}). Four groups instead of thirteen links keep the header on one
# line on a laptop and short on a phone.
NAVIGATION_GROUPS: tuple[tuple[str, object], ...] = (
    ("public", _("Hilfe finden")),
    ("communes", _("Kommunen & Netzwerk")),
    ("quality", _("Qualitätsentwicklung")),
    ("casework", _("Kinderschutz")),
)
DEFAULT_GROUP = "communes"


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: object
    entries: tuple[tuple[str, object], ...]


@cache
def _navigation() -> tuple[tuple[str, str, bool, str | None, str], ...]:
    # Each app declares its menu entries on its AppConfig (``navigation``): (url name,
    # label, needs login[, permission domain]), so adding an app never means editing the
    # base template. With a domain, the entry shows only to users who may view it.
    entries = []
    for config in apps.get_app_configs():
        default_group = getattr(config, "navigation_group", DEFAULT_GROUP)
        groups = getattr(config, "navigation_groups", {})
        for url_name, label, needs_login, *domain in getattr(config, "navigation", ()):
            try:
                entries.append(
                    (
                        reverse(url_name),
                        label,
                        needs_login,
                        domain[0] if domain else None,
                        groups.get(url_name, default_group),
                    )
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


def _navigation_key(user) -> tuple | None:
    # Everything _visible() reads: the menu depends on the set of roles, not on which
    # communes they are held in (a role grants a domain in its commune or in all).
    if user is None:
        return None
    if getattr(user, "is_system", False):
        return ("system",)
    if not user.is_authenticated:
        return ("anonymous",)
    return ("user", user.is_active, user.is_superuser, frozenset(permissions.roles_of(user)))


# Per process: menus per set of roles (a few dozen combinations at most). The labels stay
# lazy, so one entry serves every language.
_navigation_cache: dict[tuple, list[NavGroup]] = {}


def navigation_for(user) -> list[NavGroup]:
    """The menu groups with the entries ``user`` may see; empty groups left out."""
    key = _navigation_key(user)
    if key is None:
        return []
    groups = _navigation_cache.get(key)
    if groups is None:
        groups = _navigation_cache[key] = _build_navigation(user)
    return groups


def _build_navigation(user) -> list[NavGroup]:
    visible = [
        (url, label, group)
        for url, label, needs_login, domain, group in _navigation()
        if user is not None and _visible(user, needs_login, domain)
    ]
    known = {key for key, _label in NAVIGATION_GROUPS}
    result = []
    for key, label in NAVIGATION_GROUPS:
        entries = tuple(
            (url, entry_label)
            for url, entry_label, group in visible
            if group == key or (key == DEFAULT_GROUP and group not in known)
        )
        if entries:
            result.append(NavGroup(key, label, entries))
    return result


# The rendered menu per language and menu (its links and labels only, no user data):
# rendering the nested loops on every page cost more than the rest of the base template.
_menu_html = FragmentCache(256)


def navigation_menu_html(user) -> str:
    """The menu groups as base.html shows them (``_nav_menu.html``), cached per process."""
    groups = navigation_for(user)
    key = (translation.get_language(), _navigation_key(user))
    html = _menu_html.get(key, None)
    if html is None:
        html = render_to_string("_nav_menu.html", {"NAVIGATION_GROUPS": groups})
        _menu_html.set(key, html, None)
    return mark_safe(html)  # noqa: S308 – rendered by our template with autoescape


def platform(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    groups = navigation_for(user)
    return {
        "PLATFORM_NAME": "Kinderschutz-QM",
        "LANGUAGES": settings.LANGUAGES,
        "NAVIGATION_GROUPS": groups,
        # The flat list, for templates and tests that want every entry.
        "NAVIGATION": [entry for group in groups for entry in group.entries],
        "NAVIGATION_MENU": SimpleLazyObject(lambda: navigation_menu_html(user)),
    }
