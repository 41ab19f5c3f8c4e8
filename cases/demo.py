"""Synthetic § 8a procedures for the demo communes (all data invented, clearly marked).

Thousands of procedures over three years with distributions close to the federal
statistic (results, reporters, ages), varied process variants with realistic waiting
times, some missed deadlines and hand-overs between institutions (Kita → Jugendamt →
Familiengericht). Written with ``bulk_create`` for speed; ``small=True`` stays at a few
dozen procedures so tests can load it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.choices import (
    PROFESSIONAL_REPORTERS,
    AssessmentStatus,
    ProcedureStatus,
    age_group_for,
)
from cases.instruments import age_band_for_age, load_instrument
from cases.models import (
    DEFAULT_FIRST_CONTACT_HOURS,
    DEFAULT_STEP_DAYS,
    ChildRecord,
    PersonRecord,
    Procedure,
    ProcedureEvent,
    RiskAssessment,
    SignOffRequest,
    Team,
    TeamMembership,
)
from core.choices import Role
from core.models import Membership
from core.permissions import SystemActor
from core.services import membership_grant
from registry.models import Municipality

DEMO_SLUGS = ("bundesstadt-bonn", "stadt-bad-kreuznach", "stadt-wolfsburg", "stadtgemeinde-bremen")
DEMO_PASSWORD = "demo-kinderschutz"  # noqa: S105 – the documented demo password
PREFIX = "DEMO"

# Weights roughly after the federal statistic 2022 (Destatis), rounded; synthetic anyway.
REPORTERS = [
    ("police_court", 29),
    ("school", 12),
    ("daycare", 5),
    ("youth_welfare", 7),
    ("health", 7),
    ("counselling", 2),
    ("social_services", 2),
    ("other_youth_office", 3),
    ("relatives", 6),
    ("neighbours", 8),
    ("parents", 6),
    ("child_self", 2),
    ("anonymous", 8),
    ("other", 3),
]
RESULTS = [("acute", 12), ("latent", 18), ("need_of_help", 34), ("neither", 35)]
URGENCIES = [("immediate", 10), ("same_day", 25), ("within_3_days", 40), ("within_week", 25)]
AGES = [(0, 3, 22), (3, 6, 19), (6, 9, 18), (9, 12, 16), (12, 14, 10), (14, 18, 15)]
KIND_WEIGHTS = [("neglect", 0.58), ("psychological", 0.35), ("physical", 0.27), ("sexual", 0.05)]
DANGER = [("mother", 45), ("father", 25), ("step_parent", 10), ("other_relative", 8),
          ("other_person", 5), ("unknown", 7)]  # fmt: skip
LIVING = [("both_parents", 40), ("single_parent", 35), ("parent_partner", 13), ("relatives", 4),
          ("foster_or_home", 4), ("other", 4)]  # fmt: skip
# Newly started help after the assessment (survey codes, cases.choices.NewHelp).
NEW_HELP = [("16_18", 20), ("19", 2), ("27_32", 55), ("33_34", 15), ("35a", 4), ("other", 4)]
# Where the reporter works: (institution type, name) of the synthetic reporting body.
REPORTER_BODIES = {
    "police_court": ("police", "Polizeiinspektion Demo"),
    "school": ("school", "Demo-Grundschule am Park"),
    "daycare": ("daycare", "Kita Demo-Regenbogen"),
    "youth_welfare": ("free_provider", "Demo-Träger Familienhilfe"),
    "health": ("clinic", "Demo-Kinderklinik"),
    "counselling": ("counselling", "Demo-Erziehungsberatungsstelle"),
    "social_services": ("employment_agency", "Demo-Jobcenter"),
    "other_youth_office": ("youth_office", "Jugendamt Demo-Nachbarkreis"),
}
YOUTH_OFFICE = ("youth_office", "Jugendamt (ASD)")
FAMILY_COURT = ("family_court", "Amtsgericht Demo – Familiengericht")
POLICE = ("police", "Polizeiinspektion Demo")
INSOFA = ("child_protection_association", "Demo-Kinderschutzbund (insoweit erfahrene Fachkraft)")
HELP_PROVIDER = ("free_provider", "Demo-Träger Familienhilfe")


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _demo_users(municipality: Municipality, created_logins: list) -> list[Any]:
    """The commune's case workers; communes without demo case roles get two synthetic ones."""
    ids = Membership.objects.filter(
        municipality=municipality, role__in=[Role.CASEWORKER, Role.TEAM_LEAD]
    ).values_list("user_id", flat=True)
    users = list(get_user_model().objects.filter(pk__in=ids).order_by("username"))
    if len(users) >= 2:
        return users
    short = municipality.slug.split("-")[-1]
    user_model = get_user_model()
    for username, role, label in (
        (f"fachkraft-{short}", Role.CASEWORKER, "Fachkraft"),
        (f"teamleitung-{short}", Role.TEAM_LEAD, "Teamleitung"),
    ):
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": "Demo", "last_name": f"{label} {short.title()}"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created_logins.append((username, DEMO_PASSWORD, f"{label} (Fallteam) {short}"))
        # Roles change only through the audited service (core.services).
        membership_grant(
            user=user, municipality=municipality, role=role, actor=SystemActor("demo_data")
        )
        users.append(user)
    return list({u.pk: u for u in users}.values())


