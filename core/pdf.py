"""HTML to PDF with WeasyPrint, never touching the network.

One place for every app's printable report: the page's own template (inline stylesheet,
images as ``data:`` or local ``file:`` URLs) rendered to PDF bytes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _no_network(url: str, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint may only read local files: a report never loads anything from outside."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith(("file:", "data:")):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"external resource refused: {url}")


def html_to_pdf(html: str) -> bytes:
    """Render ``html`` to PDF bytes; relative URLs resolve inside the project directory."""
    from weasyprint import HTML

    base = f"file://{settings.BASE_DIR}/"
    return HTML(string=html, base_url=base, url_fetcher=_no_network).write_pdf()
