from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = _("Qualitätsentwicklung")
    # "Mein Bereich" asks this selector what is due for a user (core.inbox).
    due_items = "quality.selectors.due_items_for_user"
    # A section of the Bericht an den Jugendhilfeausschuss (cases.report_sections).
    committee_report_section = "quality.selectors.committee_report_section"
    # (url name, label, needs login, permission domain): board and workshops show only
    # to those who may view quality work; the search is public.
    navigation = (
        ("quality:board", _("Ergebnisse"), True, "quality"),
        ("quality:workshop_list", _("Werkstätten"), True, "quality"),
        ("quality:search", _("Voneinander lernen"), False),
    )
    navigation_group = "quality"

    def ready(self) -> None:
        from quality import signals

        signals.connect()
