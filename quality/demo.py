"""Demo data of the quality app: a year of workshops with sessions, attendance, outcomes.

Everything is synthetic ("Demo Fachkraft 7"); dates are relative to today so the board
always shows open, overdue and achieved work.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from quality import services
from quality.choices import OutcomeStatus, RegistrationStatus, WorkshopKind
from quality.models import Outcome, Registration, Workshop
from registry.models import Cluster, Institution

SEED_SLUGS = ("bundesstadt-bonn", "stadt-bad-kreuznach", "stadt-wolfsburg", "stadtgemeinde-bremen")

MINUTES = """## Verlauf

Die Teilnehmenden aus {communes} berichteten über den Stand der Umsetzung.

- Rückblick auf die Vereinbarungen der letzten Sitzung
- Arbeit in Kleingruppen zu **{topic}**
- Absprachen zur Weiterarbeit bis zum nächsten Termin

## Vereinbarungen

1. Die Koordination verschickt den überarbeiteten Entwurf.
2. Rückmeldungen der Einrichtungen bis zwei Wochen vor dem nächsten Termin.
"""


def _clusters(small: bool) -> list[Cluster]:
    clusters = list(
        Cluster.objects.filter(model_municipality__slug__in=SEED_SLUGS)
        .select_related("model_municipality")
        .order_by("number")
    )
    return clusters[:1] if small else clusters


def _first_of_series(today: date) -> date:
    # About a year back, on a Wednesday, so the year has six sessions behind it.
    start = today - timedelta(days=365)
    return start + timedelta(days=(2 - start.weekday()) % 7)


def _attendance(
    rng: random.Random, session: Any, institutions: list[Institution], counter: list[int]
) -> None:
    # Historical attendance is recorded as it happened, not signed up through the
    # (future-only) sign-up service; attendance itself goes through the service.
    chosen = rng.sample(institutions, k=min(len(institutions), rng.randint(8, 16)))
    rows = []
    for institution in chosen:
        counter[0] += 1
        rows.append(
            Registration(
                session=session,
                name=f"Demo Fachkraft {counter[0]}",
                email=f"demo-fachkraft-{counter[0]}@demo.invalid",
                institution=institution,
                status=RegistrationStatus.REGISTERED,
                queued_at=session.starts_at - timedelta(days=14),
            )
        )
    Registration.objects.bulk_create(rows)
    registrations = list(session.registrations.all())
    services.attendance_record(
        session=session,
        attended={r.pk: rng.random() < 0.85 for r in registrations},
        actor=SystemActor("demo_data"),
    )


def _workshop_year(
    rng: random.Random, cluster: Cluster, today: date, counter: list[int], small: bool
) -> Workshop | None:
    host = cluster.model_municipality
    actor = SystemActor("demo_data")
    title = f"Qualitätsentwicklungswerkstatt {host.name}"
    if Workshop.objects.filter(municipality=host, title=title).exists():
        return None
    workshop = services.workshop_create(
        municipality=host,
        title=title,
        cluster=cluster,
        default_place=f"Rathaus {host.name}, Sitzungssaal (Demo)",
        description="Demo: alle zwei Monate mit bis zu 30 Fachkräften und den Partnerkommunen.",
        actor=actor,
    )
    first = _first_of_series(today)
    sessions = services.workshop_schedule_series(
        workshop=workshop,
        first=first,
        until=today + timedelta(days=90 if not small else 30),
        start_time=time(9, 30),
        end_time=time(13, 0),
        actor=actor,
    )
    interests = list(host.development_interests.filter(parent=None))
    topics = list(host.topics.filter(parent=None))
    members = list(cluster.municipalities.all())
    institutions = list(Institution.objects.filter(municipality__in=members))
    communes = ", ".join(m.name for m in members)
    now = timezone.now()
    for index, session in enumerate(sessions):
        services.agenda_item_add(session=session, title="Begrüßung und Rückblick", actor=actor)
        if interests:
            services.agenda_item_add(
                session=session, title="", interest=interests[index % len(interests)], actor=actor
            )
        if topics:
            services.agenda_item_add(
                session=session, title="", topic=topics[index % len(topics)], actor=actor
            )
        if session.starts_at < now:
            topic = topics[index % len(topics)].text if topics else "Kinderschutz"
            services.session_update(
                session=session,
                minutes=MINUTES.format(communes=communes, topic=topic[:80]),
                actor=actor,
            )
            if institutions:
                _attendance(rng, session, institutions, counter)
    future = [s for s in sessions if s.starts_at >= now]
    if future and len(sessions) > 2:
        # One cancelled session and one extra session, as real series have them.
        services.session_cancel(
            session=future[-1], reason="Demo: Raum nicht verfügbar", actor=actor
        )
        extra_start = future[0].starts_at + timedelta(days=21)
        services.session_add(
            workshop=workshop,
            starts_at=extra_start,
            ends_at=extra_start + timedelta(hours=3),
            place="Jugendamt, Raum 1 (Demo)",
            actor=actor,
        )
    _quotas_and_invitations(workshop, institutions)
    past = [s for s in sessions if s.starts_at < now]
    _outcome_work(rng, cluster, past, today)
    return workshop


def _quotas_and_invitations(workshop: Workshop, institutions: list[Institution]) -> None:
    """Seed 001's Kontingentierung: the Jugendamt and two Kitas keep seats; one guest
    without an account is invited with a personal link (printed nowhere: the demo shows
    it on the session page's invitations)."""
    actor = SystemActor("demo_data")
    offices = [i for i in institutions if i.institution_type == "youth_office"][:1]
    kitas = [i for i in institutions if i.institution_type == "daycare"][:2]
    for institution, seats in [*((o, 6) for o in offices), *((k, 2) for k in kitas)]:
        services.seat_quota_set(
            workshop=workshop, institution=institution, seats=seats, actor=actor
        )
    open_sessions = list(
        workshop.sessions.filter(starts_at__gte=timezone.now(), status="scheduled").order_by(
            "starts_at"
        )
    )
    guest_institution = (kitas or institutions or [None])[0]
    if open_sessions and guest_institution is not None:
        services.session_invite(
            session=open_sessions[0],
            name="Demo-Gast (ohne Konto)",
            email="gast.werkstatt@example.invalid",
            institution=guest_institution,
            actor=actor,
            base_url="http://127.0.0.1:8000/",
        )


def _outcome_work(rng: random.Random, cluster: Cluster, past: list[Any], today: date) -> None:
    actor = SystemActor("demo_data")
    for municipality in cluster.municipalities.all():
        owners = list(Institution.objects.filter(municipality=municipality)[:10])
        for outcome in Outcome.objects.filter(municipality=municipality, parent=None):
            changes: dict[str, Any] = {}
            if owners:
                changes["owner_institution"] = rng.choice(owners)
            if outcome.status == OutcomeStatus.PLANNED:
                changes["due_date"] = today + timedelta(days=rng.randint(-60, 240))
            services.outcome_update(
                outcome=outcome,
                actor=actor,
                expected_version=None,
                decided_in=[rng.choice(past)] if past else None,
                **changes,
            )
            if outcome.status == OutcomeStatus.PLANNED and rng.random() < 0.5:
                services.outcome_transition(
                    outcome=outcome,
                    to_status=OutcomeStatus.IN_PROGRESS,
                    actor=actor,
                    note="Demo: Umsetzung begonnen",
                )
    host = cluster.model_municipality
    services.outcome_create(
        municipality=host,
        text="Vier-Augen-Prinzip bei Hausbesuchen verbindlich regeln",
        description="Demo: aus einer Falluntersuchung abgeleitet.",
        due_date=today - timedelta(days=10),
        origin="Falluntersuchung (Demo)",
        actor=actor,
    )


def _cluster_events(clusters: list[Cluster], today: date) -> None:
    actor = SystemActor("demo_data")
    for cluster in clusters:
        host = cluster.model_municipality
        for kind, title, days in (
            (WorkshopKind.CHILD_PROTECTION_CONFERENCE, f"Kinderschutzkonferenz {host.name}", 45),
            (WorkshopKind.TRAINING, "Gemeinsame Fortbildung Datenschutz im Kinderschutz", 75),
        ):
            if Workshop.objects.filter(municipality=host, title=title).exists():
                continue
            event = services.workshop_create(
                municipality=host, title=title, kind=kind, cluster=cluster, capacity=80, actor=actor
            )
            start = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(9, 0)))
            services.session_add(
                workshop=event, starts_at=start, ends_at=start + timedelta(hours=7), actor=actor
            )


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    rng = random.Random(seed + 3)
    today = timezone.localdate()
    counter = [Registration.objects.count()]
    with change_context(AuditSource.CLI), transaction.atomic():
        clusters = _clusters(small)
        for cluster in clusters:
            workshop = _workshop_year(rng, cluster, today, counter, small)
            if workshop is not None:
                stdout.write(f"  Werkstatt: {workshop} ({workshop.sessions.count()} Termine)")
        _cluster_events(clusters, today)
    return {}
