"""Move every django-otp ``TOTPDevice`` into ``TOTPApp``, its secret encrypted (issue 14).

django-otp kept the TOTP secret in clear (``otp_totp_totpdevice.key``). The rows are read
with raw SQL (the plugin is no longer installed), written as ``TOTPApp`` rows whose secret
is sealed bound to the new row, and deleted from the old table, which stays behind empty.
Confirmation, name, throttling and last-used time carry over, so nobody has to enrol
again; a session verified with the old device asks for a code once more. On a fresh
installation the old table does not exist and nothing happens.

Backward: the secrets go back into the old table in clear (if it still exists).
"""

from django.db import migrations

OLD = "otp_totp_totpdevice"
COLUMNS = (
    "user_id", "name", "confirmed", "key", "step", "t0", "digits", "tolerance", "drift",
    "last_t", "throttling_failure_timestamp", "throttling_failure_count", "created_at",
    "last_used_at",
)


def _old_table_exists(schema_editor) -> bool:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return OLD in connection.introspection.table_names(cursor)


def forward(apps, schema_editor):
    if not _old_table_exists(schema_editor):
        return
    TOTPApp = apps.get_model("accounts", "TOTPApp")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {OLD}")  # noqa: S608 - constants
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        secret = row.pop("key")
        created_at = row.pop("created_at")
        last_used_at = row.pop("last_used_at")
        app = TOTPApp(secret=secret, **row)
        app.save()  # the encrypted field seals the secret bound to the new row's code
        TOTPApp.objects.filter(pk=app.pk).update(
            created_at=created_at, last_used_at=last_used_at
        )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {OLD}")  # noqa: S608


def backward(apps, schema_editor):
    if not _old_table_exists(schema_editor):
        return
    TOTPApp = apps.get_model("accounts", "TOTPApp")
    connection = schema_editor.connection
    for app in TOTPApp.objects.all():
        values = [
            app.user_id, app.name, app.confirmed, app.secret, app.step, app.t0, app.digits,
            app.tolerance, app.drift, app.last_t, app.throttling_failure_timestamp,
            app.throttling_failure_count, app.created_at, app.last_used_at,
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {OLD} ({', '.join(COLUMNS)}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
                values,
            )
    TOTPApp.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_totp_app"),
    ]

    operations = [migrations.RunPython(forward, backward)]
