"""Demo data, the process-analysis event log and the statistics reconciling with the list."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases import demo, selectors, statistics
from cases.choices import ActivityCode
from cases.models import PersonRecord, Procedure, ProcedureEvent
from cases.tests.factories import decide, make_procedure, team_with
from core import crypto
from core.choices import Role
from core.permissions import SystemActor
from core.tests.factories import MembershipFactory, UserFactory
from registry.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

EVENT_KEYS = {
    "case_id",
    "activity",
    "activity_code",
    "timestamp",
    "institution",
    "institution_type",
    "municipality",
    "urgency",
    "result",
}


@pytest.fixture
def demo_communes(db):
    communes = [MunicipalityFactory(slug=slug, name=f"Demo {slug}") for slug in demo.DEMO_SLUGS]
    demo.load(seed=1, small=True, stdout=io.StringIO())
    return communes


# Plus the two hand-over procedures in Bonn and the one Bremen took over.
DEMO_COUNT = 8 * len(demo.DEMO_SLUGS) + 3


def test_demo_is_small_synthetic_and_idempotent(demo_communes):
    assert Procedure.objects.count() == DEMO_COUNT
    assert all(p.name.startswith("Demo-") for p in PersonRecord.objects.all())
    assert ProcedureEvent.objects.count() > 5 * Procedure.objects.count()
    demo.load(seed=1, small=True, stdout=io.StringIO())
    assert Procedure.objects.count() == DEMO_COUNT


def test_demo_events_follow_the_rules(demo_communes):
    for p in Procedure.objects.prefetch_related("events"):
        events = list(p.events.all())
        assert events[0].activity_code == ActivityCode.REPORT_RECEIVED
        assert all(e.occurred_at >= p.received_at for e in events)
        codes = [e.activity_code for e in events]
        if "closed" in codes:
            assert codes[-1] == "closed"
            assert "risk_assessment_signed" in codes
        if p.result:
            assert "risk_assessment_signed" in codes


def test_event_rows_contract_and_visibility(demo_communes):
    bonn = demo_communes[0]
    coordinator = UserFactory(username="koord-demo")
    MembershipFactory(user=coordinator, municipality=bonn, role=Role.COORDINATOR)
    rows = list(selectors.procedure_event_rows(user=coordinator))
    assert rows and all(set(r) == EVENT_KEYS for r in rows)
    assert {r["municipality"] for r in rows} == {bonn.slug}
    assert all(r["timestamp"].tzinfo is not None for r in rows)
    codes = set(Procedure.objects.values_list("code", flat=True))
    pseudonyms = {crypto.analysis_pseudonym("case", c) for c in codes}
    assert all(r["case_id"] in pseudonyms for r in rows)
    assert not {str(c) for c in codes} & {r["case_id"] for r in rows}  # never the URL code
    assert all("DEMO-" not in r["case_id"] for r in rows)  # never the Aktenzeichen
    keys = [(r["case_id"], r["timestamp"]) for r in rows]
    by_case: dict = {}
    for case_id, ts in keys:
        assert ts >= by_case.get(case_id, ts)
        by_case[case_id] = ts
    assert len(by_case) == 8 + 2  # the Bonn demo procedures and the two handed over
    # caseworkers have no analytics right; the system sees everything
    caseworker = UserFactory(username="fk-demo")
    MembershipFactory(user=caseworker, municipality=bonn, role=Role.CASEWORKER)
    assert list(selectors.procedure_event_rows(user=caseworker)) == []
    everything = list(selectors.procedure_event_rows(user=SystemActor("test")))
    assert len(everything) == ProcedureEvent.objects.count()
    since = timezone.now() - dt.timedelta(days=200)
    recent = list(selectors.procedure_event_rows(user=SystemActor("t"), since=since))
    assert all(r["timestamp"] >= since for r in recent)
    only = list(selectors.procedure_event_rows(user=SystemActor("t"), municipality_ids=[bonn.pk]))
    assert {r["municipality"] for r in only} == {bonn.slug}


def test_statistics_reconcile_with_case_list(
    muni_a, muni_b, team_a, team_b, caseworker_a, team_lead_a, caseworker_b
):
    year = timezone.localdate().year
    results = ["acute", "latent", "latent", "need_of_help", "neither"]
    for result in results:
        p = make_procedure(team=team_a, actor=caseworker_a)
        decide(p, author=caseworker_a, signer=team_lead_a, result=result)
    make_procedure(team=team_a, actor=caseworker_a)  # not yet assessed: not counted
    b_lead = UserFactory(username="tl-b")
    MembershipFactory(user=b_lead, municipality=muni_b, role=Role.TEAM_LEAD)
    team_with(muni_b, b_lead, name="ASD B")
    pb = make_procedure(team=team_b, actor=caseworker_b)
    decide(pb, author=caseworker_b, signer=b_lead, result="acute")

    rows = statistics.build_statistics(selectors.statistics_queryset(user=team_lead_a, year=year))
    assert {r.municipality for r in rows} == {muni_a.name}  # B is not visible to A
    total = next(r for r in rows if r.feature == "Insgesamt")
    listed = selectors.procedure_list(user=team_lead_a, year=year)
    assert total.total == listed.count() == 5
    assert total.counts == dict(Counter(listed.values_list("result", flat=True))) | {
        k: 0 for k in ("acute", "latent", "need_of_help", "neither") if k not in results
    }
    by_feature = Counter()
    for r in rows:
        by_feature[r.feature] += r.total
    # every single-valued feature sums to the total
    for feature in (
        "Bekanntwerden durch",
        "Altersgruppe",
        "Geschlecht",
        "Vorläufige Schutzmaßnahme (§ 42)",
    ):
        assert by_feature[feature] == 5, feature
    neglect = next(r for r in rows if r.category == "Vernachlässigung")
    assert neglect.total == 3  # decide() marks neglect for acute and latent only


def test_export_command_and_suppression(tmp_path, demo_communes):
    year = timezone.localdate().year - 1
    out = tmp_path / "s.csv"
    call_command("export_statistics", year=year, format="csv", output=str(out), suppress_below=3)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Kommune;Merkmal;Ausprägung;Insgesamt;akute Kindeswohlgefährdung")
    cells = [c for line in text.splitlines()[1:] for c in line.split(";")[3:]]
    assert "1" not in cells and "2" not in cells
    xlsx = tmp_path / "s.xlsx"
    call_command(
        "export_statistics",
        year=year,
        format="xlsx",
        output=str(xlsx),
        municipality="bundesstadt-bonn",
    )
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "Kommune"
    totals = [r for r in values[1:] if r and r[1] == "Insgesamt"]
    expected = (
        Procedure.objects.filter(municipality=demo_communes[0], result_at__year=year)
        .exclude(result="")
        .count()
    )
    assert (totals[0][3] if totals else 0) == expected


def test_purge_command(capsys, demo_communes):
    call_command("purge_expired")
    assert "Verfahren bereinigt" in capsys.readouterr().out


def test_demo_has_repeat_reports_in_the_person_index(demo_communes):
    from collections import Counter

    from cases.models import IndexedPerson

    linked = Counter(
        Procedure.objects.exclude(indexed_child=None).values_list("indexed_child", flat=True)
    )
    assert linked and max(linked.values()) == 3
    for person in IndexedPerson.objects.all():
        procs = list(Procedure.objects.filter(indexed_child=person).order_by("received_at"))
        names = {p.persons.get(role="child").name for p in procs}
        assert len(names) == 1  # the same child in every linked procedure
        assert procs[0].repeated_report is False


def test_demo_has_a_hand_over_between_two_communes(demo_communes):
    from cases.models import Handover

    handovers = list(Handover.objects.select_related("municipality", "to_municipality"))
    assert len(handovers) == 2
    assert {h.municipality.slug for h in handovers} == {"bundesstadt-bonn"}
    assert {h.to_municipality.slug for h in handovers} == {"stadtgemeinde-bremen"}
    accepted = [h for h in handovers if h.received_procedure_id]
    assert len(accepted) == 1
    assert accepted[0].received_procedure.municipality.slug == "stadtgemeinde-bremen"


def test_demo_has_committee_reports_and_cluster_sharing(demo_communes, client):
    from cases.models import CasePolicy, CommitteeReport

    year = timezone.localdate().year - 1
    assert CommitteeReport.objects.filter(year=year).count() == len(demo.DEMO_SLUGS)
    assert CasePolicy.objects.filter(share_statistic_in_cluster=True).count() == len(
        demo.DEMO_SLUGS
    )
    coordinator = UserFactory(username="koord-demo-jha")
    bonn = demo_communes[0]
    MembershipFactory(user=coordinator, municipality=bonn, role=Role.COORDINATOR)
    client.force_login(coordinator)
    page = client.get(reverse("cases:committee_report", args=[bonn.slug, year]))
    assert page.status_code == 200
    assert "Synthetische Demodaten" in page.content.decode()
