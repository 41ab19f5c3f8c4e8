"""Background work through Django's task API (the ``django-tasks`` backport of Django 6).

Every job that must outlive a request (upload conversion, mail, reminders, purges) is a
task declared with :func:`durable_task`. Which backend runs it is a setting (``TASKS``):
the database backend by default (no extra service, SQLite or PostgreSQL), Redis for
larger installations, the immediate backend in tests. The task code is the same for all.

What the task API itself does not give us, this module adds the same way on every
backend:

- **retries**: a failing attempt is enqueued again with exponential back-off until
  ``attempts`` is reached; then ``on_give_up`` runs (for example: mark an upload failed),
  so nothing is left "running";
- **after commit**: :func:`enqueue_on_commit` enqueues only once the surrounding
  transaction committed, so a worker never sees a row that was rolled back.

Tasks must be idempotent: a worker killed mid-task makes the worker that takes over run
the same task again from the start (see ``operations.worker``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.base import Task

logger = logging.getLogger("ksqm.tasks")

ATTEMPT_KWARG = "_attempt"


def durable_task(
    *,
    attempts: int = 3,
    retry_delay: float = 30.0,
    queue_name: str = "default",
    priority: int = 0,
    on_give_up: Callable[..., Any] | None = None,
) -> Callable[[Callable[..., Any]], Task]:
    """Declare a module-level function as a task with retries.

    ``attempts`` counts the first run; attempt *n* waits ``retry_delay * 2**(n-2)`` seconds
    (on backends that can defer; others retry at once). ``on_give_up(*args, **kwargs)`` is
    called after the last failed attempt, before the error is re-raised for the backend
    to record. Arguments must be JSON-serialisable (ids, not model instances).
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")

    def decorate(func: Callable[..., Any]) -> Task:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                name = f"{func.__module__}.{func.__qualname__}"
                if attempt < attempts:
                    delay = retry_delay * 2 ** (attempt - 1)
                    logger.warning(
                        "task %s failed (attempt %d of %d, %s); retrying in %.0f s",
                        name,
                        attempt,
                        attempts,
                        type(exc).__name__,
                        delay,
                        extra={"task": name, "attempt": attempt},
                    )
                    _enqueue_retry(wrapped, args, kwargs, attempt + 1, delay)
                else:
                    logger.error(
                        "task %s failed for good after %d attempts (%s)",
                        name,
                        attempt,
                        type(exc).__name__,
                        extra={"task": name, "attempt": attempt},
                    )
                    if on_give_up is not None:
                        try:
                            on_give_up(*args, **kwargs)
                        except Exception:
                            logger.exception("give-up handler of %s failed", name)
                raise

        wrapped = task(queue_name=queue_name, priority=priority)(run)
        return wrapped

    return decorate


def _enqueue_retry(
    wrapped: Task, args: tuple, kwargs: dict[str, Any], attempt: int, delay: float
) -> None:
    backend = task_backends[wrapped.backend]
    retry_task = wrapped
    if backend.supports_defer and delay > 0:
        retry_task = wrapped.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    retry_task.enqueue(*args, **{**kwargs, ATTEMPT_KWARG: attempt})


def enqueue_on_commit(task_obj: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task_obj`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))
