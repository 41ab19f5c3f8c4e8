"""German full-text search machinery shared by the apps (quality, directory, reviews).

Each app keeps what is specific to it: which fields it indexes, its tables, triggers and
migration SQL, its tokenizer and stop words, and (quality) TF-IDF similarity. This module
holds only what they all need and used to write three times:

* text: :func:`normalise_text` (NFC + lower case), :func:`fold_umlauts` (ä→a, ß→ss) and
  :func:`snowball_stem` (Snowball German, cached, thread-safe);
* engine: :func:`is_postgresql`;
* queries, with user input made harmless: :func:`fts5_prefix_query` for an SQLite FTS5
  ``MATCH``, :func:`pg_prefix_tsquery` for PostgreSQL ``to_tsquery``, and the SQL
  fragments :data:`PG_PREFIX_QUERY`, :data:`PG_WEBSEARCH_QUERY` and :func:`pg_tsvector`.
  Query *values* always travel as bound parameters; only constant SQL is built here.

Why the apps do not share one tokenizer and stemmer: their stems are stored in the
database (``quality_searchdocument.stems``, ``directory_service_fts``,
``reviews_libraryitem.search_text``), so a change would need a re-index, and each app's
results and rankings are pinned by its tests.

* quality stems with its own light stemmer and splits compounds (``quality.german``),
  because TF-IDF similarity ("Risikoeinschätzung" ~ "Gefährdungseinschätzungsbogen")
  and the FTS5 index must agree on the same stems and compound parts. Its words are
  ``[a-zäöüß]+`` with a long stop list; soft hyphens are removed first.
* directory and reviews use :func:`snowball_stem`, the algorithm of PostgreSQL's
  ``german`` configuration, so that their SQLite path finds what PostgreSQL finds.
  directory splits on ``\\w+`` after ``str.lower()`` (no NFC, no stop words: every word
  typed must match); reviews splits on ``[0-9a-zäöüß]+`` after NFC, with a short stop
  list.

Historical migration SQL deliberately does not use the helpers below: a migration must
run the same statements forever, whatever this module becomes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

# The text-search configuration of every PostgreSQL query and index in the project.
# Cast to regconfig so that the planner matches the expressions of the GIN indexes.
PG_CONFIG = "'german'::regconfig"
# ``to_tsquery`` of a bound parameter built by :func:`pg_prefix_tsquery`.
PG_PREFIX_QUERY = f"to_tsquery({PG_CONFIG}, %s)"
# ``websearch_to_tsquery`` of the raw user query as a bound parameter: it accepts any
# input (quotes, "or", "-word") without syntax errors, so the query needs no escaping.
PG_WEBSEARCH_QUERY = f"websearch_to_tsquery({PG_CONFIG}, %s)"

_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_WORD_CHARS = re.compile(r"\w+")


def fold_umlauts(text: str) -> str:
    """``text`` with ä, ö, ü as a, o, u and ß as ss (lower case only).

    Stems are stored folded so that "Gefahrdung", typed without umlauts, still matches.
    """
    return text.translate(_UMLAUTS)


def normalise_text(text: str) -> str:
    """``text`` in Unicode NFC, lower-cased.

    NFC first, so that an "ä" sent decomposed (a + combining diaeresis) is one letter
    that the apps' ``[a-zäöüß]`` word patterns see.
    """
    return unicodedata.normalize("NFC", text).lower()


_stemmer = snowballstemmer.stemmer("german")
# The pure-Python stemmer keeps the word being stemmed on the instance: two threads of
# one web worker stemming at once would corrupt each other's result.
_stemmer_lock = threading.Lock()


@lru_cache(maxsize=200_000)
def snowball_stem(word: str) -> str:
    """Snowball German stem of one lower-case word, umlauts folded.

    Cached because the pure-Python stemmer costs ~0.1 ms a word and a corpus repeats its
    vocabulary endlessly (indexing 20,000 directory offers takes seconds, not minutes).
    """
    with _stemmer_lock:
        stem = _stemmer.stemWord(word)
    return fold_umlauts(stem)


def is_postgresql(connection: BaseDatabaseWrapper | None = None) -> bool:
    """True on PostgreSQL (``german`` tsvector), False on SQLite (FTS5 or stem column)."""
    return (default_connection if connection is None else connection).vendor == "postgresql"


def fts5_prefix_query(terms: Iterable[str]) -> str:
    """An FTS5 ``MATCH`` expression requiring every term as a prefix, or "" for no terms.

    Each term becomes a quoted string with a prefix star (``"einschatz"*`` also finds
    "einschatzbog…"), joined with AND. Inside quotes FTS5 operators typed by a user
    (AND, OR, NOT, NEAR, ``*``, ``^``, ``:``, parentheses) are plain text, and a double
    quote is escaped by doubling it, so no input can cause an FTS5 syntax error.
    Repeated terms are dropped: they would change nothing but the bm25 score.
    """
    unique = dict.fromkeys(term for term in terms if term)
    return " AND ".join('"' + term.replace('"', '""') + '"*' for term in unique)


def pg_prefix_tsquery(terms: Iterable[str]) -> str:
    """A ``to_tsquery`` text requiring every term as a prefix (``a:* & b:*``), or "".

    ``to_tsquery`` parses operators (``& | ! ( ) : * '``) and fails on a stray one, so
    only word characters are kept: a term is split at any other character, and each
    piece becomes its own prefix term. Pass the result as a bound parameter to
    :data:`PG_PREFIX_QUERY`; PostgreSQL stems each piece with its ``german`` dictionary.
    """
    pieces = (piece for term in terms for piece in _WORD_CHARS.findall(term))
    return " & ".join(f"{piece}:*" for piece in dict.fromkeys(pieces))


def pg_tsvector(document_sql: str) -> str:
    """SQL ``to_tsvector('german', <document_sql>)`` for a query over a GIN index.

    ``document_sql`` is constant SQL from code (column names), never user input; it must
    be the exact expression of the table's index, or PostgreSQL parses every row.
    """
    return f"to_tsvector({PG_CONFIG}, {document_sql})"
