"""Full-text index per engine (see directory.search) and the target-group vocabulary."""

from django.db import migrations

from directory import search
from directory.constants import TARGET_GROUP_TAXONOMY, TARGET_GROUPS


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(search.SQLITE_SETUP)
    elif vendor == "postgresql":
        schema_editor.execute(search.POSTGRES_SETUP)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(search.SQLITE_TEARDOWN)
    elif vendor == "postgresql":
        schema_editor.execute(search.POSTGRES_TEARDOWN)


def load_terms(apps, schema_editor):
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    for position, (slug, label) in enumerate(TARGET_GROUPS):
        TaxonomyTerm.objects.update_or_create(
            taxonomy=TARGET_GROUP_TAXONOMY,
            slug=slug,
            defaults={"name": str(label), "position": position},
        )


def unload_terms(apps, schema_editor):
    apps.get_model("directory", "TaxonomyTerm").objects.filter(
        taxonomy=TARGET_GROUP_TAXONOMY
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(load_terms, unload_terms),
    ]
