"""Scale-out proof: two web instances and a worker sharing PostgreSQL and Redis.

Starts, on this machine, two granian instances (ports A and B) and one background worker,
all configured like separate machines (own var/ folder, shared only through
``DATABASE_URL`` and ``REDIS_URL``), and shows:

1. a session created by logging in on A is valid on B;
2. the near-miss rate limit counts across both (5 per hour: the 6th is refused, whichever
   instance receives it);
3. an event log uploaded through A is converted by the worker and shown as done on B;
4. a worker killed (SIGKILL) in the middle of a conversion: after its restart the task is
   taken up again and the upload completes, visible on B;
5. a role revoked by another process (a third "machine") closes a page on B on the very
   next request, although B keeps the signed-in user in memory (core.principal).

Needs PostgreSQL on 127.0.0.1:5432 (trust, user postgres) and Redis on 127.0.0.1:6379.
Long (about a minute plus migrations); not part of the quick ``make bench``.
``SCALE_TASK_BACKEND=database`` runs the same proof with the embedded database queue.
Run: ``make bench-scale`` or ``.venv/bin/python bench/scale_out.py``.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG = os.environ.get("SCALE_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("SCALE_DB", "ksqm_scale_out")
REDIS = os.environ.get("SCALE_REDIS", "redis://127.0.0.1:6379/7")
PASSWORD = "Skalierung-2026-Test!"  # noqa: S105 – a throwaway account of this script
ROWS = int(os.environ.get("SCALE_ROWS", "1500000"))
# The task queue: "redis" (default here: the multi-machine setup) or "database".
TASK_BACKEND = os.environ.get("SCALE_TASK_BACKEND", "redis")

SETUP = f"""
from django.contrib.auth import get_user_model
from core.choices import Role
from core.models import Membership
from registry.models import Municipality, State
m, _ = Municipality.objects.get_or_create(
    slug="skalierstadt", defaults={{"name": "Skalierstadt", "state": State.objects.get(code="NW")}}
)
u, _ = get_user_model().objects.get_or_create(
    username="skalierung", defaults={{"email": "s@example.invalid"}}
)
u.set_password("{PASSWORD}")
u.save()
Membership.objects.get_or_create(user=u, municipality=m, role=Role.COORDINATOR)
print(m.pk)
"""


REVOKE = """
from core.models import Membership
Membership.objects.filter(user__username="skalierung").delete()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine_env(var: Path, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="False",
        SECRET_KEY="scale-out-" + "s" * 50,  # the same on every machine (signed cookies)
        KSQM_ENCRYPTION_KEY=key,
        KSQM_VAR_DIR=str(var),
        # Uploads live on a shared volume (NFS or similar) in production.
        MEDIA_ROOT=str(var.parent / "shared-media"),
        DATABASE_URL=f"{PG}/{DB}",
        REDIS_URL=REDIS,
        KSQM_TASK_BACKEND=TASK_BACKEND,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
        KSQM_REQUIRE_SECOND_FACTOR="False",  # the script logs in with a password only
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def spawn(env: dict[str, str], *cmd: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, *cmd], cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL
    )


def web(env: dict[str, str], port: int) -> subprocess.Popen:
    proc = spawn(env, "-m", "granian", "config.wsgi:application", "--interface", "wsgi",
                 "--no-ws", "--workers", "1", "--host", "127.0.0.1", "--port", str(port),
                 "--log-level", "warning")  # fmt: skip
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/health/live", timeout=10).ok:
                return proc
        except requests.RequestException:  # not listening yet, or still importing
            time.sleep(0.5)
    sys.exit(f"web instance on {port} did not start")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=60)


def step(text: str, ok: bool) -> bool:
    print(f"[{'ok' if ok else 'FAILED'}] {text}", flush=True)
    return ok


