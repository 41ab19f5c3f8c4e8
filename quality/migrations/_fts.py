"""SQLite FTS5 triggers over quality_searchdocument, shared by the migrations.

Django rebuilds a SQLite table whenever a column changes, and the rebuild drops the
table's triggers: any later migration that alters SearchDocument must call
``restore_sqlite_triggers`` at its end.
"""

TRIGGERS = [
    "DROP TRIGGER IF EXISTS quality_search_ai",
    "DROP TRIGGER IF EXISTS quality_search_ad",
    "DROP TRIGGER IF EXISTS quality_search_au",
    "CREATE TRIGGER quality_search_ai AFTER INSERT ON quality_searchdocument BEGIN "
    "INSERT INTO quality_search_fts(rowid, stems) VALUES (new.id, new.stems); END",
    "CREATE TRIGGER quality_search_ad AFTER DELETE ON quality_searchdocument BEGIN "
    "INSERT INTO quality_search_fts(quality_search_fts, rowid, stems) "
    "VALUES ('delete', old.id, old.stems); END",
    "CREATE TRIGGER quality_search_au AFTER UPDATE ON quality_searchdocument BEGIN "
    "INSERT INTO quality_search_fts(quality_search_fts, rowid, stems) "
    "VALUES ('delete', old.id, old.stems); "
    "INSERT INTO quality_search_fts(rowid, stems) VALUES (new.id, new.stems); END",
    "INSERT INTO quality_search_fts(quality_search_fts) VALUES ('rebuild')",
]


def restore_sqlite_triggers(schema_editor) -> None:
    for sql in TRIGGERS:
        schema_editor.execute(sql)
