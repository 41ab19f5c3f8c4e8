from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Login, second factor (TOTP, passkeys, recovery codes), passwords and sessions."""

    name = "accounts"
    verbose_name = _("Konten und Anmeldung")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401 – connects the throttle's receivers
