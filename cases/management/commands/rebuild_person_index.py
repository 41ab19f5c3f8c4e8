"""Recompute the person index's blind index with the current key (after a key change)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cases import services
from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor


class Command(BaseCommand):
    help = (
        "Berechnet den Blindindex des Personenindex mit dem aktuellen Schlüssel neu "
        "(nach einem Wechsel von FIELD_ENCRYPTION_KEY; der alte Schlüssel muss in "
        "FIELD_ENCRYPTION_OLD_KEYS stehen, damit die Namen lesbar bleiben)."
    )

    def handle(self, *args, **options) -> None:
        with change_context(AuditSource.CLI):
            changed = services.person_index_rebuild(actor=SystemActor("rebuild_person_index"))
        self.stdout.write(f"{changed} Einträge neu berechnet.")
