"""Mark uploaded logs whose conversion was cut off for good as failed (scheduled hourly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from analytics.services import event_log_uploads_fail_interrupted


class Command(BaseCommand):
    help = (
        "Markiert hochgeladene Protokolle als fehlgeschlagen, deren Verarbeitung seit "
        "15 Minuten kein Lebenszeichen gab (oder die seit 6 Stunden nicht begonnen wurde)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = event_log_uploads_fail_interrupted()
        self.stdout.write(f"{count} Upload(s) als abgebrochen markiert.")
