from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Login, second factor (TOTP, passkeys, recovery codes), passwords and sessions."""

    name = "accounts"
    verbose_name = _("Konten und Anmeldung")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401 – connects the throttle's receivers

        _keep_device_ids_current()


def _keep_device_ids_current() -> None:
    """Which confirmed second-factor devices the user has, in each process's snapshot of
    a signed-in user (core.principal): the middleware checks the session's device there."""
    from django.apps import apps
    from django.db.models import CharField, Value
    from django_otp.models import Device

    from core import principal

    device_models = [m for m in apps.get_models() if issubclass(m, Device)]
    for model in device_models:
        principal.watch(model, lambda device: [device.user_id])

    def confirmed_device_ids(user: object) -> frozenset[str]:
        # One query over every device table (login snapshot misses are on the hot path).
        per_model = [
            model.objects.filter(user_id=user.pk, confirmed=True).values_list(
                Value(model.model_label(), output_field=CharField()), "pk"
            )
            for model in device_models
        ]
        rows = per_model[0].union(*per_model[1:], all=True) if per_model else []
        return frozenset(f"{label}/{pk}" for label, pk in rows)

    principal.register_part("otp_devices", confirmed_device_ids)
