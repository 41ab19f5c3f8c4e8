"""Backup and restore: a full round trip into an empty installation on SQLite and
PostgreSQL (every table and every file compared), and every way an archive is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from operations import backup

pytestmark = pytest.mark.django_db
KEY = "Yp1Q4nq3k2b2mRr5hq7mZcS4yX9v0Q3dJ8fW6tLkA1E="
OTHER_KEY = "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
PG = os.environ.get("KSQM_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _installation(var: Path, database_url: str = "") -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "KSQM_", "PYTEST", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="False",
        SECRET_KEY="backup-test",
        KSQM_ENCRYPTION_KEY=KEY,
        KSQM_VAR_DIR=str(var),
        KSQM_TASK_BACKEND="immediate",
        LOG_FORMAT="text",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


FINGERPRINT = (
    "import json; from operations.backup import table_fingerprints; "
    "print(json.dumps(table_fingerprints()))"
)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _round_trip(tmp_path: Path, source_url: str = "", target_url: str = "") -> None:
    source = _installation(tmp_path / "source", source_url)
    target = _installation(tmp_path / "target", target_url)
    _manage(source, "migrate", "--noinput", "-v0")
    _manage(source, "demo_data", "--small")
    archive = tmp_path / "sicherung.ksqm"
    _manage(source, "backup", "--output", str(archive))
    raw = archive.read_bytes()
    assert KEY.encode() not in raw and b"Musterstadt" not in raw  # sealed, no key inside

    token = "from core import fragcache; print(fragcache.data_versions(['*'])[0])"
    token_before = _manage(target, "shell", "-c", token).splitlines()[-1]
    out = _manage(target, "restore", str(archive))
    assert "alle geprüft" in out
    # Fragments a running web process rendered before the restore are never served again.
    assert _manage(target, "shell", "-c", token).splitlines()[-1] != token_before
    before = json.loads(_manage(source, "shell", "-c", FINGERPRINT).splitlines()[-1])
    after = json.loads(_manage(target, "shell", "-c", FINGERPRINT).splitlines()[-1])
    assert before == after  # every table: same rows, same contents
    assert sum(t["rows"] for t in before.values()) > 1000
    source_files = _files(tmp_path / "source" / "media")
    assert source_files and _files(tmp_path / "target" / "media") == source_files
    # The restored installation works: its migrations are complete and it serves data.
    _manage(target, "migrate", "--check")
    # A second restore into the now non-empty installation is refused.
    refused = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=settings.BASE_DIR,
        env=target,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0 and "not empty" in refused.stderr


def test_round_trip_on_sqlite_loses_nothing(tmp_path):
    _round_trip(tmp_path)


def _postgres_database(name: str) -> str:
    psycopg = pytest.importorskip("psycopg")
    try:
        with psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    return f"{PG}/{name}"


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_round_trip_on_postgresql_loses_nothing(tmp_path):
    suffix = uuid.uuid4().hex[:8]
    names = (f"ksqm_bk_src_{suffix}", f"ksqm_bk_dst_{suffix}")
    urls = [_postgres_database(n) for n in names]
    try:
        _round_trip(tmp_path, *urls)
    finally:
        for name in names:
            _drop(name)


# --- refusals (in-process, on the test database) -----------------------------------------
# Transactional: SQLite's backup API waits forever for the lock of a transaction that is
# still open on the in-memory test database (the backup command never runs inside one).
inprocess = pytest.mark.django_db(transaction=True)


@pytest.fixture
def archive(tmp_path, settings, muni_a):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "analytics").mkdir(parents=True)
    (tmp_path / "media" / "analytics" / "log.csv").write_text("case_id,activity\n1,a\n")
    path = tmp_path / "a.ksqm"
    call_command("backup", "--output", str(path))
    return path


@inprocess
def test_archive_verifies_and_holds_no_key(archive, settings):
    manifest = backup.backup_verify(archive=archive)
    assert manifest["files"][0]["path"] == "analytics/log.csv"
    assert manifest["tables"]["registry_municipality"] == 1
    header = backup.read_header(archive)
    assert settings.FIELD_ENCRYPTION_KEY not in json.dumps(header)
    assert settings.FIELD_ENCRYPTION_KEY.encode() not in archive.read_bytes()


@inprocess
def test_changed_byte_is_detected(archive):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="does not authenticate"):
        backup.backup_verify(archive=archive)


@inprocess
def test_cut_off_archive_is_detected(archive):
    archive.write_bytes(archive.read_bytes()[:-40])
    with pytest.raises(backup.BackupError, match="cut off|cannot be unpacked"):
        backup.backup_verify(archive=archive)


@inprocess
def test_appended_data_is_detected(archive):
    archive.write_bytes(archive.read_bytes() + b"\x00\x00\x00\x10" + b"x" * 28)
    with pytest.raises(backup.BackupError, match="after its last part"):
        backup.backup_verify(archive=archive)


@inprocess
def test_other_key_is_refused_naming_both_keys(archive, settings):
    settings.FIELD_ENCRYPTION_KEY = OTHER_KEY
    with pytest.raises(backup.BackupError, match="sealed with key .* configured here"):
        backup.backup_verify(archive=archive)


@inprocess
def test_separate_backup_key_is_used_when_set(tmp_path, settings, muni_a):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_KEY = OTHER_KEY
    path = tmp_path / "b.ksqm"
    call_command("backup", "--output", str(path))
    assert backup.backup_verify(archive=path)["tables"]
    settings.BACKUP_KEY = None  # derived from the data key now: a different key
    with pytest.raises(backup.BackupError, match="sealed with key"):
        backup.backup_verify(archive=path)


@inprocess
def test_restore_into_a_non_empty_installation_is_refused(archive, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))


def test_not_an_archive_and_missing_file(tmp_path):
    bogus = tmp_path / "x.ksqm"
    bogus.write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(CommandError, match="Not a Kinderschutz-QM backup"):
        call_command("restore", str(bogus), "--verify-only")
    with pytest.raises(CommandError, match="nicht gefunden"):
        call_command("restore", str(tmp_path / "fehlt.ksqm"))
