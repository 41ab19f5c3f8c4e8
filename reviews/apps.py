from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Aus Fehlern lernen")
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (
        ("reviews:incident_start", _("Beinahe-Ereignis melden"), False),
        ("reviews:library", _("Lernbibliothek"), False),
        ("reviews:review_list", _("Falluntersuchungen"), True),
    )
