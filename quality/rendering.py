"""Minutes are written in Markdown and shown as sanitised HTML (markdown + nh3)."""

from __future__ import annotations

import markdown
import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code",
    "pre", "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML, then nh3 keeps only harmless tags (no script, no event handlers)."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 – sanitised by nh3 just above


def _local_only(url: str, *args: object, **kwargs: object) -> dict:
    """WeasyPrint may read local files only; a protocol never loads anything from outside."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith(("file:", "data:")):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"external resource refused: {url}")


def protocol_pdf(html: str) -> bytes:
    """The printable protocol as PDF (WeasyPrint, inline stylesheet, no network)."""
    from weasyprint import HTML

    base = f"file://{settings.BASE_DIR}/"
    return HTML(string=html, base_url=base, url_fetcher=_local_only).write_pdf()
