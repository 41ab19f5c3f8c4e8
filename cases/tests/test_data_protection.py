"""Issue 14 item 1: identifying values of a case encrypted, row-bound, never in the audit trail.

Reproducer of the finding: an event posted with ``details`` that name a person lay in clear
text in the database and was copied whole into ``AuditEvent.after``, which the platform
administrator read at /protokoll/ for every commune.
"""

import datetime as dt

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.utils import timezone

from cases import services
from cases.models import Amendment, PersonRecord, Procedure, ProcedureEvent
from cases.tests.factories import decide, make_procedure
from core import crypto
from core.fields import SealedValue, seal_existing_rows
from core.models import AccessLog, AuditEvent
from core.services import api_token_create

pytestmark = pytest.mark.django_db

SECRET_NAME = "Kevin Geheimname-Test"
SECRET_PHONE = "0151 99887766"
SECRET_PLACE = "Praxis Dr. Vertraulich-Test"


def _raw(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def _handover(procedure, actor, **kw):
    return services.procedure_record_step(
        procedure=procedure,
        actor=actor,
        activity_code="police_involved",
        occurred_at=procedure.received_at + dt.timedelta(days=2),
        institution_name=kw.pop("institution_name", SECRET_PLACE),
        details=kw.pop("details", {"transmitted": f"Name {SECRET_NAME}", "telefon": SECRET_PHONE}),
        **kw,
    )


@pytest.fixture
def procedure(team_a, caseworker_a):
    return make_procedure(team=team_a, actor=caseworker_a)


def test_event_details_and_institution_name_are_encrypted_at_rest(procedure, caseworker_a):
    event = _handover(procedure, caseworker_a)
    ((raw_name, raw_details),) = _raw(
        "SELECT institution_name, details FROM cases_procedureevent WHERE id = %s", [event.pk]
    )
    for raw in (raw_name, raw_details):
        assert raw.startswith("v2:")
        assert SECRET_NAME not in raw and SECRET_PHONE not in raw and "Vertraulich" not in raw
    fresh = ProcedureEvent.objects.get(pk=event.pk)
    assert fresh.institution_name == SECRET_PLACE
    assert fresh.details == {"transmitted": f"Name {SECRET_NAME}", "telefon": SECRET_PHONE}


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(procedure, caseworker_a):
    first = _handover(procedure, caseworker_a)
    second = _handover(
        procedure, caseworker_a, institution_name="Jugendamt Anderswo", details={"transmitted": "x"}
    )
    ((token,),) = _raw("SELECT details FROM cases_procedureevent WHERE id = %s", [first.pk])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_procedureevent SET details = %s WHERE id = %s", [token, second.pk]
        )
    with pytest.raises(crypto.DecryptionError):
        _ = ProcedureEvent.objects.get(pk=second.pk).details
    # the original row still opens: the binding is to the row, not a broken key
    assert ProcedureEvent.objects.get(pk=first.pk).details["telefon"] == SECRET_PHONE


def test_a_ciphertext_copied_to_another_field_does_not_decrypt(procedure, caseworker_a):
    event = _handover(procedure, caseworker_a)
    ((token,),) = _raw(
        "SELECT institution_name FROM cases_procedureevent WHERE id = %s", [event.pk]
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_procedureevent SET note = %s WHERE id = %s", [token, event.pk])
    with pytest.raises(crypto.DecryptionError):
        _ = ProcedureEvent.objects.get(pk=event.pk).note


def test_a_persons_name_copied_to_another_person_does_not_decrypt(procedure):
    child, mother = PersonRecord.objects.filter(procedure=procedure).order_by("role")
    ((token,),) = _raw("SELECT name FROM cases_personrecord WHERE id = %s", [child.pk])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_personrecord SET name = %s WHERE id = %s", [token, mother.pk])
    with pytest.raises(crypto.DecryptionError):
        _ = PersonRecord.objects.get(pk=mother.pk).name


def test_an_unbound_v1_token_is_refused_in_a_bound_field(procedure):
    person = PersonRecord.objects.filter(procedure=procedure).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_personrecord SET name = %s WHERE id = %s",
            [crypto.encrypt("Untergeschoben"), person.pk],
        )
    with pytest.raises(crypto.DecryptionError):
        _ = PersonRecord.objects.get(pk=person.pk).name


