"""The coordination's rules for the institutions: the commune's settings (retention,
default sign-off) and each agreement's terms (feedback basis and scope, sign-off)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from network.models import Agreement
from partners import services
from partners.choices import SignOffRule
from partners.models import AgreementTerms, PartnerSettings
from partners.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement_a(muni_a, kita_a):
    agreement = Agreement.objects.create(
        municipality=muni_a, title="§ 8a-Vereinbarung Kitas", kind="section_8a"
    )
    agreement.institutions.add(kita_a)
    return agreement


@pytest.fixture
def agreement_b(muni_b, kita_b):
    agreement = Agreement.objects.create(
        municipality=muni_b, title="Vereinbarung Kitas B", kind="section_8a"
    )
    agreement.institutions.add(kita_b)
    return agreement


def _audit(obj):
    from django.contrib.contenttypes.models import ContentType

    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
    )


def _rules_url(muni):
    return f"{reverse('partners:rules')}?municipality={muni.slug}"


# --- the commune's settings ----------------------------------------------------------------


def test_coordination_sees_and_changes_the_communes_rules(
    client, muni_a, agreement_a, coordinator_a
):
    client.force_login(coordinator_a)
    page = client.get(_rules_url(muni_a))
    assert page.status_code == 200
    assert "§ 8a-Vereinbarung Kitas" in page.content.decode()
    response = client.post(
        reverse("partners:rules_settings", args=[muni_a.slug]),
        {"retention_years": "5", "sign_off_rule": SignOffRule.LEAD},
    )
    assert response.status_code == 302
    row = PartnerSettings.objects.get(municipality=muni_a)
    assert (row.retention_years, row.sign_off_rule) == (5, SignOffRule.LEAD)
    event = _audit(row).latest("id")
    assert event.action == "create" and event.actor == coordinator_a
    client.post(
        reverse("partners:rules_settings", args=[muni_a.slug]),
        {"retention_years": "6", "sign_off_rule": SignOffRule.LEAD},
    )
    event = _audit(row).latest("id")
    assert event.action == "update" and event.after == {"retention_years": 6}


def test_bad_settings_show_inline_and_change_nothing(client, muni_a, coordinator_a):
    client.force_login(coordinator_a)
    response = client.post(
        reverse("partners:rules_settings", args=[muni_a.slug]),
        {"retention_years": "0", "sign_off_rule": "jeder"},
    )
    assert response.status_code == 400
    form = response.context["settings_form"]
    assert set(form.errors) == {"retention_years", "sign_off_rule"}
    assert 'id="id_retention_years"' in response.content.decode()
    assert not PartnerSettings.objects.filter(municipality=muni_a).exists()


def test_settings_service_checks_range_and_role(muni_a, coordinator_a, kita_lead_a):
    with pytest.raises(ValidationError) as exc:
        services.partner_settings_update(
            municipality=muni_a, actor=coordinator_a, retention_years=31, sign_off_rule="lead"
        )
    assert "retention_years" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.partner_settings_update(
            municipality=muni_a, actor=kita_lead_a, retention_years=3, sign_off_rule="lead"
        )


@pytest.mark.parametrize(
    "outsider", ["kita_lead_a", "kita_staff_a", "caseworker_a", "insofa_user_a", "readonly_a"]
)
def test_the_rules_pages_are_the_coordinations(request, client, muni_a, agreement_a, outsider):
    client.force_login(request.getfixturevalue(outsider))
    for method, url, data in (
        ("get", reverse("partners:rules"), {}),
        (
            "post",
            reverse("partners:rules_settings", args=[muni_a.slug]),
            {"retention_years": "2", "sign_off_rule": "lead"},
        ),
        ("get", reverse("partners:agreement_terms_edit", args=[muni_a.slug, agreement_a.pk]), {}),
        (
            "post",
            reverse("partners:agreement_terms_edit", args=[muni_a.slug, agreement_a.pk]),
            {"feedback_legal_basis": "x"},
        ),
        (
            "post",
            reverse("partners:agreement_terms_delete", args=[muni_a.slug, agreement_a.pk]),
            {},
        ),
    ):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (outsider, url)
    assert not PartnerSettings.objects.exists() and not AgreementTerms.objects.exists()


def test_other_communes_coordination_gets_404(
    client, muni_a, muni_b, agreement_a, agreement_b, coordinator_b
):
    client.force_login(coordinator_b)
    page = client.get(_rules_url(muni_a)).content.decode()
    # Only her own commune: A's slug falls back to B, A's agreement is not listed.
    assert "Vereinbarung Kitas B" in page and "§ 8a-Vereinbarung Kitas" not in page
    for url in (
        reverse("partners:rules_settings", args=[muni_a.slug]),
        reverse("partners:agreement_terms_edit", args=[muni_a.slug, agreement_a.pk]),
        # B's own slug with A's agreement: still not found.
        reverse("partners:agreement_terms_edit", args=[muni_b.slug, agreement_a.pk]),
        reverse("partners:agreement_terms_delete", args=[muni_b.slug, agreement_a.pk]),
    ):
        assert (
            client.post(
                url, {"retention_years": "2", "sign_off_rule": "lead", "feedback_legal_basis": "x"}
            ).status_code
            == 404
        ), url
    assert not AgreementTerms.objects.filter(agreement=agreement_a).exists()
    assert not PartnerSettings.objects.filter(municipality=muni_a).exists()


# --- an agreement's terms ----------------------------------------------------------------------


def test_coordination_records_edits_and_removes_an_agreements_terms(
    client, muni_a, kita_a, school_a, agreement_a, coordinator_a
):
    client.force_login(coordinator_a)
    url = reverse("partners:agreement_terms_edit", args=[muni_a.slug, agreement_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "feedback_legal_basis": "§ 8a Abs. 4 SGB VIII, Ziff. 7",
            "feedback_scope": "ob das Jugendamt tätig wird",
            "sign_off_rule": SignOffRule.LEAD,
        },
    )
    assert response.status_code == 302
    terms = AgreementTerms.objects.get(agreement=agreement_a)
    assert services.feedback_basis_for(kita_a) == (
        "§ 8a Abs. 4 SGB VIII, Ziff. 7",
        "ob das Jugendamt tätig wird",
    )
    assert services.sign_off_rule_for(kita_a) == SignOffRule.LEAD
    client.post(url, {"feedback_legal_basis": "§ 8a Abs. 4 SGB VIII, Ziff. 8", "sign_off_rule": ""})
    terms.refresh_from_db()
    assert terms.sign_off_rule == "" and terms.feedback_scope == ""
    actions = list(_audit(terms).order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update"]
    # The rules page lists it; removing falls back to the commune's rule and the statute.
    assert "Ziff. 8" in client.get(_rules_url(muni_a)).content.decode()
    delete = reverse("partners:agreement_terms_delete", args=[muni_a.slug, agreement_a.pk])
    assert client.post(delete).status_code == 302
    assert not AgreementTerms.objects.exists()
    assert services.feedback_basis_for(kita_a) == ("", "")
    assert _audit(terms).filter(action="delete").exists()
    assert client.post(delete).status_code == 404  # nothing left to remove


def test_terms_errors_stand_beside_the_field(client, muni_a, agreement_a, coordinator_a):
    client.force_login(coordinator_a)
    url = reverse("partners:agreement_terms_edit", args=[muni_a.slug, agreement_a.pk])
    response = client.post(url, {"feedback_legal_basis": "   ", "sign_off_rule": "jeder"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"feedback_legal_basis", "sign_off_rule"}
    assert not AgreementTerms.objects.exists()


def test_an_agreement_without_institutions_takes_no_terms(client, muni_a, coordinator_a):
    bare = Agreement.objects.create(municipality=muni_a, title="Ohne Einrichtungen", kind="other")
    client.force_login(coordinator_a)
    url = reverse("partners:agreement_terms_edit", args=[muni_a.slug, bare.pk])
    response = client.post(url, {"feedback_legal_basis": "§ 4 Abs. 4 KKG"})
    assert response.status_code == 400
    assert "keine Einrichtung beteiligt" in str(response.context["form"].non_field_errors())
    assert not AgreementTerms.objects.exists()


# --- what the institution sees -------------------------------------------------------------------


def test_the_institution_sees_the_rules_that_apply(
    client, muni_a, kita_a, agreement_a, kita_staff_a, coordinator_a
):
    services.partner_settings_update(
        municipality=muni_a, actor=coordinator_a, retention_years=4, sign_off_rule="colleague"
    )
    services.agreement_terms_set(
        agreement=agreement_a,
        actor=coordinator_a,
        feedback_legal_basis="§ 8a Abs. 4 SGB VIII, Ziff. 7",
        sign_off_rule=SignOffRule.LEAD,
    )
    client.force_login(kita_staff_a)
    body = client.get(reverse("partners:dashboard")).content.decode()
    assert "nur die Leitung der Einrichtung" in body
    assert "4 Jahre nach der Abzeichnung" in body
    assert "§ 8a Abs. 4 SGB VIII, Ziff. 7" in body


def test_retention_from_29_february(kita_a, kita_staff_a, kita_lead_a):
    day = dt.datetime(2028, 2, 29, 10, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(day, tick=False):
        record = f.signed_record(kita_a, kita_staff_a, kita_lead_a)
    assert record.purge_after == dt.date(2031, 2, 28)


# --- the insoFa pool: one member's details ------------------------------------------------------


def test_coordination_links_a_pool_member_to_contract_employer_and_login(
    client, muni_a, kita_a, agreement_a, coordinator_a, other_insofa_a
):
    from conftest import _member
    from core.choices import Role

    member = f.insofa(muni_a, None, name="Frau Neu im Pool")
    account = _member(muni_a, Role.INSOFA, "insofa-neu-a")
    client.force_login(coordinator_a)
    url = reverse("partners:pool_edit", args=[member.code])
    page = client.get(url)
    assert page.status_code == 200 and "insofa-neu-a" in page.content.decode()
    response = client.post(
        url,
        {
            "name": " Frau Neu im Pool ",
            "qualification": "Kinderschutzfachkraft",
            "specialisms": ["early_childhood", "health"],
            "languages": "de, PL",
            "available": "on",
            "availability_note": "Di und Do",
            "institution": str(kita_a.pk),
            "agreement": str(agreement_a.pk),
            "user": str(account.pk),
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.user, member.agreement, member.institution) == (account, agreement_a, kita_a)
    assert member.languages == ["de", "pl"] and member.name == "Frau Neu im Pool"
    event = _audit(member).latest("id")
    assert event.action == "update" and "agreement_id" in event.after
    # An account already linked to another pool member is refused beside the field.
    taken = client.post(
        reverse("partners:pool_edit", args=[other_insofa_a.code]),
        {"name": "x", "qualification": "y", "user": str(account.pk)},
    )
    assert taken.status_code == 400 and "user" in taken.context["form"].errors


def test_pool_member_links_stay_in_the_commune(
    muni_a, muni_b, kita_b, agreement_b, coordinator_a, caseworker_b
):
    member = f.insofa(muni_a, None, name="Frau Pool A")
    with pytest.raises(ValidationError) as exc:
        services.insofa_update(
            member=member, actor=coordinator_a, institution=kita_b, agreement=agreement_b
        )
    assert set(exc.value.message_dict) == {"institution", "agreement"}
    with pytest.raises(ValidationError) as exc:
        services.insofa_update(member=member, actor=coordinator_a, user=caseworker_b)
    assert "user" in exc.value.message_dict


@pytest.mark.parametrize(
    "outsider", ["coordinator_b", "kita_lead_a", "caseworker_a", "insofa_user_a"]
)
def test_pool_member_page_is_the_own_communes_coordinations(request, client, muni_a, outsider):
    member = f.insofa(muni_a, None, name="Frau Pool A")
    client.force_login(request.getfixturevalue(outsider))
    url = reverse("partners:pool_edit", args=[member.code])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "gekapert", "qualification": "x"}).status_code == 404
    member.refresh_from_db()
    assert member.name == "Frau Pool A"
