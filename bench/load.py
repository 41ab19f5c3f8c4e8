"""Load benchmark: the production server under wrk, against the framework's floor.

Starts the app with the production server (gunicorn and/or granian, 2 workers, DEBUG
off, whitenoise, the demo data) and, in the same run, a bare Django view (one SQLite
query, a 50-row template table; bench/bare_app.py) under the same server and worker
count. Drives every page with wrk (Debian package ``wrk``) at 20 connections and prints
requests/s, p90 latency and the ratio to the bare view.

Long (several minutes: demo data, then 10 s per page and server); not part of the quick
``make bench``. Run: ``make bench-load`` or ``.venv/bin/python bench/load.py [--server
gunicorn|granian|both] [--duration 10] [--scale]``; BENCH_DATABASE_URL=postgres://… for
PostgreSQL. ``--scale`` adds 500 communes, 20,000 offers and 100,000 procedures
(bench/load_scale_data.py) to the demo data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GOALS = {"public": 0.50, "logged_in": 0.25}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DEBUG="False",
        SECRET_KEY="load-bench-" + "x" * 50,
        KSQM_VAR_DIR=str(var),
        KSQM_ENCRYPTION_KEY_FILE=str(var / "data.key"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        KSQM_TASK_BACKEND="database",
        LOG_LEVEL="WARNING",
        # Benchmarks drive the pages far above any login rate limit; plain HTTP locally.
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
    )
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(var: Path, *, scale: bool = False) -> dict[str, str]:
    env = env_for(var)
    var.mkdir(parents=True, exist_ok=True)
    key = var / "data.key"
    if not key.exists():
        import base64

        key.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    # One stamp per database: a prepared PostgreSQL database is reused like the SQLite
    # file (BENCH_VAR keeps both); use a fresh database name for a fresh run.
    database = os.environ.get("BENCH_DATABASE_URL", "")
    suffix = hashlib.sha256(database.encode()).hexdigest()[:12] if database else ""
    stamp = var / (f".loaded-{suffix}" if suffix else ".loaded")
    # Always migrate: code newer than the prepared data may bring migrations.
    manage(env, "migrate", "--noinput", "-v0")
    if not stamp.exists():
        print("preparing: demo data (a few minutes) …", flush=True)
        manage(env, "demo_data")
        if scale:
            print("adding 500 communes, 20,000 offers, 100,000 procedures …", flush=True)
            done = subprocess.run(
                [PY, str(ROOT / "bench" / "load_scale_data.py")],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                sys.exit(f"scale data failed:\n{done.stderr[-3000:]}")
            print(done.stdout.strip(), flush=True)
        stamp.touch()
    manage(env, "collectstatic", "--noinput", "-v0")
    return env


SESSION_SCRIPT = """
from django.contrib.auth import get_user_model, BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.conf import settings
user = get_user_model().objects.get(username="fachkraft-bonn")
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
from django.apps import apps
if apps.is_installed("accounts"):  # a session that passed the 2nd factor
    from accounts.models import TOTPApp
    device = TOTPApp.objects.filter(user=user).first()
    if device:
        s["otp_device_id"] = device.persistent_id
