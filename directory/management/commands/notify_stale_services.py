"""E-mail coordinators the offers not confirmed for 12 months."""

from __future__ import annotations

import datetime as dt
import os

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from directory.services import services_notify_stale


class Command(BaseCommand):
    help = (
        "Schickt der Koordination jeder Kommune die Liste der Frühe-Hilfen-Angebote, "
        "die seit 12 Monaten nicht bestätigt wurden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("KSQM_BASE_URL", ""),
            help="Adresse der Plattform für die Bestätigungslinks an die Träger "
            "(Standard: KSQM_BASE_URL; leer = keine Links)",
        )

    def handle(self, *args, date: dt.date | None, base_url: str, **options) -> None:
        with change_context(AuditSource.CLI):
            result = services_notify_stale(
                actor=SystemActor("notify_stale_services"), today=date, base_url=base_url
            )
        stale = ngettext(
            "%(n)d Angebot veraltet", "%(n)d Angebote veraltet", result["services"]
        ) % {"n": result["services"]}
        mails = ngettext("%(n)d E-Mail versandt", "%(n)d E-Mails versandt", result["mails"]) % {
            "n": result["mails"]
        }
        self.stdout.write(self.style.SUCCESS(f"{stale}, {mails}"))
