from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Plattform")

    def ready(self) -> None:
        from core import pagecache, signals  # noqa: F401

        pagecache.connect_signals()