def login(base: str) -> requests.Session:
    s = requests.Session()
    s.get(f"{base}/anmelden/")
    r = s.post(
        f"{base}/anmelden/",
        data={
            "username": "skalierung",
            "password": PASSWORD,
            "csrfmiddlewaretoken": s.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/anmelden/"},
        allow_redirects=False,
    )
    if r.status_code != 302:
        sys.exit(f"login on {base} failed ({r.status_code})")
    return s


def upload(session: requests.Session, base: str, municipality: str, path: Path, name: str) -> str:
    session.get(f"{base}/analyse/protokolle/")
    with path.open("rb") as fh:
        r = session.post(
            f"{base}/analyse/protokolle/",
            data={
                "name": name,
                "municipality": municipality,
                "log_format": "csv",
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            files={"source_file": (path.name, fh, "text/csv")},
            headers={"Referer": f"{base}/analyse/protokolle/"},
            allow_redirects=False,
        )
    match = re.search(r"/analyse/protokolle/([0-9a-f-]{36})/", r.headers.get("Location", ""))
    if r.status_code != 302 or not match:
        sys.exit(f"upload on {base} failed ({r.status_code}): {r.text[:500]}")
    return match.group(1)


def upload_state(code: str) -> tuple[str, float]:
    with psycopg.connect(f"{PG}/{DB}") as conn:
        row = conn.execute(
            "SELECT status, progress FROM analytics_eventlogupload WHERE code = %s", (code,)
        ).fetchone()
    return row[0], float(row[1] or 0)


def wait_for(code: str, statuses: set[str], timeout: float, min_progress: float = 0.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, progress = upload_state(code)
        if status in statuses and progress >= min_progress:
            return status
        time.sleep(0.2)
    return upload_state(code)[0]


def write_log(path: Path, rows: int) -> None:
    with path.open("w") as fh:
        fh.write("case_id,activity,timestamp\n")
        for i in range(rows):
            fh.write(f"F-{i // 4},Schritt {i % 4},2025-0{1 + i % 9}-1{i % 10} 1{i % 10}:00:00\n")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="ksqm-scale-"))
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    subprocess.run(["redis-cli", "-u", REDIS, "FLUSHDB"], check=True, capture_output=True)
    env_a, env_b, env_w = (machine_env(tmp / n, key) for n in ("web-a", "web-b", "worker"))
    print("migrating the shared PostgreSQL database …", flush=True)
    manage(env_a, "migrate", "--noinput", "-v0")
    municipality = manage(env_a, "shell", "-c", SETUP).strip().splitlines()[-1]
    for env in (env_a, env_b):  # each machine serves its own copy of the static files
        manage(env, "collectstatic", "--noinput", "-v0")
    port_a, port_b = free_port(), free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    procs: list[subprocess.Popen] = []
    worker = spawn(env_w, "manage.py", "worker", "--name", "scale", "--interval", "0.2")
    results = []
    try:
        procs.append(web(env_a, port_a))
        procs.append(web(env_b, port_b))
        # 1. Sessions: log in on A, use the cookie on B.
        session = login(a)
        on_b = requests.get(f"{b}/start/", cookies=session.cookies, allow_redirects=False)
        results.append(step(f"session from A valid on B (GET /start/ on B: {on_b.status_code})",
                            on_b.status_code == 200))  # fmt: skip

        # 2. One rate limit across both instances.
        codes = []
        # The anonymous form's anti-automation token (issued by A, valid on B too: signed
        # with the shared secret), used no sooner than a person could fill the form in.
        token = requests.get(
            f"{a}/api/v1/incident-reports/form-token?municipality=skalierstadt", timeout=10
        ).json()["form_token"]
        time.sleep(3.5)
        for i in range(6):
            base = (a, b)[i % 2]
            r = requests.post(
                f"{base}/api/v1/incident-reports",
                json={
                    "municipality": "skalierstadt",
                    "what_happened": f"Test {i}",
                    "reporter_institution_type": "",
                    "form_token": token,
                },  # fmt: skip
                timeout=10,
            )
            codes.append(r.status_code)
        results.append(step(f"rate limit shared: A/B alternating → {codes}",
                            codes[:5] == [201] * 5 and codes[5] == 429))  # fmt: skip

        # 3. Upload on A, processed by the worker, shown done on B.
        small = tmp / "klein.csv"
        write_log(small, 2_000)
        code = upload(session, a, municipality, small, "klein")
        status = wait_for(code, {"done", "failed"}, 120)
        page = requests.get(f"{b}/analyse/protokolle/{code}/", cookies=session.cookies)
        shown = page.ok and "klein" in page.text
        results.append(
            step(
                f"upload via A converted by the worker ({status}), page on B {page.status_code}",
                status == "done" and shown,
            )
        )

        # 4. Kill the worker mid-conversion; the restarted worker completes the task.
        big = tmp / "gross.csv"
        write_log(big, ROWS)
        code = upload(session, a, municipality, big, "gross")
        status = wait_for(code, {"running"}, 120, min_progress=0.05)
        _, progress = upload_state(code)
        stop(worker, signal.SIGKILL)
        print(f"     worker killed at {progress:.0%} of the conversion", flush=True)
        killed_mid = status == "running" and progress < 0.9
        time.sleep(1)
        worker = spawn(env_w, "manage.py", "worker", "--name", "scale", "--interval", "0.2")
        status = wait_for(code, {"done", "failed"}, 600)
        page = requests.get(f"{b}/analyse/protokolle/{code}/", cookies=session.cookies)
        results.append(
            step(
                f"worker killed mid-conversion, restarted: upload {status}, on B "
                f"{page.status_code}",
                killed_mid and status == "done" and page.ok,
            )
        )

        # 5. B keeps the signed-in user per process; a revocation elsewhere still counts.
        members = f"{b}/mitglieder/"
        before = [
            requests.get(members, cookies=session.cookies, allow_redirects=False).status_code
            for _ in range(3)
        ]
        manage(env_w, "shell", "-c", REVOKE)
        after = requests.get(members, cookies=session.cookies, allow_redirects=False)
        still_in = requests.get(f"{b}/start/", cookies=session.cookies, allow_redirects=False)
        results.append(
            step(
                f"role revoked by another process: members page on B {before} -> "
                f"{after.status_code} (still signed in: /start/ {still_in.status_code})",
                before == [200] * 3 and after.status_code == 403 and still_in.status_code == 200,
            )
        )
    finally:
        stop(worker)
        for proc in procs:
            stop(proc)
    print(f"{sum(results)} of {len(results)} checks passed")
    return 0 if all(results) and len(results) == 5 else 1


if __name__ == "__main__":
    sys.exit(main())
