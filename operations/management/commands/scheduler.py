"""manage.py scheduler: queues the periodic jobs (one process per installation is enough)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from operations.schedules import JOBS, schedules_enqueue_due


class Command(BaseCommand):
    help = (
        "Reiht die geplanten Aufträge (Erinnerungen, Löschfristen, Aufräumen) einmal je "
        "Zeitraum zur Ausführung durch den Worker ein. Läuft dauerhaft (systemd-Dienst "
        "ksqm-scheduler) oder mit --once für cron. Mehrfach gestartet schadet nicht: jeder "
        "Zeitraum wird genau einmal eingereiht."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Ein Durchlauf, dann Ende.")
        parser.add_argument("--interval", type=float, default=60.0, help="Sekunden (60).")
        parser.add_argument("--list", action="store_true", help="Aufträge zeigen, nichts tun.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in JOBS:
                when = f"{job.period} {job.hour:02d}:{job.minute:02d}"
                self.stdout.write(f"{job.name:24} {when:16} {job.command} {' '.join(job.args)}")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        while True:
            # A long-running loop drops stale connections between rounds; never inside a
            # transaction (a caller's, or a test's), where closing would break the caller.
            if not connection.in_atomic_block:
                close_old_connections()
            for run in schedules_enqueue_due():
                self.stdout.write(f"{run.job} für {run.slot:%Y-%m-%d %H:%M} eingereiht")
            if options["once"] or stop.wait(options["interval"]):
                return
