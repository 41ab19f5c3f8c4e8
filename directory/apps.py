from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Frühe Hilfen")
    # "Mein Bereich" asks this selector what is due for a user (core.inbox).
    due_items = "directory.selectors.due_items_for_user"
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (("directory:service_list", _("Frühe Hilfen"), False),)
    navigation_group = "public"

    def ready(self) -> None:
        from directory import signals  # noqa: F401 – keeps the SQLite search index in sync
