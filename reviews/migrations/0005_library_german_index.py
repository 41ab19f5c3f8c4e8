"""PostgreSQL only: a GIN index for the german full-text match of the learning library.

SQLite searches the stemmed ``search_text`` column instead (reviews.search); the
expression here must stay identical to ``reviews.search._pg_document``.
"""

from django.db import migrations

PG_FORWARD = (
    "CREATE INDEX IF NOT EXISTS reviews_library_german ON reviews_libraryitem "
    "USING GIN (to_tsvector('german'::regconfig, title || ' ' || text))"
)
PG_BACKWARD = "DROP INDEX IF EXISTS reviews_library_german"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_library_indexes")]

    operations = [migrations.RunPython(forward, backward)]
