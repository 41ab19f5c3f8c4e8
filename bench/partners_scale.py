"""Partner side at scale: the institution's dashboard and the Jugendamt's intake with
100,000 partner records in one institution (the worst case for the dashboard) and every
fifth of them sent to the Jugendamt as a Mitteilung.

SQLite in a temporary directory, or PostgreSQL from BENCH_DATABASE_URL (the database must
exist and may be emptied). Run: .venv/bin/python bench/partners_scale.py [--records N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="ksqm-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ.setdefault("KSQM_VAR_DIR", _tmp)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 5_000


def timed(fn, repeat: int = 5) -> tuple[float, float, int]:
    samples = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        queries = len(captured)
    samples.sort()
    return statistics.median(samples), samples[-1], queries


def wipe() -> None:
    from partners import models

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (
            models.PartnerEvent,
            models.Consultation,
            models.PartnerMessage,
            models.PartnerRecord,
            models.StaffBinding,
        ):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def populate(institution, author, n: int, rng: random.Random) -> float:
    """``n`` records through bulk_create (encrypted free text included), every fifth with a
    Mitteilung: 90 % acknowledged, some with feedback, some overdue."""
    from partners.models import PartnerMessage, PartnerRecord

    started = time.perf_counter()
    today = timezone.localdate()
    now = timezone.now()
    done = 0
    while done < n:
        size = min(BATCH, n - done)
        records = [
            PartnerRecord(
                municipality_id=institution.municipality_id,
                institution=institution,
                child_code=f"B-{done + i:07d}",
                age_band=rng.choice(["0-3", "3-6"]),
                noticed_on=today - dt.timedelta(days=rng.randint(1, 1000)),
                indications="Synthetische Beobachtung für den Benchmark.",
                status=rng.choice(["draft", "signed", "signed", "signed"]),
                decision=rng.choice(["none", "monitor", "inform", ""]),
                author=author,
            )
            for i in range(size)
        ]
        with transaction.atomic():
            PartnerRecord.objects.bulk_create(records, batch_size=1000)
            created = list(
                PartnerRecord.objects.filter(
                    child_code__in=[r.child_code for r in records[::5]]
                ).values_list("pk", "noticed_on")
            )
            messages = []
            for j, (pk, noticed) in enumerate(created):
                sent = timezone.make_aware(
                    dt.datetime.combine(noticed, dt.time(12))
                ) + dt.timedelta(days=rng.randint(0, 10))
                sent = min(sent, now)
                acknowledged = rng.random() < 0.9
                messages.append(
                    PartnerMessage(
                        municipality_id=institution.municipality_id,
                        record_id=pk,
                        institution=institution,
                        receipt=f"B-{done:07d}-{j:05d}",
                        reporter_category="daycare",
                        sent_at=sent,
                        observations="Synthetisch.",
                        contact_person="Bench",
                        child_name="Bench-Kind",
                        child_sex="f",
                        child_birth_month=1,
                        child_birth_year=today.year - 4,
                        status="acknowledged" if acknowledged else "sent",
                        acknowledged_at=sent + dt.timedelta(hours=2) if acknowledged else None,
                        feedback_due=sent + dt.timedelta(days=28),
                        feedback_at=sent + dt.timedelta(days=10) if rng.random() < 0.7 else None,
                    )
                )
            PartnerMessage.objects.bulk_create(messages, batch_size=1000)
        done += size
    return time.perf_counter() - started


def bench_fixture():
    """The bench commune with one Kita, its staff member and a Jugendamt caseworker."""
    from django.contrib.auth import get_user_model

    from cases.models import Team, TeamMembership
    from core.choices import Role
    from core.models import Membership
    from core.services import user_create
    from partners.models import StaffBinding
    from registry.models import Institution, Municipality

    muni, _ = Municipality.objects.get_or_create(
        slug="bench-partner", defaults={"name": "Bench Partner"}
    )
    kita, _ = Institution.objects.get_or_create(
        municipality=muni, name="Bench-Kita", defaults={"institution_type": "daycare"}
    )
    users = get_user_model().objects
    staff = users.filter(username="bench-kita").first() or user_create(
        username="bench-kita", password="bench-kennwort-1"
    )
    worker = users.filter(username="bench-asd").first() or user_create(
        username="bench-asd", password="bench-kennwort-1"
    )
    Membership.objects.get_or_create(user=staff, municipality=muni, role=Role.INSTITUTION_STAFF)
    Membership.objects.get_or_create(user=worker, municipality=muni, role=Role.CASEWORKER)
    StaffBinding.objects.get_or_create(
        user=staff,
        defaults={"institution": kita, "municipality": muni, "role": "institution_staff"},
    )
    team, _ = Team.objects.get_or_create(municipality=muni, name="Bench ASD")
    TeamMembership.objects.get_or_create(team=team, user=worker)
    return kita, staff, worker


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--records", type=int, default=int(os.environ.get("BENCH_RECORDS", "100000"))
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    wipe()
    kita, staff, worker = bench_fixture()

    rng = random.Random(13)
    seconds = populate(kita, staff, args.records, rng)
    print(f"{connection.vendor}: {args.records:,} partner records inserted in {seconds:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM as autovacuum would after a bulk load: PostgreSQL's index-only scans
            # need the visibility map.
            cursor.execute("VACUUM ANALYZE")

    kita_client, ja_client = Client(), Client()
    kita_client.force_login(staff)
    ja_client.force_login(worker)
    from core.services import api_token_create

    _t, raw_kita = api_token_create(user=staff, name="bench", actor=staff)
    _t, raw_ja = api_token_create(user=worker, name="bench", actor=worker)

    def get(client, url, **headers):
        def call():
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)

        return call

    kita_api = {"HTTP_AUTHORIZATION": f"Bearer {raw_kita}"}
    ja_api = {"HTTP_AUTHORIZATION": f"Bearer {raw_ja}"}
    cases = [
        ("Kita dashboard /partner/ (counts + first 50)", get(kita_client, "/partner/")),
        ("Kita dashboard, page 500", get(kita_client, "/partner/?page=500")),
        (
            "API partners/records (first 100)",
            get(kita_client, "/api/v1/partners/records", **kita_api),
        ),
        ("Jugendamt intake /partner/eingang/", get(ja_client, "/partner/eingang/")),
        (
            "Jugendamt intake: feedback overdue",
            get(ja_client, "/partner/eingang/?state=feedback_overdue"),
        ),
        ("Jugendamt intake: new", get(ja_client, "/partner/eingang/?state=new")),
        ("API partners/intake (first 100)", get(ja_client, "/api/v1/partners/intake", **ja_api)),
    ]
    print(f"{'page':<58} {'median':>9} {'max':>9} {'queries':>8}")
    for label, fn in cases:
        median, worst, queries = timed(fn)
        print(f"{label:<58} {median * 1000:8.0f}ms {worst * 1000:8.0f}ms {queries:>8}")
    wipe()


if __name__ == "__main__":
    main()
