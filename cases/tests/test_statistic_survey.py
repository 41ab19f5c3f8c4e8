"""The federal statistic: survey codes, per-record file, tables, complementary suppression."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter
from fractions import Fraction

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import selectors, statistics, suppression, survey
from cases.statistics import StatRow
from cases.tests.factories import decide, make_procedure
from core.permissions import SystemActor

RESULTS = statistics.RESULTS


# --- the recompute attack -------------------------------------------------------------------


def _null_space(matrix: list[list[Fraction]], n: int) -> list[list[Fraction]]:
    """Rational null space basis (independent of the product's GF(p) elimination)."""
    rows = [row[:] for row in matrix]
    pivots = []
    r = 0
    for c in range(n):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][c]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
    free = [c for c in range(n) if c not in pivots]
    basis = []
    for f in free:
        vector = [Fraction(0)] * n
        vector[f] = Fraction(1)
        for i, p in enumerate(pivots):
            vector[p] = -rows[i][f]
        basis.append(vector)
    return basis


def recomputable(
    rows: list[StatRow], published: list[list], sum_of: dict | None = None
) -> list[tuple[int, int]]:
    """Every hidden cell a reader can pin down from the published cells and the tables'
    additive relations: exactly (linear algebra over Q) or because no other non-negative
    integer table fits."""
    hidden = [
        (i, col)
        for i, line in enumerate(published)
        for col in range(5)
        if line[3 + col] == statistics.SUPPRESSED
    ]
    if not hidden:
        return []
    index = {cell: k for k, cell in enumerate(hidden)}
    rels = suppression.relations(rows, sum_of)
    truth = {cell: suppression.value_of(rows, cell) for cell in index}
    matrix = []
    for rel in rels:
        # The attacker's relations really hold on the true table.
        assert sum(coef * suppression.value_of(rows, cell) for cell, coef in rel) == 0
        line = [Fraction(0)] * len(hidden)
        for cell, coef in rel:
            if cell in index:
                line[index[cell]] += coef
        if any(line):
            matrix.append(line)
    basis = _null_space(matrix, len(hidden))
    exposed = []
    for cell, k in index.items():
        movers = [v for v in basis if v[k] != 0]
        if not movers:
            exposed.append(cell)
            continue
        # A second non-negative integer table that differs in this cell.
        vector = movers[0]
        scale = 1
        for v in vector:
            scale = scale * v.denominator // __import__("math").gcd(scale, v.denominator)
        step = [int(v * scale) for v in vector]
        values = [truth[c] for c in hidden]
        if not any(all(x + t * d >= 0 for x, d in zip(values, step, strict=True)) for t in (1, -1)):
            exposed.append(cell)
    return exposed


def _random_rows(rng: random.Random, communes: int, n_max: int) -> list[StatRow]:
    rows: list[StatRow] = []
    for m in range(communes):
        name = f"Kommune {m}"
        records = []
        for _ in range(rng.randint(1, n_max)):
            result = rng.choice(RESULTS)
            endangered = result in ("acute", "latent")
            records.append(
                {
                    "result": result,
                    "sex": rng.choices("mfdx", [50, 48, 1, 1])[0],
                    "reporter": rng.choice(["police", "school", "kita", "anon", "other"]),
                    "danger": rng.choice(["mother", "father", "other"]) if endangered else None,
                    "kinds": [
                        k for k in ("neglect", "physical") if endangered and rng.random() < 0.6
                    ],
                }
            )

        def add(feature, category, subset, _name=name):
            counts = Counter(r["result"] for r in subset)
            rows.append(StatRow(_name, feature, category, {r: counts.get(r, 0) for r in RESULTS}))

        add("Insgesamt", "Verfahren insgesamt", records)
        for kind in ("neglect", "physical"):
            add(
                "Art der Kindeswohlgefährdung (Mehrfachnennungen)",
                kind,
                [r for r in records if kind in r["kinds"]],
            )
        for sex in "mfdx":
            add("Geschlecht", sex, [r for r in records if r["sex"] == sex])
        for reporter in ("police", "school", "kita", "anon", "other"):
            add("Bekanntwerden durch", reporter, [r for r in records if r["reporter"] == reporter])
        for danger in ("mother", "father", "other"):
            add("Gefährdung ging aus von", danger, [r for r in records if r["danger"] == danger])
    return rows


def test_primary_suppression_alone_is_recomputable():
    """The attack works: without complementary cells it recovers hidden values."""
    attacked = 0
    for seed in range(10):
        rows = _random_rows(random.Random(seed), 1, 60)
        primary = [
            line[:3] + [statistics.SUPPRESSED if 0 < v < 3 else v for v in line[3:]]
            for line in statistics.table(rows)
        ]
        attacked += bool(recomputable(rows, primary))
    assert attacked >= 5


