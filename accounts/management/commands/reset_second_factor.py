"""Remove all second factors of one login after identity was checked outside the platform."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import second_factor_reset
from core.choices import AuditSource
from core.context import change_context
from core.permissions import SystemActor


class Command(BaseCommand):
    help = (
        "Entfernt alle zweiten Faktoren einer Person (Handy und Wiederherstellungscodes "
        "verloren). Die nächste Anmeldung führt zur neuen Einrichtung. Protokolliert."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Begründung (Pflicht)")

    def handle(self, *args, username: str, reason: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unbekannter Benutzername: {username}")
        with change_context(AuditSource.CLI):
            try:
                removed = second_factor_reset(
                    user=user, actor=SystemActor("reset_second_factor"), reason=reason
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{removed} zweite Faktoren von {username} entfernt.")
