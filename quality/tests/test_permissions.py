"""Who may do what in the quality app, per role and per commune (the role table applied)."""

import pytest
from django.core.exceptions import PermissionDenied

from quality import services
from quality.models import Workshop
from quality.tests.factories import OutcomeFactory, WorkshopFactory, WorkshopSessionFactory

# role fixture → (sees the board, may change outcomes)
ROLES = {
    "coordinator_a": (True, True),
    "team_lead_a": (True, False),
    "caseworker_a": (True, False),
    "partner_a": (True, False),
    "readonly_a": (True, False),
    "data_protection_a": (False, False),
    "coordinator_b": (False, False),
    "caseworker_b": (False, False),
    "project_team": (True, True),
    "platform_admin": (True, True),
}


@pytest.mark.parametrize(("role", "expected"), ROLES.items())
def test_outcome_view_and_change_per_role(client, muni_a, muni_b, role, expected, request):
    user = request.getfixturevalue(role)
    outcome = OutcomeFactory(municipality=muni_a)
    may_view, may_change = expected
    client.force_login(user)
    detail = client.get(f"/qualitaet/ergebnisse/{outcome.pk}/")
    assert detail.status_code == (200 if may_view else 404)
    response = client.post(
        f"/qualitaet/ergebnisse/{outcome.pk}/status/", {"to_status": "in_progress", "version": 1}
    )
    assert response.status_code == (302 if may_change else 403 if may_view else 404)
    outcome.refresh_from_db()
    assert outcome.status == ("in_progress" if may_change else "planned")


@pytest.mark.parametrize(("role", "expected"), ROLES.items())
def test_workshop_management_per_role(muni_a, muni_b, role, expected, request):
    user = request.getfixturevalue(role)
    may_view, may_change = expected
    workshop = WorkshopFactory(municipality=muni_a)
    session = WorkshopSessionFactory(workshop=workshop)
    assert Workshop.objects.visible_to(user).filter(pk=workshop.pk).exists() == may_view
    if may_change:
        services.session_cancel(session=session, actor=user)
        assert session.is_cancelled
    else:
        with pytest.raises(PermissionDenied):
            services.session_cancel(session=session, actor=user)


def test_anonymous_sees_public_search_and_similar_items_only(client, muni_a):
    from quality.models import Topic

    topic = Topic.objects.create(municipality=muni_a, text="Fehler auf vier Ebenen")
    outcome = OutcomeFactory(municipality=muni_a)
    assert client.get("/qualitaet/suche/?q=Fehler").status_code == 200
    assert client.get(f"/qualitaet/aehnlich/topic/{topic.pk}/").status_code == 200
    assert client.get(f"/qualitaet/aehnlich/outcome/{outcome.pk}/").status_code == 404
    assert client.get(f"/qualitaet/ergebnisse/{outcome.pk}/").status_code == 302
    assert client.get("/qualitaet/werkstaetten/").status_code == 302
