from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Verfahren nach § 8a SGB VIII")
    # Entries for the main navigation: (url name, label, needs login, permission domain).
    navigation: tuple = (("cases:procedure_list", _("Verfahren"), True, "cases"),)
