"""Issue 17's case flow: no pre-filled statistic fields, several children per report,
identifying data optional, the sign-off request flow, entries kept on errors, htmx saves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.choices import AgeGroup, SignOffRequestStatus
from cases.forms import ChildForm, ProcedureCreateForm
from cases.models import Procedure, SignOffRequest
from cases.tests.factories import intake_post, make_procedure

pytestmark = pytest.mark.django_db

STATISTIC_FIELDS = (
    "reporter_category",
    "channel",
    "urgency",
    "parent_age_group",
    "foreign_origin",
    "german_family_language",
    "prior_help",
)
CHILD_STATISTIC_FIELDS = ("sex", "living_situation", "integration_assistance")


def _child(**kw):
    data = {
        "name": "",
        "birth_date": "",
        "birth_month": "2018-07",
        "sex": "f",
        "living_situation": "single_parent",
        "integration_assistance": "unknown",
    }
    data.update(kw)
    return data


# --- intake ------------------------------------------------------------------------------


def test_new_report_has_no_statistic_value_chosen(team_a, caseworker_a, client):
    form = ProcedureCreateForm(teams=selectors.teams_for_user(user=caseworker_a))
    for name in STATISTIC_FIELDS:
        assert form[name].value() in (None, ""), name
        assert form.fields[name].required, name
    child = ChildForm()
    for name in CHILD_STATISTIC_FIELDS:
        assert child[name].value() in (None, ""), name
    client.force_login(caseworker_a)
    html = client.get(reverse("cases:procedure_create")).content.decode()
    # Nothing but the "– bitte wählen –" option is selected in any select of the page.
    assert 'value="m" selected' not in html and 'value="police_court" selected' not in html
    assert 'value="immediate" selected' not in html and 'value="both_parents" selected' not in html


def test_unchosen_statistic_field_is_rejected_and_entries_are_kept(client, team_a, caseworker_a):
    client.force_login(caseworker_a)
    data = intake_post(team_a, _child(sex=""), indications="Nachbar hört nachts Schreie.")
    response = client.post(reverse("cases:procedure_create"), data)
    assert response.status_code == 200
    assert not Procedure.objects.exists()
    html = response.content.decode()
    assert "Nachbar hört nachts Schreie." in html  # the typed text is still there
    assert "Dieses Feld ist zwingend erforderlich" in html or "This field is required" in html


def test_unknown_is_an_explicit_choice(client, team_a, caseworker_a):
    client.force_login(caseworker_a)
    data = intake_post(team_a, _child(living_situation="unknown"), foreign_origin="unknown")
    client.post(reverse("cases:procedure_create"), data)
    child = Procedure.objects.get().child
    assert child.living_situation == "unknown" and child.foreign_origin is None


def test_one_report_with_three_children_gives_three_procedures(client, team_a, caseworker_a):
    client.force_login(caseworker_a)
    data = intake_post(
        team_a,
        _child(name="Lea Muster-C", birth_date="2016-02-01", sex="f"),
        _child(name="Tom Muster-C", birth_date="2019-09-09", sex="m"),
        _child(sex="x"),
    )
    response = client.post(reverse("cases:procedure_create"), data)
    procedures = list(Procedure.objects.order_by("file_number"))
    assert response.status_code == 302 and len(procedures) == 3
    assert len({p.report_code for p in procedures}) == 1
    assert len({p.file_number for p in procedures}) == 3
    assert [p.child.sex for p in procedures] == ["f", "m", "x"]
    # The family's features are copied to each child; the mother is in each file.
    assert all(p.child.german_family_language is True for p in procedures)
    assert all(p.persons.filter(role="mother").count() == 1 for p in procedures)
    # The third child has no identifying data: optional at intake.
    assert not procedures[2].persons.filter(role="child").exists()
    page = client.get(procedures[0].get_absolute_url()).content.decode()
    assert procedures[1].file_number in page and procedures[2].file_number in page


def test_identifying_data_optional_but_birth_month_needed(client, team_a, caseworker_a):
    client.force_login(caseworker_a)
    response = client.post(
        reverse("cases:procedure_create"),
        intake_post(team_a, _child(birth_month=""), mother_name="", address=""),
    )
    assert response.status_code == 200 and not Procedure.objects.exists()
    assert "Monat und Jahr" in response.content.decode()
    response = client.post(
        reverse("cases:procedure_create"),
        intake_post(team_a, _child(birth_month="2018-13")),
    )
    assert response.status_code == 200 and not Procedure.objects.exists()
    client.post(
        reverse("cases:procedure_create"),
        intake_post(team_a, _child(), mother_name="", address=""),
    )
    procedure = Procedure.objects.get()
    assert (procedure.child.birth_year, procedure.child.birth_month) == (2018, 7)
    assert procedure.persons.count() == 0


def test_add_child_keeps_what_was_typed(client, team_a, caseworker_a):
    client.force_login(caseworker_a)
    data = intake_post(team_a, _child(name="Lea Muster-C"), indications="Kita meldet Hämatome.")
    data["add_child"] = "1"
    response = client.post(reverse("cases:procedure_create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Procedure.objects.exists()
    assert "Kita meldet Hämatome." in html and "Lea Muster-C" in html
    assert 'name="kind-1-sex"' in html and 'name="kind-TOTAL_FORMS" value="2"' in html


def test_person_added_after_intake(client, team_a, caseworker_a):
    procedure = make_procedure(team=team_a, actor=caseworker_a, persons=[])
    client.force_login(caseworker_a)
    response = client.post(
        reverse("cases:person_add", args=[procedure.code]),
        {"role": "child", "name": "Mia Muster-A", "birth_date": "2019-05-14", "address": ""},
    )
    assert response.status_code == 302
    assert procedure.persons.get().name == "Mia Muster-A"
    response = client.post(
        reverse("cases:person_add", args=[procedure.code]), {"role": "", "name": "X"}
    )
    assert response.status_code == 400


def test_report_create_rejects_empty_and_names_the_child(team_a, caseworker_a):
    with pytest.raises(ValidationError):
        services.report_create(
            team=team_a,
            actor=caseworker_a,
            received_at=timezone.now(),
            reporter_category="school",
            channel="phone",
            indications="x",
            urgency="same_day",
            children=[],
        )
    good = {"child": {"sex": "f", "birth_year": 2018, "birth_month": 3,
                      "living_situation": "single_parent"}}  # fmt: skip
    adult = {"child": {"sex": "m", "birth_year": 1990, "birth_month": 1,
                       "living_situation": "single_parent"}}  # fmt: skip
    with pytest.raises(ValidationError, match="Kind 2"):
        services.report_create(
            team=team_a,
            actor=caseworker_a,
            received_at=timezone.now(),
            reporter_category="school",
            channel="phone",
            indications="x",
            urgency="same_day",
            children=[good, adult],
        )
    assert not Procedure.objects.exists()  # all or nothing


# --- sign-off flow -------------------------------------------------------------------------


@pytest.fixture
def draft(team_a, caseworker_a):
    procedure = make_procedure(team=team_a, actor=caseworker_a)
    assessment = services.risk_assessment_start(
        procedure=procedure,
        actor=caseworker_a,
        occurred_at=procedure.received_at + dt.timedelta(days=1),
    )
    return services.risk_assessment_update(
        assessment=assessment,
        actor=caseworker_a,
        result="latent",
        kinds=["neglect"],
        danger_source="mother",
        notes="Synthetische Begründung.",
        parents_involved=True,
        child_involved=True,
    )


def test_request_sign_off_notifies_the_chosen_colleague(
    draft, caseworker_a, team_lead_a, django_capture_on_commit_callbacks
):
    team_lead_a.email = "tl@example.invalid"
    team_lead_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.risk_assessment_request_sign_off(
            assessment=draft, actor=caseworker_a, signer=team_lead_a, note="Bitte heute."
        )
    assert request.status == SignOffRequestStatus.OPEN
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["tl@example.invalid"]
    assert draft.procedure.file_number in mail.outbox[0].subject
    assert "Muster" not in mail.outbox[0].body  # no family data in a mail
    assert list(selectors.sign_off_requests_for_signer(user=team_lead_a)) == [request]
    assert not selectors.sign_off_requests_for_signer(user=caseworker_a).exists()
    # The draft is locked while it waits.
    with pytest.raises(ValidationError, match="zur Abzeichnung"):
        services.risk_assessment_update(assessment=draft, actor=caseworker_a, notes="neu")
    with pytest.raises(ValidationError, match="bereits"):
        services.risk_assessment_request_sign_off(
            assessment=draft, actor=caseworker_a, signer=team_lead_a
        )


def test_request_refused_for_author_outsider_and_incomplete_draft(
    draft, caseworker_a, team_lead_a, other_caseworker_a, caseworker_b, muni_a
):
    for signer in (caseworker_a, other_caseworker_a, caseworker_b):
        with pytest.raises(ValidationError, match="andere Fachkraft des Teams"):
            services.risk_assessment_request_sign_off(
                assessment=draft, actor=caseworker_a, signer=signer
            )
    services.risk_assessment_update(assessment=draft, actor=caseworker_a, result="")
    with pytest.raises(ValidationError, match="Ohne Ergebnis"):
        services.risk_assessment_request_sign_off(
            assessment=draft, actor=caseworker_a, signer=team_lead_a
        )
    with pytest.raises(PermissionDenied):
        services.risk_assessment_request_sign_off(
            assessment=draft, actor=caseworker_b, signer=team_lead_a
        )
    assert not SignOffRequest.objects.exists()


def test_return_with_comment_and_resubmit(draft, caseworker_a, team_lead_a):
    services.risk_assessment_request_sign_off(
        assessment=draft, actor=caseworker_a, signer=team_lead_a
    )
    with pytest.raises(ValidationError, match="begründen"):
        services.risk_assessment_return(assessment=draft, actor=team_lead_a, comment=" ")
    with pytest.raises(ValidationError, match="keine Bitte"):
        services.risk_assessment_return(assessment=draft, actor=caseworker_a, comment="nein")
    request = services.risk_assessment_return(
        assessment=draft, actor=team_lead_a, comment="Hausbesuch fehlt."
    )
    assert request.status == SignOffRequestStatus.RETURNED and request.answer == "Hausbesuch fehlt."
    draft.refresh_from_db()
    assert not draft.is_binding
    services.risk_assessment_update(assessment=draft, actor=caseworker_a, home_visit=True)
    services.risk_assessment_request_sign_off(
        assessment=draft, actor=caseworker_a, signer=team_lead_a
    )
    services.risk_assessment_sign_off(assessment=draft, actor=team_lead_a, reason="Plausibel.")
    draft.refresh_from_db()
    assert draft.is_binding and draft.sign_off_note == "Plausibel."
    statuses = sorted(draft.sign_off_requests.values_list("status", flat=True))
    assert statuses == ["returned", "signed"]


def test_withdraw_only_by_requester_or_author(draft, caseworker_a, team_lead_a):
    services.risk_assessment_request_sign_off(
        assessment=draft, actor=caseworker_a, signer=team_lead_a
    )
    with pytest.raises(PermissionDenied):
        services.risk_assessment_withdraw_request(assessment=draft, actor=team_lead_a)
    services.risk_assessment_withdraw_request(assessment=draft, actor=caseworker_a)
    with pytest.raises(ValidationError):
        services.risk_assessment_withdraw_request(assessment=draft, actor=caseworker_a)
    services.risk_assessment_update(assessment=draft, actor=caseworker_a, notes="geändert")


def test_signer_sees_a_read_only_view_with_sign_and_return(
    client, draft, caseworker_a, team_lead_a, caseworker_b
):
    services.risk_assessment_request_sign_off(
        assessment=draft, actor=caseworker_a, signer=team_lead_a, note="Eilt"
    )
    client.force_login(team_lead_a)
    inbox = client.get(reverse("cases:sign_off_inbox")).content.decode()
    assert draft.procedure.file_number in inbox
    html = client.get(reverse("cases:assessment_detail", args=[draft.code])).content.decode()
    assert 'id="assessment-form"' not in html and 'id="assessment-readonly"' in html
    assert 'id="sign-form"' in html and 'id="return-form"' in html and "Eilt" in html
    # A POST of the edit form is refused while the request is open; nothing changes.
    response = client.post(
        reverse("cases:assessment_detail", args=[draft.code]), {"result": "acute"}
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.result == "latent"
    response = client.post(reverse("cases:assessment_return", args=[draft.code]), {"comment": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("cases:assessment_sign_off", args=[draft.code]), {"reason": "Geprüft, passt."}
    )
    assert response.status_code == 302
    page = client.get(draft.procedure.get_absolute_url()).content.decode()
    assert "Geprüft, passt." in page
    client.force_login(caseworker_b)
    assert client.get(reverse("cases:assessment_detail", args=[draft.code])).status_code == 404
    assert (
        draft.procedure.file_number
        not in client.get(reverse("cases:sign_off_inbox")).content.decode()
    )


def test_author_requests_through_the_page(client, draft, caseworker_a, team_lead_a):
    client.force_login(caseworker_a)
    html = client.get(reverse("cases:assessment_detail", args=[draft.code])).content.decode()
    assert 'id="request-form"' in html and 'id="sign-form"' not in html
    response = client.post(
        reverse("cases:assessment_request_sign_off", args=[draft.code]), {"signer": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("cases:assessment_request_sign_off", args=[draft.code]),
        {"signer": team_lead_a.pk, "note": "Danke"},
    )
    assert response.status_code == 302
    assert SignOffRequest.objects.get().signer == team_lead_a


def test_request_disappears_when_the_signer_leaves_the_team(draft, caseworker_a, team_lead_a):
    services.risk_assessment_request_sign_off(
        assessment=draft, actor=caseworker_a, signer=team_lead_a
    )
    draft.procedure.team.memberships.filter(user=team_lead_a).delete()
    assert not selectors.sign_off_requests_for_signer(user=team_lead_a).exists()


def test_age_group_is_taken_at_completion(team_a, caseworker_a, team_lead_a):
    today = timezone.localdate()
    born = today - dt.timedelta(days=3 * 365 - 20)  # not yet 3 at the report ...
    procedure = make_procedure(
        team=team_a,
        actor=caseworker_a,
        received_at=timezone.now() - dt.timedelta(days=40),
        child={
            "sex": "m",
            "birth_year": born.year,
            "birth_month": born.month,
            "living_situation": "both_parents",
        },  # fmt: skip
    )
    assert procedure.child.age_group == AgeGroup.UNDER_3
    assessment = services.risk_assessment_start(
        procedure=procedure, actor=caseworker_a, occurred_at=timezone.now()
    )
    services.risk_assessment_update(
        assessment=assessment,
        actor=caseworker_a,
        result="need_of_help",
        parents_involved=True,
        child_involved=True,
    )
    services.risk_assessment_sign_off(assessment=assessment, actor=team_lead_a)
    procedure.child.refresh_from_db()
    assert procedure.child.age_group == AgeGroup.FROM_3  # ... but 3 at completion


# --- entries kept, htmx partial saves ------------------------------------------------------


def test_rejected_step_keeps_the_note(client, team_a, caseworker_a):
    procedure = make_procedure(team=team_a, actor=caseworker_a)
    client.force_login(caseworker_a)
    response = client.post(
        reverse("cases:procedure_step", args=[procedure.code]),
        {
            "activity_code": "help_accepted",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "note": "Familie nimmt SPFH an, Termin am Montag.",
            "help_types": ["27_32"],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Familie nimmt SPFH an, Termin am Montag." in html
    assert "zuvor eine Hilfe angeboten" in html


def test_step_saved_with_htmx_returns_only_the_steps(client, team_a, caseworker_a):
    procedure = make_procedure(team=team_a, actor=caseworker_a)
    client.force_login(caseworker_a)
    response = client.post(
        reverse("cases:procedure_step", args=[procedure.code]),
        {
            "activity_code": "first_contact",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "note": "Telefonat mit der Mutter.",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="steps">')
    assert 'id="deadlines" hx-swap-oob="true"' in html and "<html" not in html
    assert "Telefonat mit der Mutter." in html  # now in the list, the form is fresh
    procedure.refresh_from_db()
    assert procedure.first_contact_at is not None
    # An htmx error keeps the typed note in the returned form.
    response = client.post(
        reverse("cases:procedure_step", args=[procedure.code]),
        {"activity_code": "help_accepted", "occurred_at": "", "note": "Bleibt stehen."},
        HTTP_HX_REQUEST="true",
    )
    assert "Bleibt stehen." in response.content.decode()


def test_new_help_and_family_court_recorded_for_the_statistic(team_a, caseworker_a):
    procedure = make_procedure(team=team_a, actor=caseworker_a)
    now = timezone.now()
    services.procedure_record_step(
        procedure=procedure, actor=caseworker_a, activity_code="help_offered", occurred_at=now
    )
    with pytest.raises(ValidationError, match="welche Hilfe"):
        services.procedure_record_step(
            procedure=procedure, actor=caseworker_a, activity_code="help_accepted", occurred_at=now
        )
    for types in (["27_32"], ["16_18", "27_32"]):
        services.procedure_record_step(
            procedure=procedure,
            actor=caseworker_a,
            activity_code="help_accepted",
            occurred_at=now,
            details={"help_types": types},
        )
    services.procedure_record_step(
        procedure=procedure,
        actor=caseworker_a,
        activity_code="family_court_called",
        occurred_at=now,
    )
    procedure.refresh_from_db()
    assert procedure.new_help == "16_18,27_32" and procedure.family_court_called
