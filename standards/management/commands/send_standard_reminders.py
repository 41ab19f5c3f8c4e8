"""Remind coordinators of local standards whose review date is near or past."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SYSTEM
from standards.constants import REVIEW_REMINDER_DAYS
from standards.services import document_send_review_reminders


class Command(BaseCommand):
    help = (
        "E-mails each commune's coordinators the standards (Leitfaden, Verfahrensstandard …) "
        "to review within the given number of days; each review date is reminded once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--within-days", type=int, default=REVIEW_REMINDER_DAYS)

    def handle(self, *args, **options) -> None:
        if options["within_days"] < 0:
            self.stderr.write("--within-days darf nicht negativ sein.")
            raise SystemExit(2)
        with change_context(AuditSource.CLI):
            result = document_send_review_reminders(
                actor=SYSTEM, within_days=options["within_days"]
            )
        self.stdout.write(
            f"{result['documents']} Dokument(e) zur Überprüfung, "
            f"{result['mails']} E-Mail(s) versandt."
        )
