"""Tasks used by the task-system tests (module level, as the task API requires)."""

from __future__ import annotations

from django.core.cache import cache

from core.tasks import durable_task

GIVEN_UP: list[dict] = []


def _note_give_up(**kwargs: object) -> None:
    GIVEN_UP.append(kwargs)


@durable_task(attempts=3, retry_delay=0, on_give_up=_note_give_up)
def flaky(*, key: str, fail_times: int) -> int:
    """Fails the first ``fail_times`` calls for ``key`` (counted in the cache), then succeeds."""
    calls = cache.get_or_set(key, 0)
    cache.set(key, calls + 1)
    if calls < fail_times:
        raise ConnectionError(f"temporary failure {calls + 1}")
    return calls + 1


@durable_task(attempts=1)
def count_once(*, key: str) -> int:
    """Counts its runs in the cache (to see that a re-run task ran again)."""
    calls = cache.get_or_set(key, 0) + 1
    cache.set(key, calls)
    return calls
