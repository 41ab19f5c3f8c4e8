from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = _("Standards")
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (("standards:document_list", _("Standards"), False),)
    # What "Mein Bereich" shows (core.inbox): standards due for review.
    due_items = "standards.selectors.due_items_for_user"
