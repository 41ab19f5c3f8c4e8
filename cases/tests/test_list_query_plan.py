"""The case list reads one page in index order, however many procedures the commune has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import selectors
from cases.tests.factories import make_procedure, team_with

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan text is checked")
def test_case_list_page_is_an_ordered_index_scan_not_a_sort(caseworker_a, muni_a):
    first = team_with(muni_a, caseworker_a, name="ASD Nord")
    second = team_with(muni_a, caseworker_a, name="ASD Süd")
    for team in (first, second):
        make_procedure(team=team, actor=caseworker_a)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a long-running installation has statistics
    page = selectors.procedure_list(user=caseworker_a)[:50]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "cases_proc_muni_received" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert len(list(page)) == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan text is checked")
def test_case_list_count_reads_only_an_index(caseworker_a, muni_a):
    team = team_with(muni_a, caseworker_a, name="ASD Nord")
    make_procedure(team=team, actor=caseworker_a)
    scope = selectors.case_scope_for_user(user=caseworker_a)
    qs = selectors.procedure_list(user=caseworker_a, scope=scope).values(*selectors.LIST_VALUES)
    with CaptureQueriesContext(connection) as queries:
        assert qs.count() == 1  # what the paginator asks
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {queries.captured_queries[-1]['sql']}")
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX cases_proc_muni_team" in plan, plan
