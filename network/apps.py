from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Netzwerk")
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (("network:overview", _("Netzwerk"), True),)
