"""Every event, amendment and sign-off request gets its own UUID: the row identity encrypted values bind to."""

from functools import partial

from django.db import migrations, models

from core.fields import populate_codes


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_law_steps_handover"),
    ]

    operations = [
        migrations.AddField(
            model_name="amendment",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="procedureevent",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="signoffrequest",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(
            partial(populate_codes, model="cases.Amendment"), migrations.RunPython.noop
        ),
        migrations.RunPython(
            partial(populate_codes, model="cases.ProcedureEvent"), migrations.RunPython.noop
        ),
        migrations.RunPython(
            partial(populate_codes, model="cases.SignOffRequest"), migrations.RunPython.noop
        ),
    ]
