"""Issue 14 proof: no identifying value the demo writes lies in clear text anywhere on disk.

``demo_data --small`` runs into a fresh SQLite installation (WAL mode, as in production).
Then every value of every encrypted field of every model is opened through the ORM — the
children's and parents' names, birth dates and addresses, event details and institution
names of § 8a procedures, review narratives, raw near-miss texts, partner records, TOTP
secrets — and the raw bytes of the database file, its ``-wal`` and ``-shm`` files, every
other file of the installation and the command's own output are searched for each of
them: before and after a WAL checkpoint. Nothing may be found.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

KEY = "Yp1Q4nq3k2b2mRr5hq7mZcS4yX9v0Q3dJ8fW6tLkA1E="

# Opens every encrypted value of the installation; prints the clear values (strings of
# six characters or more: shorter ones such as "Ja" say nothing and match by chance) and
# every date that lies in clear date columns anyway (a birth date equal to a workshop
# day cannot be told apart in the raw bytes; those are counted, not searched).
COLLECT = r"""
import json, re
from django.apps import apps
from django.db import models
from core.fields import EncryptedJSONField, EncryptedTextField

def leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif isinstance(value, str):
        yield value

values, fields, clear_dates = set(), [], set()
for model in apps.get_models():
    encrypted = [f for f in model._meta.concrete_fields
                 if isinstance(f, (EncryptedTextField, EncryptedJSONField))]
    dates = [f.attname for f in model._meta.concrete_fields
             if isinstance(f, (models.DateField, models.DateTimeField))]
    for name in dates:
        for d in model._base_manager.exclude(**{name: None}).values_list(name, flat=True):
            clear_dates.add(str(d)[:10])
    if not encrypted:
        continue
    fields += [f"{model._meta.label}.{f.name}" for f in encrypted]
    for obj in model._base_manager.all().iterator():
        for f in encrypted:
            for text in leaves(getattr(obj, f.attname)):
                text = text.strip()
                if len(text) >= 6:
                    values.add(text)
# Public reference data is not identifying, also when a case names it: the master data
# of the registry (institutions, communes, their partner lists) and the youth offices.
public = set()
for model in apps.get_app_config("registry").get_models():
    texts = [f.attname for f in model._meta.concrete_fields
             if isinstance(f, (models.CharField, models.TextField))]
    for row in model._base_manager.values_list(*texts):
        public.update(str(v).strip() for v in row if v)
public.update(f"Jugendamt {n}" for n in apps.get_model("registry", "Municipality")
              ._base_manager.values_list("name", flat=True))
print(json.dumps({"values": sorted(values), "fields": fields, "public": sorted(public),
                  "clear_dates": sorted(clear_dates)}))
"""

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CODE = re.compile(r"^[a-z0-9_]+$")


def _env(var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "KSQM_", "PYTEST", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="True",
        SECRET_KEY="raw-storage-test",
        KSQM_ENCRYPTION_KEY=KEY,
        KSQM_VAR_DIR=str(var),
        KSQM_TASK_BACKEND="immediate",
        LOG_FORMAT="text",
    )
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
    return done.stdout + done.stderr


def _raw_files(var: Path) -> dict[str, bytes]:
    return {p.relative_to(var).as_posix(): p.read_bytes() for p in var.rglob("*") if p.is_file()}


def _found(values: list[str], blobs: dict[str, bytes]) -> list[tuple[str, str]]:
    hits = []
    for value in values:
        needle = value.encode()
        hits.extend((value, name) for name, blob in blobs.items() if needle in blob)
    return hits


@pytest.mark.slow
def test_no_identifying_demo_value_is_stored_in_clear(tmp_path):
    var = tmp_path / "var"
    env = _env(var)
    output = _manage(env, "migrate", "--noinput", "-v0")
    output += _manage(env, "demo_data", "--small")
    collected = json.loads(_manage(env, "shell", "-c", COLLECT).strip().splitlines()[-1])
    clear_dates = set(collected["clear_dates"])
    public = set(collected["public"])
    values = [
        v
        for v in collected["values"]
        if not (
            (ISO_DATE.match(v) and v in clear_dates)  # also a day in a clear date column
            or CODE.match(v)  # a choice key inside structured details ("daycare")
            or v.startswith("§")  # a legal reference
            or v in public
        )
    ]
    skipped = len(collected["values"]) - len(values)
    # The demo writes identifying data of every kind the issue names.
    for field in (
        "cases.PersonRecord.name",
        "cases.PersonRecord.birth_date",
        "cases.PersonRecord.address",
        "cases.ProcedureEvent.details",
        "cases.ProcedureEvent.institution_name",
        "reviews.CaseReview.summary",
        "reviews.Episode.what_happened",
        "reviews.Finding.text",
        "reviews.IncidentReport.what_happened",
        "accounts.TOTPApp.secret",
    ):
        assert field in collected["fields"], field
    assert len(values) > 100, len(values)
    assert any(v.startswith("Demo-Kind") for v in values)
    assert any(v.startswith("Demoweg") for v in values)
    assert any(ISO_DATE.match(v) for v in values)  # birth dates are searched
    assert any("Funktionspostfach" in v for v in values)  # a raw near-miss text
    assert skipped < len(values) / 4, skipped

    db = var / "kinderschutz-qm.sqlite3"
    with sqlite3.connect(db) as conn:  # a connection keeps the WAL files in place
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        blobs = _raw_files(var)
        assert any(name.endswith("-wal") for name in blobs) or db.stat().st_size > 0
        blobs["command output"] = output.encode()
        assert _found(values, blobs) == []
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blobs = _raw_files(var)
    assert _found(values, blobs) == []
    # The check can fail: the same search finds a value written in clear.
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE leak (t TEXT)")
        conn.execute("INSERT INTO leak VALUES (?)", [values[0]])
    assert _found(values[:1], _raw_files(var)) != []
