"""Codes unique; institution named for a case and the step's details become encrypted columns."""

import uuid

from django.db import migrations, models

import core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_event_amendment_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="amendment",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="procedureevent",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="signoffrequest",
            name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="procedureevent",
            name="details",
            field=core.fields.EncryptedJSONField(
                blank=True, default=dict, verbose_name="Angaben"
            ),
        ),
        migrations.AlterField(
            model_name="procedureevent",
            name="institution_name",
            field=core.fields.EncryptedTextField(
                blank=True, max_length=200, verbose_name="handelnde Stelle"
            ),
        ),
    ]
