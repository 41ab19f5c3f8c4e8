"""Export the Frühe-Hilfen directory as HSDS 3.0 JSON, CSV or Excel."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory import hsds, selectors
from registry.models import Municipality


class Command(BaseCommand):
    help = (
        "Exportiert das Frühe-Hilfen-Verzeichnis: --format hsds (JSON-Array kompilierter "
        "HSDS-3.0-Services), csv oder xlsx; optional nur eine Kommune."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["hsds", "csv", "xlsx"], default="hsds")
        parser.add_argument("--municipality", default="", help="Kurzname (slug) der Kommune")
        parser.add_argument("--output", default="", help="Datei (sonst Standardausgabe)")

    def handle(self, *args, format: str, municipality: str, output: str, **options) -> None:
        if municipality and not Municipality.objects.filter(slug=municipality).exists():
            raise CommandError(f"Unbekannte Kommune: {municipality}")
        qs = selectors.service_search(selectors.ServiceFilters(municipality=municipality))
        if format == "hsds":
            data: bytes = json.dumps(
                hsds.services_to_hsds(hsds.hsds_queryset(qs)), ensure_ascii=False, indent=1
            ).encode("utf-8")
        elif format == "csv":
            data = selectors.export_csv(qs).encode("utf-8-sig")
        else:
            if not output:
                raise CommandError("Excel braucht --output DATEI.xlsx")
            data = selectors.export_xlsx(qs)
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
            self.stderr.write(f"{qs.count()} Angebote → {output}")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
