"""Blank the narratives of case reviews and raw near-miss texts after their retention."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from reviews.services import reviews_purge_expired


class Command(BaseCommand):
    help = (
        "Löscht die Freitexte abgeschlossener Falluntersuchungen nach Ablauf der "
        "Aufbewahrungsfrist (KSQM_REVIEW_RETENTION_YEARS), außer bei Löschsperre, und die "
        "Rohtexte von Beinahe-Ereignissen nach KSQM_INCIDENT_RETENTION_YEARS. Titel, "
        "codierte Befunde und die Lernbibliothek bleiben."
    )

    def handle(self, *args, **options) -> None:
        with change_context(AuditSource.CLI):
            counts = reviews_purge_expired(actor=SystemActor("purge_reviews"))
        self.stdout.write(
            f"{counts['reviews']} Falluntersuchungen bereinigt, {counts['held']} wegen "
            f"Löschsperre behalten, {counts['incidents']} Beinahe-Ereignisse bereinigt."
        )
