from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Qualitätsentwicklung")
    navigation = (
        ("quality:board", _("Ergebnisse"), True),
        ("quality:workshop_list", _("Werkstätten"), True),
        ("quality:search", _("Voneinander lernen"), False),
    )

    def ready(self) -> None:
        from quality import signals

        signals.connect()
