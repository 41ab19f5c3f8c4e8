"""The public directory search on a phone-sized screen, in headless chromium."""

import pytest
from playwright.sync_api import expect

from conftest import browser_test
from directory.models import TaxonomyTerm
from directory.tests.factories import ServiceFactory

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(transactional_db):
    """Rows the migrations load, restored: an earlier transactional test may have flushed
    them (Bundesländer, target groups)."""
    from registry.models import State

    State.objects.get_or_create(code="NW", defaults={"name": "Nordrhein-Westfalen"})
    from directory.constants import TARGET_GROUP_TAXONOMY, TARGET_GROUPS
    from directory.models import TaxonomyTerm

    for position, (slug, label) in enumerate(TARGET_GROUPS):
        TaxonomyTerm.objects.get_or_create(
            taxonomy=TARGET_GROUP_TAXONOMY,
            slug=slug,
            defaults={"name": str(label), "position": position},
        )


def test_visitor_searches_on_a_phone(page, reference_data, muni_a):
    baby = TaxonomyTerm.objects.get(slug="saeugling")
    ServiceFactory(
        municipality=muni_a,
        name="Familienhebamme Nord",
        description="Hausbesuche bei Säuglingen",
        target_groups=[baby],
        district="Nord",
    )
    ServiceFactory(
        municipality=muni_a,
        name="Elternkurs Starke Eltern",
        description="Kurs für Eltern",
        district="Süd",
        is_free=False,
    )
    page.set_viewport_size({"width": 375, "height": 740})

    page.goto(page.base_url + "/fruehe-hilfen/")
    assert "Angebote finden" in page.inner_text("h1")
    # Nothing wider than the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.fill("#id_q", "Säuglinge")
    page.wait_for_function("!document.querySelector('#results').innerText.includes('Elternkurs')")
    assert "Familienhebamme Nord" in page.inner_text("#results")
    assert "q=S%C3%A4uglinge" in page.url or "q=Säuglinge" in page.url

    # Enter keeps the keyboard where it was and replaces the results region whole.
    page.fill("#id_q", "Hebamme")
    page.press("#id_q", "Enter")
    page.wait_for_function("document.querySelector('#results').innerText.includes('1 Angebot')")
    assert page.evaluate("document.activeElement.id") == "id_q"
    assert page.evaluate("document.querySelectorAll('[id=results]').length") == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.fill("#id_q", "")
    page.click(".fh-more summary")
    page.check("#id_free")
    page.wait_for_function("!document.querySelector('#results').innerText.includes('Elternkurs')")
    page.click("#results >> text=Familienhebamme Nord")
    expect(page.locator("h1")).to_have_text("Familienhebamme Nord")
    assert page.is_visible("a[href^='tel:']")
