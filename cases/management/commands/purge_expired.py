"""Delete identifying data of procedures whose retention period has run out."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cases.services import procedures_purge_expired
from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor


class Command(BaseCommand):
    help = (
        "Löscht Namen, Geburtsdaten, Anschriften und Freitexte abgeschlossener Verfahren nach "
        "Ablauf der Löschfrist der Kommune; die pseudonymen Statistikdaten bleiben."
    )

    def handle(self, *args, **options) -> None:
        with change_context(AuditSource.CLI):
            count = procedures_purge_expired(actor=SystemActor("purge_expired"))
        self.stdout.write(f"{count} Verfahren bereinigt.")
