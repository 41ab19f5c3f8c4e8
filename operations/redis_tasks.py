"""A task backend on Redis for installations with many workers (``KSQM_TASK_BACKEND=redis``).

The same task code runs on it as on the embedded database backend: it implements
django-tasks' backend interface (enqueue, deferred ``run_after``, results), and
``manage.py worker`` runs :class:`RedisWorker` instead of the database worker. What the
database backend gets from row locks, this backend gets from Redis' atomic list moves:

- ``<prefix>:queue:<queue>`` — ids waiting to run (pushed left, taken right: first in,
  first out);
- ``<prefix>:deferred:<queue>`` — ids with a ``run_after`` in a sorted set by due time; a
  worker moves those due into the queue with one atomic script, so two workers never
  both move one;
- ``<prefix>:running:<queue>:<worker id>`` — what a worker took: ``BLMOVE`` takes an id
  from the queue *into* this list in one step, so a worker killed mid-task leaves the id
  there and nothing is lost;
- ``<prefix>:result:<id>`` — the task's state as JSON (kept ``RESULT_TTL`` after it
  finished).

Recovery is the same rule as on the database backend (``operations.worker``): the ids in
the running list of a worker that is gone (no fresh heartbeat, or the same worker id
starting again) go back to the queue; after ``MAX_CLAIMS`` interruptions a task fails.
Arguments and return values are JSON, as on every django-tasks backend.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.checks import messages
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError, TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_enqueued, task_finished, task_started
from django_tasks.utils import get_exception_traceback, get_module_path, get_random_id

logger = logging.getLogger("ksqm.worker")

RESULT_TTL = 7 * 24 * 3600  # finished results are readable for a week

# Moves up to 100 due ids from the deferred set into the queue, atomically.
_PROMOTE_DUE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('LPUSH', KEYS[2], id)
end
return #ids
"""


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class RedisTaskBackend(BaseTaskBackend):
    """django-tasks backend keeping queue and results in Redis (see the module text)."""

    supports_defer = True
    supports_get_result = True

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        options = params.get("OPTIONS", {})
        self.url = options.get("LOCATION") or getattr(settings, "REDIS_URL", "")
        self.prefix = options.get("PREFIX", "ksqm:tasks")
        self._client: Any = None

    # --- Redis plumbing -------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            if not self.url:
                raise ImproperlyConfigured("The Redis task backend needs REDIS_URL.")
            import redis

            self._client = redis.Redis.from_url(self.url, decode_responses=True)
        return self._client

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def running_key(self, queue: str, worker_id: str) -> str:
        return self.key("running", queue, worker_id)

    # --- state --------------------------------------------------------------------------
    def _load(self, result_id: str) -> dict[str, Any] | None:
        raw = self.client.get(self.key("result", result_id))
        return json.loads(raw) if raw else None

    def _store(self, state: dict[str, Any]) -> None:
        finished = state["status"] in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
        self.client.set(
            self.key("result", state["id"]),
            json.dumps(state),
            ex=RESULT_TTL if finished else None,
        )

    def _task_of(self, state: dict[str, Any]) -> Task:
        task = import_string(state["task_path"])
        if not isinstance(task, Task):
            raise SuspiciousOperation(f"{state['task_path']} is not a task")
        return task.using(
            priority=state["priority"],
            queue_name=state["queue_name"],
            run_after=_parse(state["run_after"]),
            backend=self.alias,
        )

    def _result_of(self, state: dict[str, Any]) -> TaskResult:
        result = TaskResult(
            task=self._task_of(state),
            id=state["id"],
            status=TaskResultStatus(state["status"]),
            enqueued_at=_parse(state["enqueued_at"]),
            started_at=_parse(state["started_at"]),
            finished_at=_parse(state["finished_at"]),
            last_attempted_at=_parse(state["last_attempted_at"]),
            args=state["args"],
            kwargs=state["kwargs"],
            backend=self.alias,
            errors=[TaskError(**error) for error in state["errors"]],
            worker_ids=state["worker_ids"],
        )
        object.__setattr__(result, "_return_value", state.get("return_value"))
        return result

    # --- backend interface ----------------------------------------------------------------
    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        now = timezone.now()
        state = {
            "id": get_random_id(),
            "task_path": task.module_path,
            "priority": task.priority,
            "queue_name": task.queue_name,
            "run_after": _iso(task.run_after),
            "status": TaskResultStatus.READY.value,
            "enqueued_at": _iso(now),
            "started_at": None,
            "finished_at": None,
            "last_attempted_at": None,
            # JSON round trip now: a value that cannot travel fails the caller, not a worker.
            "args": json.loads(json.dumps(list(args))),
            "kwargs": json.loads(json.dumps(dict(kwargs))),
            "errors": [],
            "worker_ids": [],
            "return_value": None,
        }
        pipe = self.client.pipeline()
        pipe.set(self.key("result", state["id"]), json.dumps(state))
        if task.run_after is not None and task.run_after > now:
            due = {state["id"]: task.run_after.timestamp()}
            pipe.zadd(self.key("deferred", task.queue_name), due)
        else:
            pipe.lpush(self.key("queue", task.queue_name), state["id"])
        pipe.execute()
        result = self._result_of(state)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        state = self._load(result_id)
        if state is None:
            raise TaskResultDoesNotExist(result_id)
        return self._result_of(state)

    def check(self, **kwargs: Any) -> Iterable[messages.CheckMessage]:
        yield from super().check(**kwargs)
        if not self.url:
            yield messages.Error(
                "KSQM_TASK_BACKEND=redis needs REDIS_URL",
                hint="Set REDIS_URL=redis://host:6379/0 or use KSQM_TASK_BACKEND=database.",
                id="operations.E001",
            )

    # --- what a worker does -----------------------------------------------------------------
    def promote_due(self, queue: str) -> int:
        """Move deferred tasks whose time has come into the queue (atomic across workers)."""
        script = self.client.register_script(_PROMOTE_DUE)
        return int(
            script(
                keys=[self.key("deferred", queue), self.key("queue", queue)],
                args=[timezone.now().timestamp()],
            )
        )

    def claim(self, queue: str, worker_id: str, timeout: float) -> str | None:
        """Take the next id into this worker's running list (blocks up to ``timeout`` s)."""
        return self.client.blmove(
            self.key("queue", queue), self.running_key(queue, worker_id), timeout, "RIGHT", "LEFT"
        )

    def run(self, result_id: str, *, worker_id: str) -> TaskResultStatus | None:
        """Run one claimed task and record its outcome (the worker loop's body)."""
        state = self._load(result_id)
        if state is None:
            logger.error("task %s has no state any more; dropped", result_id)
            return None
        now = timezone.now()
        state.update(
            status=TaskResultStatus.RUNNING.value,
            started_at=_iso(now),
            last_attempted_at=_iso(now),
            worker_ids=[*state["worker_ids"], worker_id],
        )
        self._store(state)
        sender = type(self)
        try:
            result = self._result_of(state)
            task_started.send(sender, task_result=result)
            return_value = result.task.call(*state["args"], **state["kwargs"])
            state["return_value"] = json.loads(json.dumps(return_value))
            state["status"] = TaskResultStatus.SUCCESSFUL.value
        except Exception as exc:  # recorded like the database worker does; the loop goes on
            state["status"] = TaskResultStatus.FAILED.value
            state["errors"] = [
                *state["errors"],
                {
                    "exception_class_path": get_module_path(type(exc)),
                    "traceback": get_exception_traceback(exc),
                },
            ]
        state["finished_at"] = _iso(timezone.now())
        self._store(state)
        try:
            task_finished.send(sender, task_result=self._result_of(state))
        except (ImportError, SuspiciousOperation):
            logger.exception("task %s finished but cannot be described", result_id)
        return TaskResultStatus(state["status"])

    def release(self, queue: str, worker_id: str, result_id: str) -> None:
        self.client.lrem(self.running_key(queue, worker_id), 1, result_id)

    def recover(self, *, alive: set[str], max_claims: int) -> dict[str, int]:
        """Give the tasks of gone workers back to their queue; fail the worn-out ones."""
        requeued = failed = 0
        for running in self.client.scan_iter(match=self.key("running", "*"), count=200):
            queue, _, worker_id = running.removeprefix(self.key("running") + ":").partition(":")
            if worker_id in alive:
                continue
            for result_id in self.client.lrange(running, 0, -1):
                state = self._load(result_id)
                if state is not None and len(state["worker_ids"]) >= max_claims:
                    if self.client.lrem(running, 1, result_id):  # only one recoverer wins
                        state.update(
                            status=TaskResultStatus.FAILED.value,
                            finished_at=_iso(timezone.now()),
                            errors=[
                                *state["errors"],
                                {
                                    "exception_class_path": "operations.worker.WorkerLost",
                                    "traceback": f"Interrupted {len(state['worker_ids'])} "
                                    f"times (workers {state['worker_ids']})",
                                },
                            ],
                        )
                        self._store(state)
                        failed += 1
                        logger.error("task %s interrupted %d times: failed", result_id, max_claims)
                    continue
                # LREM decides who moves it: a second recoverer finds nothing to remove.
                if self.client.lrem(running, 1, result_id):
                    if state is not None:
                        state.update(status=TaskResultStatus.READY.value, started_at=None)
                        self._store(state)
                    self.client.rpush(self.key("queue", queue), result_id)  # next in line
                    requeued += 1
                    logger.warning(
                        "task %s of gone worker %s given back to the queue", result_id, worker_id
                    )
        return {"requeued": requeued, "failed": failed}


