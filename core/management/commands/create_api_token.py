"""Create a personal API token for a user (for service accounts and scripts)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.choices import AuditSource
from core.context import change_context
from core.services import api_token_create


class Command(BaseCommand):
    help = "Erzeugt ein persönliches API-Token und gibt es einmalig aus."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="Bezeichnung des Tokens")
        parser.add_argument("--days", type=int, default=365, help="Gültigkeit in Tagen")

    def handle(self, *args, username: str, name: str, days: int, **options) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Keine aktive Person mit dem Namen „{username}“")
        if days < 1:
            raise CommandError("--days muss mindestens 1 sein")
        with change_context(AuditSource.CLI):
            # The operator acts for the user here; record the user as actor of their token.
            _token, raw = api_token_create(user=user, name=name, actor=user, valid_days=days)
        self.stdout.write(raw)
