"""The Redis task backend: the same tasks, retries, deferral, restart and take-over as on the
database backend, against the real Redis on 127.0.0.1 (skipped with the reason if none)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from analytics import services as analytics_services
from analytics.choices import UploadStatus
from analytics.models import EventLogUpload
from analytics.tests.logs import EXAMPLE_XES
from operations import worker as worker_module
from operations.models import WorkerHeartbeat
from operations.redis_tasks import RedisTaskBackend
from operations.tests import sample_tasks

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _reference(reference_data):
    """Reference rows (Länder …) snapshotted before this module's first flush."""


@pytest.fixture
def redis_tasks(settings):
    import redis

    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (CI and the dev machine have one)")
    prefix = f"ksqm-test-{uuid.uuid4().hex[:8]}:tasks"
    settings.TASKS = {
        "default": {
            "BACKEND": "operations.redis_tasks.RedisTaskBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"LOCATION": REDIS_URL, "PREFIX": prefix},
        }
    }
    settings.TASK_BACKEND = "redis"
    cache.clear()
    backend = task_backends["default"]
    assert isinstance(backend, RedisTaskBackend)
    yield backend
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    cache.clear()


def run_worker(name: str = "1") -> None:
    call_command("worker", "--batch", "--name", name, "--interval", "0")


def test_a_task_waits_in_redis_until_the_worker_runs_it(redis_tasks):
    result = sample_tasks.count_once.enqueue(key="redis-once")
    assert result.status == TaskResultStatus.READY
    assert cache.get("redis-once") is None  # nothing ran in the enqueueing process
    run_worker()
    done = redis_tasks.get_result(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value == 1
    assert done.worker_ids == [worker_module.default_worker_id("1")]
    assert done.started_at is not None and done.finished_at >= done.started_at
    # The worker's running list is empty again.
    assert redis_tasks.client.llen(redis_tasks.running_key("default", done.worker_ids[0])) == 0


def test_unknown_result_id_is_refused(redis_tasks):
    with pytest.raises(TaskResultDoesNotExist):
        redis_tasks.get_result("does-not-exist")


def test_arguments_that_are_not_json_are_refused_at_enqueue(redis_tasks):
    with pytest.raises(TypeError):
        sample_tasks.count_once.enqueue(key=object())


def test_failing_task_is_retried_until_it_succeeds(redis_tasks):
    first = sample_tasks.flaky.enqueue(key="redis-retry", fail_times=2)
    run_worker()
    assert cache.get("redis-retry") == 3
    failed = redis_tasks.get_result(first.id)
    assert failed.status == TaskResultStatus.FAILED
    assert "ConnectionError" in failed.errors[0].exception_class_path
    assert "temporary failure 1" in failed.errors[0].traceback


def test_task_gives_up_after_its_attempts_and_calls_the_handler(redis_tasks):
    sample_tasks.GIVEN_UP.clear()
    sample_tasks.flaky.enqueue(key="redis-never", fail_times=99)
    run_worker()
    assert cache.get("redis-never") == 3
    assert sample_tasks.GIVEN_UP == [{"key": "redis-never", "fail_times": 99}]


def test_deferred_task_waits_until_it_is_due(redis_tasks):
    later = sample_tasks.count_once.using(run_after=timezone.now() + dt.timedelta(minutes=5))
    result = later.enqueue(key="redis-later")
    run_worker()
    assert redis_tasks.get_result(result.id).status == TaskResultStatus.READY
    assert cache.get("redis-later") is None
    # Its time comes: the next worker pass moves it into the queue and runs it.
    redis_tasks.client.zadd(redis_tasks.key("deferred", "default"), {result.id: 0})
    run_worker()
    assert redis_tasks.get_result(result.id).status == TaskResultStatus.SUCCESSFUL
    assert cache.get("redis-later") == 1


def _claimed_by(backend: RedisTaskBackend, result_id: str, worker_id: str, claims: int = 1):
    """What a worker killed mid-task leaves: the id in its running list, the task running."""
    client = backend.client
    client.lrem(backend.key("queue", "default"), 1, result_id)
    client.lpush(backend.running_key("default", worker_id), result_id)
    state = backend._load(result_id)
    state.update(status="RUNNING", worker_ids=[worker_id] * claims)
    backend._store(state)


def test_task_of_a_restarted_worker_runs_again(redis_tasks):
    result = sample_tasks.count_once.enqueue(key="redis-restart")
    own_id = worker_module.default_worker_id("1")
    _claimed_by(redis_tasks, result.id, own_id)
    worker_module.heartbeat_beat(worker_id=own_id, started=True)  # heartbeat still fresh
    run_worker("1")  # the same worker starting again
    done = redis_tasks.get_result(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.worker_ids == [own_id, own_id]
    assert cache.get("redis-restart") == 1


def test_tasks_of_live_workers_stay_and_of_dead_workers_are_taken_over(redis_tasks):
    live = sample_tasks.count_once.enqueue(key="redis-live")
    dead = sample_tasks.count_once.enqueue(key="redis-dead")
    worn = sample_tasks.count_once.enqueue(key="redis-worn")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive-1", started_at=now, last_seen=now)
    WorkerHeartbeat.objects.create(
        worker_id="gone-1", started_at=now, last_seen=now - dt.timedelta(minutes=10)
    )
    _claimed_by(redis_tasks, live.id, "alive-1")
    _claimed_by(redis_tasks, dead.id, "gone-1")
    _claimed_by(redis_tasks, worn.id, "gone-1", claims=worker_module.MAX_CLAIMS)
    assert worker_module.recover_interrupted_tasks() == {"requeued": 1, "failed": 1}
    # A second recoverer (another worker's heartbeat thread) finds nothing left to move.
    assert worker_module.recover_interrupted_tasks() == {"requeued": 0, "failed": 0}
    assert redis_tasks.get_result(live.id).status == TaskResultStatus.RUNNING
    assert redis_tasks.get_result(dead.id).status == TaskResultStatus.READY
    worn_result = redis_tasks.get_result(worn.id)
    assert worn_result.status == TaskResultStatus.FAILED
    assert worn_result.errors[-1].exception_class_path == "operations.worker.WorkerLost"
    run_worker("2")
    assert cache.get("redis-dead") == 1
    assert cache.get("redis-live") is None and cache.get("redis-worn") is None


def test_upload_interrupted_mid_conversion_completes_after_the_worker_restarts(
    redis_tasks, muni_a, coordinator_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = analytics_services.event_log_upload_create(
        municipality=muni_a,
        name="per Redis-Worker",
        uploaded_file=SimpleUploadedFile("log.xes", EXAMPLE_XES.encode()),
        actor=coordinator_a,
    )
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PENDING
    (result_id,) = redis_tasks.client.lrange(redis_tasks.key("queue", "default"), 0, -1)
    own_id = worker_module.default_worker_id("1")
    EventLogUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.RUNNING, progress=0.4, heartbeat_at=timezone.now()
    )
    _claimed_by(redis_tasks, result_id, own_id)
    run_worker("1")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and upload.progress == 1.0


def test_redis_backend_without_redis_url_is_a_configuration_error(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KSQM_TASK_BACKEND="redis", DJANGO_SETTINGS_MODULE="config.settings")
    env["KSQM_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(  # noqa: S603 – our own interpreter and settings
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "KSQM_TASK_BACKEND=redis needs REDIS_URL" in done.stderr
