"""E-mail coordinators the agreements whose review date is near or overdue."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from network.constants import REVIEW_REMINDER_DAYS
from network.services import agreement_send_review_reminders, agreements_due_for_review


class Command(BaseCommand):
    help = (
        "Erinnert die Koordination per E-Mail an Vereinbarungen, deren Überprüfung "
        "in den nächsten Tagen fällig oder überfällig ist (einmal je Prüftermin)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=REVIEW_REMINDER_DAYS)
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="nur anzeigen, nichts senden")

    def handle(self, *args, days: int, date: dt.date | None, dry_run: bool, **options) -> None:
        if dry_run:
            from django.utils import timezone

            for a in agreements_due_for_review(
                today=date or timezone.localdate(), within_days=days
            ):
                self.stdout.write(f"{a.municipality.name}: {a.title} ({a.next_review_on})")
            return
        with change_context(AuditSource.CLI):
            result = agreement_send_review_reminders(
                actor=SystemActor("send_review_reminders"), today=date, within_days=days
            )
        agreements = ngettext(
            "%(n)d Vereinbarung", "%(n)d Vereinbarungen", result["agreements"]
        ) % {"n": result["agreements"]}
        mails = ngettext("%(n)d E-Mail versandt", "%(n)d E-Mails versandt", result["mails"]) % {
            "n": result["mails"]
        }
        self.stdout.write(self.style.SUCCESS(f"{agreements}, {mails}"))
