from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    """Commune profiles: one floor above ``registry`` and ``quality`` (CONTRIBUTING.md).

    It owns the profile import orchestration, the profile read model and the public
    home/commune/cluster pages with their API; the parser, name matching, taxonomy and
    master-data models stay in ``registry``, the profile items in ``quality``.
    """

    name = "profiles"
    verbose_name = _("Kommunenprofile")
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (
        ("profiles:municipality_list", _("Kommunen"), False),
        ("profiles:cluster_list", _("Cluster"), False),
    )
    navigation_group = "communes"
