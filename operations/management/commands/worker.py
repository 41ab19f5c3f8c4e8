"""manage.py worker: the background worker (one per systemd unit ``ksqm-worker@N``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.worker import (
    HeartbeatThread,
    default_worker_id,
    heartbeat_beat,
    heartbeat_stop,
    recover_interrupted_tasks,
)


class Command(BaseCommand):
    help = (
        "Runs background tasks (upload conversion, mail, scheduled jobs) of the configured "
        "database or Redis task backend until stopped; SIGTERM finishes "
        "the running task first. Tasks of a worker that died are run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name",
            default="1",
            help="Name of this worker on this machine (default 1); the worker id is "
            "<host>-<name>, so a restarted worker recognises its own interrupted tasks.",
        )
        parser.add_argument("--queues", default="default", help="Comma-separated queues.")
        parser.add_argument(
            "--batch", action="store_true", help="Run what is queued now, then exit."
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after N tasks.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls (database)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = default_worker_id(options["name"])
        if settings.TASK_BACKEND == "database":
            self._run_database_worker(worker_id, options)
        elif settings.TASK_BACKEND == "redis":
            self._run_redis_worker(worker_id, options)
        else:
            raise CommandError(
                f"KSQM_TASK_BACKEND={settings.TASK_BACKEND} runs tasks in the request; "
                "a worker is only needed for 'database' and 'redis'."
            )

    def _start(self, worker_id: str) -> None:
        """Heartbeat first, then take back what this worker's previous run left running."""
        heartbeat_beat(worker_id=worker_id, started=True)
        recovered = recover_interrupted_tasks(restarted_worker_id=worker_id)
        if any(recovered.values()):
            self.stdout.write(
                f"{recovered['requeued']} unterbrochene Aufgabe(n) neu eingereiht, "
                f"{recovered['failed']} aufgegeben"
            )

    def _run_database_worker(self, worker_id: str, options: dict[str, Any]) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        self._start(worker_id)
        beat = HeartbeatThread(worker_id=worker_id, recover=True)
        beat.start()
        worker = Worker(
            queue_names=options["queues"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"Worker {worker_id} läuft (Datenbank-Warteschlange)")
        try:
            worker.run()
        finally:
            worker.reset_signals()
            beat.stop()
            heartbeat_stop(worker_id=worker_id)

    def _run_redis_worker(self, worker_id: str, options: dict[str, Any]) -> None:
        from django_tasks import task_backends

        from operations.redis_tasks import RedisWorker

        self._start(worker_id)
        beat = HeartbeatThread(worker_id=worker_id, recover=True)
        beat.start()
        worker = RedisWorker(
            backend=task_backends["default"],
            worker_id=worker_id,
            queue_names=options["queues"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
        )
        worker.configure_signals()
        self.stdout.write(f"Worker {worker_id} läuft (Redis-Warteschlange)")
        try:
            worker.run()
        finally:
            worker.reset_signals()
            beat.stop()
            heartbeat_stop(worker_id=worker_id)
