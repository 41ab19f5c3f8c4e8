"""German full-text search for the learning library, one interface for SQLite and PostgreSQL.

Every library item keeps ``search_text``: its words folded (ä→a, ß→ss), lower-cased and
reduced to their Snowball German stems. A query is normalised the same way and each stem
must occur in that column (``icontains`` works on both engines, and stems match inside
compounds: "Hausbesuch" finds "Hausbesuche"). On PostgreSQL a match of the built-in
``german`` text-search configuration counts as well and ranks the results.
Normalising, stemming and the engine check are shared with the other apps (``core.search``);
the stop list, the column and the indexed fields are this app's.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from core.search import (
    PG_WEBSEARCH_QUERY,
    is_postgresql,
    normalise_text,
    pg_tsvector,
    snowball_stem,
)

_WORD = re.compile(r"[0-9a-zäöüß]+")
# Words that carry no meaning in a search (a short German stop list).
_STOP_WORDS = (
    "der die das und oder ein eine einer eines einem einen in im am an auf aus bei mit "
    "nach von vom zu zum zur für ist sind war wurde wurden nicht kein keine es sie er "
    "wir ihr ich den dem des als auch wie so dass da"
)
_STOP = frozenset(_STOP_WORDS.split())


def tokens(text: str) -> list[str]:
    """The normalised stems of ``text`` in order, without stop words."""
    text = normalise_text(text or "")
    return [snowball_stem(w) for w in _WORD.findall(text) if w not in _STOP and len(w) > 1]


def normalise(*parts: str) -> str:
    """The value of a ``search_text`` column for the given texts."""
    return " ".join(tokens(" ".join(p for p in parts if p)))


def _pg_document(fields: tuple[str, ...]) -> str:
    # Must match the expression of the GIN index (migration 0005) to use it.
    return " || ' ' || ".join(fields)


def search(
    qs: QuerySet,
    query: str,
    *,
    column: str = "search_text",
    fields: tuple[str, ...] = ("title", "text"),
) -> QuerySet:
    """Filter ``qs`` to rows matching ``query`` (all words).

    On PostgreSQL, rows that the ``german`` configuration matches come first. Its match
    runs as one indexed sub-select (GIN on ``to_tsvector('german', title || ' ' || text)``)
    rather than per row, which is what keeps it fast (see bench/reviews_library.py).
    """
    stems = tokens(query)
    if not stems:
        return qs
    stem_match = Q()
    for stem in stems:
        stem_match &= Q(**{f"{column}__icontains": stem})
    if not is_postgresql():
        return qs.filter(stem_match)
    from django.db.models import Case, IntegerField, Value, When
    from django.db.models.expressions import RawSQL

    table = qs.model._meta.db_table
    # Table and column names come from code; the user's query is a bound parameter.
    sql = (
        f"SELECT id FROM {table} "  # noqa: S608
        f"WHERE {pg_tsvector(_pg_document(fields))} @@ {PG_WEBSEARCH_QUERY}"
    )
    fts_ids = RawSQL(sql, (query,))  # noqa: S611
    ordering = qs.query.order_by or ("-pk",)
    return (
        qs.filter(stem_match | Q(pk__in=fts_ids))
        .annotate(
            search_rank=Case(
                When(pk__in=fts_ids, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-search_rank", *ordering)
    )
