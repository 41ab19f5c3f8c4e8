"""Adds the load benchmark's large installation on top of the demo data (synthetic only).

Up to ``--communes`` communes in all (new ones named "Benchstadt N"), ``--offers`` offers
in the Frühe-Hilfen directory spread over them, ``--procedures`` § 8a procedures (in
the demo's case team of Bonn, so the logged-in case list reads a large table). Run by
``bench/load.py --scale`` with the benchmark's environment; idempotent through a marker.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import cases_scale  # noqa: E402  (bench/: the raw procedure generator)
from directory_search import synthetic_services  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402


def add_communes(total: int) -> list:
    from registry.models import Municipality, State

    have = Municipality.objects.count()
    states = list(State.objects.order_by("code"))
    new = [
        Municipality(
            slug=f"benchstadt-{i}",
            name=f"Benchstadt {i}",
            state=states[i % len(states)],
        )
        for i in range(max(0, total - have))
    ]
    Municipality.objects.bulk_create(new, batch_size=500)
    return list(Municipality.objects.order_by("pk"))


def add_offers(communes: list, n: int, rng: random.Random) -> None:
    from directory import search
    from directory.models import Service, TaxonomyTerm

    terms = list(TaxonomyTerm.objects.all())
    services, chosen = synthetic_services(rng, communes, n, terms)
    with transaction.atomic():
        Service.objects.bulk_create(services, batch_size=1000)
        pks = dict(Service.objects.values_list("code", "pk"))
        through = Service.target_groups.through
        through.objects.bulk_create(
            [
                through(service_id=pks[s.code], taxonomyterm_id=t.pk)
                for s, groups in zip(services, chosen, strict=True)
                for t in groups
            ],
            batch_size=2000,
        )
        search.rebuild_index()


def add_procedures(n: int, rng: random.Random) -> None:
    from cases.models import Team

    team = Team.objects.filter(municipality__slug__contains="bonn").order_by("pk").first()
    if team is None:
        sys.exit("the demo's Bonn case team is missing: run demo_data first")
    end = timezone.now()
    cases_scale.populate(team.municipality, team, [], n, end - dt.timedelta(days=3 * 365), end, rng)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communes", type=int, default=500)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--procedures", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(11)
    started = time.perf_counter()
    communes = add_communes(args.communes)
    add_offers(communes, args.offers, rng)
    add_procedures(args.procedures, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from cases.models import Procedure
    from directory.models import Service
    from registry.models import Municipality

    print(
        f"scale data: {Municipality.objects.count():,} communes, "
        f"{Service.objects.count():,} offers, {Procedure.objects.count():,} procedures "
        f"({time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
