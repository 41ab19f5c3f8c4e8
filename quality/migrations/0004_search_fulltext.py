"""Full-text structures per engine: FTS5 on SQLite, a GIN index (german) on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    # External-content FTS5 table over quality_searchdocument.stems, kept in step by
    # triggers; the stems are computed in Python (quality.german), so plain SQL suffices.
    "CREATE VIRTUAL TABLE quality_search_fts USING fts5("
    "stems, content='quality_searchdocument', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER quality_search_ai AFTER INSERT ON quality_searchdocument BEGIN "
    "INSERT INTO quality_search_fts(rowid, stems) VALUES (new.id, new.stems); END",
    "CREATE TRIGGER quality_search_ad AFTER DELETE ON quality_searchdocument BEGIN "
    "INSERT INTO quality_search_fts(quality_search_fts, rowid, stems) "
    "VALUES ('delete', old.id, old.stems); END",
    "CREATE TRIGGER quality_search_au AFTER UPDATE ON quality_searchdocument BEGIN "
    "INSERT INTO quality_search_fts(quality_search_fts, rowid, stems) "
    "VALUES ('delete', old.id, old.stems); "
    "INSERT INTO quality_search_fts(rowid, stems) VALUES (new.id, new.stems); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS quality_search_au",
    "DROP TRIGGER IF EXISTS quality_search_ad",
    "DROP TRIGGER IF EXISTS quality_search_ai",
    "DROP TABLE IF EXISTS quality_search_fts",
]
PG_FORWARD = [
    "CREATE INDEX quality_search_german ON quality_searchdocument "
    "USING GIN (to_tsvector('german'::regconfig, text))",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS quality_search_german"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)
    # Index what is already there (later writes keep it current through signals).
    from quality.german import stems

    document = apps.get_model("quality", "SearchDocument")
    rows = []
    for kind, name in (("interest", "DevelopmentInterest"), ("topic", "Topic"), ("outcome", "Outcome")):
        for item in apps.get_model("quality", name).objects.all():
            rows.append(
                document(
                    kind=kind,
                    object_id=item.pk,
                    municipality_id=item.municipality_id,
                    text=item.text,
                    stems=" ".join(stems(item.text)),
                    status=getattr(item, "status", ""),
                    scope=getattr(item, "scope", ""),
                )
            )
    document.objects.bulk_create(rows, batch_size=1000)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("quality", "0003_search_document")]
    operations = [migrations.RunPython(forward, backward)]
