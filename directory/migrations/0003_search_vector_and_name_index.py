"""Faster search: a stored tsvector column on PostgreSQL, FTS5 prefix indexes on SQLite,
and an index that serves the name ordering of the result list (see directory.search)."""

from django.db import migrations, models

from directory import search


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in search.POSTGRES_SETUP_V2:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        search.migrate_sqlite_prefix_index(schema_editor.connection)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in search.POSTGRES_TEARDOWN_V2:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_search_index_and_terms"),
        ("registry", "0003_institution_address"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="service",
            index=models.Index(fields=["name", "id"], name="directory_svc_name"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
