"""manage.py send_evaluation_reminders."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from evaluation.tests.factories import RoundFactory


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-10 10:00 +0000", tick=False):
        yield


def _run(*args):
    out = StringIO()
    call_command("send_evaluation_reminders", *args, stdout=out)
    return out.getvalue()


def test_reminds_open_rounds_once_per_interval(invite, round_a, django_capture_on_commit_callbacks):
    invite("a", "school")
    invite("b", "police")
    closed = RoundFactory(municipality=round_a.municipality, status="closed")
    invite("c", "school", evaluation_round=closed)
    with django_capture_on_commit_callbacks(execute=True):
        output = _run("--base-url", "https://ksqm.example")
    assert "2 Erinnerungen verschickt" in output
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        round_a.invitations.values_list("email", flat=True)
    )
    assert all("https://ksqm.example/evaluation/antworten/" in m.body for m in mail.outbox)
    event = AuditEvent.objects.get(target_id=str(round_a.pk), action="update")
    assert event.source == "cli" and event.actor_name == "send_evaluation_reminders"
    round_a.refresh_from_db()
    assert round_a.last_reminded_on == date(2026, 3, 10)
    # Run again the same day: nothing, the interval has not passed.
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 Erinnerungen verschickt" in _run()
    assert len(mail.outbox) == 2


def test_dry_run_sends_nothing(invite, round_a):
    invite("a")
    assert "1 würden erinnert" in _run("--dry-run")
    assert mail.outbox == []


def test_unknown_round_is_an_error(db):
    with pytest.raises(CommandError):
        _run("--round", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(CommandError):
        _run("--round", "kein-uuid")
