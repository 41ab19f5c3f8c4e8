"""What a background worker does besides running tasks: heartbeat and recovery.

``manage.py worker`` runs the task backend's own worker loop and, beside it, a thread
that renews this worker's :class:`WorkerHeartbeat` row and gives interrupted tasks back to
the queue. A task counts as interrupted when it is marked *running* by a worker that is
gone: either a worker with the same id starting again (a restart: that id's earlier run
cannot still be working), or one whose heartbeat is older than
``settings.WORKER_HEARTBEAT_MAX_AGE`` (a crashed machine). Such a task is set *ready*
again and runs from the start on whichever worker claims it next; tasks are written to be
idempotent for exactly that reason. A task interrupted ``MAX_CLAIMS`` times is failed
instead, so one task that kills its worker cannot keep every worker busy forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from operations.models import WorkerHeartbeat

logger = logging.getLogger("ksqm.worker")

HEARTBEAT_INTERVAL = 10.0
MAX_CLAIMS = 5


def default_worker_id(name: str = "1") -> str:
    """``<host>-<name>``: stable across restarts of the same worker, unique per machine."""
    return f"{socket.gethostname()}-{name}"[:64]


def heartbeat_beat(*, worker_id: str, started: bool = False) -> WorkerHeartbeat:
    """Record that ``worker_id`` is alive (``started``: it just came up)."""
    now = timezone.now()
    defaults: dict[str, object] = {
        "hostname": socket.gethostname()[:255],
        "pid": os.getpid(),
        "backend": settings.TASK_BACKEND,
        "last_seen": now,
        "stopped_at": None,
    }
    if started:
        defaults["started_at"] = now
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults=defaults, create_defaults={**defaults, "started_at": now}
    )
    return beat


def heartbeat_stop(*, worker_id: str) -> None:
    """A clean shutdown: the worker says it is gone (health stops counting it at once)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(stopped_at=timezone.now())


def live_workers(*, max_age: int | None = None) -> list[WorkerHeartbeat]:
    """Workers whose heartbeat is fresh and that did not stop."""
    age = settings.WORKER_HEARTBEAT_MAX_AGE if max_age is None else max_age
    limit = timezone.now() - dt.timedelta(seconds=age)
    return list(WorkerHeartbeat.objects.filter(last_seen__gte=limit, stopped_at__isnull=True))


def recover_interrupted_tasks(*, restarted_worker_id: str = "") -> dict[str, int]:
    """Give tasks of gone workers back to the queue (database or Redis backend); counts.

    ``restarted_worker_id``: the id of a worker that is just starting; its earlier run's
    tasks are interrupted by definition, whatever its heartbeat says. Returns
    ``{"requeued": n, "failed": m}``.
    """
    from django_tasks import task_backends
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from operations.redis_tasks import RedisTaskBackend

    alive = {w.worker_id for w in live_workers()} - {restarted_worker_id}
    backend = task_backends["default"]
    if isinstance(backend, RedisTaskBackend):
        return backend.recover(alive=alive, max_claims=MAX_CLAIMS)
    requeued = failed = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        for result in running:
            last = result.worker_ids[-1] if result.worker_ids else ""
            if last in alive:
                continue
            if len(result.worker_ids) >= MAX_CLAIMS:
                result.status = TaskResultStatus.FAILED
                result.finished_at = timezone.now()
                result.exception_class_path = "operations.worker.WorkerLost"
                result.traceback = (
                    f"Interrupted {len(result.worker_ids)} times (workers {result.worker_ids})"
                )
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed += 1
                logger.error(
                    "task %s (%s) interrupted %d times: failed",
                    result.id,
                    result.task_path,
                    len(result.worker_ids),
                )
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            requeued += 1
            logger.warning(
                "task %s (%s) of gone worker %s given back to the queue",
                result.id,
                result.task_path,
                last,
            )
    return {"requeued": requeued, "failed": failed}


class HeartbeatThread(threading.Thread):
    """Renews the heartbeat and recovers gone workers' tasks until stopped."""

    def __init__(self, *, worker_id: str, recover: bool, interval: float = HEARTBEAT_INTERVAL):
        super().__init__(name="ksqm-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.recover = recover
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.interval):
                try:
                    heartbeat_beat(worker_id=self.worker_id)
                    if self.recover:
                        recover_interrupted_tasks()
                except Exception:  # a database hiccup must not end the heartbeat for good
                    logger.exception("heartbeat of %s failed", self.worker_id)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
