"""Key figures for coordination, cluster and project team; the Jugendhilfeausschuss report."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import aggregates, services, statistics, suppression
from cases.models import CasePolicy, CommitteeReport, Procedure
from cases.tests.factories import make_procedure
from cases.tests.test_statistic_survey import _random_rows, recomputable
from core.models import AuditEvent
from core.services import api_token_create
from registry.models import Cluster, PopulationCount

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year - 1


def _decided(team, actor, result, *, year=YEAR, reporter="school", repeated=False):
    p = make_procedure(
        team=team,
        actor=actor,
        received_at=dt.datetime(year, 3, 1, 9, 0, tzinfo=dt.UTC),
        reporter_category=reporter,
    )
    Procedure.objects.filter(pk=p.pk).update(
        result=result,
        result_at=dt.datetime(year, 3, 10, 9, 0, tzinfo=dt.UTC),
        repeated_report=repeated,
    )
    return p


@pytest.fixture
def year_in_a(team_a, caseworker_a):
    """A: 8 latent, 6 acute, 1 need of help, 4 neither; 2 in the year before."""
    for result, n in (("latent", 8), ("acute", 6), ("need_of_help", 1), ("neither", 4)):
        for _ in range(n):
            _decided(team_a, caseworker_a, result, reporter="police_court")
    _decided(team_a, caseworker_a, "latent", year=YEAR - 1)
    _decided(team_a, caseworker_a, "neither", year=YEAR - 1)


def _population(muni, bands):
    for (age_from, age_to), count in bands.items():
        PopulationCount.objects.create(
            municipality=muni, year=YEAR, age_from=age_from, age_to=age_to, sex="t", count=count
        )


# --- linked suppression: a sum beside the communes ------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_no_cell_recomputable_with_the_national_sum_beside_the_communes(seed):
    rng = random.Random(seed)
    rows = _random_rows(rng, rng.randint(2, 4), rng.choice([5, 15, 40]))
    communes = sorted({r.municipality for r in rows})
    published = statistics.table(rows, suppress_below=3)
    assert recomputable(rows, published) == []
    sums = suppression.published_sum(published, "Alle Kommunen")
    # The sum tells nothing new: each published sum cell adds up published cells only.
    parts: dict[tuple, list] = {}
    for line in published:
        parts.setdefault((line[1], line[2]), []).append(line[3:])
    for line in sums:
        for col, cell in enumerate(line[3:]):
            values = [p[col] for p in parts[(line[1], line[2])]]
            if cell == statistics.SUPPRESSED:
                assert statistics.SUPPRESSED in values
            else:
                assert statistics.SUPPRESSED not in values and cell == sum(values)
    # And exactly: with the sum relations no hidden cell becomes determined.
    every = rows + statistics.summed(rows, "Alle Kommunen")
    lines = published + sums
    assert [line[:3] for line in lines] == [[r.municipality, r.feature, r.category] for r in every]
    hidden = {
        (i, col)
        for i, line in enumerate(lines)
        for col in range(5)
        if line[3 + col] == statistics.SUPPRESSED
    }
    rels = suppression.relations(every, {"Alle Kommunen": communes})
    assert suppression.determined_cells(hidden, rels) == set()


def test_sum_suppressed_on_its_own_would_leak_a_commune():
    """The attack works when the sum is suppressed on its own instead."""
    leaks = 0
    for seed in range(12):
        rng = random.Random(seed)
        rows = _random_rows(rng, 3, 15)
        communes = sorted({r.municipality for r in rows})
        summed = statistics.summed(rows, "Alle Kommunen")
        separate = statistics.table(rows, suppress_below=3) + statistics.table(
            summed, suppress_below=3
        )
        leaks += bool(recomputable(rows + summed, separate, {"Alle Kommunen": communes}))
    assert leaks >= 3


# --- who sees which scope -------------------------------------------------------------------


def test_scopes_per_role(
    coordinator_a, team_lead_a, caseworker_a, project_team, readonly_a, muni_a
):
    assert [(s.kind, s.key) for s in aggregates.scopes_for_user(user=coordinator_a)] == [
        ("commune", muni_a.slug)
    ]
    assert [s.kind for s in aggregates.scopes_for_user(user=team_lead_a)] == ["commune"]
    assert aggregates.scopes_for_user(user=caseworker_a) == []
    assert aggregates.scopes_for_user(user=readonly_a) == []
    (national,) = aggregates.scopes_for_user(user=project_team)
    assert national.kind == "national" and muni_a.pk in national.municipality_ids


def test_cluster_only_between_communes_that_share(coordinator_a, coordinator_b, muni_a, muni_b):
    cluster = Cluster.objects.create(number=99)
    for muni in (muni_a, muni_b):
        muni.cluster = cluster
        muni.save()
    CasePolicy.objects.create(municipality=muni_b, share_statistic_in_cluster=True)
    # A does not share: A sees no cluster, and B alone is no cluster.
    assert [s.kind for s in aggregates.scopes_for_user(user=coordinator_a)] == ["commune"]
    assert [s.kind for s in aggregates.scopes_for_user(user=coordinator_b)] == ["commune"]
    services.case_policy_update(
        municipality=muni_a, actor=coordinator_a, share_statistic_in_cluster=True, reason="JHA"
    )
    scopes = aggregates.scopes_for_user(user=coordinator_a)
    assert [(s.kind, s.key) for s in scopes] == [("commune", muni_a.slug), ("cluster", "99")]
    assert set(scopes[1].municipality_ids) == {muni_a.pk, muni_b.pk}
    event = AuditEvent.objects.filter(action="update", after__share_statistic_in_cluster=True)
    assert event.exists()


# --- key figures ------------------------------------------------------------------------------


def test_key_figures_come_from_published_cells_only(year_in_a, muni_a):
    _population(muni_a, {(0, 5): 300, (6, 14): 500, (15, 19): 500, (20, 64): 4000})
    scope = aggregates.Scope("commune", muni_a.slug, muni_a.name, (muni_a.pk,))
    data = aggregates.scope_figures(scope=scope, year=YEAR)
    (c,) = data["comparisons"]
    now = c.current
    assert now.total == 19
    results = {code: (value, share) for code, _label, value, share in now.results}
    assert results["latent"] == (8, pytest.approx(8 / 19, abs=0.001))
    # 1 is below 3 and hidden, and so is at least one more result: otherwise the total
    # minus the published results would give it back.
    assert results["need_of_help"] == (None, None)
    assert sum(1 for value, _share in results.values() if value is None) >= 2
    # 15–19 counts 3/5 of its 500: 300 + 500 + 300 minors.
    assert now.minors == 1100 and now.minors_year == YEAR
    assert now.rate == pytest.approx(19 * 1000 / 1100, abs=0.01)
    # The previous year (2 procedures) is all below the threshold.
    assert c.previous.total is None and c.previous.rate is None
    assert c.change("total") is None


def test_project_team_sees_all_communes_and_their_sum(
    year_in_a, team_b, caseworker_b, project_team, muni_a, muni_b
):
    for _ in range(5):
        _decided(team_b, caseworker_b, "latent")
    (scope,) = aggregates.scopes_for_user(user=project_team)
    data = aggregates.scope_figures(scope=scope, year=YEAR)
    labels = [c.current.label for c in data["comparisons"]]
    assert labels == sorted([muni_a.name, muni_b.name]) + ["Alle Kommunen"]
    total = {c.current.label: c.current.total for c in data["comparisons"]}
    assert total["Alle Kommunen"] == 24 and total[muni_b.name] == 5


def test_minors_straddling_and_total_only_bands(muni_a):
    from registry.selectors import minors_by_municipality

    _population(muni_a, {(0, 9): 1000, (10, 19): 1000, (65, None): 50})
    PopulationCount.objects.create(
        municipality=muni_a, year=YEAR - 3, age_from=0, age_to=17, sex="t", count=5
    )
    assert minors_by_municipality(municipality_ids=[muni_a.pk], year=YEAR) == {
        muni_a.pk: (YEAR, 1800)
    }
    assert minors_by_municipality(municipality_ids=[muni_a.pk], year=YEAR - 1) == {
        muni_a.pk: (YEAR - 3, 5)
    }


# --- page and API -----------------------------------------------------------------------------


def test_overview_page_for_coordination_only(
    client, year_in_a, coordinator_a, caseworker_a, coordinator_b, muni_a
):
    client.force_login(coordinator_a)
    url = reverse("cases:statistics_overview")
    page = client.get(url, {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gefährdungseinschätzungen insgesamt" in html and ">19<" in html
    assert "Muster-A" not in html  # no person data
    csv = client.get(url, {"year": YEAR, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert ";.;" in csv.content.decode() or ";.\r\n" in csv.content.decode()
    assert AuditEvent.objects.filter(action="export", municipality=muni_a).exists()
    client.force_login(caseworker_a)
    assert client.get(url).status_code == 403
    client.force_login(coordinator_b)
    other = client.get(url, {"year": YEAR, "scope": f"commune:{muni_a.slug}"})
    assert other.status_code == 422 and ">19<" not in other.content.decode()


def test_key_figures_api(client, year_in_a, coordinator_a, coordinator_b, caseworker_a, muni_a):
    def get(user, **params):
        token = api_token_create(user=user, name="t", actor=user)[1]
        return client.get(
            "/api/v1/statistics/key-figures",
            {"year": YEAR, **params},
            headers={"Authorization": f"Bearer {token}"},
        )

    body = get(coordinator_a).json()
    assert body["scope"] == f"commune:{muni_a.slug}"
    assert body["figures"][0]["total"] == 19
    counts = {r["code"]: r["count"] for r in body["figures"][0]["results"]}
    assert counts["need_of_help"] is None
    assert any(row["total"] is None or None in row.values() for row in body["table"])
    assert get(coordinator_b, scope=f"commune:{muni_a.slug}").status_code == 404
    assert get(caseworker_a).status_code == 404
    assert get(coordinator_a, year=1800).status_code == 422


# --- the report to the Jugendhilfeausschuss ---------------------------------------------------


def test_coordinator_writes_and_exports_the_committee_report(
    client, year_in_a, coordinator_a, muni_a
):
    client.force_login(coordinator_a)
    url = reverse("cases:committee_report", args=[muni_a.slug, YEAR])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bericht an den Jugendhilfeausschuss" in html and "je 1.000 Minderjährige" in html
    response = client.post(
        url, {"introduction": "Der ASD hat 2025 …", "assessment": "Mehr Meldungen der Polizei."}
    )
    assert response.status_code == 302
    report = CommitteeReport.objects.get(municipality=muni_a, year=YEAR)
    assert report.assessment == "Mehr Meldungen der Polizei."
    assert AuditEvent.objects.filter(action="create", target_id=str(report.pk)).exists()
    client.post(url, {"introduction": "Der ASD hat 2025 …", "assessment": "geändert"})
    update = AuditEvent.objects.get(action="update", target_id=str(report.pk))
    assert set(update.after) == {"assessment"}
    assert "Mehr Meldungen der Polizei." not in client.get(url).content.decode()
    pdf = client.get(reverse("cases:committee_report_pdf", args=[muni_a.slug, YEAR]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="export", municipality=muni_a, target_repr__startswith="Bericht an den"
    ).exists()


def test_committee_report_refused_elsewhere(
    client, year_in_a, coordinator_b, caseworker_a, team_lead_a, readonly_a, muni_a
):
    url = reverse("cases:committee_report", args=[muni_a.slug, YEAR])
    pdf = reverse("cases:committee_report_pdf", args=[muni_a.slug, YEAR])
    for user in (coordinator_b, caseworker_a, readonly_a):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(pdf).status_code == 404
    # The Teamleitung reads the figures but writes no committee texts.
    client.force_login(team_lead_a)
    assert client.get(url).status_code == 200
    assert client.post(url, {"introduction": "x"}).status_code == 403
    assert not CommitteeReport.objects.exists()
    future = reverse("cases:committee_report", args=[muni_a.slug, YEAR + 5])
    assert client.get(future).status_code == 404


def test_no_new_help_row_does_not_repeat_a_hidden_total():
    """Regression: when nobody got new help, 'keine neue Hilfe' equals the total row;
    it used to publish what the total row hid (found by the key-figure test above)."""
    counts = {"acute": 6, "latent": 8, "need_of_help": 1, "neither": 4}
    feature = statistics.NEW_HELP_FEATURE
    rows = [
        statistics.StatRow("A", "Insgesamt", "Verfahren insgesamt", dict(counts)),
        statistics.StatRow("A", feature, "keine neue Hilfe", dict(counts)),
        *[
            statistics.StatRow("A", feature, f"Hilfe {i}", dict.fromkeys(counts, 0))
            for i in range(3)
        ],
    ]
    total, none = statistics.table(rows, suppress_below=3)[:2]
    for col in range(3, 8):
        if total[col] == statistics.SUPPRESSED:
            assert none[col] == statistics.SUPPRESSED
    assert total[6] == statistics.SUPPRESSED


def test_report_holds_reviews_workshops_and_network(client, year_in_a, coordinator_a, muni_a):
    from quality.tests.factories import WorkshopFactory, WorkshopSessionFactory
    from registry.tests.factories import InstitutionFactory
    from reviews.choices import ReviewStatus
    from reviews.tests.factories import CaseReviewFactory, FindingFactory

    review = CaseReviewFactory(
        municipality=muni_a, status=ReviewStatus.CLOSED, started_on=dt.date(YEAR, 2, 1)
    )
    for _ in range(6):
        FindingFactory(review=review, level="team")
    FindingFactory(review=review, level="organisation")
    FindingFactory(review=review, level="", context_factor="society")
    workshop = WorkshopFactory(municipality=muni_a)
    WorkshopSessionFactory(
        workshop=workshop,
        starts_at=dt.datetime(YEAR, 4, 1, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(YEAR, 4, 1, 12, tzinfo=dt.UTC),
    )
    InstitutionFactory(municipality=muni_a, institution_type="daycare")
    client.force_login(coordinator_a)
    html = client.get(reverse("cases:committee_report", args=[muni_a.slug, YEAR])).content.decode()
    assert "Aus Fehlern lernen: Falluntersuchungen" in html
    assert "Schwachstellen auf der Ebene „Team“" in html
    assert "Qualitätsentwicklungswerkstatt" in html
    assert "Netzwerk Kinderschutz nach § 3 Abs. 2 KKG" in html
    from reviews.selectors import committee_report_section

    rows = {label: now for label, _before, now in committee_report_section(
        municipality=muni_a, year=YEAR
    )["rows"]}  # fmt: skip
    assert rows["Falluntersuchungen"] == 1
    assert rows["Schwachstellen auf der Ebene „Team“"] == 6
    assert rows["Schwachstellen auf der Ebene „Organisation“"] is None  # 1 < 5
    assert rows["Kontextfaktoren außerhalb der vier Ebenen"] is None


def test_a_failing_section_does_not_take_the_report_down(monkeypatch, muni_a):
    from cases import report_sections

    class Broken:
        verbose_name = "Kaputt"
        committee_report_section = "cases.tests.test_aggregates._boom"

    monkeypatch.setattr(report_sections.apps, "get_app_configs", lambda: [Broken()])
    (section,) = report_sections.collect(municipality=muni_a, year=YEAR)
    assert section.failed and section.title == "Kaputt"


def _boom(**_kwargs):
    raise RuntimeError("boom")


def test_committee_report_draws_the_reporters_and_ages_as_charts(
    client, year_in_a, coordinator_a, muni_a
):
    """Bars beside the tables, with coordinates that parse in the German page (a suppressed
    count would be a hatched stub: core.charts.count_bars)."""
    import re

    client.force_login(coordinator_a)
    html = client.get(reverse("cases:committee_report", args=[muni_a.slug, YEAR])).content.decode()
    for chart_id in ("reporter-chart", "age-chart"):
        figure = html.split(f'id="{chart_id}"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in figure and "<title" in figure
        shapes = " ".join(re.findall(r"<(?:rect|text|line)\b[^>]*>", figure))
        for value in re.findall(r'\s(?:x|y|width|height)="([^"]+)"', shapes):
            float(value)  # a decimal comma would make the browser draw nothing
        assert "<rect" in figure