class RedisWorker:
    """The worker loop for :class:`RedisTaskBackend` (``manage.py worker``)."""

    def __init__(
        self,
        *,
        backend: RedisTaskBackend,
        worker_id: str,
        queue_names: list[str],
        interval: float = 1.0,
        batch: bool = False,
        max_tasks: int | None = None,
    ) -> None:
        self.backend = backend
        self.worker_id = worker_id
        self.queue_names = queue_names
        self.interval = max(interval, 0.1)
        self.batch = batch
        self.max_tasks = max_tasks
        self.stopping = threading.Event()
        self.done = 0

    def configure_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())

    def reset_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)

    def run_once(self, *, timeout: float) -> bool:
        """Run at most one task from the first queue that has one; whether one ran."""
        for queue in self.queue_names:
            self.backend.promote_due(queue)
        for index, queue in enumerate(self.queue_names):
            # Block only on the last queue, so earlier queues are looked at first.
            wait = timeout if index == len(self.queue_names) - 1 else 0.01
            result_id = self.backend.claim(queue, self.worker_id, wait)
            if result_id is None:
                continue
            try:
                self.backend.run(result_id, worker_id=self.worker_id)
            finally:
                self.backend.release(queue, self.worker_id, result_id)
            self.done += 1
            return True
        return False

    def run(self) -> None:
        # SIGTERM sets the flag: the running task finishes, then the loop ends.
        while not self.stopping.is_set():
            if self.max_tasks is not None and self.done >= self.max_tasks:
                return
            ran = self.run_once(timeout=0.05 if self.batch else self.interval)
            if self.batch and not ran:
                return
