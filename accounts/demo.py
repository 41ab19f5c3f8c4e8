"""Demo second factors: every demo login that needs one gets a TOTP app with one fixed,
clearly synthetic secret, so a newcomer adds it to any authenticator app once (or asks
``manage.py demo_totp`` for the current code) and can log in as every demo user."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import TOTPApp
from core import permissions
from profiles.demo import DEMO_PASSWORD

# 20 bytes spelling "DEMO…" in base32: obviously not a real secret. Demo only.
DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"  # noqa: S105 – printed on purpose
DEMO_DEVICE_NAME = "Demo-App (synthetischer Schlüssel)"


def demo_key_hex() -> str:
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


def _is_demo_login(user: Any) -> bool:
    # A login whose password is the published demo password is a demo login by definition;
    # the published TOTP secret lowers nothing for it. Real accounts never get it.
    return user.check_password(DEMO_PASSWORD)


def load(*, seed: int, small: bool, stdout: Any) -> dict[str, Any]:  # noqa: ARG001
    made = 0
    with transaction.atomic():
        # The demo apps name their synthetic people "Demo …"; only those are checked.
        for user in get_user_model().objects.filter(first_name="Demo").order_by("pk"):
            if not permissions.requires_second_factor(user) or not _is_demo_login(user):
                continue
            _device, created = TOTPApp.objects.get_or_create(
                user=user,
                name=DEMO_DEVICE_NAME,
                defaults={"secret": demo_key_hex(), "confirmed": True},
            )
            made += int(created)
    stdout.write(f"  Zweiter Faktor: {made} Demo-Zugänge mit Demo-TOTP-App versehen")
    return {
        "notes": [
            "",
            "Zweiter Faktor (Fallrollen, Koordination, Datenschutz, Projektteam, admin):",
            f"  Authenticator-App (TOTP) mit dem Demo-Schlüssel {DEMO_TOTP_SECRET} einrichten,",
            "  oder den aktuellen Code anzeigen:  .venv/bin/python manage.py demo_totp",
            "  (netzwerk-bonn braucht keinen zweiten Faktor.)",
        ]
    }
