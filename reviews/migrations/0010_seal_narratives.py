"""Encrypt the existing review narratives and raw near-miss texts, bound to their rows.

Forward: every clear value is sealed (``core.fields.seal_existing_rows``; values already
sealed are skipped, so a second run changes nothing). Backward: the values are opened and
written back in clear, as they were before (needs the same encryption key). Works on
SQLite and PostgreSQL: plain SELECT/UPDATE by primary key.
"""

from django.db import migrations

from core.fields import seal_existing_rows, unseal_existing_rows

TABLES = [
    ("reviews.CaseReview", ("questions", "summary")),
    ("reviews.Episode", ("institution_label", "what_happened", "known_then", "why_sensible")),
    ("reviews.Finding", ("text",)),
    (
        "reviews.IncidentReport",
        ("what_happened", "what_could_have_happened", "what_helped", "what_should_change"),
    ),
]


def forward(apps, schema_editor):
    for model, fields in TABLES:
        seal_existing_rows(apps, schema_editor, model=model, fields=fields)


def backward(apps, schema_editor):
    for model, fields in TABLES:
        unseal_existing_rows(apps, schema_editor, model=model, fields=(), clear_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0009_sealed_narratives"),
    ]

    operations = [migrations.RunPython(forward, backward)]
