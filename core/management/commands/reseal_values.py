"""After a key rotation: re-encrypt every value still under a retired key."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from core.audit import audit_record
from core.choices import AuditAction, AuditSource
from core.context import change_context
from core.fields import reseal_with_current_key
from core.permissions import SystemActor


class Command(BaseCommand):
    help = (
        "Verschlüsselt alle Werte, die noch mit einem alten Schlüssel "
        "(KSQM_ENCRYPTION_OLD_KEYS) geschrieben sind, mit dem aktuellen Schlüssel neu. "
        "Danach kann der alte Schlüssel entfernt werden (nicht vor der letzten Sicherung, "
        "die ihn braucht). Wiederholbar; der Lauf wird als Anzahl protokolliert."
    )

    def handle(self, *args, **options) -> None:
        with change_context(AuditSource.CLI):
            changed = reseal_with_current_key()
            if changed:
                with transaction.atomic():
                    audit_record(
                        actor=SystemActor("reseal_values"),
                        action=AuditAction.UPDATE,
                        target=None,
                        target_repr="Schlüsselwechsel: Werte neu verschlüsselt",
                        after={"rows": changed},
                    )
        total = sum(changed.values())
        self.stdout.write(f"{total} Datensätze mit dem aktuellen Schlüssel neu verschlüsselt.")
        for label, count in sorted(changed.items()):
            self.stdout.write(f"  {label}: {count}")
