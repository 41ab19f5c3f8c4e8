"""``{{ value|safe_url }}``: a stored link, or "" when it is not http(s) or a site path.

Templates render a link only when the filter returns something, so a ``javascript:`` URL
saved before the validators existed shows as text, never as a clickable link.
"""

from __future__ import annotations

from django import template

from core.validators import safe_href

register = template.Library()


@register.filter
def safe_url(value: object) -> str:
    """The link if it is safe to put into ``href``, else ""."""
    return safe_href(value)


@register.filter
def safe_website(value: object) -> str:
    """Like ``safe_url``, and a bare host (``www.stadt.de``) becomes ``https://…``."""
    return safe_href(value, bare_host=True)
