"""Delete audit-trail and read-log rows older than KSQM_LOG_RETENTION_DAYS (except held)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from core.retention import logs_purge


class Command(BaseCommand):
    help = (
        "Löscht Einträge des Änderungsprotokolls und des Leseprotokolls, die älter als "
        "KSQM_LOG_RETENTION_DAYS sind, in Stapeln; Einträge zu Vorgängen mit Löschsperre oder "
        "zu offenen Verfahren bleiben. Der Lauf selbst wird als Anzahl protokolliert."
    )

    def handle(self, *args, **options) -> None:
        with change_context(AuditSource.CLI):
            counts = logs_purge(actor=SystemActor("purge_logs"))
        self.stdout.write(
            f"{counts['audit']} Protokolleinträge und {counts['access']} Leseprotokoll-"
            "Einträge gelöscht."
        )
