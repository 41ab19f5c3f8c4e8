"""axe-core on the partner pages in the states the demo crawler does not reach (issue 13).

core/tests/test_axe.py checks one page per URL pattern as the demo has it. The partner
pages change with the record's state — the edit form of a draft, the Mitteilung form, the
intake's acknowledgement form and, once acknowledged, its involvement and feedback forms,
the insoFa's answer and result forms, the public invitation page — and with inline errors
after a bad submission. Each state here: no axe violation and nothing wider than a phone.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from conftest import browser_login, browser_test
from core.tests.test_axe import AXE, PHONE_WIDTH, _axe
from network.models import Agreement
from partners import services
from partners.tests import factories as f

pytestmark = [pytest.mark.browser, browser_test, pytest.mark.django_db(transaction=True)]


def _check(page, path: str, problems: list[str], *, submit: str = "") -> None:
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    response = page.goto(page.base_url + path)
    assert response is not None and response.status == 200, (path, response and response.status)
    if submit:
        # Send the form empty: the page comes back with its inline errors.
        page.click(submit)
        # wait_for_load_state() would see the old page already loaded; wait for the answer.
        expect(page.locator("[role=alert]").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH:
        problems.append(f"{path}{' (errors)' if submit else ''}: {width} px wide")
    page.set_viewport_size({"width": 1280, "height": 900})
    problems.extend(f"{path}{' (errors)' if submit else ''}: {v}" for v in _axe(page))


def test_partner_pages_in_every_state_are_accessible(
    _playwright_browser,
    live_server,
    reference_data,
    muni_a,
    kita_a,
    kita_staff_a,
    kita_lead_a,
    insofa_a,
    insofa_user_a,
    caseworker_a,
    team_a,
    coordinator_a,
):
    if not AXE.exists():
        if os.environ.get("KSQM_REQUIRE_AXE"):
            pytest.fail(f"axe-core fehlt: {AXE} (make test installiert es mit npm)")
        pytest.skip("axe-core is not installed (make test installs it with npm)")
    for user in (kita_staff_a, kita_lead_a, insofa_user_a, caseworker_a, coordinator_a):
        user.set_password("geheim-123")
        user.save()
    draft = f.record(kita_a, kita_staff_a, child_code="Entwurf")
    to_send = f.signed_record(kita_a, kita_staff_a, kita_lead_a, child_code="Zu melden")
    pending_record = f.signed_record(kita_a, kita_staff_a, kita_lead_a, child_code="Gemeldet")
    pending = services.message_send(record=pending_record, actor=kita_staff_a, **f.message_data())
    done_record = f.signed_record(kita_a, kita_staff_a, kita_lead_a, child_code="Bestätigt")
    acknowledged = services.message_send(record=done_record, actor=kita_staff_a, **f.message_data())
    services.message_acknowledge(
        message=acknowledged,
        team=team_a,
        actor=caseworker_a,
        urgency="within_3_days",
        living_situation="single_parent",
    )
    asked = services.consultation_request(
        record=draft, insofa=insofa_a, question="Reicht das?", actor=kita_staff_a
    )
    accepted = services.consultation_request(
        record=to_send, insofa=insofa_a, question="Und hier?", actor=kita_staff_a
    )
    services.consultation_respond(
        consultation=accepted, actor=insofa_user_a, accept=True, reason=""
    )
    agreement = Agreement.objects.create(
        municipality=muni_a, title="§ 8a-Vereinbarung Kitas", kind="section_8a"
    )
    agreement.institutions.add(kita_a)
    _invitation, token = services.staff_invite(
        institution=kita_a, email="neu@example.invalid", role="institution_staff", actor=kita_lead_a
    )

    problems: list[str] = []
    visits = {
        None: [(f"/partner/einladung/{token}/", "#invitation-form button[type=submit]")],
        kita_staff_a.username: [
            (f"/partner/vorgang/{draft.code}/", ""),
            (f"/partner/vorgang/{to_send.code}/mitteilung/", ""),
            (f"/partner/vorgang/{to_send.code}/mitteilung/", "#message-form button[type=submit]"),
            ("/partner/neu/", "#record-create-form button[type=submit]"),
            (f"/partner/vorgang/{done_record.code}/", ""),
        ],
        insofa_user_a.username: [
            (f"/partner/beratungen/{asked.code}/", ""),
            (f"/partner/beratungen/{accepted.code}/", ""),
            (f"/partner/beratungen/{accepted.code}/", "#result-form button[type=submit]"),
        ],
        caseworker_a.username: [
            (f"/partner/eingang/{pending.code}/", ""),
            (f"/partner/eingang/{acknowledged.code}/", ""),
            (f"/partner/eingang/{acknowledged.code}/", "#feedback-form button[type=submit]"),
        ],
        coordinator_a.username: [
            ("/partner/regeln/", ""),
            (f"/partner/regeln/{muni_a.slug}/vereinbarung/{agreement.pk}/", ""),
            (
                f"/partner/regeln/{muni_a.slug}/vereinbarung/{agreement.pk}/",
                "#terms-form button[type=submit]",
            ),
            (f"/partner/pool/{insofa_a.code}/bearbeiten/", ""),
        ],
    }
    for username, paths in visits.items():
        context = _playwright_browser.new_context(locale="de-DE", bypass_csp=True)
        page = context.new_page()
        page.base_url = live_server.url
        page.set_default_timeout(15_000)
        if username:
            browser_login(page, username)
        for path, submit in paths:
            _check(page, path, problems, submit=submit)
        context.close()
    assert not problems, "\n".join(problems)
