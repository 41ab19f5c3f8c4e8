"""PDF of a review report, rendered by WeasyPrint from the printable HTML page."""

from __future__ import annotations

from django.conf import settings


def _no_network(url: str, *args, **kwargs):
    """WeasyPrint may only read local files: a report never loads anything from outside."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith(("file:", "data:")):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"external resource refused: {url}")


def report_pdf(html: str) -> bytes:
    """Render ``html`` (the report template, with its inline stylesheet) to PDF bytes."""
    from weasyprint import HTML

    base = f"file://{settings.BASE_DIR}/"
    return HTML(string=html, base_url=base, url_fetcher=_no_network).write_pdf()
