"""The shared German search machinery: normalising, stemming, engine check, query building.

The query builders get hostile input here on purpose (quotes, operators, lone
punctuation): whatever a user types must give a valid query, never a syntax error.
"""

import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import snowballstemmer
from django.db import connection

from core.search import (
    PG_PREFIX_QUERY,
    PG_WEBSEARCH_QUERY,
    fold_umlauts,
    fts5_prefix_query,
    is_postgresql,
    normalise_text,
    pg_prefix_tsquery,
    pg_tsvector,
    snowball_stem,
)

# What users type into a search box when they expect operators, or by accident.
HOSTILE = [
    '"',
    '""',
    'say "hi"',
    "Kurs AND Hallenbad",
    "a OR b NOT c",
    "NEAR(Kurs Hallenbad)",
    "Kurs*",
    "*",
    "^Kurs",
    "-Kurs",
    "+Kurs",
    "body:Kurs",
    "(Kurs",
    "Kurs)",
    "'",
    "a'b",
    "x & y | !z",
    "Kurs:*",
    "<->",
    "\\",
    "_",
    "Straße",
    "😀",
]


# --- text ----------------------------------------------------------------------------------


def test_fold_umlauts_folds_lower_case_umlauts_and_sharp_s():
    assert fold_umlauts("gefährdungseinschätzung für straßenkinder") == (
        "gefahrdungseinschatzung fur strassenkinder"
    )
    # Only lower case: callers normalise first.
    assert fold_umlauts("ÄÖÜ") == "ÄÖÜ"
    assert fold_umlauts("") == ""


def test_normalise_text_composes_and_lowers():
    decomposed = "Sa\u0308ugling"  # "a" + combining diaeresis, as some systems send it
    assert normalise_text(decomposed) == "säugling"
    assert normalise_text("STRASSE Straße") == "strasse straße"
    assert normalise_text("") == ""


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("säuglinge", "saugling"),
        ("säugling", "saugling"),
        ("hausbesuche", "hausbesuch"),
        ("gefährdung", "gefahrd"),
        ("straße", "strass"),
        ("strasse", "strass"),
        ("familien", "famili"),
        ("familie", "famili"),
        ("hallenbäder", "hallenbad"),
        ("einschätzungen", "einschatz"),
        ("22", "22"),
    ],
)
def test_snowball_stem_meets_inflected_forms_with_umlauts_folded(word, stem):
    assert snowball_stem(word) == stem


def test_snowball_stem_is_safe_across_threads():
    # One shared stemmer keeps the current word on itself; without the lock, threads
    # switching mid-word get wrong stems or IndexError.
    words = [f"{base}{i}ungen" for i in range(400) for base in ("kinder", "beratung", "hilfe")]
    reference = snowballstemmer.stemmer("german")
    expected = [fold_umlauts(reference.stemWord(w)) for w in words]
    snowball_stem.cache_clear()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            got = list(pool.map(snowball_stem, words))
    finally:
        sys.setswitchinterval(interval)
    assert got == expected


# --- engine --------------------------------------------------------------------------------


def test_is_postgresql_reads_the_vendor():
    assert is_postgresql(SimpleNamespace(vendor="postgresql")) is True
    assert is_postgresql(SimpleNamespace(vendor="sqlite")) is False
    assert is_postgresql() is (connection.vendor == "postgresql")


# --- SQLite FTS5 ---------------------------------------------------------------------------


def test_fts5_prefix_query_quotes_each_term_as_a_prefix():
    assert fts5_prefix_query(["einschatz", "bogen"]) == '"einschatz"* AND "bogen"*'
    assert fts5_prefix_query(["saugling", "saugling"]) == '"saugling"*'
    assert fts5_prefix_query(["säugling"]) == '"säugling"*'  # no folding: stems come folded


@pytest.mark.parametrize("terms", [[], [""], ["", ""]])
def test_fts5_prefix_query_without_terms_is_empty(terms):
    assert fts5_prefix_query(terms) == ""


def test_fts5_prefix_query_keeps_operators_as_text_and_doubles_quotes():
    assert fts5_prefix_query(["AND"]) == '"AND"*'
    assert fts5_prefix_query(["NEAR(a"]) == '"NEAR(a"*'
    assert fts5_prefix_query(['say "hi"']) == '"say ""hi"""*'


