"""Factories of the partner side (synthetic data only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import _member
from core.choices import Role
from partners import services
from partners.choices import AgeBand, Decision, StaffRole
from partners.models import InsofaPoolMember, StaffBinding
from registry.tests.factories import InstitutionFactory


def institution(municipality: Any, name: str, institution_type: str = "daycare") -> Any:
    return InstitutionFactory(
        municipality=municipality, name=name, institution_type=institution_type
    )


def staff(institution: Any, username: str, role: str = StaffRole.STAFF) -> Any:
    """A person with an institution role bound to ``institution``."""
    user = _member(institution.municipality, role, username)
    StaffBinding.objects.create(
        user=user, institution=institution, municipality=institution.municipality, role=role
    )
    return user


def insofa(municipality: Any, username: str | None, name: str = "Frau Beispiel", **kw: Any) -> Any:
    user = _member(municipality, Role.INSOFA, username) if username else None
    params = {
        "qualification": "Dipl.-Sozialpädagogin, Zertifikat insoweit erfahrene Fachkraft",
        "specialisms": ["early_childhood"],
        "languages": ["de", "tr"],
        "available": True,
    }
    params.update(kw)
    return InsofaPoolMember.objects.create(
        municipality=municipality, user=user, name=name, **params
    )


def record(institution: Any, author: Any, **kw: Any) -> Any:
    params = {
        "child_code": "L.M. Gruppe Igel",
        "age_band": AgeBand.FROM_3,
        "noticed_on": timezone.localdate() - dt.timedelta(days=5),
        "indications": "Kind kommt seit zwei Wochen hungrig und mit blauen Flecken am Rücken.",
    }
    params.update(kw)
    return services.record_create(institution=institution, actor=author, **params)


def signed_record(institution: Any, author: Any, signer: Any, **kw: Any) -> Any:
    rec = record(institution, author, **kw)
    services.record_update(
        record=rec,
        actor=author,
        decision=Decision.INFORM,
        parents_talk=True,
        assessment_summary="Mehrere Merkmale auf Stufe 4.",
    )
    return services.record_sign_off(record=rec, actor=signer)


def message_data(**kw: Any) -> dict[str, Any]:
    data = {
        "observations": "Hunger, Hämatome am Rücken, Kind will nicht nach Hause.",
        "contact_person": "Frau Erzieherin Muster, Tel. 0000 000000",
        "child_name": "Lena Muster-A",
        "child_sex": "f",
        "child_birth_month": 3,
        "child_birth_year": timezone.localdate().year - 4,
        "child_address": "Musterweg 2, 00000 Demo",
        "parents": "Petra Muster-A",
    }
    data.update(kw)
    return data