def _teams(municipality: Municipality, users: list[Any]) -> list[Team]:
    teams = []
    for name in ("ASD Nord", "ASD Süd"):
        team, _ = Team.objects.get_or_create(municipality=municipality, name=name)
        for user in users:
            TeamMembership.objects.get_or_create(team=team, user=user)
        teams.append(team)
    return teams


def _received_at(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """Office hours on weekdays mostly; police reports also at night and weekends."""
    span = (end - start).total_seconds()
    while True:
        t = start + dt.timedelta(seconds=rng.random() * span)
        local = timezone.localtime(t)
        if local.weekday() < 5 and 7 <= local.hour < 18 or rng.random() < 0.15:
            return t


def build_procedures(
    *,
    rng: random.Random,
    municipality: Municipality,
    teams: list[Team],
    users: list[Any],
    count: int,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    with_details: bool = True,
    number_offset: int = 0,
) -> int:
    """Create ``count`` synthetic procedures with children, persons, events, assessments."""
    instrument = load_instrument()
    children: list[ChildRecord] = []
    plans: list[dict[str, Any]] = []
    for i in range(count):
        received = _received_at(rng, start, end)
        low, high, _w = _pick(rng, [((a, b, w), w) for a, b, w in AGES])
        age = rng.randrange(low, high)
        local = timezone.localtime(received)
        birth_month = rng.randint(1, 12)
        birth_year = local.year - age - (1 if local.month < birth_month else 0)
        children.append(
            ChildRecord(
                municipality=municipality,
                sex=rng.choices(["m", "f", "d", "x"], weights=[51, 48.8, 0.1, 0.1])[0],
                birth_year=birth_year,
                birth_month=birth_month,
                age_group=age_group_for(age),
                foreign_origin=rng.random() < 0.38,
                german_family_language=rng.random() < 0.75,
                integration_assistance=rng.random() < 0.04,
                living_situation=_pick(rng, LIVING),
                parent_age_group=rng.choices(["u18", "18-27", "27+", "unknown"], [1, 14, 75, 10])[
                    0
                ],
                prior_help=rng.random() < 0.3,
            )
        )
        plans.append({"received": received, "age": age, "n": number_offset + i + 1})
    ChildRecord.objects.bulk_create(children, batch_size=2000)

    procedures: list[Procedure] = []
    older: list[ChildRecord] = []
    for child, plan in zip(children, plans, strict=True):
        proc = _plan_procedure(rng, municipality, teams, child, plan, now, with_details)
        procedures.append(proc)
        if proc.result_at:
            # The survey's age is the age at completion of the assessment.
            done = timezone.localtime(proc.result_at).date()
            age = done.year - child.birth_year - (1 if done.month < child.birth_month else 0)
            group = age_group_for(min(age, 17))
            if group != child.age_group:
                child.age_group = group
                older.append(child)
    ChildRecord.objects.bulk_update(older, ["age_group"], batch_size=2000)
    persons: list[PersonRecord] = []
    events: list[ProcedureEvent] = []
    assessments: list[RiskAssessment] = []
    if with_details:
        # Events are planned before the procedures are written: they fix closing and
        # feedback times on the procedure; bulk_create fills in the foreign keys later.
        for proc, plan in zip(procedures, plans, strict=True):
            family = f"Muster-{plan['n']}"
            persons.append(
                PersonRecord(
                    procedure=proc,
                    role="child",
                    name=f"Demo-Kind {family}",
                    birth_date=f"{proc.child.birth_year}-{proc.child.birth_month:02d}-15",
                    address=f"Demoweg {plan['n'] % 200 + 1}, 00000 Demostadt",
                )
            )
            persons.append(
                PersonRecord(procedure=proc, role="mother", name=f"Demo-Mutter {family}")
            )
            ev, assessment = _events(rng, proc, plan, users, instrument, now)
            events.extend(ev)
            if assessment:
                assessments.append(assessment)
    Procedure.objects.bulk_create(procedures, batch_size=2000)
    PersonRecord.objects.bulk_create(persons, batch_size=2000)
    ProcedureEvent.objects.bulk_create(events, batch_size=5000)
    RiskAssessment.objects.bulk_create(assessments, batch_size=2000)
    return count


def _plan_procedure(rng, municipality, teams, child, plan, now, with_text=True) -> Procedure:
    received = plan["received"]
    reporter = _pick(rng, REPORTERS)
    urgency = _pick(rng, URGENCIES)
    if reporter == "police_court" and rng.random() < 0.4:
        urgency = "immediate"
    result = _pick(rng, RESULTS)
    if urgency == "immediate" and rng.random() < 0.25:
        result = "acute"
    first_due = received + dt.timedelta(hours=DEFAULT_FIRST_CONTACT_HOURS[urgency])
    # Waiting time until first contact: mostly within the deadline, ~12 % late.
    allowed = DEFAULT_FIRST_CONTACT_HOURS[urgency]
    factor = rng.uniform(1.1, 3.0) if rng.random() < 0.12 else rng.uniform(0.1, 0.95)
    first_contact = received + dt.timedelta(hours=allowed * factor)
    assessment_days = rng.lognormvariate(1.6, 0.6)  # median ~5 days, long tail
    result_at = first_contact + dt.timedelta(days=assessment_days)
    feedback_due = (
        received + dt.timedelta(days=DEFAULT_STEP_DAYS["reporter_feedback"])
        if reporter in PROFESSIONAL_REPORTERS
        else None
    )
    closed_at = result_at + dt.timedelta(days=rng.lognormvariate(2.5, 0.8))
    plan.update(reporter=reporter, urgency=urgency, result=result, first_contact=first_contact,
                result_at=result_at, closed_at=closed_at)  # fmt: skip
    kinds = {k: rng.random() < w for k, w in KIND_WEIGHTS} if result in ("acute", "latent") else {}
    if result in ("acute", "latent") and not any(kinds.values()):
        kinds["neglect"] = True
    status = ProcedureStatus.OPEN
    if first_contact > now:
        first_contact = None
    if result_at <= now:
        status = ProcedureStatus.DECIDED
    elif first_contact:
        status = ProcedureStatus.ASSESSING
    if status == ProcedureStatus.DECIDED and closed_at <= now:
        status = ProcedureStatus.CLOSED
    decided = status in (ProcedureStatus.DECIDED, ProcedureStatus.CLOSED)
    plan["status"] = status
    section_42 = decided and result == "acute" and rng.random() < 0.3
    plan["section_42"] = section_42
    local_year = timezone.localtime(received).year
    return Procedure(
        municipality=municipality,
        team=teams[plan["n"] % len(teams)],
        file_number=f"{PREFIX}-{local_year}-{plan['n']:06d}",
        child=child,
        received_at=received,
        reporter_category=reporter,
        channel=rng.choice(["phone", "phone", "written", "in_person", "form"]),
        indications=(
            "Synthetische Demo-Meldung: gewichtige Anhaltspunkte (erfunden)." if with_text else ""
        ),
        urgency=urgency,
        repeated_report=rng.random() < 0.1,
        first_contact_due=first_due,
        assessment_due=received + dt.timedelta(days=DEFAULT_STEP_DAYS["risk_assessment_signed"]),
        feedback_due=feedback_due,
        first_contact_at=first_contact,
        status=status,
        result=result if decided else "",
        result_at=result_at if decided else None,
        kind_neglect=decided and kinds.get("neglect", False),
        kind_psychological=decided and kinds.get("psychological", False),
        kind_physical=decided and kinds.get("physical", False),
        kind_sexual=decided and kinds.get("sexual", False),
        danger_source=_pick(rng, DANGER) if decided and result in ("acute", "latent") else "",
        section_42=section_42,
        closed_at=closed_at if status == ProcedureStatus.CLOSED else None,
        purge_after=(
            (closed_at + dt.timedelta(days=5 * 365)).date()
            if status == ProcedureStatus.CLOSED
            else None
        ),
    )


def _events(rng, proc, plan, users, instrument, now):
    """The process variant of one procedure as events (only those already in the past)."""
    author, signer = rng.sample(users, 2)
    out: list[tuple[str, dt.datetime, tuple[str, str] | None, Any]] = []
    received = proc.received_at
    body = REPORTER_BODIES.get(proc.reporter_category)
    out.append(("report_received", received, body, author))
    out.append(
        ("urgency_rated", received + dt.timedelta(minutes=rng.randint(5, 90)), YOUTH_OFFICE, author)
    )
    if proc.urgency == "immediate" and rng.random() < 0.3:
        out.append(
            (
                "police_involved",
                received + dt.timedelta(minutes=rng.randint(20, 120)),
                POLICE,
                author,
            )
        )
    t = plan["first_contact"]
    out.append(("first_contact", t, YOUTH_OFFICE, author))
    steps = []
    if rng.random() < 0.62:
        steps.append(("home_visit", YOUTH_OFFICE))
    if rng.random() < 0.86:
        steps.append(("parents_involved", YOUTH_OFFICE))
    if rng.random() < 0.6:
        steps.append(("child_involved", YOUTH_OFFICE))
    rng.shuffle(steps)
    if proc.reporter_category in ("daycare", "school", "youth_welfare") and rng.random() < 0.35:
        steps.insert(0, ("insofa_consulted", INSOFA))
    span = max((plan["result_at"] - t).total_seconds(), 3600)
    started = t + dt.timedelta(seconds=span * rng.uniform(0.05, 0.5))
    for i, (code, who) in enumerate(steps):
        out.append((code, t + dt.timedelta(seconds=span * (i + 1) / (len(steps) + 2)), who, author))
    out.append(("risk_assessment_started", started, YOUTH_OFFICE, author))
    result_at = plan["result_at"]
    out.append(("risk_assessment_signed", result_at, YOUTH_OFFICE, signer))
    later = result_at
    result = plan["result"]

    def after(hours_lo: float, hours_hi: float) -> dt.datetime:
        nonlocal later
        later = later + dt.timedelta(hours=rng.uniform(hours_lo, hours_hi))
        return later

    if result == "acute":
        if plan["section_42"]:
            out.append(("inobhutnahme", after(0.5, 6), YOUTH_OFFICE, signer))
        else:
            out.append(("safety_plan", after(1, 24), YOUTH_OFFICE, author))
        if rng.random() < 0.45:
            out.append(("family_court_called", after(24, 240), FAMILY_COURT, author))
    if result in ("acute", "latent", "need_of_help"):
        out.append(("help_offered", after(24, 24 * 14), HELP_PROVIDER, author))
        if rng.random() < 0.75:
            out.append(("help_accepted", after(24, 24 * 21), HELP_PROVIDER, author))
        elif result == "latent" and rng.random() < 0.4:
            out.append(("family_court_called", after(24 * 7, 24 * 42), FAMILY_COURT, author))
    if result == "latent" and rng.random() < 0.3:
        out.append(("safety_plan", after(2, 72), YOUTH_OFFICE, author))
    if proc.reporter_category in PROFESSIONAL_REPORTERS and rng.random() < 0.85:
        fb = proc.received_at + dt.timedelta(days=rng.lognormvariate(2.6, 0.5))
        out.append(("reporter_feedback", max(fb, result_at + dt.timedelta(hours=2)), body, author))
    if rng.random() < 0.04:
        out.append(
            (
                "handover_sent",
                after(24, 24 * 30),
                ("youth_office", "Jugendamt Demo-Nachbarkreis"),
                author,
            )
        )
    if proc.status == ProcedureStatus.CLOSED:
        closed = max(plan["closed_at"], max(e[1] for e in out) + dt.timedelta(hours=1))
        proc.closed_at = closed
        out.append(("closed", closed, YOUTH_OFFICE, author))
    events = []
    labels = {}
    help_type = _pick(rng, NEW_HELP)
    for code, when, who, actor in out:
        if when > now:
            continue
        labels[code] = when
        inst_type, inst_name = who or ("", "")
        if who is YOUTH_OFFICE:
            inst_name = f"Jugendamt {proc.municipality.name}"
        details: dict[str, Any] = {}
        if code == "help_accepted":
            details = {"help_types": [help_type]}
        if code == "handover_sent":
            details = {
                "transmitted": "Meldung, Gefährdungseinschätzung, Hilfeverlauf",
                "conversation": True,
            }
        events.append(
            ProcedureEvent(
                procedure=proc,
                activity_code=code,
                occurred_at=when,
                institution_name=inst_name,
                institution_type=inst_type,
                actor=actor,
                actor_name=actor.get_full_name() or actor.username,
                details=details,
            )
        )
    if "reporter_feedback" in labels:
        proc.feedback_at = labels["reporter_feedback"]
    if "help_accepted" in labels:
        proc.new_help = help_type
    proc.family_court_called = "family_court_called" in labels
    assessment = None
    if "risk_assessment_started" in labels:
        items = instrument.items_for(age_band_for_age(plan["age"]))
        base = {"acute": 3.4, "latent": 2.8, "need_of_help": 2.2, "neither": 1.4}[result]
        answers = {
            f"{s.key}.{i.key}": max(1, min(4, round(rng.gauss(base, 0.7))))
            for s, its in items
            for i in its
        }
        signed = "risk_assessment_signed" in labels
        assessment = RiskAssessment(
            procedure=proc,
            instrument_key=instrument.key,
            instrument_version=instrument.version,
            age_band=age_band_for_age(plan["age"]),
            answers=answers,
            parents_involved=any(e.activity_code == "parents_involved" for e in events),
            child_involved=any(e.activity_code == "child_involved" for e in events),
            home_visit=any(e.activity_code == "home_visit" for e in events),
            result=result if signed else "",
            kinds=proc.kinds if signed else [],
            danger_source=proc.danger_source if signed else "",
            status=AssessmentStatus.SIGNED if signed else AssessmentStatus.DRAFT,
            author=author,
            started_at=labels["risk_assessment_started"],
            signed_by=signer if signed else None,
            signed_at=labels.get("risk_assessment_signed"),
        )
    return events, assessment


def _demo_sign_off_requests(municipality: Municipality, users: list[Any]) -> None:
    """A few drafts waiting for a colleague's sign-off, so "Warten auf meine Abzeichnung"
    shows something on the demo."""
    drafts = RiskAssessment.objects.filter(
        procedure__municipality=municipality, status=AssessmentStatus.DRAFT
    ).order_by("started_at")[:3]
    requests = []
    for index, assessment in enumerate(drafts):
        signers = [u for u in users if u.pk != assessment.author_id]
        if not signers:
            continue
        if not assessment.result:
            RiskAssessment.objects.filter(pk=assessment.pk).update(result="need_of_help")
        requests.append(
            SignOffRequest(
                assessment=assessment,
                requested_by_id=assessment.author_id,
                signer=signers[index % len(signers)],
                note="Demo: bitte bis Freitag abzeichnen.",
            )
        )
    SignOffRequest.objects.bulk_create(requests)


def _demo_legal_hold(municipality: Municipality) -> None:
    """One closed procedure kept beyond its retention for a (fictitious) court case, so the
    procedure page shows the Aufbewahrung section with a hold."""
    procedure = (
        Procedure.objects.filter(municipality=municipality, status=ProcedureStatus.CLOSED)
        .order_by("closed_at")
        .first()
    )
    if procedure is None or procedure.legal_hold:
        return
    Procedure.objects.filter(pk=procedure.pk).update(
        legal_hold=True,
        legal_hold_reason="Demo: Verfahren beim Familiengericht (synthetisch)",
    )


def _demo_person_index(municipality: Municipality) -> None:
    """Repeat reports (the same child in two or three procedures) and siblings (two children
    in one household) in the person index, so the detail page shows them on the demo."""
    from cases import person_index
    from cases.models import Household, IndexedPerson

    procedures = list(
        Procedure.objects.filter(municipality=municipality, persons__role="child")
        .order_by("received_at")
        .distinct()[:40]
    )

    def index(proc: Procedure) -> IndexedPerson:
        child = proc.persons.get(role="child")
        return IndexedPerson.objects.create(
            municipality=municipality,
            name=child.name,
            birth_date=child.birth_date,
            blind_index=person_index.blind_index(
                municipality_id=municipality.pk, name=child.name, birth_date=child.birth_date
            ),
            key_id=person_index.key_id(),
        )

    # Repeat reports: procedures 0..17 in groups of three share one child.
    for start in range(0, min(18, len(procedures) - 2), 3):
        first, *later = procedures[start : start + 3]
        child = first.persons.get(role="child")
        person = index(first)
        for proc in later:
            # One save per row: encrypted values are bound to their row (no bulk update).
            for twin in PersonRecord.objects.filter(procedure=proc, role="child"):
                twin.name, twin.birth_date = child.name, child.birth_date
                twin.save(update_fields=["name", "birth_date"])
        seen: set[int] = set()
        for proc in (first, *later):
            year = timezone.localtime(proc.received_at).year
            Procedure.objects.filter(pk=proc.pk).update(
                indexed_child=person, repeated_report=year in seen
            )
            seen.add(year)
    # Siblings: procedures 18..29 in pairs, each child its own person, one household.
    for start in range(18, min(30, len(procedures) - 1), 2):
        household = Household.objects.create(municipality=municipality)
        for proc in procedures[start : start + 2]:
            person = index(proc)
            IndexedPerson.objects.filter(pk=person.pk).update(household=household)
            Procedure.objects.filter(pk=proc.pk).update(indexed_child=person)


def _demo_handovers(now: dt.datetime) -> None:
    """Two § 8a Abs. 6 hand-overs between demo communes (Bonn → Bremen): one waiting in
    Bremen's intake, one already taken over into a Bremen procedure."""
    from cases import services
    from core.permissions import SystemActor

    sender = Municipality.objects.filter(slug="bundesstadt-bonn").first()
    receiver = Municipality.objects.filter(slug="stadtgemeinde-bremen").first()
    if sender is None or receiver is None:
        return
    actor = SystemActor("demo_data")
    sender_team = Team.objects.filter(municipality=sender).first()
    if sender_team is None:
        return
    for index in range(2):
        procedure = services.procedure_create(
            team=sender_team,
            actor=actor,
            received_at=now - dt.timedelta(days=5 + index),
            file_number=f"{PREFIX}-UEBERGABE-{index + 1}",
            reporter_category="daycare",
            channel="phone",
            indications="Synthetische Demo-Meldung vor dem Umzug der Familie (erfunden).",
            urgency="within_3_days",
            child={
                "sex": "f" if index else "m",
                "birth_year": now.year - 4 - index,
                "birth_month": 3 + index,
                "living_situation": "single_parent",
                "parent_age_group": "27+",
                "foreign_origin": False,
                "german_family_language": True,
                "integration_assistance": False,
                "prior_help": True,
            },  # fmt: skip
            persons=[
                {
                    "role": "child",
                    "name": f"Demo-Kind Umzug-{index + 1}",
                    "birth_date": f"{now.year - 4 - index}-0{3 + index}-11",
                },
            ],  # fmt: skip
        )
        when = now - dt.timedelta(days=2)
        handover = services.procedure_hand_over(
            procedure=procedure,
            actor=actor,
            occurred_at=when,
            to_municipality=receiver,
            items=["identity", "indications", "help"] if index else ["indications", "help"],
            transmitted=(
                "Demo: Familie ist nach Bremen verzogen. Meldung der Kita wegen wiederholt "
                "unversorgter Verletzungen; ambulante Hilfe war angeboten."
            ),
            conversation_at=when,
            conversation_with="ASD Bremen (Demo)",
            conversation_note="Demo: telefonische Fallübergabe, Hilfeplan besprochen.",
        )
        team = Team.objects.filter(municipality=receiver).first()
        if index and team is not None:
            services.handover_accept(handover=handover, actor=actor, team=team)


def _demo_committee_reports(now: dt.datetime) -> None:
    """Last year's Bericht an den Jugendhilfeausschuss with the coordinator's texts, and
    the demo communes sharing their key figures within their cluster."""
    from cases import services

    actor = SystemActor("demo_data")
    year = timezone.localtime(now).year - 1
    for slug in DEMO_SLUGS:
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            continue
        services.case_policy_update(
            municipality=municipality,
            actor=actor,
            share_statistic_in_cluster=True,
            reason="Demo: Kennzahlen im Cluster teilen",
        )
        services.committee_report_save(
            municipality=municipality,
            year=year,
            actor=actor,
            introduction=(
                "Synthetische Demodaten: Der Bericht fasst die Gefährdungseinschätzungen nach "
                "§ 8a SGB VIII des Jahres zusammen, im Vergleich zum Vorjahr."
            ),
            assessment=(
                "Die meisten Meldungen kamen von Polizei und Schulen. Die Fristen für den "
                "Erstkontakt wurden überwiegend eingehalten; Verzögerungen gab es bei der "
                "Rückmeldung an meldende Stellen."
            ),
            outlook=(
                "Die Qualitätsentwicklungswerkstatt arbeitet an verbindlichen Rückmeldungen "
                "an Kitas und Schulen (§ 4 Abs. 4 KKG)."
            ),
        )


def load(*, seed: int, small: bool, stdout: Any) -> dict:
    """Add synthetic procedures to the demo communes (skips communes that already have them)."""
    rng = random.Random(seed + 5)
    now = timezone.now()
    start = now - dt.timedelta(days=3 * 365)
    logins: list[tuple[str, str, str]] = []
    total = 0
    per_commune = {"bundesstadt-bonn": 2000, "stadtgemeinde-bremen": 2600,
                   "stadt-wolfsburg": 900, "stadt-bad-kreuznach": 500}  # fmt: skip
    for slug in DEMO_SLUGS:
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            continue
        if Procedure.objects.filter(
            municipality=municipality, file_number__startswith=PREFIX
        ).exists():
            continue
        with transaction.atomic():
            users = _demo_users(municipality, logins)
            teams = _teams(municipality, users)
            count = 8 if small else per_commune[slug]
            total += build_procedures(
                rng=rng, municipality=municipality, teams=teams, users=users, count=count,
                start=start, end=now, now=now,
            )  # fmt: skip
            _demo_sign_off_requests(municipality, users)
            _demo_person_index(municipality)
            _demo_legal_hold(municipality)
    if total:
        _demo_handovers(now)
        _demo_committee_reports(now)
    stdout.write(f"cases: {total} synthetische § 8a-Verfahren angelegt\n")
    return {"logins": logins}
