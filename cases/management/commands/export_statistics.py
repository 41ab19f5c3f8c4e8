"""Export the federal § 8a statistic of a year as CSV or XLSX."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases import selectors, services, statistics
from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor
from registry.models import Municipality


class Command(BaseCommand):
    help = (
        "Zählt die im Jahr abgeschlossenen Gefährdungseinschätzungen nach den Merkmalen der "
        "Bundesstatistik (§ 99 Abs. 6 SGB VIII) und schreibt CSV oder XLSX."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="Berichtsjahr")
        parser.add_argument("--municipality", default="", help="Kurzname (slug) der Kommune")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", default="", help="Datei (sonst Standardausgabe; CSV)")
        parser.add_argument(
            "--records",
            action="store_true",
            help=(
                "Einzeldatensätze statt Tabellen: eine Zeile je Kind und Verfahren, alle "
                "Merkmale als Schlüssel (erste Spalte die Kommune; Schlüsselliste im XLSX)"
            ),
        )
        parser.add_argument(
            "--suppress-below",
            type=int,
            default=0,
            help="Werte 1 … N-1 als '.' geheim halten (Veröffentlichung)",
        )

    def handle(self, *args, **options) -> None:
        year = options["year"]
        ids = None
        municipality_id = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(slug=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Kommune {options['municipality']} nicht gefunden")
            ids = [municipality.pk]
            municipality_id = municipality.pk
        fmt = options["format"]
        if fmt == "xlsx" and not options["output"]:
            raise CommandError("XLSX braucht --output DATEI")
        if year < 2012 or year > 2100:
            raise CommandError(f"--year {year}: die Erhebung gibt es seit 2012 (2012–2100)")
        if options["records"] and options["suppress_below"]:
            raise CommandError(
                "--suppress-below gilt für Tabellen; Einzeldatensätze gehen nur an das "
                "Statistische Landesamt und werden nicht geheim gehalten"
            )
        actor = SystemActor("export_statistics")
        with change_context(AuditSource.CLI):
            qs = selectors.statistics_queryset(user=actor, year=year, municipality_ids=ids)
            if options["records"]:
                self._records(qs, year, fmt, options["output"])
                services.statistics_export_record(
                    actor=actor,
                    year=year,
                    municipality_id=municipality_id,
                    fmt=f"{fmt} (Einzeldaten)",
                    suppress_below=0,
                )
                return
            rows = statistics.build_statistics(qs)
            suppress = options["suppress_below"]
            if fmt == "xlsx":
                Path(options["output"]).write_bytes(
                    statistics.xlsx_bytes(rows, year=year, suppress_below=suppress)
                )
            else:
                buffer = io.StringIO()
                statistics.write_csv(rows, buffer, suppress_below=suppress)
                if options["output"]:
                    Path(options["output"]).write_text(buffer.getvalue(), encoding="utf-8")
                else:
                    sys.stdout.write(buffer.getvalue())
            services.statistics_export_record(
                actor=actor,
                year=year,
                municipality_id=municipality_id,
                fmt=fmt,
                suppress_below=suppress,
            )
        if options["output"]:
            self.stderr.write(f"{len(rows)} Zeilen nach {options['output']} geschrieben.")

    def _records(self, qs, year: int, fmt: str, output: str) -> None:
        if fmt == "xlsx":
            Path(output).write_bytes(statistics.records_xlsx_bytes(qs, year=year))
            self.stderr.write(f"Einzeldaten nach {output} geschrieben.")
            return
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                count = statistics.write_records_csv(qs, handle)
            self.stderr.write(f"{count} Einzeldatensätze nach {output} geschrieben.")
        else:
            statistics.write_records_csv(qs, sys.stdout)
