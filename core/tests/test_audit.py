"""The audit trail is written explicitly, in the transaction, and cannot be changed."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from core.audit import (
    REDACTED,
    access_log_record,
    audit_record,
    audit_updated,
    changed_only,
    save_updated,
    serialize_for_audit,
)
from core.choices import AuditAction, AuditSource
from core.context import change_context, current_context
from core.models import AccessLog, AppendOnlyError, AuditEvent


def test_audit_record_captures_actor_context_and_snapshots(coordinator_a, muni_a):
    with change_context(AuditSource.CLI) as ctx:
        event = audit_record(
            actor=coordinator_a,
            action=AuditAction.UPDATE,
            target=muni_a,
            before={"website": "a"},
            after={"website": "b"},
            reason="Tippfehler",
        )
    assert event.actor == coordinator_a
    assert event.actor_name == coordinator_a.get_full_name()
    assert event.request_id == ctx.request_id
    assert event.source == AuditSource.CLI
    assert event.municipality_id == muni_a.pk
    assert event.target == muni_a
    assert event.changes() == [("website", "a", "b")]


def test_context_defaults_to_system_outside_requests():
    assert current_context().source == AuditSource.SYSTEM


def test_audit_rows_cannot_be_changed_or_deleted(coordinator_a, muni_a):
    event = audit_record(actor=coordinator_a, action=AuditAction.CREATE, target=muni_a)
    event.reason = "manipuliert"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.reason == ""


def test_access_log_is_append_only_too(caseworker_a, muni_a):
    row = access_log_record(
        actor=caseworker_a, target=muni_a, municipality_id=muni_a.pk, purpose="Test"
    )
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert AccessLog.objects.count() == 1


@pytest.mark.parametrize("model", [AuditEvent, AccessLog])
def test_admin_offers_no_change_or_delete(model, platform_admin):
    request = RequestFactory().get("/")
    request.user = platform_admin
    admin = site._registry[model]
    assert admin.has_change_permission(request) is False
    assert admin.has_delete_permission(request) is False
    assert admin.has_add_permission(request) is False


def test_snapshot_redacts_identifying_fields(muni_a):
    muni_a.audit_redacted_fields = ("highlights",)
    muni_a.highlights = "Name eines Kindes"
    snapshot = serialize_for_audit(muni_a)
    assert snapshot["highlights"] == REDACTED
    assert "Name eines Kindes" not in str(snapshot)


def test_changed_only_keeps_differences():
    assert changed_only({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ({"b": 2}, {"b": 3})


def test_login_is_audited(client, coordinator_a):
    assert client.login(username="koordination-a", password="geheim-123")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=coordinator_a).exists()


def test_failed_login_is_audited_without_password(client, coordinator_a):
    client.post("/anmelden/", {"username": "koordination-a", "password": "falsch"})
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.target_repr == "koordination-a"
    assert "falsch" not in str(event.after) + event.reason


def test_changes_show_snapshot_times_in_the_site_time_zone(coordinator_a, muni_a):
    """One time zone everywhere: a UTC snapshot is shown as Europe/Berlin wall time."""
    event = audit_record(
        actor=coordinator_a,
        action=AuditAction.UPDATE,
        target=muni_a,
        before={"due": "2026-01-15T08:00:00+00:00", "note": "T-Shirt 2026"},
        after={"due": "2026-07-15T08:00:00+00:00", "note": "x"},
    )
    assert event.changes() == [
        ("due", "15.01.2026 09:00", "15.07.2026 10:00"),
        ("note", "T-Shirt 2026", "x"),
    ]


def test_audit_trail_shows_field_labels_and_choice_labels_not_code_names(db, muni_a):
    from django.contrib.contenttypes.models import ContentType

    from core.models import AuditEvent
    from directory.models import Service

    event = AuditEvent(  # unsaved: only the display is under test
        municipality=muni_a,
        actor_name="Koordination",
        action="update",
        target_type=ContentType.objects.get_for_model(Service),
        target_id="1",
        target_repr="Elterncafé",
        before={"status": "active", "is_free": True, "provider_id": None, "target_groups": []},
        after={
            "status": "inactive",
            "is_free": False,
            "provider_id": 7,
            "target_groups": ["a", "b"],
            "search_rank_hint": 2,
        },
    )
    changes = {str(label): (str(old), str(new)) for label, old, new in event.readable_changes()}
    assert changes["Status"] == ("aktiv", "ruht")
    assert changes["kostenfrei"] == ("ja", "nein")
    assert "Träger (Einrichtung)" in changes
    assert changes["Zielgruppen"] == ("", "a, b")
    assert "search rank hint" in changes  # not a model field: words, no underscores


# --- the shared update path (save_updated / audit_updated) -------------------------------


def _update_rows(obj):
    return AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(obj.pk))


def test_save_updated_saves_and_records_only_changed_fields(coordinator_a, muni_a):
    before = serialize_for_audit(muni_a)
    muni_a.website = "https://musterstadt-a.example"
    changed = save_updated(muni_a, actor=coordinator_a, before=before, reason="neue Adresse")
    muni_a.refresh_from_db()
    assert muni_a.website == "https://musterstadt-a.example"
    assert changed == {"website": "https://musterstadt-a.example"}
    (event,) = _update_rows(muni_a)
    assert event.before == {"website": ""}
    assert event.after == {"website": "https://musterstadt-a.example"}
    assert event.reason == "neue Adresse"
    assert event.actor == coordinator_a
    assert event.municipality_id == muni_a.pk


def test_save_updated_without_change_writes_no_row_unless_always(coordinator_a, muni_a):
    before = serialize_for_audit(muni_a)
    assert save_updated(muni_a, actor=coordinator_a, before=before) == {}
    assert not _update_rows(muni_a).exists()
    save_updated(
        muni_a, actor=coordinator_a, before=before, action=AuditAction.SIGN_OFF, always=True
    )
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OFF)
    assert event.before == {} and event.after == {}


def test_save_updated_validates_and_saves_nothing_when_invalid(coordinator_a, muni_a):
    from django.core.exceptions import ValidationError

    before = serialize_for_audit(muni_a)
    muni_a.website = "javascript:alert(1)"
    with pytest.raises(ValidationError) as exc:
        save_updated(muni_a, actor=coordinator_a, before=before)
    assert "website" in exc.value.message_dict
    muni_a.refresh_from_db()
    assert muni_a.website == ""
    assert not AuditEvent.objects.exists()


def test_save_updated_redacts_hidden_fields_but_records_that_they_changed(coordinator_a, muni_a):
    muni_a.audit_redacted_fields = ("highlights",)
    muni_a.highlights = "Name eines Kindes"
    muni_a.save()
    before = serialize_for_audit(muni_a)
    muni_a.highlights = "Name eines anderen Kindes"
    changed = save_updated(muni_a, actor=coordinator_a, before=before)
    assert changed == {"highlights": REDACTED}
    (event,) = _update_rows(muni_a)
    assert event.before == {"highlights": REDACTED}
    assert event.after == {"highlights": REDACTED}
    assert "Kind" not in str(event.before) + str(event.after)
    # The same hidden value again is no change: the fingerprints compare equal.
    before = serialize_for_audit(muni_a)
    assert save_updated(muni_a, actor=coordinator_a, before=before) == {}
    assert _update_rows(muni_a).count() == 1


def test_save_updated_with_update_fields_and_without_clean(coordinator_a, muni_a):
    before = serialize_for_audit(muni_a)
    muni_a.name = "Stadt Musterstadt A (neu)"
    muni_a.website = "nicht gespeichert"
    save_updated(muni_a, actor=coordinator_a, before=before, update_fields=["name"], clean=False)
    muni_a.refresh_from_db()
    assert muni_a.name == "Stadt Musterstadt A (neu)"
    assert muni_a.website == ""


def test_audit_updated_records_extra_after_values_and_related(coordinator_a, muni_a, muni_b):
    before = serialize_for_audit(muni_a) | {"partners": []}
    after = serialize_for_audit(muni_a) | {"partners": [muni_b.pk]}
    changed = audit_updated(muni_a, actor=coordinator_a, before=before, after=after, related=muni_b)
    assert changed == {"partners": [muni_b.pk]}
    (event,) = _update_rows(muni_a)
    assert event.related_id == str(muni_b.pk)
    assert event.before == {"partners": []}


# --- snapshots: what reaches the trail and what never does -------------------------------


def test_redacted_markers_compare_by_hidden_value_only():
    from core.audit import Redacted

    a, same, other = Redacted("Name A"), Redacted("Name A"), Redacted("Name B")
    assert a == same and hash(a) == hash(same)
    assert a != other
    assert (a != same) is False
    assert a == REDACTED and str(a) == REDACTED  # serialises as the marker alone
    assert "Name" not in repr(a)


def test_case_models_hide_every_value_unless_they_opt_out():
    from cases.models import ChildRecord, Procedure, Team
    from core.audit import audit_hides_values, redacted_field_names

    assert audit_hides_values(Procedure) and audit_hides_values(ChildRecord)
    assert not audit_hides_values(Team)  # explicit opt-out: team names are not case data
    assert not audit_hides_values(muni_model())
    # Encrypted fields are always redacted, by name and by column name.
    from cases.models import IndexedPerson

    assert {"name"} <= redacted_field_names(IndexedPerson)


def muni_model():
    from registry.models import Municipality

    return Municipality


def test_snapshot_values_are_json_ready(muni_a):
    import datetime as dt
    import decimal
    import uuid

    muni_a.audit_fields = ("state", "profile_notes", "created_at")
    code = uuid.UUID(int=7)
    muni_a.profile_notes = [{"rate": decimal.Decimal("1.50"), 3: (code, dt.date(2026, 1, 2))}]
    snapshot = serialize_for_audit(muni_a)
    assert snapshot["state"] == muni_a.state.pk
    assert snapshot["created_at"] == muni_a.created_at.isoformat()
    assert snapshot["profile_notes"] == [{"rate": "1.50", "3": [str(code), "2026-01-02"]}]


def test_snapshot_without_audit_fields_takes_every_column_but_timestamps(coordinator_a):
    from core.models import ApiToken

    token = ApiToken(user=coordinator_a, name="Export")
    snapshot = serialize_for_audit(token)
    assert "id" not in snapshot and "created_at" not in snapshot
    assert snapshot["name"] == "Export"


def test_system_actor_is_named_and_anonymous_is_not(muni_a):
    from django.contrib.auth.models import AnonymousUser

    from core.permissions import SystemActor

    event = audit_record(actor=SystemActor("import_profiles"), action="import", target=muni_a)
    assert event.actor is None and event.actor_name == "import_profiles"
    event = audit_record(actor=AnonymousUser(), action="create", target=muni_a)
    assert event.actor is None and event.actor_name == ""
    event = audit_record(actor=None, action="create", target=None, municipality_id=muni_a.pk)
    assert event.target_type is None and event.target_id == "" and event.municipality == muni_a


def test_anonymous_rows_date_the_day_only_and_link_no_request(muni_a):
    import datetime as dt

    from core.audit import audit_record_anonymous
    from core.context import UNTRACED_REQUEST_ID

    event = audit_record_anonymous(
        municipality_id=muni_a.pk,
        day=dt.date(2026, 3, 4),
        target_repr="3 Meldungen",
        after={"n": 3},
    )
    local = timezone_local(event.time)
    assert (local.date(), local.hour, local.minute, local.second) == (dt.date(2026, 3, 4), 0, 0, 0)
    assert event.request_id == UNTRACED_REQUEST_ID and event.actor_name == ""
    assert event.source == AuditSource.SYSTEM


def timezone_local(value):
    from django.utils import timezone

    return timezone.localtime(value)


def test_save_created_validates_saves_and_records_the_whole_snapshot(coordinator_a, muni_a):
    from django.core.exceptions import ValidationError

    from core.audit import save_created
    from registry.models import Municipality

    with pytest.raises(ValidationError):
        save_created(Municipality(name="", slug="leer"), actor=coordinator_a)
    assert not Municipality.objects.filter(slug="leer").exists()
    new = save_created(
        Municipality(name="Neue Kommune", slug="neu"),
        actor=coordinator_a,
        related=muni_a,
        reason="Beitritt",
    )
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(new.pk))
    assert event.before is None and event.after["name"] == "Neue Kommune"
    assert event.related_id == str(muni_a.pk) and event.reason == "Beitritt"
