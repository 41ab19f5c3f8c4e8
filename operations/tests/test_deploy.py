"""deploy/ is exercised, not just shipped: systemd units verified by systemd-analyze,
the web unit's granian command started and answering, the nginx example tested by nginx -t, and
`manage.py check --deploy` clean with the example environment."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Subprocesses with fixed argument lists of our own tools (ruff S603/S607).
# ruff: noqa: S603, S607

DEPLOY = Path(settings.BASE_DIR) / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("ksqm-*.service")) + sorted(
    (DEPLOY / "systemd").glob("ksqm-*.timer")
)
VENV_BIN = Path(sys.executable).parent


def example_env(tmp_path: Path) -> dict[str, str]:
    """ksqm.env.example as a service would read it, with secrets in temporary files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KSQM_"))}
    env.pop("DATABASE_URL", None)
    for line in (DEPLOY / "systemd" / "ksqm.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    secret = tmp_path / "secret_key"
    secret.write_text("d" * 10 + "Zq8#kP2!vL9@wX4$mN7%rT1^yB6&cH3*fJ5(gS0)eU" + "A" * 10)
    key = tmp_path / "data.key"
    key.write_text("Yp1Q4nq3k2b2mRr5hq7mZcS4yX9v0Q3dJ8fW6tLkA1E=")
    env.update(
        SECRET_KEY_FILE=str(secret),
        KSQM_ENCRYPTION_KEY_FILE=str(key),
        KSQM_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "var" / "media"),
        DATABASE_URL="",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("DATABASE_URL")
    return env


def test_every_unit_verifies(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not installed")
    assert {u.name for u in UNITS} >= {
        "ksqm-web.service",
        "ksqm-worker@.service",
        "ksqm-scheduler.service",
    }
    copies = []
    for unit in UNITS:
        text = unit.read_text()
        # The units name the install location; point them at this checkout to verify.
        text = text.replace("/opt/kinderschutz-qm/.venv/bin/", f"{VENV_BIN}/")
        text = text.replace("/opt/kinderschutz-qm", str(settings.BASE_DIR))
        text = text.replace(
            "/etc/kinderschutz-qm/ksqm.env", str(DEPLOY / "systemd" / "ksqm.env.example")
        )
        copy = tmp_path / unit.name
        copy.write_text(text)
        copies.append(str(copy))
    done = subprocess.run(
        ["systemd-analyze", "verify", *copies], capture_output=True, text=True, check=False
    )
    ours = [line for line in done.stderr.splitlines() if "ksqm" in line]
    assert done.returncode == 0 and ours == [], done.stderr


def test_unit_verification_catches_a_broken_unit(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not installed")
    broken = tmp_path / "ksqm-broken.service"
    broken.write_text("[Service]\nExecStart=/nonexistent/gunicorn\nRestartt=always\n")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(broken)], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "Restartt" in done.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_web_unit_command_serves_with_the_example_environment(tmp_path):
    """The ExecStart line of ksqm-web.service, run as the unit would (GRANIAN_* from the env)."""
    import time
    import urllib.error
    import urllib.request

    unit = (DEPLOY / "systemd" / "ksqm-web.service").read_text()
    exec_line = next(x for x in unit.splitlines() if x.startswith("ExecStart="))
    argv = exec_line.removeprefix("ExecStart=").split()
    assert argv[0].endswith("/granian") and "--interface" in argv
    env = example_env(tmp_path)
    port = _free_port()
    env.update(GRANIAN_PORT=str(port), GRANIAN_WORKERS="1")
    proc = subprocess.Popen(
        [str(VENV_BIN / "granian"), *argv[1:]],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/live",
        headers={"Host": "kinderschutz.example.de", "X-Forwarded-Proto": "https"},
    )
    try:
        body = b""
        for _ in range(120):
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    body = response.read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        assert b'"status"' in body, proc.stdout.read().decode() if proc.poll() is not None else ""
        plain = urllib.request.Request(
            f"http://127.0.0.1:{port}/health/live", headers={"Host": "evil.example.org"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(plain, timeout=5)  # noqa: S310
        assert refused.value.code == 400  # ALLOWED_HOSTS holds under the production server
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kinderschutz.example.de")])
    now = dt.datetime.now(tz=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_nginx_example_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not nginx:
        pytest.skip("nginx not installed (make test installs nginx-light as root)")
    cert, key = _self_signed(tmp_path)
    site = (DEPLOY / "nginx" / "kinderschutz-qm.conf").read_text()
    site = site.replace("/etc/ssl/certs/ssl-cert-snakeoil.pem", str(cert))
    site = site.replace("/etc/ssl/private/ssl-cert-snakeoil.key", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr


def test_check_deploy_is_clean_with_the_example_environment(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=example_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "no issues" in done.stdout
