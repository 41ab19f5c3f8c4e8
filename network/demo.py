"""Demo data of the network registry: synthetic contacts, working groups and agreements.

Built on the seed communes' imported workshop participants. Every person is synthetic
("Demo Fachkraft …"), phone numbers use the reserved 0000 range and e-mail addresses the
.invalid domain.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from network import services
from network.choices import AgreementKind
from network.models import Agreement, Contact, WorkingGroup
from registry import services as registry_services
from registry.models import Institution, Municipality

DEMO_SLUGS = (
    "bundesstadt-bonn",
    "stadtgemeinde-bremen",
    "stadt-bad-kreuznach",
    "stadt-wolfsburg",
)
DISTRICTS = ("Mitte", "Nord", "Süd", "Ost", "West")
SPECIALISMS = (
    "Säuglinge und Kleinkinder",
    "sexuelle Gewalt",
    "Kinder psychisch kranker Eltern",
    "Menschen mit Behinderung",
)
FUNCTIONS = ("Leitung", "Fachberatung", "Koordination", "Sozialarbeit", "Kinderschutzfachkraft")


def _ensure_department(municipality: Municipality, office: Institution, actor: Any) -> Institution:
    """The ASD as a department of the Jugendamt: the organigram's parent link."""
    name = "Allgemeiner Sozialer Dienst (Demo)"
    existing = Institution.objects.filter(municipality=municipality, name=name).first()
    if existing is not None:
        return existing
    return registry_services.institution_create(
        municipality=municipality,
        actor=actor,
        name=name,
        institution_type="youth_office",
        parent=office,
        district="Mitte",
        city=municipality.name.split()[-1],
    )


def _load_municipality(
    rng: random.Random, municipality: Municipality, actor: Any, small: bool
) -> dict[str, int]:
    institutions = list(Institution.objects.filter(municipality=municipality).order_by("pk"))
    if not institutions:
        return {"contacts": 0, "agreements": 0, "groups": 0}
    created = {"contacts": 0, "agreements": 0, "groups": 0}
    for inst in institutions:
        if not inst.district:
            registry_services.institution_update(
                institution=inst,
                actor=actor,
                district=rng.choice(DISTRICTS),
                city=municipality.name.split()[-1],
                postcode=f"{rng.randint(10000, 99999)}",
                street=f"Musterstraße {rng.randint(1, 99)}",
                phone=f"0000 {rng.randint(100000, 999999)}",
            )
    offices = [i for i in institutions if i.institution_type == "youth_office"]
    if offices:
        department = _ensure_department(municipality, offices[0], actor)
        if department not in institutions:
            institutions.append(department)
    by_type: dict[str, list[Institution]] = {}
    for inst in institutions:
        by_type.setdefault(inst.institution_type, []).append(inst)

    per_institution = 1 if small else 2
    for index, inst in enumerate(institutions):
        for k in range(per_institution):
            name = f"Demo Fachkraft {municipality.pk}-{index + 1}-{k + 1}"
            if Contact.objects.filter(municipality=municipality, name=name).exists():
                continue
            insofa = inst.institution_type in ("counselling", "child_protection_association")
            services.contact_create(
                institution=inst,
                actor=actor,
                name=name,
                function=rng.choice(FUNCTIONS),
                phone=f"0000 {rng.randint(100000, 999999)}",
                email=f"fachkraft-{municipality.pk}-{index + 1}-{k + 1}@demo.invalid",
                is_insofa=insofa and k == 0,
                insofa_specialism=rng.choice(SPECIALISMS) if insofa and k == 0 else "",
                # Advice lines of the insoweit erfahrene Fachkraft are public on purpose.
                is_public=insofa and k == 0,
            )
            created["contacts"] += 1

    groups = {
        "Netzwerk Frühe Hilfen (Demo)": [
            i
            for i in institutions
            if i.institution_type
            in ("youth_office", "health_office", "midwife", "daycare", "early_help", "counselling")
        ],
        "Qualitätsentwicklungswerkstatt (Demo)": [
            i for i in institutions if i.workshop_participant
        ],
    }
    for name, members in groups.items():
        if (
            members
            and not WorkingGroup.objects.filter(municipality=municipality, name=name).exists()
        ):
            services.working_group_create(
                municipality=municipality, name=name, members=members, actor=actor
            )
            created["groups"] += 1

    today = timezone.localdate()
    office = offices[0] if offices else institutions[0]
    partners = [
        m
        for m in Municipality.objects.filter(cluster_id=municipality.cluster_id).exclude(
            pk=municipality.pk
        )
    ][:3]
    plans = [
        (
            "Kooperationsvereinbarung Jugendamt – Polizei (Demo)",
            AgreementKind.COOPERATION,
            [office, *by_type.get("police", [])[:1]],
            [],
            today + dt.timedelta(days=20),
        ),
        (
            "Vereinbarung nach § 8a Abs. 4 SGB VIII mit freien Trägern (Demo)",
            AgreementKind.SECTION_8A,
            [office, *by_type.get("free_provider", [])[:3], *by_type.get("daycare", [])[:2]],
            [],
            today + dt.timedelta(days=200),
        ),
        (
            "Schweigepflicht und Datenschutz im Netzwerk (Demo)",
            AgreementKind.DATA_PROTECTION,
            [office, *by_type.get("health_office", [])[:1], *by_type.get("physician", [])[:1]],
            [],
            today - dt.timedelta(days=10),
        ),
        (
            "Übergabevereinbarung zwischen Jugendämtern im Cluster (Demo)",
            AgreementKind.HANDOVER,
            [office],
            partners,
            today + dt.timedelta(days=400),
        ),
    ]
    for title, kind, parties, partner_communes, review in plans:
        if Agreement.objects.filter(municipality=municipality, title=title).exists():
            continue
        if len({p.pk for p in parties}) + len(partner_communes) < 2:
            continue
        services.agreement_create(
            municipality=municipality,
            actor=actor,
            title=title,
            kind=kind,
            institutions=list({p.pk: p for p in parties}.values()),
            partner_municipalities=partner_communes,
            signed_on=today - dt.timedelta(days=rng.randint(100, 900)),
            valid_from=today - dt.timedelta(days=100),
            next_review_on=review,
            notes="Synthetische Demo-Vereinbarung.",
        )
        created["agreements"] += 1
    return created


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:
    rng = random.Random(seed + 4)
    actor = SystemActor("demo_data")
    totals = {"contacts": 0, "agreements": 0, "groups": 0}
    with change_context(AuditSource.CLI), transaction.atomic():
        for slug in DEMO_SLUGS:
            municipality = Municipality.objects.filter(slug=slug).first()
            if municipality is None:
                continue
            for key, value in _load_municipality(rng, municipality, actor, small).items():
                totals[key] += value
    stdout.write(
        f"  Netzwerk: {totals['contacts']} Ansprechpersonen, {totals['groups']} Arbeitskreise, "
        f"{totals['agreements']} Vereinbarungen (synthetisch)"
    )
    return {}
