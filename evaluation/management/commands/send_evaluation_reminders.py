"""Remind invitees who have not answered yet (run daily from cron; --help for options)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import ngettext

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from evaluation.choices import RoundStatus
from evaluation.models import Round
from evaluation.services import invitation_remind


class Command(BaseCommand):
    help = (
        "Sendet Erinnerungen an alle Eingeladenen ohne Antwort in laufenden "
        "Evaluationsrunden (je Runde höchstens alle --every-days Tage)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--round", dest="code", help="nur diese Runde (UUID)")
        parser.add_argument(
            "--every-days",
            type=int,
            default=7,
            help="Mindestabstand zwischen zwei Erinnerungen einer Runde (Standard: 7)",
        )
        parser.add_argument(
            "--base-url",
            default=os.environ.get("KSQM_BASE_URL", "http://127.0.0.1:8000"),
            help="Adresse der Plattform für die Links (Standard: $KSQM_BASE_URL)",
        )
        parser.add_argument("--dry-run", action="store_true", help="nur anzeigen, nichts senden")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        rounds = Round.objects.filter(
            status=RoundStatus.OPEN, opens_on__lte=today, closes_on__gte=today
        ).select_related("municipality")
        if options["code"]:
            try:
                rounds = rounds.filter(code=options["code"])
            except Exception as exc:  # noqa: BLE001 – a malformed UUID is the user's error
                raise CommandError(f"Ungültige Runde: {options['code']}") from exc
            if not rounds.exists():
                raise CommandError("Keine laufende Runde mit diesem Code.")
        cutoff = today - dt.timedelta(days=options["every_days"])
        actor = SystemActor("send_evaluation_reminders")
        total = 0
        with change_context(AuditSource.CLI):
            for evaluation_round in rounds:
                if evaluation_round.last_reminded_on and evaluation_round.last_reminded_on > cutoff:
                    continue
                pending = evaluation_round.invitations.filter(used=False).count()
                if options["dry_run"]:
                    self.stdout.write(f"{evaluation_round}: {pending} würden erinnert")
                    continue
                count = invitation_remind(
                    evaluation_round=evaluation_round,
                    actor=actor,
                    base_url=options["base_url"],
                )
                total += count
                self.stdout.write(f"{evaluation_round}: {count} erinnert")
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("%(n)s Erinnerung verschickt.", "%(n)s Erinnerungen verschickt.", total)
                % {"n": total}
            )
        )
