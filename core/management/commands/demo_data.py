"""Load clearly synthetic demo data: each app contributes through its ``demo.py``."""

from __future__ import annotations

import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser

from core.choices import AuditSource
from core.context import change_context


class Command(BaseCommand):
    help = (
        "Lädt die Seed-Profile und synthetische Demodaten (Personen, Zahlen, Fälle sind "
        "erfunden). Jede App trägt über ihr Modul demo.py bei; wiederholbar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2009, help="Zufallsstartwert")
        parser.add_argument("--small", action="store_true", help="weniger Datensätze (für Tests)")

    def handle(self, *args, seed: int, small: bool, **options) -> None:
        logins: list[tuple[str, str, str]] = []
        notes: list[str] = []
        with change_context(AuditSource.SYSTEM):
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                started = time.monotonic()
                result = module.load(seed=seed, small=small, stdout=self.stdout) or {}
                logins.extend(result.get("logins", []))
                notes.extend(result.get("notes", []))
                self.stdout.write(f"  {config.verbose_name}: {time.monotonic() - started:.1f} s")
        if logins:
            self.stdout.write("\nDemo-Zugänge (nur für die Demo!):")
            for username, password, role in logins:
                self.stdout.write(f"  {username:<24} {password:<14} {role}")
        for line in notes:
            self.stdout.write(line)