def test_bulk_update_with_a_value_is_refused_because_it_has_no_row_to_bind_to(procedure):
    with pytest.raises(TypeError), transaction.atomic():
        ProcedureEvent.objects.filter(procedure=procedure).update(note="überschrieben")
    # blanking stays possible: the purge relies on it
    ProcedureEvent.objects.filter(procedure=procedure).update(note="")


def test_values_list_returns_sealed_values_that_open_with_the_row_code(procedure, caseworker_a):
    event = _handover(procedure, caseworker_a)
    code, sealed = ProcedureEvent.objects.filter(pk=event.pk).values_list(
        "code", "institution_name"
    )[0]
    assert isinstance(sealed, SealedValue)
    assert str(sealed) == "«verschlüsselt»"
    field = ProcedureEvent._meta.get_field("institution_name")
    assert field.open_for(code, sealed) == SECRET_PLACE


def test_audit_rows_of_case_data_name_fields_but_never_values(procedure, caseworker_a, team_lead_a):
    event = _handover(procedure, caseworker_a)
    decide(procedure, author=caseworker_a, signer=team_lead_a)
    services.amendment_add(procedure=procedure, actor=caseworker_a, text=f"Nachtrag {SECRET_NAME}")
    rows = list(AuditEvent.objects.values_list("before", "after"))
    dump = str(rows)
    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_PLACE, "Muster-A", "Frühstück", "latent"):
        assert secret not in dump
    created = AuditEvent.objects.get(target_id=str(event.pk), target_type__model="procedureevent")
    assert set(created.after) >= {"details", "institution_name", "activity_code", "occurred_at"}
    assert set(created.after.values()) == {"«geändert»"}
    # an update shows which field changed, not to what
    signed = AuditEvent.objects.filter(action="sign_off").get()
    assert ("status", "«geändert»", "«geändert»") in signed.changes()
    assert set(signed.after.values()) == {"«geändert»"}


def test_an_unchanged_encrypted_field_is_not_reported_as_changed(procedure, caseworker_a):
    assessment = services.risk_assessment_start(
        procedure=procedure, actor=caseworker_a, occurred_at=procedure.received_at
    )
    services.risk_assessment_update(assessment=assessment, actor=caseworker_a, notes="Erster Text")
    services.risk_assessment_update(assessment=assessment, actor=caseworker_a, home_visit=True)
    last = AuditEvent.objects.filter(action="update").order_by("-id").first()
    assert set(last.after) == {"home_visit"}
    services.risk_assessment_update(assessment=assessment, actor=caseworker_a, notes="Zweiter Text")
    last = AuditEvent.objects.filter(action="update").order_by("-id").first()
    assert set(last.after) == {"notes"}


def test_purge_blanks_event_details_and_institution_names(procedure, caseworker_a, team_lead_a):
    from core.permissions import SystemActor

    event = _handover(procedure, caseworker_a)
    services.procedure_purge_identifying(
        procedure=procedure, actor=SystemActor("test"), reason="Löschfrist abgelaufen"
    )
    ((raw_name, raw_details, raw_note),) = _raw(
        "SELECT institution_name, details, note FROM cases_procedureevent WHERE id = %s",
        [event.pk],
    )
    assert (raw_name, raw_details, raw_note) == ("", "", "")
    fresh = ProcedureEvent.objects.get(pk=event.pk)
    assert fresh.details == {} and fresh.institution_name == ""


def _api_headers(user):
    _, raw = api_token_create(user=user, name="test", actor=user)
    return {"Authorization": f"Bearer {raw}"}


def test_reproducer_api_event_is_neither_in_the_database_nor_at_protokoll(
    client, procedure, caseworker_a, platform_admin, data_protection_a
):
    response = client.post(
        f"/api/v1/cases/{procedure.code}/events",
        {
            "activity_code": "police_involved",
            "occurred_at": timezone.now().isoformat(),
            "institution_name": SECRET_PLACE,
            "details": {"kind": SECRET_NAME, "telefon": SECRET_PHONE},
        },
        content_type="application/json",
        headers=_api_headers(caseworker_a),
    )
    assert response.status_code == 201, response.content
    dump = str(_raw("SELECT institution_name, details FROM cases_procedureevent"))
    assert SECRET_NAME not in dump and SECRET_PHONE not in dump
    assert SECRET_NAME not in str(list(AuditEvent.objects.values_list("after", flat=True)))
    # the case team reads the procedure once, so the read log has a row too
    client.get(f"/api/v1/cases/{procedure.code}", headers=_api_headers(caseworker_a))
    assert AccessLog.objects.exists()

    client.force_login(platform_admin)
    for tab in ("changes", "reads"):
        page = client.get("/protokoll/", {"tab": tab}).content.decode()
        assert SECRET_NAME not in page and SECRET_PHONE not in page
        assert procedure.file_number not in page  # no row about the case at all
        assert "Polizei" not in page

    # the commune's own data-protection officer sees THAT the case changed, no values
    client.force_login(data_protection_a)
    page = client.get("/protokoll/").content.decode()
    assert procedure.file_number in page
    assert SECRET_NAME not in page and SECRET_PHONE not in page and "Vertraulich" not in page


