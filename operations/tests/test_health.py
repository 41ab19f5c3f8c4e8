"""GET /health/live and /health/ready: JSON, 200 when healthy, 503 naming what fails."""

from __future__ import annotations

import pytest
from django.utils import timezone

from operations import health
from operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive(settings):
    settings.TASK_BACKEND = "database"
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="host-1", started_at=now, last_seen=now)


def test_live_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_is_200_with_every_check_when_healthy(client, worker_alive):
    response = client.get("/health/ready")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "worker", "encryption_key", "disk"}
    assert all(c["ok"] for c in body["checks"].values())
    assert body["checks"]["worker"]["detail"] == "1 worker(s)"


def test_ready_is_503_without_a_live_worker(client, settings):
    settings.TASK_BACKEND = "database"
    WorkerHeartbeat.objects.create(
        worker_id="old",
        started_at=timezone.now(),
        last_seen=timezone.now() - timezone.timedelta(hours=1),
    )
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and not body["checks"]["worker"]["ok"]
    assert "no worker heartbeat" in body["checks"]["worker"]["detail"]
    assert body["checks"]["database"]["ok"]


def test_ready_fails_without_encryption_key(client, settings, worker_alive):
    settings.FIELD_ENCRYPTION_KEY = None
    body = client.get("/health/ready").json()
    assert not body["checks"]["encryption_key"]["ok"]
    assert "FIELD_ENCRYPTION_KEY" in body["checks"]["encryption_key"]["detail"]


def test_ready_fails_when_disk_is_nearly_full(client, settings, worker_alive):
    settings.HEALTH_MIN_FREE_DISK_MB = 10**12  # more than any disk has
    response = client.get("/health/ready")
    assert response.status_code == 503 and not response.json()["checks"]["disk"]["ok"]


def test_ready_fails_when_the_database_is_down(client, worker_alive, monkeypatch):
    def down():
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", down)
    body = client.get("/health/ready").json()
    assert body["checks"]["database"] == {
        "ok": False,
        "detail": "OSError: connection refused",
        "ms": body["checks"]["database"]["ms"],
    }


def test_ready_fails_when_the_cache_loses_values(client, worker_alive, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda key: None)
    assert not client.get("/health/ready").json()["checks"]["cache"]["ok"]


def test_health_only_answers_get(client):
    assert client.post("/health/live").status_code == 405
