"""German full-text search behind one interface, on SQLite FTS5 and PostgreSQL.

* PostgreSQL: a stored generated column ``search_vector`` =
  ``to_tsvector('german', search_document)`` with a GIN index (migration 0003, outside
  the Django model because SQLite has no such type), queried with
  ``to_tsquery('german', 'wort:* & …')``. PostgreSQL's ``german`` configuration stems
  with the Snowball German algorithm. (Migration 0002's expression index made the
  planner recompute ``to_tsvector`` per row when it preferred another index: 0.25 ms a
  row, a second for a commune filter over 20,000 offers.)
* SQLite: an FTS5 table ``directory_service_fts`` whose rows hold the Snowball-German
  stems of the same document (stemmed in Python with ``core.search.snowball_stem``, the
  same algorithm) with prefix indexes for 2–4 characters, queried with prefix terms.

Both treat each query word as a prefix of a stem, so "Schwanger" finds
"Schwangerschaftsberatung" and "Familien" finds "Familie". The indexed document carries
the compound parts of its words and each query word brings its synonym group
(:mod:`directory.vocabulary`), so "Hebamme" finds "Familienhebamme" and "midwife" finds
"Hebammensprechstunde". Callers only use
:func:`filter_queryset`, :func:`index_services` and :func:`rebuild_index`. The query
building, stemming and engine check shared with the other apps live in ``core.search``;
the tables, the indexed document and the migration SQL stay here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from core.search import PG_PREFIX_QUERY, is_postgresql, snowball_stem
from directory import vocabulary

FTS_TABLE = "directory_service_fts"
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Every word of ``text``, lower-cased; lone digits dropped, stop words kept.

    No stop list: the public search is a filter where every typed word must match.
    """
    return [w for w in _WORD.findall(text.lower()) if not w.isdigit() or len(w) > 1]


def stems(text: str) -> list[str]:
    """Snowball-German stems, umlauts folded (the SQLite index and query use the same)."""
    return [snowball_stem(w) for w in words(text)]


def synonyms() -> dict[str, list[str]]:
    """The synonym groups as a lookup (one small query per search; no cache to go stale
    between web processes when the administration edits a group)."""
    from directory.models import SearchSynonym

    return vocabulary.synonym_index(SearchSynonym.objects.values_list("terms", flat=True))


def _fts5_term(word: str) -> str:
    stem = snowball_stem(word)
    return '"' + stem.replace('"', '""') + '"*'


def fts5_query(parts: list[vocabulary.QueryPart]) -> str:
    """FTS5 ``MATCH``: every part, each as any of its alternatives (all words as prefixes).

    Terms are quoted (operators typed by a user are plain text inside quotes), so no input
    causes a syntax error.
    """
    groups = []
    for part in parts:
        alternatives = [
            " AND ".join(_fts5_term(w) for w in alternative) for alternative in part.alternatives
        ]
        groups.append("(" + " OR ".join(f"({a})" for a in alternatives) + ")")
    return " AND ".join(groups)


def pg_query(parts: list[vocabulary.QueryPart]) -> str:
    """``to_tsquery`` text of the same shape: ``(a:* | (b:* & c:*)) & …``.

    Only word characters reach ``to_tsquery`` (its operators would be syntax errors);
    PostgreSQL stems each piece with its ``german`` dictionary.
    """
    groups = []
    for part in parts:
        alternatives = []
        for alternative in part.alternatives:
            pieces = [p for w in alternative for p in _WORD.findall(w)]
            if pieces:
                alternatives.append("(" + " & ".join(f"{p}:*" for p in pieces) + ")")
        if alternatives:
            groups.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(groups)


def filter_queryset(qs: QuerySet, query: str) -> QuerySet:
    """Limit ``qs`` (of Service) to rows matching every part of ``query``.

    A part is a word (or a multi-word synonym) with its alternatives; question words
    ("ich suche … in …") are dropped. A query of stop words only filters nothing.
    """
    if not words(query):
        return qs
    parts = vocabulary.parse_query(query, synonyms())
    if not parts:
        return qs
    if is_postgresql():
        # User input only travels as a bound parameter; the SQL text is constant.
        sql = f"SELECT id FROM directory_service WHERE search_vector @@ {PG_PREFIX_QUERY}"  # noqa: S608
        return qs.filter(pk__in=RawSQL(sql, [pg_query(parts)]))  # noqa: S611
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE body MATCH %s"  # noqa: S608 – constant table
    return qs.filter(pk__in=RawSQL(sql, [fts5_query(parts)]))  # noqa: S611 – bound parameter


def _documents(service_ids: Iterable[int]) -> list[tuple[int, str]]:
    from directory.models import Service

    ids = list(service_ids)
    return list(Service.objects.filter(pk__in=ids).values_list("pk", "search_document"))


def index_services(service_ids: Iterable[int]) -> None:
    """Bring the SQLite index up to date for these services (PostgreSQL needs nothing)."""
    if is_postgresql():
        return
    ids = list(service_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            placeholders = ",".join("%s" for _ in chunk)
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", chunk)  # noqa: S608
            rows = [(pk, " ".join(stems(doc))) for pk, doc in _documents(chunk)]
            cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (%s, %s)", rows)  # noqa: S608


def unindex_services(service_ids: Iterable[int]) -> None:
    if is_postgresql():
        return
    with connection.cursor() as cursor:
        for pk in service_ids:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])  # noqa: S608


def rebuild_index() -> int:
    """Re-index every service (after bulk loads); returns the number indexed."""
    from directory.models import Service

    if is_postgresql():
        return Service.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
    ids = list(Service.objects.values_list("pk", flat=True))
    index_services(ids)
    return len(ids)


def _reindex_all_sqlite(cursor) -> None:
    cursor.execute("SELECT id, search_document FROM directory_service")
    rows = [(pk, " ".join(stems(doc or ""))) for pk, doc in cursor.fetchall()]
    cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (%s, %s)", rows)  # noqa: S608


def migrate_sqlite_prefix_index(connection_) -> None:
    """Migration 0003 on SQLite: rebuild the FTS5 table with prefix indexes."""
    with connection_.cursor() as cursor:
        cursor.execute(SQLITE_TEARDOWN)
        cursor.execute(SQLITE_SETUP_V2)
        _reindex_all_sqlite(cursor)


# SQL run by migrations 0002 and 0003 per database engine.
SQLITE_SETUP = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 2')"
)
SQLITE_TEARDOWN = f"DROP TABLE IF EXISTS {FTS_TABLE}"
POSTGRES_SETUP = (
    "CREATE INDEX IF NOT EXISTS directory_service_fts_idx ON directory_service "
    "USING GIN (to_tsvector('german'::regconfig, search_document))"
)
POSTGRES_TEARDOWN = "DROP INDEX IF EXISTS directory_service_fts_idx"
SQLITE_SETUP_V2 = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
)
POSTGRES_SETUP_V2 = (
    POSTGRES_TEARDOWN,
    "ALTER TABLE directory_service ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('german'::regconfig, coalesce(search_document, ''))) "
    "STORED",
    "CREATE INDEX IF NOT EXISTS directory_service_search_vector_idx "
    "ON directory_service USING GIN (search_vector)",
)
POSTGRES_TEARDOWN_V2 = (
    "DROP INDEX IF EXISTS directory_service_search_vector_idx",
    "ALTER TABLE directory_service DROP COLUMN IF EXISTS search_vector",
    POSTGRES_SETUP,
)
