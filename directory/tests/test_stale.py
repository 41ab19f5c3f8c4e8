"""Offers not confirmed for 12 months: marked, listed, mailed to coordinators."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from directory.models import Service
from directory.tests.factories import ServiceFactory

NOW = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def offers(muni_a, muni_b):
    return {
        "old": ServiceFactory(
            municipality=muni_a, name="Alt A", last_confirmed_on=dt.date(2025, 5, 31)
        ),
        "fresh": ServiceFactory(
            municipality=muni_a, name="Frisch A", last_confirmed_on=dt.date(2025, 6, 2)
        ),
        "old_b": ServiceFactory(
            municipality=muni_b, name="Alt B", last_confirmed_on=dt.date(2024, 1, 1)
        ),
    }


@time_machine.travel(NOW)
def test_is_stale_after_twelve_months(offers):
    assert offers["old"].is_stale()
    assert not offers["fresh"].is_stale()


@time_machine.travel(NOW)
def test_detail_page_warns_about_stale_data(client, offers):
    text = client.get(offers["old"].get_absolute_url()).content.decode()
    assert "Möglicherweise nicht mehr aktuell" in text
    assert (
        "Möglicherweise nicht mehr aktuell"
        not in client.get(offers["fresh"].get_absolute_url()).content.decode()
    )


@time_machine.travel(NOW)
def test_result_list_marks_stale_offers(client, offers):
    text = client.get(reverse("directory:service_list") + "?q=Alt").content.decode()
    # Alt A is marked; Alt B, unconfirmed for 29 months, has left the public directory.
    assert text.count("Möglicherweise nicht mehr aktuell") == 1
    assert "Alt A" in text and "Alt B" not in text
    text = client.get(reverse("directory:service_list") + "?q=Frisch").content.decode()
    assert "Möglicherweise nicht mehr aktuell" not in text


@time_machine.travel(NOW)
def test_coordinator_sees_only_own_stale_offers_and_confirms(client, coordinator_a, offers):
    client.force_login(coordinator_a)
    text = client.get(reverse("directory:stale_list")).content.decode()
    assert "Alt A" in text and "Frisch A" not in text and "Alt B" not in text
    response = client.post(reverse("directory:service_confirm", args=[offers["old"].code]))
    assert response.status_code == 302
    offers["old"].refresh_from_db()
    assert offers["old"].last_confirmed_on == dt.date(2026, 6, 1)
    assert "Alt A" not in client.get(reverse("directory:stale_list")).content.decode()


@time_machine.travel(NOW)
def test_confirm_is_forbidden_for_other_roles(client, readonly_a, coordinator_b, offers):
    url = reverse("directory:service_confirm", args=[offers["old"].code])
    client.force_login(readonly_a)
    assert client.post(url).status_code == 403
    client.force_login(coordinator_b)
    assert client.post(url).status_code == 404
    assert client.get(reverse("directory:stale_list")).status_code == 200
    client.force_login(readonly_a)
    assert client.get(reverse("directory:stale_list")).status_code == 403


@time_machine.travel(NOW)
def test_notify_command_mails_each_commune_its_list(
    coordinator_a, coordinator_b, offers, django_capture_on_commit_callbacks
):
    # core.mail sends after the commit (and the test runs inside a transaction).
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify_stale_services")
    assert len(mail.outbox) == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    body_a = by_recipient[coordinator_a.email].body
    assert "Alt A" in body_a and "Frisch A" not in body_a and "Alt B" not in body_a
    assert "31.05.2025" in body_a
    assert "1 Angebot zu bestätigen" in by_recipient[coordinator_b.email].subject


@time_machine.travel(NOW)
def test_defunct_offers_are_not_reminded(coordinator_a, offers):
    Service.objects.filter(pk=offers["old_b"].pk).delete()
    Service.objects.filter(pk=offers["old"].pk).update(status="defunct")
    call_command("notify_stale_services")
    assert mail.outbox == []
