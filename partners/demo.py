"""Demo data of the partner side: Kitas, schools and practices with staff, an insoFa pool,
pseudonymous records, consultations, Mitteilungen, acknowledgements and feedback.

Everything is synthetic ("Demo …", child codes like "D-17"), written through the services
so the rules and audit rows are the real ones, then placed back in time along a planned
timeline (the services stamp "now"), so the process map shows realistic waiting times
between the institution, the insoweit erfahrene Fachkraft and the Jugendamt.
Idempotent: a commune that already has partner records is skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.demo import DEMO_PASSWORD
from cases.models import Procedure, ProcedureEvent, Team
from core.choices import AuditSource, Role
from core.context import change_context
from core.permissions import SystemActor
from core.services import membership_grant
from network import services as network_services
from network.models import Agreement
from partners import services
from partners.choices import PartnerActivity, StaffRole
from partners.models import (
    Consultation,
    PartnerEvent,
    PartnerMessage,
    PartnerRecord,
    StaffBinding,
)
from registry import services as registry_services
from registry.models import Institution, Municipality

DEMO_SLUGS = ("bundesstadt-bonn", "stadt-bad-kreuznach", "stadt-wolfsburg", "stadtgemeinde-bremen")

# (kind, type, name pattern) of the demo institutions that work with the platform.
INSTITUTIONS = (
    ("kita", "daycare", "Kita Sonnenschein (Demo)"),
    ("kita2", "daycare", "Kita Regenbogen (Demo)"),
    ("schule", "school", "Grundschule am Park (Demo)"),
    ("praxis", "physician", "Kinderarztpraxis Dr. Beispiel (Demo)"),
    ("klinik", "clinic", "Kinderklinik am Stadtpark (Demo)"),
    ("traeger", "free_provider", "Familienhilfe Muster e. V. (Demo)"),
)
OBSERVATIONS = (
    "Kind kommt wiederholt hungrig und ohne wettergerechte Kleidung.",
    "Blaue Flecken an Oberarmen, wechselnde Erklärungen der Mutter.",
    "Kind berichtet von Streit und Schlägen zu Hause, wirkt verängstigt.",
    "Wiederholtes Fehlen ohne Entschuldigung, Eltern nicht erreichbar.",
    "Auffällig sexualisiertes Verhalten im Spiel mit anderen Kindern.",
)


def _user(username: str, label: str, municipality: Municipality, role: str, logins: list) -> Any:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"first_name": "Demo", "last_name": label}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        logins.append((username, DEMO_PASSWORD, label))
    # Roles change only through the audited service (core.services).
    membership_grant(
        user=user, municipality=municipality, role=role, actor=SystemActor("demo_data")
    )
    return user


def _institution(municipality: Municipality, itype: str, name: str, actor: Any) -> Institution:
    found = (
        Institution.objects.filter(municipality=municipality, institution_type=itype)
        .order_by("position", "pk")
        .first()
        if itype not in ("daycare",)
        else None
    )
    if found is not None:
        return found
    existing = Institution.objects.filter(municipality=municipality, name=name).first()
    if existing is not None:
        return existing
    return registry_services.institution_create(
        municipality=municipality,
        actor=actor,
        name=name,
        institution_type=itype,
        district="Mitte",
        city=municipality.name.split()[-1],
    )


def _staff(institution: Institution, user: Any, role: str) -> None:
    StaffBinding.objects.get_or_create(
        user=user,
        defaults={
            "institution": institution,
            "municipality_id": institution.municipality_id,
            "role": role,
        },
    )


def _setup(municipality: Municipality, actor: Any, logins: list) -> dict[str, Any]:
    short = municipality.slug.split("-")[-1]
    places = {
        kind: _institution(municipality, itype, name, actor) for kind, itype, name in INSTITUTIONS
    }
    people: dict[str, Any] = {}
    for kind in places:
        lead = _user(f"{kind}-leitung-{short}", f"Leitung {kind.title()} {short.title()}",
                     municipality, Role.INSTITUTION_LEAD, logins)  # fmt: skip
        staff = _user(f"{kind}-fachkraft-{short}", f"Fachkraft {kind.title()} {short.title()}",
                      municipality, Role.INSTITUTION_STAFF, logins)  # fmt: skip
        _staff(places[kind], lead, StaffRole.LEAD)
        _staff(places[kind], staff, StaffRole.STAFF)
        people[kind] = (staff, lead)
    insofa_user = _user(f"insofa-{short}", f"Insoweit erfahrene Fachkraft {short.title()}",
                        municipality, Role.INSOFA, logins)  # fmt: skip
    counselling = (
        Institution.objects.filter(
            municipality=municipality,
            institution_type__in=("child_protection_association", "counselling"),
        )
        .order_by("pk")
        .first()
    )
    pool = [
        services.insofa_create(
            municipality=municipality,
            actor=actor,
            name=f"Demo insoFa {short.title()} (frühe Kindheit)",
            qualification="Sozialpädagogin, Zertifikatskurs Kinderschutzfachkraft (Demo)",
            specialisms=["early_childhood", "addiction_mental"],
            languages=["de", "tr"],
            institution=counselling,
            user=insofa_user,
            availability_note="Mo–Do 9–15 Uhr",
        ),
        services.insofa_create(
            municipality=municipality,
            actor=actor,
            name=f"Demo insoFa {short.title()} (Schulalter)",
            qualification="Diplom-Psychologe, Kinderschutzfachkraft (Demo)",
            specialisms=["school_age", "adolescence", "sexualised_violence"],
            languages=["de", "en", "ar"],
            institution=counselling,
            cluster_wide=True,
        ),
    ]
    agreement = Agreement.objects.filter(municipality=municipality, kind="section_8a").first()
    if agreement is None:
        agreement = network_services.agreement_create(
            municipality=municipality,
            actor=actor,
            title="Vereinbarung nach § 8a Abs. 4 SGB VIII mit Kita-Trägern (Demo)",
            kind="section_8a",
            institutions=[places["kita"], places["kita2"], places["traeger"]],
        )
    else:
        for place in (places["kita"], places["kita2"], places["traeger"]):
            agreement.institutions.add(place)
    services.agreement_terms_set(
        agreement=agreement,
        actor=actor,
        feedback_legal_basis="§ 8a Abs. 4 SGB VIII i. V. m. Ziff. 6 der Vereinbarung (Demo)",
        feedback_scope="ob das Jugendamt gewichtige Anhaltspunkte sieht und tätig ist",
        sign_off_rule="lead",
    )
    # A cooperation agreement with the health sector: the statute's feedback (§ 4 Abs. 4
    # KKG) written into the agreement, and the commune's own rules for all institutions
    # (Wolfsburg keeps records longer and lets only the lead sign).
    health = network_services.agreement_create(
        municipality=municipality,
        actor=actor,
        title="Kooperationsvereinbarung Kinderschutz im Gesundheitswesen (Demo)",
        kind="cooperation",
        institutions=[places["praxis"], places["klinik"]],
    )
    services.agreement_terms_set(
        agreement=health,
        actor=actor,
        feedback_legal_basis="§ 4 Abs. 4 KKG, Ziff. 4 der Kooperationsvereinbarung (Demo)",
        feedback_scope="ob das Jugendamt gewichtige Anhaltspunkte sieht und tätig ist; "
        "auf Wunsch ein gemeinsames Gespräch",
    )
    if short == "wolfsburg":
        services.partner_settings_update(
            municipality=municipality, actor=actor, retention_years=5, sign_off_rule="lead"
        )
    return {"places": places, "people": people, "pool": pool, "insofa_user": insofa_user}


def _retime(record: PartnerRecord, at: dict[str, dt.datetime]) -> None:
    """Place a chain created "now" back on its planned timeline (demo only)."""
    for code, when in at.items():
        PartnerEvent.objects.filter(record=record, activity_code=code).update(occurred_at=when)
    signed = at.get(PartnerActivity.RECORD_SIGNED)
    if signed:
        PartnerRecord.objects.filter(pk=record.pk).update(
            signed_at=signed, purge_after=(signed + dt.timedelta(days=3 * 365)).date()
        )
    consulted = at.get(PartnerActivity.INSOFA_CONSULTED)
    if consulted:
        Consultation.objects.filter(record=record).update(
            requested_at=at[PartnerActivity.INSOFA_REQUESTED],
            answered_at=at[PartnerActivity.INSOFA_REQUESTED] + dt.timedelta(hours=3),
            consulted_at=consulted,
        )
    sent = at.get(PartnerActivity.MESSAGE_SENT)
    message = PartnerMessage.objects.filter(record=record).first()
    if not sent or message is None:
        return
    policy = case_services.policy_for(municipality_id=record.municipality_id)
    feedback_delta = policy.step_delta("reporter_feedback") or dt.timedelta(days=28)
    PartnerMessage.objects.filter(pk=message.pk).update(
        sent_at=sent,
        acknowledged_at=at.get(PartnerActivity.MESSAGE_ACKNOWLEDGED),
        involvement_at=at.get(PartnerActivity.REPORTER_INVOLVED),
        feedback_at=at.get(PartnerActivity.FEEDBACK_GIVEN),
        feedback_due=sent + feedback_delta,
    )
    if message.procedure_id is None:
        return
    procedure = Procedure.objects.get(pk=message.procedure_id)
    contact = at.get("first_contact")
    Procedure.objects.filter(pk=procedure.pk).update(
        received_at=sent,
        first_contact_due=sent + policy.first_contact_delta(procedure.urgency),
        assessment_due=sent + (policy.step_delta("risk_assessment_signed") or dt.timedelta(14)),
        feedback_due=sent + feedback_delta,
        first_contact_at=contact,
        feedback_at=at.get(PartnerActivity.FEEDBACK_GIVEN),
    )
    events = ProcedureEvent.objects.filter(procedure=procedure)
    events.filter(activity_code="report_received").update(occurred_at=sent)
    acknowledged = at.get(PartnerActivity.MESSAGE_ACKNOWLEDGED) or sent
    events.filter(activity_code="urgency_rated").update(occurred_at=acknowledged)
    if contact:
        events.filter(activity_code="first_contact").update(occurred_at=contact)
    if at.get(PartnerActivity.FEEDBACK_GIVEN):
        events.filter(activity_code="reporter_feedback").update(
            occurred_at=at[PartnerActivity.FEEDBACK_GIVEN]
        )


def _chain(
    rng: random.Random, setup: dict, team: Team, caseworker: Any, index: int, now: dt.datetime
) -> None:
    kind = rng.choice(["kita", "kita", "kita2", "schule", "praxis", "klinik", "traeger"])
    place = setup["places"][kind]
    staff, lead = setup["people"][kind]
    noticed = now - dt.timedelta(days=rng.randint(20, 700), hours=rng.randint(0, 6))
    band = "3-6" if kind.startswith("kita") else rng.choice(["6-14", "0-3", "3-6"])
    record = services.record_create(
        institution=place,
        actor=staff,
        child_code=f"D-{index:03d}",
        age_band=band,
        noticed_on=timezone.localtime(noticed).date(),
        indications=rng.choice(OBSERVATIONS),
    )
    noon = timezone.make_aware(dt.datetime.combine(record.noticed_on, dt.time(12, 0)))
    at: dict[str, dt.datetime] = {
        PartnerActivity.NOTICED: noon,
        PartnerActivity.RECORD_OPENED: noon + dt.timedelta(hours=rng.randint(2, 30)),
    }
    t = at[PartnerActivity.RECORD_OPENED]
    decision = rng.choices(["inform", "monitor", "none"], weights=[55, 25, 20])[0]
    if rng.random() < 0.65:
        insofa = setup["pool"][0] if band != "6-14" else setup["pool"][1]
        consultation = services.consultation_request(
            record=record,
            insofa=insofa,
            question="Reichen die Beobachtungen für gewichtige Anhaltspunkte?",
            actor=staff,
        )
        # The demo insoFa with a login answers herself; the other one through the system.
        responder = insofa.user or SystemActor("demo_data")
        services.consultation_respond(consultation=consultation, actor=responder, accept=True)
        services.consultation_complete(
            consultation=consultation,
            actor=responder,
            consulted_at=timezone.now(),
            outcome="inform" if decision == "inform" else "own_help",
            result="Beratung durchgeführt (Demo): Einschätzung gemeinsam mit dem Bogen geprüft.",
        )
        at[PartnerActivity.INSOFA_REQUESTED] = t + dt.timedelta(hours=rng.randint(1, 48))
        at[PartnerActivity.INSOFA_CONSULTED] = at[PartnerActivity.INSOFA_REQUESTED] + dt.timedelta(
            hours=rng.randint(12, 120)
        )
        t = at[PartnerActivity.INSOFA_CONSULTED]
    t += dt.timedelta(hours=rng.randint(1, 24))
    at[PartnerActivity.PARENTS_TALK] = t
    services.record_update(
        record=record,
        actor=staff,
        decision=decision,
        parents_talk=rng.random() < 0.8,
        talk_omitted_reason="Gespräch würde das Kind gefährden (Demo).",
        review_on=(timezone.localtime(t) + dt.timedelta(days=30)).date()
        if decision == "monitor"
        else None,
        assessment_summary="Mehrere Merkmale des Bogens auf Stufe 3 oder 4 (Demo).",
    )
    if rng.random() < 0.9 or decision == "inform":
        services.record_sign_off(record=record, actor=lead)
        at[PartnerActivity.RECORD_SIGNED] = t + dt.timedelta(hours=rng.randint(1, 24))
        t = at[PartnerActivity.RECORD_SIGNED]
    if decision == "inform":
        message = services.message_send(
            record=record,
            actor=staff,
            observations=record.indications,
            contact_person=f"{staff.get_full_name()}, Tel. 0000 {rng.randint(100000, 999999)}",
            child_name=f"Demo-Kind {index:03d}",
            child_sex=rng.choice(["f", "m"]),
            child_birth_month=rng.randint(1, 12),
            child_birth_year=timezone.localdate().year
            - {"0-3": 2, "3-6": 4, "6-14": 9}.get(band, 9),
        )
        at[PartnerActivity.MESSAGE_SENT] = t + dt.timedelta(hours=rng.randint(1, 72))
        t = at[PartnerActivity.MESSAGE_SENT]
        recent = (now - t) < dt.timedelta(days=3)
        if not recent or rng.random() < 0.3:
            message = services.message_acknowledge(
                message=message, team=team, actor=caseworker,
                urgency=rng.choice(["same_day", "within_3_days", "within_week"]),
                living_situation=rng.choice(["both_parents", "single_parent"]),
            )  # fmt: skip
            at[PartnerActivity.MESSAGE_ACKNOWLEDGED] = t + dt.timedelta(hours=rng.randint(1, 20))
            case_services.procedure_record_step(
                procedure=message.procedure, actor=caseworker, activity_code="first_contact",
                occurred_at=timezone.now(),
            )  # fmt: skip
            at["first_contact"] = at[PartnerActivity.MESSAGE_ACKNOWLEDGED] + dt.timedelta(
                hours=rng.randint(2, 96)
            )
            if rng.random() < 0.8:
                services.message_record_involvement(
                    message=message, actor=caseworker, involvement="involved", kind="conversation",
                    occurred_at=timezone.now(), note="Telefonat mit der meldenden Fachkraft (Demo)",
                )  # fmt: skip
                at[PartnerActivity.REPORTER_INVOLVED] = at["first_contact"] + dt.timedelta(
                    hours=rng.randint(1, 72)
                )
            late = max(
                at["first_contact"] + dt.timedelta(days=rng.randint(3, 40)),
                at.get(PartnerActivity.REPORTER_INVOLVED, at["first_contact"])
                + dt.timedelta(hours=1),
            )
            if late < now and rng.random() < 0.8:
                services.message_feedback_send(
                    message=message,
                    actor=caseworker,
                    indications_seen=rng.random() < 0.7,
                    active=rng.random() < 0.8,
                    text="Wir sind tätig geworden; danke für Ihre Mitteilung (Demo).",
                )
                at[PartnerActivity.FEEDBACK_GIVEN] = late
    _retime(record, {k: min(v, now) for k, v in at.items()})


def _waiting_today(setup: dict) -> None:
    """Mein Bereich has something for every partner role of the demo: a Kita record due for
    review and not yet signed off, a consultation request the insoFa has not answered yet,
    a Mitteilung the Jugendamt has not acknowledged yet."""
    place = setup["places"]["kita"]
    staff, lead = setup["people"]["kita"]
    today = timezone.localdate()

    def record(code: str, days_ago: int) -> PartnerRecord:
        return services.record_create(
            institution=place,
            actor=staff,
            child_code=code,
            age_band="3-6",
            noticed_on=today - dt.timedelta(days=days_ago),
            indications=OBSERVATIONS[0],
        )

    monitored = record("D-W01", 40)
    services.record_update(
        record=monitored,
        actor=staff,
        decision="monitor",
        parents_talk=True,
        review_on=today - dt.timedelta(days=2),
        assessment_summary="Weiter beobachten, Gespräch mit den Eltern geführt (Demo).",
    )
    asked = record("D-W02", 2)
    insofa = next((m for m in setup["pool"] if m.user_id), setup["pool"][0])
    services.consultation_request(
        record=asked,
        insofa=insofa,
        question="Reichen die Beobachtungen für gewichtige Anhaltspunkte?",
        actor=staff,
    )
    informed = record("D-W03", 1)
    services.record_update(
        record=informed,
        actor=staff,
        decision="inform",
        parents_talk=True,
        assessment_summary="Mehrere Merkmale des Bogens auf Stufe 4 (Demo).",
    )
    services.record_sign_off(record=informed, actor=lead)
    services.message_send(
        record=informed,
        actor=staff,
        observations=informed.indications,
        contact_person=f"{staff.get_full_name()}, Tel. 0000 000000",
        child_name="Demo-Kind W03",
        child_sex="f",
        child_birth_month=5,
        child_birth_year=today.year - 4,
    )


def load(*, seed: int, small: bool, stdout: Any) -> dict:
    """Partner institutions with staff, pool, records and the chain in every demo commune."""
    rng = random.Random(seed + 13)
    actor = SystemActor("demo_data")
    logins: list[tuple[str, str, str]] = []
    total = 0
    now = timezone.now()
    with change_context(AuditSource.CLI):
        for slug in DEMO_SLUGS:
            municipality = Municipality.objects.filter(slug=slug).first()
            if (
                municipality is None
                or PartnerRecord.objects.filter(municipality=municipality).exists()
            ):
                continue
            team = Team.objects.filter(municipality=municipality).order_by("name").first()
            caseworker = (
                get_user_model()
                .objects.filter(case_team_memberships__team=team)
                .order_by("username")
                .first()
                if team
                else None
            )
            if team is None or caseworker is None:
                continue
            with transaction.atomic():
                setup = _setup(municipality, actor, logins)
                count = 6 if small else 40
                for index in range(count):
                    _chain(rng, setup, team, caseworker, index + 1, now)
                _waiting_today(setup)
                total += count + 3
    stdout.write(
        f"partners: {total} Dokumentationen von Einrichtungen mit Beratung und Mitteilung\n"
    )
    return {"logins": logins}
