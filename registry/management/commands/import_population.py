"""Import population counts by age band and sex from CSV."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from registry.services import PopulationImportError, population_import_csv


class Command(BaseCommand):
    help = (
        "Importiert Einwohnerzahlen aus CSV mit den Spalten "
        "municipality,year,age_from,age_to,sex,count (Trennzeichen , ; oder Tab). "
        "Alle Spalten sind Pflicht (age_to leer = „und älter“). "
        "Bei einem Fehler in irgendeiner Zeile wird nichts importiert."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", metavar="CSV")

    def handle(self, *args, csv_file: str, **options) -> None:
        path = Path(csv_file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: nicht lesbar ({exc.strerror})") from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError as exc:
                line = raw.count(b"\n", 0, exc.start) + 1
                raise CommandError(
                    f"{path}: Zeile {line}: weder UTF-8 noch Windows-1252 (Binärdatei?)"
                ) from exc
        try:
            with change_context(AuditSource.CLI):
                count = population_import_csv(
                    text=text, source=str(path), actor=SystemActor("import_population")
                )
        except PopulationImportError as exc:
            for error in exc.errors:
                self.stderr.write(self.style.ERROR(f"{path}: {error}"))
            raise CommandError(f"{path}: {len(exc.errors)} Fehler, nichts importiert") from exc
        self.stdout.write(f"{path}: {count} Zeilen importiert")
