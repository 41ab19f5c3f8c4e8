"""Dashboard and audit pages."""

from core.audit import audit_record
from core.choices import AuditAction


def test_dashboard_needs_login(client):
    response = client.get("/start/")
    assert response.status_code == 302
    assert "/anmelden/" in response["Location"]


def test_dashboard_lists_roles(client, coordinator_a):
    client.force_login(coordinator_a)
    response = client.get("/start/")
    assert response.status_code == 200
    assert "Koordination Kinderschutz" in response.content.decode()


def test_audit_log_is_for_data_protection_only(client, coordinator_a, data_protection_a):
    client.force_login(coordinator_a)
    assert client.get("/protokoll/").status_code == 403
    client.force_login(data_protection_a)
    assert client.get("/protokoll/").status_code == 200


def test_data_protection_sees_only_own_municipality(client, data_protection_a, muni_a, muni_b):
    audit_record(actor=None, action=AuditAction.UPDATE, target=muni_a, target_repr="Eintrag-A")
    audit_record(actor=None, action=AuditAction.UPDATE, target=muni_b, target_repr="Eintrag-B")
    client.force_login(data_protection_a)
    body = client.get("/protokoll/").content.decode()
    assert "Eintrag-A" in body
    assert "Eintrag-B" not in body
    assert client.get("/protokoll/?tab=reads").status_code == 200


def test_menu_shows_case_work_only_to_case_roles(client, caseworker_a, coordinator_a, partner_a):
    client.force_login(caseworker_a)
    assert ">Verfahren<" in client.get("/start/").content.decode()
    for user in (coordinator_a, partner_a):
        client.force_login(user)
        assert ">Verfahren<" not in client.get("/start/").content.decode()