@pytest.mark.parametrize("seed", range(40))
def test_no_suppressed_cell_can_be_recomputed(seed):
    rng = random.Random(seed)
    rows = _random_rows(rng, rng.randint(1, 3), rng.choice([5, 15, 40, 120]))
    threshold = rng.choice([3, 4, 5])
    published = statistics.table(rows, suppress_below=threshold)
    assert recomputable(rows, published) == []
    for row, line in zip(rows, published, strict=True):
        values = [row.total] + [row.counts[r] for r in RESULTS]
        for value, shown in zip(values, line[3:], strict=True):
            if 0 < value < threshold:
                assert shown == statistics.SUPPRESSED  # every small cell is hidden
            if value == 0:
                assert shown == 0  # zeros are never hidden
            if shown != statistics.SUPPRESSED:
                assert shown == value


# --- per-record file, tables and the case list reconcile ------------------------------------


@pytest.fixture
def decided_year(team_a, caseworker_a, team_lead_a, team_b, caseworker_b, muni_b):
    """Procedures decided in the current year in A (varied) and one in B."""
    lead_b = __import__("conftest")._member(muni_b, "team_lead", "teamleitung-b")
    team_b.memberships.get_or_create(user=lead_b)
    combos = [
        ("acute", "m", "police_court"),
        ("latent", "f", "school"),
        ("need_of_help", "x", "school"),
        ("neither", "d", "neighbours"),
        ("latent", "f", "daycare"),
    ]
    now = timezone.now()
    made = []
    for result, sex, reporter in combos:
        p = make_procedure(
            team=team_a,
            actor=caseworker_a,
            received_at=now - dt.timedelta(days=3),
            reporter_category=reporter,
            child={
                "sex": sex,
                "birth_year": 2015,
                "birth_month": 6,
                "living_situation": "unknown",
                "foreign_origin": None,
            },  # fmt: skip
        )
        decide(p, author=caseworker_a, signer=team_lead_a, result=result)
        made.append(p)
    b = make_procedure(team=team_b, actor=caseworker_b, received_at=now - dt.timedelta(days=2))
    decide(b, author=caseworker_b, signer=lead_b, result="neither")
    return made, b


def test_records_reconcile_with_tables_and_case_list(decided_year, caseworker_a, muni_a):
    made, b = decided_year
    year = timezone.localdate().year
    qs = selectors.statistics_queryset(user=SystemActor("t"), year=year)
    header = statistics.record_header()
    records = [dict(zip(header, r, strict=True)) for r in statistics.record_rows(qs)]
    assert header[0] == "kommune"
    assert len(records) == 6
    rows = statistics.build_statistics(qs)
    for commune in (muni_a.name, b.municipality.name):
        mine = [r for r in records if r["kommune"] == commune]
        total = next(r for r in rows if r.municipality == commune and r.feature == "Insgesamt")
        assert total.total == len(mine)
        result_codes = {c.value: c.code for c in survey.RESULT.categories}
        for result in RESULTS:
            assert total.counts[result] == sum(
                1 for r in mine if r["ergebnis"] == result_codes[result]
            )
    sex_codes = {c.value: c.code for c in survey.FEATURES[1].categories}
    a_records = [r for r in records if r["kommune"] == muni_a.name]
    assert Counter(r["geschlecht"] for r in a_records) == Counter(sex_codes[s] for s in "mfxdf")
    # Four sex values in the tables, unknown origin coded 9, danger source only if endangered.
    sexes = {
        r.category for r in rows if r.feature == "Geschlecht" and r.municipality == muni_a.name
    }
    assert sexes == {"männlich", "weiblich", "divers", "ohne Angabe (nach Geburtenregister)"}
    assert {r["auslaendische_herkunft"] for r in a_records} == {survey.UNKNOWN}
    assert all((r["gefaehrdung_durch"] == "") == (r["ergebnis"] in (3, 4)) for r in a_records)
    # The case list's year filter shows the same procedures to the team.
    listed = {str(p.code) for p in selectors.procedure_list(user=caseworker_a, year=year)}
    assert listed == {r["verfahren"] for r in a_records}


