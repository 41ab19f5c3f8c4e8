"""Re-seal the partners' encrypted texts bound to model, field and row (issue 14).

``cases.fields.EncryptedTextField`` now binds every value to its row (authenticated data);
values written before by the unbound field (``v1`` tokens) are re-encrypted here, so they
stay readable. Added by the data-protection work (dataprot), not by the partners app.
"""

from django.db import migrations

from core.fields import seal_existing_rows, unseal_existing_rows

TABLES = [
    (
        "partners.PartnerRecord",
        ("indications", "assessment_summary", "talk_omitted_reason", "help_towards"),
    ),
    ("partners.Consultation", ("question", "result")),
    (
        "partners.PartnerMessage",
        (
            "observations",
            "assessment_summary",
            "actions_taken",
            "contact_person",
            "child_name",
            "child_birth_date",
            "child_address",
            "parents",
            "involvement_note",
            "feedback_text",
        ),
    ),
]


def forward(apps, schema_editor):
    for model, fields in TABLES:
        seal_existing_rows(apps, schema_editor, model=model, fields=fields)


def backward(apps, schema_editor):
    for model, fields in TABLES:
        unseal_existing_rows(apps, schema_editor, model=model, fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
