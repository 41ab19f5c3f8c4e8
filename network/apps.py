from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Netzwerk")
    # "Mein Bereich" asks this selector what is due for a user (core.inbox).
    due_items = "network.selectors.due_items_for_user"
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (("network:overview", _("Netzwerk"), True),)
    navigation_group = "communes"