s.create()
print(s.session_key)
"""


SLUG_SCRIPT = (
    "from registry.models import Municipality as M; "
    "print(list(M.objects.values_list('slug', flat=True)))"
)


def start(server: str, app: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen:
    if server == "gunicorn":
        cmd = [
            PY,
            "-m",
            "gunicorn",
            app,
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
    else:
        cmd = [
            PY,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            app.replace(":", ":"),
            "--workers",
            str(workers),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-ws",
            # As `make serve` and deploy/: each thread keeps a database connection.
            "--blocking-threads",
            "16",
        ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2)  # noqa: S310
            return proc
        except Exception:  # noqa: BLE001 – not up yet
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bare/", timeout=2)  # noqa: S310
                return proc
            except Exception:  # noqa: BLE001
                time.sleep(0.5)
    stop(proc)
    sys.exit(f"{server} did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


LATENCY = re.compile(r"^\s+90%\s+([\d.]+)(us|ms|s)\s*$", re.M)
RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def wrk(url: str, duration: int, cookie: str = "", warmup: int = 0) -> dict[str, float]:
    """wrk's figures for ``url``; first ``warmup`` seconds of the same load, not counted.

    The goal is about a running server: the first requests of a worker process import
    modules, compile templates, open database connections and fill per-process caches
    (for every page and the bare view alike), which a 10 s window would otherwise mix in.
    """

    def command(seconds: int) -> list[str]:
        cmd = ["wrk", "-t", "2", "-c", "20", "-d", f"{seconds}s", "--timeout", "30s"]
        if cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        return [*cmd, "--latency", url]

    if warmup:
        subprocess.run(command(warmup), capture_output=True, text=True, check=True)
    cmd = command(duration)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    value, unit = LATENCY.search(out).groups()
    p90 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    bad = NON_2XX.search(out)
    return {
        "rps": float(RPS.search(out).group(1)),
        "p90_ms": p90,
        "errors": int(bad.group(1)) if bad else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", choices=["gunicorn", "granian", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of load per page before measuring (0: cold)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--only", default="", help="comma-separated page names (default all)")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="demo data plus 500 communes, 20,000 offers and 100,000 procedures",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench-load installs it)")
    default_var = Path(tempfile.gettempdir()) / ("ksqm-load-scale" if args.scale else "ksqm-load")
    var = Path(os.environ.get("BENCH_VAR", default_var))
    env = prepare(var, scale=args.scale)
    session = manage(env, "shell", "-c", SESSION_SCRIPT).strip().splitlines()[-1]
    slugs = manage(env, "shell", "-c", SLUG_SCRIPT)
    slug = next((s for s in re.findall(r"'([^']+)'", slugs) if "bonn" in s), "bonn")
    pages = [
        ("home", "/", "public", ""),
        ("commune list", "/kommunen/", "public", ""),
        ("Bonn profile", f"/kommunen/{slug}/", "public", ""),
        ("directory search", "/fruehe-hilfen/?q=Familie", "public", ""),
        ("API commune list", "/api/v1/municipalities", "public", ""),
        ("case list (logged in)", "/verfahren/", "logged_in", f"sessionid={session}"),
    ]
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if p[0] in wanted]
    servers = ["gunicorn", "granian"] if args.server == "both" else [args.server]
    results: dict[str, dict] = {}
    for server in servers:
        bare_env = {**env, "PYTHONPATH": str(ROOT / "bench")}
        port = free_port()
        proc = start(server, "bare_app:application", port, bare_env, args.workers)
        try:
            floor = wrk(f"http://127.0.0.1:{port}/bare/", args.duration, warmup=args.warmup)
        finally:
            stop(proc)
        port = free_port()
        proc = start(server, "config.wsgi:application", port, env, args.workers)
        rows = {"bare view": {**floor, "ratio": 1.0, "kind": "floor"}}
        try:
            for name, path, kind, cookie in pages:
                figures = wrk(
                    f"http://127.0.0.1:{port}{path}", args.duration, cookie, warmup=args.warmup
                )
                figures["ratio"] = round(figures["rps"] / floor["rps"], 3)
                figures["kind"] = kind
                rows[name] = figures
        finally:
            stop(proc)
        results[server] = rows
        print(
            f"\n{server}, {args.workers} workers, 20 connections, {args.duration} s per page "
            f"after {args.warmup} s warm-up"
        )
        print(f"{'page':24} {'req/s':>8} {'p90 ms':>8} {'ratio':>6} {'goal':>6} {'non-2xx':>8}")
        for name, r in rows.items():
            goal = GOALS.get(r["kind"])
            mark = "" if goal is None else ("ok" if r["ratio"] >= goal else "BELOW")
            print(
                f"{name:24} {r['rps']:8.1f} {r['p90_ms']:8.1f} {r['ratio']:6.2f} "
                f"{(f'{goal:.2f}' if goal else ''):>6} {r['errors']:8d} {mark}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