def test_new_help_and_family_court_tables(decided_year, caseworker_a):
    made, _b = decided_year
    from cases import services

    p = made[0]
    now = timezone.now()
    services.procedure_record_step(
        procedure=p, actor=caseworker_a, activity_code="help_offered", occurred_at=now
    )
    services.procedure_record_step(
        procedure=p,
        actor=caseworker_a,
        activity_code="help_accepted",
        occurred_at=now,
        details={"help_types": ["33_34"]},
    )
    services.procedure_record_step(
        procedure=p, actor=caseworker_a, activity_code="family_court_called", occurred_at=now
    )
    qs = selectors.statistics_queryset(
        user=SystemActor("t"), year=timezone.localdate().year, municipality_ids=[p.municipality_id]
    )
    rows = statistics.build_statistics(qs)
    helps = {r.category: r.total for r in rows if r.feature == statistics.NEW_HELP_FEATURE}
    assert helps["Vollzeitpflege/Heimerziehung (§§ 33, 34)"] == 1
    assert helps["keine neue Hilfe"] == 4
    court = {r.category: r.counts["acute"] for r in rows if r.feature.startswith("Anrufung")}
    assert court == {"ja": 1, "nein": 0}
    record = next(
        dict(zip(statistics.record_header(), r, strict=True))
        for r in statistics.record_rows(qs)
        if r[1] == str(p.code)
    )
    assert record["hilfe_33_34"] == 1 and record["anrufung_familiengericht"] == survey.YES


def test_export_statistics_records_command(decided_year, tmp_path, muni_a):
    year = timezone.localdate().year
    out = tmp_path / "einzeldaten.csv"
    call_command("export_statistics", "--year", str(year), "--records", "--output", str(out))
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8")), delimiter=";"))
    assert lines[0][0] == "kommune" and len(lines) == 7
    assert {line[0] for line in lines[1:]} >= {muni_a.name}
    xlsx = tmp_path / "einzeldaten.xlsx"
    call_command(
        "export_statistics", "--year", str(year), "--records", "--format", "xlsx",
        "--output", str(xlsx), "--municipality", muni_a.slug,
    )  # fmt: skip
    from openpyxl import load_workbook

    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == [f"Einzeldaten {year}", "Schlüssel"]
    assert len(list(wb[f"Einzeldaten {year}"].iter_rows())) == 6
    with pytest.raises(CommandError, match="2012"):
        call_command("export_statistics", "--year", "1999", "--records")
    with pytest.raises(CommandError, match="XLSX"):
        call_command("export_statistics", "--year", str(year), "--records", "--format", "xlsx")
    with pytest.raises(CommandError, match="Einzeldatensätze"):
        call_command("export_statistics", "--year", str(year), "--records", "--suppress-below", "3")


def test_mapping_documents_every_column():
    documented = {row[0] for row in survey.mapping_rows()}
    assert set(statistics.record_header()) <= documented
    assert "Destatis" in survey.SOURCE and "99 Abs. 6 SGB VIII" in survey.SOURCE


def test_database_and_python_counting_give_the_same_rows(decided_year, muni_a):
    from cases.models import Procedure

    qs = selectors.statistics_queryset(user=SystemActor("t"), year=timezone.localdate().year)
    in_db = statistics.build_statistics(qs)
    in_python = statistics.build_statistics(qs, in_database=False)
    assert [(r.municipality, r.feature, r.category, r.counts) for r in in_db] == [
        (r.municipality, r.feature, r.category, r.counts) for r in in_python
    ]
    assert sum(r.total for r in in_db if r.feature == "Insgesamt") == 6
    # A stored value outside the categories: the database path hands over to Python.
    Procedure.objects.filter(pk=decided_year[0][0].pk).update(reporter_category="altwert")
    assert statistics._count_in_database(qs) is None
    _totals, _kinds, _helps, features = statistics._count_in_python(qs)
    index = [f[1] for f in statistics.FEATURES].index("reporter_category")
    assert features[muni_a.pk][index]["altwert"]  # counted, not lost


def test_record_file_csv_equals_the_cell_by_cell_safe_writer(decided_year, muni_a):
    """The fast writer gives exactly what writing every cell through the export rule
    would give, including a commune name that looks like a formula."""
    import io

    from core import exports

    muni_a.name = '=HYPERLINK("http://example.invalid")'
    muni_a.save()
    year = timezone.localdate().year
    qs = selectors.statistics_queryset(user=SystemActor("t"), year=year)
    fast = io.StringIO()
    count = statistics.write_records_csv(qs, fast)
    reference = io.StringIO()
    writer = exports.csv_writer(reference, delimiter=";")
    writer.writerow(statistics.record_header())
    writer.writerows(statistics.record_rows(qs))
    assert count == 6
    assert fast.getvalue() == reference.getvalue()
    assert "'=HYPERLINK" in fast.getvalue()
    assert "\n=HYPERLINK" not in fast.getvalue() and '"=HYPERLINK' not in fast.getvalue()
