"""Liveness and readiness for load balancers, systemd and monitoring.

``/health/live``: the process answers (no dependency is touched, so a database outage
does not make the orchestrator kill every web process). ``/health/ready``: this instance
can serve: database, cache, a live background worker, the data key, free disk space.
Both are JSON, 200 when healthy and 503 otherwise, and say nothing about the data.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from operations.worker import live_workers


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    key = f"ksqm:health:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    if not ok:
        raise RuntimeError("cache did not return the value just written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_worker() -> str:
    if settings.TASK_BACKEND == "immediate":
        return "immediate backend: no worker needed"
    workers = live_workers()
    if not workers:
        raise RuntimeError(f"no worker heartbeat in the last {settings.WORKER_HEARTBEAT_MAX_AGE} s")
    return f"{len(workers)} worker(s)"


def check_encryption_key() -> str:
    from core import crypto

    crypto.require_key()
    return "configured"


def check_disk() -> str:
    folder = Path(settings.MEDIA_ROOT)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    if free_mb < settings.HEALTH_MIN_FREE_DISK_MB:
        raise RuntimeError(f"{free_mb} MB free, below {settings.HEALTH_MIN_FREE_DISK_MB} MB")
    return f"{free_mb} MB free"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "worker": check_worker,
    "encryption_key": check_encryption_key,
    "disk": check_disk,
}


def readiness() -> tuple[bool, dict[str, Any]]:
    """Run every check; ``(all ok, {name: {ok, detail, ms}})``."""
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:  # noqa: BLE001 – a failing check is a result, not a crash
            detail, ok = f"{type(exc).__name__}: {exc}", False
        results[name] = {
            "ok": ok,
            "detail": detail,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    return all(r["ok"] for r in results.values()), results


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    ok, checks = readiness()
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )
