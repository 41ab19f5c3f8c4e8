"""Audit the anonymous near-miss reports of finished days (run once a day, e.g. at 01:00)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reviews.services import incident_arrivals_audit


class Command(BaseCommand):
    help = (
        "Schreibt je Kommune und abgeschlossenem Tag einen Eintrag ins Änderungsprotokoll, "
        "wie viele anonyme Beinahe-Ereignisse eingegangen sind (nur Datum, keine Anfrage-ID)."
    )

    def handle(self, *args, **options) -> None:
        count = incident_arrivals_audit()
        self.stdout.write(f"{count} Protokolleinträge geschrieben.")
