"""Print parsed commune profiles as a JSON array (one object per file)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry.profile_parser import ProfileParseError, parse_profile_file


class Command(BaseCommand):
    help = (
        "Parst Kommunenprofile (Text oder gespeicherte HTML-Seite) und gibt ein JSON-Array aus. "
        "Fehlerhafte Dateien werden mit Dateiname auf stderr gemeldet (Exit-Code 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args, files: list[str], indent: int, **options) -> None:
        results, failures = [], []
        for path in files:
            try:
                results.append(parse_profile_file(path))
            except ProfileParseError as exc:
                failures.append(str(exc))
                self.stderr.write(self.style.ERROR(str(exc)))
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=indent or None))
        if failures:
            raise CommandError(f"{len(failures)} von {len(files)} Dateien nicht lesbar")
