from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")
    # "Mein Bereich" asks this selector what is due for a user (core.inbox).
    due_items = "evaluation.selectors.due_items_for_user"
    # Its section of the Bericht an den Jugendhilfeausschuss (cases.report_sections).
    committee_report_section = "evaluation.selectors.committee_report_section"
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (("evaluation:round_list", _("Evaluation"), True),)
    navigation_group = "quality"
