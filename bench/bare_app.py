"""The framework's floor for bench/load.py: a bare Django view under the same server.

One SQLite query for 50 rows, rendered as a template table: what any Django page costs
before our code runs. Served by the same server with the same worker count as the app.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

import django
from django.conf import settings

DB = Path(os.environ.get("BARE_DB", Path(tempfile.gettempdir()) / "ksqm-bare.sqlite3"))

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bare-bench",  # noqa: S106 – a benchmark process, no secrets
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB}},
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )
    django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.template import Context, Engine  # noqa: E402
from django.urls import path  # noqa: E402

TABLE = Engine().from_string(
    "<!doctype html><html lang='de'><title>Bare</title><table>"
    "{% for id, name, city in rows %}<tr><td>{{ id }}</td><td>{{ name }}</td>"
    "<td>{{ city }}</td></tr>{% endfor %}</table></html>"
)


def prepare() -> None:
    con = sqlite3.connect(DB)
    con.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, name TEXT, city TEXT)")
    if not con.execute("SELECT count(*) FROM item").fetchone()[0]:
        con.executemany(
            "INSERT INTO item (name, city) VALUES (?, ?)",
            [(f"Angebot {i}", f"Stadt {i % 7}") for i in range(50)],
        )
    con.commit()
    con.close()


def bare(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name, city FROM item ORDER BY id LIMIT 50")
        rows = cursor.fetchall()
    return HttpResponse(TABLE.render(Context({"rows": rows})))


urlpatterns = [path("bare/", bare)]

prepare()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
