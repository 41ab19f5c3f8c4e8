from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Betrieb")
    navigation: tuple = ()

    def ready(self) -> None:
        from operations import signals  # noqa: F401
