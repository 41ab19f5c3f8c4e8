"""Demo data: partner institutions, staff, pool, the chain in every demo commune."""

import io

import pytest

from analytics import selectors as analytics
from analytics.selectors import LogFilter
from cases import demo as case_demo
from core.permissions import SystemActor
from partners import demo
from partners.models import Consultation, PartnerEvent, PartnerMessage, PartnerRecord
from registry.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_demo_builds_the_chain_and_runs_twice():
    for slug in demo.DEMO_SLUGS:
        MunicipalityFactory(slug=slug, name=f"Demo {slug}")
    case_demo.load(seed=1, small=True, stdout=io.StringIO())
    out = io.StringIO()
    result = demo.load(seed=1, small=True, stdout=out)
    # Six chains and the three records that wait today (Mein Bereich) per commune.
    assert PartnerRecord.objects.count() == (6 + 3) * len(demo.DEMO_SLUGS)
    assert Consultation.objects.filter(status="requested").count() == len(demo.DEMO_SLUGS)
    assert PartnerMessage.objects.filter(status="sent").count() >= len(demo.DEMO_SLUGS)
    assert any(login[0].startswith("kita-leitung-") for login in result["logins"])
    # The chain runs through Kita, school, practice and clinic; the health sector's
    # agreement records its terms; Wolfsburg has rules of its own.
    assert any(login[0].startswith("klinik-fachkraft-") for login in result["logins"])
    from partners.models import AgreementTerms, PartnerSettings
    from partners.services import feedback_basis_for
    from registry.models import Institution

    clinic = Institution.objects.filter(
        institution_type="clinic", staff_bindings__isnull=False
    ).first()
    assert feedback_basis_for(clinic)[0].startswith("§ 4 Abs. 4 KKG")
    assert AgreementTerms.objects.count() == 2 * len(demo.DEMO_SLUGS)
    wolfsburg = PartnerSettings.objects.get(municipality__slug="stadt-wolfsburg")
    assert (wolfsburg.retention_years, wolfsburg.sign_off_rule) == (5, "lead")
    assert Consultation.objects.exists() and PartnerMessage.objects.exists()
    assert all(r.child_code.startswith("D-") for r in PartnerRecord.objects.all())
    # Timelines are in the past and in order.
    for record in PartnerRecord.objects.all():
        times = list(
            PartnerEvent.objects.filter(record=record).values_list("occurred_at", flat=True)
        )
        assert times == sorted(times) or len(times) < 2
    # The demo process map shows partner steps.
    pmap = analytics.process_map(user=SystemActor("test"), log_filter=LogFilter())
    assert "Gewichtige Anhaltspunkte bemerkt (Einrichtung)" in pmap.activities
    demo.load(seed=1, small=True, stdout=io.StringIO())
    assert PartnerRecord.objects.count() == (6 + 3) * len(demo.DEMO_SLUGS)
