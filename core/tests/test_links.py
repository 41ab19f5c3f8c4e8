"""Issue 14 item 3 (data side): no stored ``javascript:`` link, and none rendered as a link.

Finding: ``Municipality.website`` and ``Outcome.origin_url`` accepted ``javascript:`` URLs
and public and internal pages rendered them as ``<a href>``.
"""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from core.permissions import SystemActor
from core.validators import safe_href, validate_http_url, validate_link, validate_website
from directory.models import Service
from directory.tests.factories import ServiceFactory
from quality.models import Outcome
from registry.models import Institution, Municipality

ACTOR = SystemActor("test")

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://example.org/datei",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_validators_refuse_everything_but_http_and_https(value):
    for validator in (validate_http_url, validate_website, validate_link):
        with pytest.raises(ValidationError):
            validator(value)
    assert safe_href(value) == ""
    assert safe_href(value, bare_host=True) == ""


def test_validators_accept_web_links_and_site_paths():
    validate_http_url("https://www.wolfsburg.de/jugend")
    validate_http_url("http://example.org")
    validate_website("www.wolfsburg.de")
    validate_website("https://www.wolfsburg.de")
    validate_link("/fehler-lernen/falluntersuchungen/123/")
    for bad in ("//evil.example/x", "/\\evil.example"):
        with pytest.raises(ValidationError):
            validate_link(bad)
    assert safe_href("www.wolfsburg.de", bare_host=True) == "https://www.wolfsburg.de"
    assert safe_href("/qualitaet/") == "/qualitaet/"


@pytest.mark.django_db
def test_model_fields_refuse_a_javascript_url(muni_a):
    muni_a.website = "javascript:alert(1)"
    with pytest.raises(ValidationError) as exc:
        muni_a.full_clean()
    assert "website" in exc.value.message_dict
    institution = Institution(municipality=muni_a, name="Kita X", website="javascript:alert(1)")
    with pytest.raises(ValidationError) as exc:
        institution.full_clean()
    assert "website" in exc.value.message_dict
    service = ServiceFactory(municipality=muni_a)
    service.website = "data:text/html,x"
    with pytest.raises(ValidationError) as exc:
        service.full_clean(exclude=["search_document"])
    assert "website" in exc.value.message_dict


@pytest.mark.django_db
def test_services_refuse_a_javascript_url(muni_a, coordinator_a):
    from quality.services import outcome_create
    from registry.services import municipality_update

    with pytest.raises(ValidationError):
        municipality_update(municipality=muni_a, actor=coordinator_a, website="javascript:x()")
    muni_a.refresh_from_db()
    assert "javascript" not in muni_a.website
    with pytest.raises(ValidationError):
        outcome_create(
            municipality=muni_a, text="Maßnahme", actor=coordinator_a, origin_url="javascript:x()"
        )
    assert not Outcome.objects.exists()


@pytest.mark.django_db
def test_old_rows_with_a_javascript_url_are_shown_as_text_not_as_a_link(
    client, muni_a, coordinator_a
):
    # Rows saved before the validators existed (QuerySet.update skips validation).
    Municipality.objects.filter(pk=muni_a.pk).update(website="javascript://%0aalert(1)")
    page = client.get(reverse("profiles:municipality_detail", args=[muni_a.slug]))
    assert page.status_code == 200
    assert 'href="javascript' not in page.content.decode()

    service = ServiceFactory(municipality=muni_a)
    Service.objects.filter(pk=service.pk).update(website="javascript:alert(1)")
    page = client.get(reverse("directory:service_detail", args=[service.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="javascript' not in html
    assert "javascript:alert(1)" in html  # still visible as text, so it can be fixed

    from quality.services import outcome_create

    outcome = outcome_create(municipality=muni_a, text="Maßnahme", actor=coordinator_a)
    Outcome.objects.filter(pk=outcome.pk).update(
        origin="Falluntersuchung", origin_url="javascript:alert(1)"
    )
    client.force_login(coordinator_a)
    page = client.get(reverse("quality:outcome_detail", args=[outcome.pk]))
    assert page.status_code == 200
    assert 'href="javascript' not in page.content.decode()


def test_template_filters():
    template = Template(
        "{% load safe_links %}[{{ a|safe_url }}][{{ b|safe_url }}][{{ c|safe_website }}]"
    )
    rendered = template.render(
        Context({"a": "javascript:alert(1)", "b": "https://x.example/", "c": "www.stadt.de"})
    )
    assert rendered == "[][https://x.example/][https://www.stadt.de]"
