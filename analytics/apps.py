from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Prozessanalyse")
    # Entries for the main navigation: (url name, label, needs login, permission domain).
    navigation: tuple = (("analytics:process_map", _("Prozessanalyse"), True, "analytics"),)
    navigation_group = "casework"
