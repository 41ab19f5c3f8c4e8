"""Episodes and findings get their own UUID: the row identity their encrypted texts bind to."""

from functools import partial

from django.db import migrations, models

from core.fields import populate_codes


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_four_levels_context_factor"),
    ]

    operations = [
        migrations.AddField(
            model_name="episode",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="finding",
            name="code",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(
            partial(populate_codes, model="reviews.Episode"), migrations.RunPython.noop
        ),
        migrations.RunPython(
            partial(populate_codes, model="reviews.Finding"), migrations.RunPython.noop
        ),
    ]
