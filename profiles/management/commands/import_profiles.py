"""Import commune profiles (files or folders): master data, cluster, participants, items."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from profiles.services import ProfileImportRefused, profile_import
from registry.profile_parser import ProfileParseError, parse_profile_file

PROFILE_SUFFIXES = {".txt", ".html", ".htm"}


def expand_paths(paths: list[str]) -> list[Path]:
    """Files as given; folders contribute their *.txt/*.html files in name order."""
    result: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            result.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file() and p.suffix.lower() in PROFILE_SUFFIXES
                )
            )
        else:
            result.append(path)
    return result


class Command(BaseCommand):
    help = (
        "Importiert Kommunenprofile. Jede Datei in einer eigenen Transaktion; ein zweiter "
        "Import derselben Datei ändert nichts. Schreibweisen derselben Kommune werden "
        "zusammengeführt und gemeldet. Ein Profil, das die meisten Punkte eines Abschnitts "
        "entfernen, eine Kommune umbenennen oder Punkte verdoppeln würde, wird abgelehnt "
        "(nur mit --force --reason „…“ importiert, protokolliert)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Dateien oder Ordner")
        parser.add_argument(
            "--force",
            action="store_true",
            help="auch abgelehnte Profile importieren (braucht --reason)",
        )
        parser.add_argument("--reason", default="", help="Begründung für --force (protokolliert)")

    def handle(self, *args, paths: list[str], force: bool, reason: str, **options) -> None:
        if force and not reason.strip():
            raise CommandError("--force braucht eine Begründung: --reason „…“")
        if reason.strip() and not force:
            raise CommandError("--reason gilt nur zusammen mit --force")
        force_reason = reason.strip() if force else ""
        actor = SystemActor("import_profiles")
        files = expand_paths(paths)
        if not files:
            raise CommandError("Keine Profildateien gefunden: " + ", ".join(paths))
        failures = 0
        with change_context(AuditSource.CLI):
            for path in files:
                try:
                    profile = parse_profile_file(path)
                    result = profile_import(profile=profile, actor=actor, force_reason=force_reason)
                except ProfileImportRefused as exc:
                    failures += 1
                    self.stderr.write(self.style.ERROR(f"{path}: abgelehnt, nichts importiert:"))
                    for why in exc.reasons:
                        self.stderr.write(self.style.ERROR(f"  {why}"))
                    self.stderr.write("  (mit --force --reason „…“ trotzdem importieren)")
                    continue
                except ProfileParseError as exc:
                    failures += 1
                    self.stderr.write(self.style.ERROR(str(exc)))  # names the file already
                    continue
                except ValidationError as exc:
                    failures += 1
                    self.stderr.write(self.style.ERROR(f"{path}: {'; '.join(exc.messages)}"))
                    continue
                except (DatabaseError, ObjectDoesNotExist, ValueError, OverflowError) as exc:
                    # Whatever the file holds, the person gets its name and a line, no trace.
                    failures += 1
                    self.stderr.write(
                        self.style.ERROR(f"{path}: nicht importiert ({type(exc).__name__}: {exc})")
                    )
                    continue
                status = (
                    "neu" if result.created else ("geändert" if result.changed else "unverändert")
                )
                self.stdout.write(
                    f"{path}: {result.municipality} ({status}, {len(result.changes)} Änderungen)"
                )
                for merge in result.merges:
                    self.stdout.write(f"  zusammengeführt: {merge}")
                for warning in profile.get("warnings", []) + result.warnings:
                    self.stdout.write(f"  Hinweis: {warning}")
        if failures:
            raise CommandError(f"{failures} von {len(files)} Dateien nicht importiert")
