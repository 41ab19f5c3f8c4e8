"""Store the year a review is counted in, for fast statistics over time."""

from django.db import migrations, models


def fill(apps, schema_editor):
    review = apps.get_model("reviews", "CaseReview")
    for row in review.objects.all():
        row.year = (row.started_on or row.created_at).year
        row.save(update_fields=["year"])


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_error_taxonomy")]

    operations = [
        migrations.AddField(
            model_name="casereview",
            name="year",
            field=models.PositiveSmallIntegerField(
                blank=True, db_index=True, default=2026, editable=False, verbose_name="Jahr"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
