"""Delete institutions' records whose own retention period has run out."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from partners.services import records_purge_expired


class Command(BaseCommand):
    help = (
        "Löscht abgezeichnete Dokumentationen der Einrichtungen nach Ablauf der Löschfrist der "
        "Kommune; Dokumentationen mit Mitteilung an das Jugendamt bleiben beim Verfahren."
    )

    def handle(self, *args, **options) -> None:
        with change_context(AuditSource.CLI):
            count = records_purge_expired(actor=SystemActor("purge_partner_records"))
        self.stdout.write(f"{count} Dokumentationen gelöscht.")
