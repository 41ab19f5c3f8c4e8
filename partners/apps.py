from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Einrichtungen im Kinderschutz")
    # The institution's own area (staff and lead), the insoFa's consultations and the
    # Jugendamt's intake of Mitteilungen each show only to the roles they concern.
    navigation: tuple = (
        ("partners:dashboard", _("Meine Einrichtung"), True, "partners"),
        ("partners:consultation_list", _("Beratungsanfragen"), True, "consultations"),
        ("partners:intake", _("Eingang Mitteilungen"), True, "cases"),
        ("partners:network", _("Einrichtungen im Netzwerk"), True, "analytics"),
    )
    # The procedure page links back to the Mitteilung it came from (cases.selectors hook).
    procedure_links = "partners.selectors.procedure_links_for_user"
    # Mein Bereich: sign-offs, reviews, consultation requests, Mitteilungen to acknowledge.
    due_items = "partners.selectors.due_items_for_user"