@pytest.fixture
def fts5():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61')")
    db.executemany(
        "INSERT INTO t(rowid, body) VALUES (?, ?)",
        [(1, "gefahrd einschatzbog"), (2, "kurs and hallenbad"), (3, "say hi there")],
    )
    yield db
    db.close()


def _match(db, match: str) -> list[int]:
    return [row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY 1", [match])]


@pytest.mark.parametrize("raw", HOSTILE)
def test_fts5_prefix_query_of_any_input_is_valid_syntax(fts5, raw):
    # The raw input as one term, the worst case (the apps pass tokenised stems).
    _match(fts5, fts5_prefix_query([raw]))
    _match(fts5, fts5_prefix_query(raw.split()))


def test_fts5_prefix_query_matches_prefixes_and_literal_operator_words(fts5):
    assert _match(fts5, fts5_prefix_query(["einschatz"])) == [1]
    assert _match(fts5, fts5_prefix_query(["gefahrd", "einschatz"])) == [1]
    assert _match(fts5, fts5_prefix_query(["gefahrd", "kurs"])) == []
    assert _match(fts5, fts5_prefix_query(["and"])) == [2]  # a word, not the operator
    assert _match(fts5, fts5_prefix_query(['say "hi"'])) == [3]


# --- PostgreSQL ----------------------------------------------------------------------------


def test_pg_prefix_tsquery_joins_word_prefixes():
    assert pg_prefix_tsquery(["familie", "hilfe"]) == "familie:* & hilfe:*"
    assert pg_prefix_tsquery(["säugling", "säugling"]) == "säugling:*"
    assert pg_prefix_tsquery(["foo_bar", "22"]) == "foo_bar:* & 22:*"


@pytest.mark.parametrize("terms", [[], [""], ["&", "|", "!", "(", ")", ":*", "'", "<->"]])
def test_pg_prefix_tsquery_without_words_is_empty(terms):
    assert pg_prefix_tsquery(terms) == ""


def test_pg_prefix_tsquery_splits_terms_at_operators():
    assert pg_prefix_tsquery(["a'b"]) == "a:* & b:*"
    assert pg_prefix_tsquery(["Kurs:*"]) == "Kurs:*"
    assert pg_prefix_tsquery(["x & y | !z"]) == "x:* & y:* & z:*"
    assert pg_prefix_tsquery(["NEAR(Kurs Hallenbad)"]) == "NEAR:* & Kurs:* & Hallenbad:*"


def test_pg_sql_fragments_match_the_indexes():
    # The regconfig cast is part of every GIN index expression; without it, no index.
    assert pg_tsvector("title || ' ' || text") == (
        "to_tsvector('german'::regconfig, title || ' ' || text)"
    )
    assert PG_PREFIX_QUERY == "to_tsquery('german'::regconfig, %s)"
    assert PG_WEBSEARCH_QUERY == "websearch_to_tsquery('german'::regconfig, %s)"


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL text search"
)


@needs_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize("raw", HOSTILE)
def test_postgresql_accepts_the_built_queries_of_any_input(raw):
    with connection.cursor() as cursor:
        tsquery = pg_prefix_tsquery(raw.split())
        if tsquery:
            cursor.execute(f"SELECT {PG_PREFIX_QUERY}", [tsquery])  # noqa: S608
        cursor.execute(f"SELECT {PG_WEBSEARCH_QUERY}", [raw])  # noqa: S608


@needs_postgresql
@pytest.mark.django_db
def test_postgresql_prefix_query_stems_german_words():
    sql = f"SELECT {pg_tsvector('%s')} @@ {PG_PREFIX_QUERY}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, ["Hausbesuche bei Familien", pg_prefix_tsquery(["familie"])])
        assert cursor.fetchone()[0] is True
        cursor.execute(sql, ["Hausbesuche bei Familien", pg_prefix_tsquery(["hausbes"])])
        assert cursor.fetchone()[0] is True
        cursor.execute(sql, ["Hausbesuche bei Familien", pg_prefix_tsquery(["schule"])])
        assert cursor.fetchone()[0] is False
