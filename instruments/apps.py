from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "instruments"
    verbose_name = _("Einschätzungsinstrumente")
    navigation: tuple = (("instruments:instrument_list", _("Instrumente"), True, "quality"),)
