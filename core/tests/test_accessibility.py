"""Static accessibility checks (WCAG 2.1 AA / BITV basics) on every page a visitor can reach.

Not a replacement for an audit with assistive technology; it keeps the regressions a
template change most often brings out of the code: missing language, unlabelled form
fields, images without text alternative, skipped or multiple h1, header cells without scope.
"""

from html.parser import HTMLParser

import pytest

from core.tests.test_url_registry import ROUTES


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.html_lang = None
        self.h1 = 0
        self.labels_for: set[str] = set()
        self.fields: list[dict] = []
        self.images_without_alt: list[str] = []
        self.th_without_scope = 0
        self.in_label = 0
        self.in_thead = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.labels_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if a.get("type") not in ("hidden", "submit", "button", "reset", "image"):
                self.fields.append({**a, "_wrapped": self.in_label > 0})
        elif tag == "img" and "alt" not in a:
            self.images_without_alt.append(a.get("src", "?"))
        elif tag == "thead":
            self.in_thead += 1
        elif tag == "th" and not self.in_thead and "scope" not in a:
            self.th_without_scope += 1

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1
        elif tag == "thead":
            self.in_thead -= 1


def check_page(html: str) -> list[str]:
    page = _Collector()
    page.feed(html)
    problems = []
    if not page.html_lang:
        problems.append("<html> without lang")
    if page.h1 != 1:
        problems.append(f"{page.h1} h1 headings (expected exactly one)")
    for field in page.fields:
        labelled = (
            field["_wrapped"]
            or field.get("id") in page.labels_for
            or field.get("aria-label")
            or field.get("aria-labelledby")
            or field.get("title")
        )
        # Honeypot fields are hidden from everyone on purpose.
        if not labelled and field.get("aria-hidden") != "true" and field.get("tabindex") != "-1":
            problems.append(f"unlabelled field {field.get('name') or field.get('id')}")
    problems += [f"image without alt: {src}" for src in page.images_without_alt]
    if page.th_without_scope:
        problems.append(f"{page.th_without_scope} body header cells without scope")
    return problems


def test_checker_finds_problems():
    bad = (
        "<html><body><h1>a</h1><h1>b</h1><input name=q><img src=x.png>"
        "<table><tr><th>x</th></tr></table></body></html>"
    )
    assert check_page(bad) == [
        "<html> without lang",
        "2 h1 headings (expected exactly one)",
        "unlabelled field q",
        "image without alt: x.png",
        "1 body header cells without scope",
    ]


@pytest.mark.parametrize("url", ["/", "/kommunen/", "/cluster/", "/anmelden/"])
def test_core_public_pages_pass_basic_accessibility_checks(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert check_page(response.content.decode()) == [], url


@pytest.mark.parametrize("url", ROUTES)
def test_every_reachable_page_passes_basic_accessibility_checks(client, db, url):
    # Pages that need arguments answer 404 with dummy ones; those render the 404 page.
    response = client.get(url)
    assert response.status_code < 500, url
    is_html = "text/html" in response.get("Content-Type", "")
    if is_html and response.status_code in (200, 404):
        assert check_page(response.content.decode()) == [], url


@pytest.mark.parametrize("url", ["/start/", "/api-tokens/", "/kommunen/musterstadt-a/bearbeiten/"])
def test_member_pages_pass_basic_accessibility_checks(client, coordinator_a, url):
    client.force_login(coordinator_a)
    response = client.get(url)
    assert response.status_code == 200
    assert check_page(response.content.decode()) == [], url
