"""``manage.py process_map LOG --format json|svg``: a process map of any XES/CSV/Parquet log."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics import engine, eventlog, rendering
from core.choices import AuditSource
from core.context import change_context
from core.graphviz import GraphvizUnavailable


class Command(BaseCommand):
    # A read-only analysis of a file: Django's system checks import every URL and API
    # module (about 2 s of a 1M-case run) and check nothing this command uses.
    requires_system_checks: list[str] = []
    help = (
        "Berechnet die Prozesslandkarte (Directly-Follows-Graph mit Häufigkeiten und "
        "Dauern, Start-/Endaktivitäten, Varianten) eines Ereignisprotokolls "
        "(XES, .xes.gz, CSV, Parquet) und gibt sie als JSON oder SVG aus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("log", help="Pfad zur Protokolldatei")
        parser.add_argument("--format", choices=("json", "svg", "dot"), default="json")
        parser.add_argument(
            "--log-format", choices=("xes", "csv", "parquet"), help="sonst aus der Endung"
        )
        parser.add_argument("--min-frequency", type=int, default=1)
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SPALTE=QUELLE",
            help="CSV-Spaltenzuordnung, z. B. --map case_id=Fall --map activity=Schritt",
        )
        parser.add_argument("--timestamp-format", help="strftime-Format der Zeitstempel")
        parser.add_argument("--output", "-o", help="Datei statt Standardausgabe")
        parser.add_argument("--progress", action="store_true", help="Fortschritt auf stderr")
        parser.add_argument(
            "--validate",
            action="store_true",
            help="Parquet wie ein Upload Zeile für Zeile prüfen (sonst: vertrauenswürdige "
            "Datei, nur Spalten und Typen werden geprüft)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        mapping = {}
        for item in options["map"]:
            if "=" not in item:
                raise CommandError(f"--map erwartet SPALTE=QUELLE, nicht {item!r}")
            ours, source = item.split("=", 1)
            mapping[ours.strip()] = source.strip()

        def progress(fraction: float) -> None:
            sys.stderr.write(f"\r{fraction * 100:5.1f} %")
            sys.stderr.flush()

        with change_context(AuditSource.CLI):
            if not Path(options["log"]).is_file():
                raise CommandError(f"Datei nicht gefunden: {options['log']}")
            try:
                fmt = options["log_format"] or eventlog.detect_format(options["log"])
                if fmt == "parquet" and not options["validate"]:
                    frame = eventlog.scan_parquet_trusted(options["log"], mapping=mapping or None)
                else:
                    frame = eventlog.read_log(
                        options["log"],
                        fmt=fmt,
                        mapping=mapping or None,
                        timestamp_format=options["timestamp_format"],
                        progress=progress if options["progress"] else None,
                    )
            except FileNotFoundError as exc:
                raise CommandError(f"Datei nicht gefunden: {options['log']}") from exc
            except eventlog.EventLogError as exc:
                raise CommandError(str(exc)) from exc
            if options["progress"]:
                sys.stderr.write("\n")
            try:
                result = engine.process_map(frame, min_frequency=options["min_frequency"])
            except pl.exceptions.PolarsError as exc:  # a trusted file that was not
                raise CommandError(f"Die Datei ist nicht lesbar: {exc}"[:500]) from exc
        if options["format"] == "json":
            text = json.dumps(result.as_json(), ensure_ascii=False, indent=2)
        else:
            dot = rendering.process_map_dot(result)
            if options["format"] == "dot":
                text = dot
            else:
                try:
                    text = rendering.svg_from_dot(dot)
                except GraphvizUnavailable as exc:
                    raise CommandError(
                        f"{exc} – mit --format dot erhalten Sie die DOT-Quelle."
                    ) from exc
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            self.stdout.write(text)
