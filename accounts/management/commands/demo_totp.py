"""Print the current code of the demo TOTP app (only for the synthetic demo secret)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from accounts.demo import DEMO_TOTP_SECRET, demo_key_hex
from accounts.models import TOTPApp


class Command(BaseCommand):
    help = (
        "Zeigt den aktuellen Code der Demo-Authenticator-App (Schlüssel "
        f"{DEMO_TOTP_SECRET}) – nur mit DEBUG=True, nur für Demo-Zugänge."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", action="store_true", help="alle 30 s neu anzeigen")

    def handle(self, *args, watch: bool, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp läuft nur in der Demo (DEBUG=True).")
        # The secret is encrypted (no lookup on it): open each demo app and compare.
        devices = [
            d
            for d in TOTPApp.objects.filter(confirmed=True).select_related("user")
            if d.secret == demo_key_hex()
        ]
        if not devices:
            raise CommandError("Keine Demo-Zugänge mit Demo-App gefunden (manage.py demo_data).")
        names = ", ".join(sorted(d.user.get_username() for d in devices))
        key = bytes.fromhex(demo_key_hex())
        while True:
            totp = TOTP(key)
            remaining = 30 - int(time.time()) % 30
            self.stdout.write(f"Code {totp.token():06d}  (noch {remaining} s gültig) für: {names}")
            if not watch:
                return
            time.sleep(remaining)
