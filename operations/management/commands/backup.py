"""manage.py backup --output FILE: an encrypted archive of the database and uploaded files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Schreibt eine verschlüsselte, versionierte Sicherung (Datenbank über pg_dump bzw. "
        "die SQLite-Online-Sicherung, dazu alle hochgeladenen Dateien). Der Datenschlüssel "
        "ist nie enthalten; zum Wiederherstellen wird er wie für den Betrieb angegeben."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="Zieldatei (.ksqm)")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        try:
            manifest = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Sicherung {output}: {len(manifest['tables'])} Tabellen, {rows} Zeilen, "
                f"{len(manifest['files'])} Dateien ({manifest['database']})"
            )
        )
