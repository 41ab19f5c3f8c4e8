from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Fortbildungen")
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (("trainings:training_list", _("Fortbildungen"), True),)