def test_admin_site_audit_list_hides_case_rows_from_the_platform_admin(
    client, procedure, platform_admin
):
    platform_admin.is_staff = True
    platform_admin.save()
    client.force_login(platform_admin)
    page = client.get("/admin/core/auditevent/").content.decode()
    assert procedure.file_number not in page


def test_data_migration_seals_clear_and_unbound_values(procedure, caseworker_a):
    event = _handover(procedure, caseworker_a)
    amendment = services.amendment_add(procedure=procedure, actor=caseworker_a, text="Alt")
    # the state before the migration: clear JSON and clear name, an unbound v1 note
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_procedureevent SET details = %s, institution_name = %s, note = %s "
            "WHERE id = %s",
            ['{"transmitted": "Akte"}', "Jugendamt Alt", crypto.encrypt("Alter Vermerk"), event.pk],
        )
        cursor.execute(
            "UPDATE cases_amendment SET text = %s WHERE id = %s",
            [crypto.encrypt("Alte Ergänzung"), amendment.pk],
        )

    class _Editor:
        pass

    editor = _Editor()
    editor.connection = connection
    changed = seal_existing_rows(
        django_apps,
        editor,
        model="cases.ProcedureEvent",
        fields=("note", "institution_name"),
        json_fields=("details",),
    )
    assert changed == 1
    seal_existing_rows(django_apps, editor, model="cases.Amendment", fields=("text",))
    raw = _raw(
        "SELECT details, institution_name, note FROM cases_procedureevent WHERE id = %s", [event.pk]
    )[0]
    assert all(value.startswith("v2:") for value in raw)
    fresh = ProcedureEvent.objects.get(pk=event.pk)
    assert fresh.details == {"transmitted": "Akte"}
    assert (fresh.institution_name, fresh.note) == ("Jugendamt Alt", "Alter Vermerk")
    assert Amendment.objects.get(pk=amendment.pk).text == "Alte Ergänzung"
    # running it again changes nothing (already sealed)
    assert (
        seal_existing_rows(
            django_apps,
            editor,
            model="cases.ProcedureEvent",
            fields=("note", "institution_name"),
            json_fields=("details",),
        )
        == 0
    )


def test_every_encrypted_field_of_the_project_is_row_bound():
    from core.fields import EncryptedJSONField, EncryptedTextField

    found = []
    for model in django_apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField | EncryptedJSONField):
                found.append(f"{model._meta.label}.{field.name}")
                assert field.check() == [], field
    assert "cases.ProcedureEvent.details" in found
    assert "cases.ProcedureEvent.institution_name" in found
    assert Procedure._meta.get_field("indications").bind_to == "code"


def test_typed_institution_names_reach_only_the_communes_own_analysis(
    procedure, caseworker_a, coordinator_a, project_team, platform_admin, muni_a
):
    from cases import selectors
    from core.permissions import SystemActor
    from registry.tests.factories import InstitutionFactory

    _handover(procedure, caseworker_a)  # a name typed for the case
    registered = InstitutionFactory(municipality=muni_a, name="Erziehungsberatung Muster")
    services.procedure_record_step(
        procedure=procedure,
        actor=caseworker_a,
        activity_code="police_involved",
        occurred_at=procedure.received_at + dt.timedelta(days=3),
        institution=registered,
    )

    def names(user) -> set[str]:
        return {row["institution"] for row in selectors.procedure_event_rows(user=user)}

    assert {SECRET_PLACE, "Erziehungsberatung Muster"} <= names(coordinator_a)
    assert SECRET_PLACE in names(SystemActor("analysis"))
    for global_role in (project_team, platform_admin):
        seen = names(global_role)
        if not seen:  # a global role without the analytics right sees nothing at all
            continue
        assert SECRET_PLACE not in seen
        assert "Erziehungsberatung Muster" in seen  # registry names are master data
        assert any("Name nur in der Kommune" in name for name in seen)
    assert names(project_team)  # the project team does analyse across communes
