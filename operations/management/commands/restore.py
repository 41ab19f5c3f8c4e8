"""manage.py restore FILE: restore a backup into an empty installation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Stellt eine Sicherung in eine leere Installation wieder her (neue Datenbank vor "
        "`migrate`, leerer Medienordner) und prüft jede Tabelle und Datei gegen das "
        "Verzeichnis der Sicherung. Der Datenschlüssel der gesicherten Installation muss "
        "wie für den Betrieb gesetzt sein (KSQM_ENCRYPTION_KEY bzw. _FILE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="Sicherungsdatei")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Nur entschlüsseln und prüfen (jeder Teil, jede Datei), nichts schreiben.",
        )

    def handle(self, *args: Any, archive: Path, verify_only: bool, **options: Any) -> None:
        if not archive.is_file():
            raise CommandError(f"{archive}: Datei nicht gefunden")
        try:
            if verify_only:
                manifest = backup_verify(archive=archive)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{archive}: unverändert und lesbar, {len(manifest['tables'])} "
                        f"Tabellen, {len(manifest['files'])} Dateien"
                    )
                )
                return
            manifest = backup_restore(archive=archive)
        except BackupError as exc:
            raise CommandError(f"{archive}: {exc}") from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wiederhergestellt: {len(manifest['tables'])} Tabellen, {rows} Zeilen, "
                f"{len(manifest['files'])} Dateien – alle geprüft"
            )
        )
