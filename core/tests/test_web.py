"""The shared view plumbing: service errors onto forms, htmx partial or whole page."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from core.web import apply_errors, error_text, is_htmx, render_partial_or_page


class _Form(forms.Form):
    name = forms.CharField()
    email = forms.EmailField(required=False)


def _bound() -> _Form:
    form = _Form({"name": "x"})
    assert form.is_valid()
    return form


def test_field_errors_stand_next_to_their_field():
    form = _bound()
    apply_errors(form, ValidationError({"name": "schon vergeben", "email": ["a", "b"]}))
    assert form.errors["name"] == ["schon vergeben"]
    assert form.errors["email"] == ["a", "b"]
    assert form.non_field_errors() == []
    assert "name" not in form.cleaned_data


def test_errors_of_unknown_fields_and_all_become_non_field_errors():
    form = _bound()
    apply_errors(
        form, ValidationError({"municipality": "fremde Kommune", "__all__": "Zeitraum falsch"})
    )
    assert sorted(form.non_field_errors()) == ["Zeitraum falsch", "fremde Kommune"]
    assert "name" not in form.errors


def test_prefix_maps_service_keys_onto_prefixed_fields():
    class Answers(forms.Form):
        s_q1 = forms.CharField(required=False)

    form = Answers({})
    assert form.is_valid()
    apply_errors(form, ValidationError({"q1": "fehlt", "q9": "unbekannt"}), prefix="s_")
    assert form.errors["s_q1"] == ["fehlt"]
    assert form.non_field_errors() == ["unbekannt"]


def test_plain_messages_become_non_field_errors():
    form = _bound()
    apply_errors(form, ValidationError(["eins", "zwei"]))
    assert form.non_field_errors() == ["eins", "zwei"]
    form = _bound()
    apply_errors(form, ValidationError("%(n)s Zeilen fehlerhaft", params={"n": 3}))
    assert form.non_field_errors() == ["3 Zeilen fehlerhaft"]


def test_error_text_joins_every_message():
    assert error_text(ValidationError(["eins.", "zwei."])) == "eins. zwei."
    assert error_text(ValidationError({"a": "eins.", "b": "zwei."})) == "eins. zwei."


def _request(headers: dict[str, str] | None = None):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/", headers=headers or {})
    request.user = AnonymousUser()
    HtmxMiddleware(lambda r: None)(request)
    return request


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
    ],
)
def test_is_htmx_only_for_non_boosted_htmx_requests(headers, expected):
    assert is_htmx(_request(headers)) is expected


def test_is_htmx_false_without_the_middleware():
    assert is_htmx(RequestFactory().get("/", headers={"HX-Request": "true"})) is False


@pytest.mark.django_db
def test_render_partial_or_page_renders_the_fragment_for_htmx_only(muni_a):
    from django.core.paginator import Paginator

    from profiles.forms import MunicipalityFilterForm

    context = {"form": MunicipalityFilterForm(), "page": Paginator([muni_a], 25).get_page(1)}
    template = "profiles/municipality_list.html"
    page = render_partial_or_page(_request(), template, "table", context)
    part = render_partial_or_page(_request({"HX-Request": "true"}), template, "table", context)
    assert b"<html" in page.content and b"<html" not in part.content
    assert muni_a.name.encode() in part.content
    forced = render_partial_or_page(
        _request({"HX-Request": "true"}), template, "table", context, partial=False, status=422
    )
    assert b"<html" in forced.content and forced.status_code == 422
