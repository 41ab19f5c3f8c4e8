"""The institution's dashboard counts with 100,000 records in one Kita: before and after.

Three ways to get the same five figures (records, drafts, reviews due, Mitteilungen
without feedback, feedback received), each checked against the others:

* **naive per-row** (the named peer): load the institution's records with their
  Mitteilung and count in Python — what a first implementation does;
* **before**: main at 978d776 — one FILTER aggregate over the records plus two message
  counts through a subquery over the records, with the indexes of migration 0002
  ((institution, status), (municipality, noticed_on));
* **now**: ``partners.selectors.record_dashboard`` — four counts, each one range of a
  covering index of migration 0003 (institution, municipality, …).

The "before" indexes are put back for its measurement and the current ones restored
afterwards. Then the whole page (/partner/, first page and page 500) with the current
code. SQLite in a temporary directory, or PostgreSQL from BENCH_DATABASE_URL (the
database must exist and may be emptied).
Run: .venv/bin/python bench/partners_dashboard.py [--records N]
"""

from __future__ import annotations

import argparse
import os
import random
import sys

from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

# partners_scale sets up Django (settings, temporary SQLite) on import.
from partners_scale import bench_fixture, populate, timed, wipe

NOW_INDEXES = {
    "partners_partnerrecord": {
        "partners_rec_inst_status": "institution_id, municipality_id, status",
        "partners_rec_inst_review": "institution_id, municipality_id, decision, review_on",
        "partners_rec_inst_noticed": "institution_id, municipality_id, noticed_on",
    },
    "partners_partnermessage": {
        "partners_msg_inst_feedback": "institution_id, municipality_id, feedback_at",
    },
}
BEFORE_INDEXES = {
    "partners_partnerrecord": {"partners_rec_inst_status": "institution_id, status"},
}


def _set_indexes(drop: dict, create: dict) -> None:
    with connection.cursor() as cursor:
        for names in drop.values():
            for name in names:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        for table, names in create.items():
            for name, columns in names.items():
                cursor.execute(f"CREATE INDEX {name} ON {table} ({columns})")  # noqa: S608
        # VACUUM as autovacuum would after a bulk load: PostgreSQL's index-only scans
        # need the visibility map.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def naive_per_row(user) -> dict:
    """The peer: every record (and its message) loaded, counted in Python. Only the
    fields counted are loaded — no decryption — so the peer is not slowed artificially."""
    from partners.selectors import records_for_user

    today = timezone.localdate()
    counts = dict.fromkeys(
        ("total", "drafts", "review_due", "messages_open", "feedback_received"), 0
    )
    rows = (
        records_for_user(user=user)
        .select_related("message")
        .only("status", "decision", "review_on", "message__feedback_at")
    )
    for record in rows:
        counts["total"] += 1
        counts["drafts"] += record.status == "draft"
        counts["review_due"] += bool(
            record.decision == "monitor" and record.review_on and record.review_on <= today
        )
        message = getattr(record, "message", None)
        if message is not None:
            counts["messages_open"] += message.feedback_at is None
            counts["feedback_received"] += message.feedback_at is not None
    return counts


def before(user) -> dict:
    """``record_dashboard`` as it was on main at 978d776 (kept here as the "before")."""
    from partners.models import PartnerMessage, PartnerRecord
    from partners.selectors import binding_for

    binding = binding_for(user=user)
    qs = PartnerRecord.objects.visible_to(user).filter(institution_id=binding.institution_id)
    today = timezone.localdate()
    counts = qs.aggregate(
        total=Count("id"),
        drafts=Count("id", filter=Q(status="draft")),
        review_due=Count("id", filter=Q(decision="monitor", review_on__lte=today)),
    )
    messages = PartnerMessage.objects.filter(record__in=qs)
    counts["messages_open"] = messages.filter(feedback_at__isnull=True).count()
    counts["feedback_received"] = messages.filter(feedback_at__isnull=False).count()
    return counts


def now(user) -> dict:
    from partners.selectors import record_dashboard

    return record_dashboard(user=user)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--records", type=int, default=int(os.environ.get("BENCH_RECORDS", "100000"))
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    wipe()
    kita, staff, _worker = bench_fixture()
    seconds = populate(kita, staff, args.records, random.Random(13))
    # Some monitored records with a review date, so that count is not trivially zero.
    from partners.models import PartnerRecord

    monitored = PartnerRecord.objects.filter(institution=kita, decision="monitor")
    monitored.filter(pk__in=monitored.values("pk")[: args.records // 20]).update(
        review_on=timezone.localdate()
    )
    print(f"{connection.vendor}: {args.records:,} records in one Kita, inserted in {seconds:.1f} s")

    results = {}
    print(f"{'dashboard counts':<48} {'median':>9} {'max':>9} {'queries':>8}")
    for label, fn, indexes in (
        ("naive per-row (peer), current indexes", naive_per_row, None),
        ("before (main 978d776), its indexes", before, BEFORE_INDEXES),
        ("now: record_dashboard, covering indexes", now, NOW_INDEXES),
    ):
        if indexes is BEFORE_INDEXES:
            _set_indexes(NOW_INDEXES, BEFORE_INDEXES)
        elif indexes is NOW_INDEXES:
            _set_indexes(BEFORE_INDEXES, NOW_INDEXES)
        results[label] = fn(staff)
        median, worst, queries = timed(
            lambda fn=fn: fn(staff), repeat=3 if fn is naive_per_row else 7
        )
        results[label + " time"] = median
        print(f"{label:<48} {median * 1000:8.1f}ms {worst * 1000:8.1f}ms {queries:>8}")
    figures = [v for k, v in results.items() if not k.endswith(" time")]
    if any(f != figures[0] for f in figures):
        print("MISMATCH between the three ways:", figures)
        sys.exit(1)
    print(f"figures (all three agree): {figures[0]}")
    t_now = results["now: record_dashboard, covering indexes time"]
    for label in ("naive per-row (peer), current indexes", "before (main 978d776), its indexes"):
        print(f"now is {results[label + ' time'] / t_now:,.0f}× faster than {label.split(',')[0]}")

    client = Client()
    client.force_login(staff)
    client.get("/partner/")  # the process's first request loads URLs, templates, catalogues

    def page(url):
        def call():
            assert client.get(url).status_code == 200

        return call

    print(f"{'page (current code and indexes)':<48} {'median':>9} {'max':>9} {'queries':>8}")
    for label, url in (("/partner/", "/partner/"), ("/partner/?page=500", "/partner/?page=500")):
        median, worst, queries = timed(page(url))
        print(f"{label:<48} {median * 1000:8.1f}ms {worst * 1000:8.1f}ms {queries:>8}")
    wipe()


if __name__ == "__main__":
    main()
