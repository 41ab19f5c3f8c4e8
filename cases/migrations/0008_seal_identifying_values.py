"""Encrypt existing identifying values bound to model, field and row (issue 14).

Clear event details and institution names are encrypted for the first time; values that
were encrypted without row binding (``v1``) are re-sealed, so that a ciphertext copied to
another row or field no longer decrypts.
"""

from django.db import migrations

from core.fields import seal_existing_rows, unseal_existing_rows

TABLES = [
    ("cases.Procedure", ("indications",), (), ()),
    ("cases.PersonRecord", ("name", "birth_date", "address"), (), ()),
    ("cases.ProcedureEvent", ("note",), ("institution_name", "details"), ("details",)),
    (
        "cases.RiskAssessment",
        ("notes", "sign_off_note", "parents_not_involved_reason", "child_not_involved_reason"),
        (),
        (),
    ),
    ("cases.IndexedPerson", ("name", "birth_date"), (), ()),
    ("cases.Handover", ("transmitted", "conversation_note"), (), ()),
    ("cases.SignOffRequest", ("note", "answer"), (), ()),
    ("cases.Amendment", ("text",), (), ()),
]


def forward(apps, schema_editor):
    for model, encrypted, clear, json_fields in TABLES:
        text_fields = tuple(f for f in (*encrypted, *clear) if f not in json_fields)
        seal_existing_rows(
            apps, schema_editor, model=model, fields=text_fields, json_fields=json_fields
        )


def backward(apps, schema_editor):
    for model, encrypted, clear, _json in TABLES:
        unseal_existing_rows(
            apps, schema_editor, model=model, fields=encrypted, clear_fields=clear
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_event_encrypted_details"),
    ]

    operations = [migrations.RunPython(forward, backward)]
