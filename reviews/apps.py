from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Aus Fehlern lernen")
    # "Mein Bereich" asks this selector what is due for a user (core.inbox).
    due_items = "reviews.selectors.due_items_for_user"
    # A section of the Bericht an den Jugendhilfeausschuss (cases.report_sections).
    committee_report_section = "reviews.selectors.committee_report_section"
    # Audit and read-log rows of reviews under a legal hold outlive the log retention.
    log_holds = "reviews.selectors.log_holds"
    # A procedure a running (or legally held) review works on is not purged (cases).
    procedure_purge_holds = "reviews.selectors.procedure_purge_holds"
    # Entries for the main navigation: (url name, label, needs login).
    navigation: tuple = (
        ("reviews:incident_start", _("Beinahe-Ereignis melden"), False),
        ("reviews:library", _("Lernbibliothek"), False),
        ("reviews:review_list", _("Falluntersuchungen"), True),
    )
    navigation_group = "casework"
    navigation_groups = {"reviews:incident_start": "public", "reviews:library": "quality"}

    def ready(self) -> None:
        from core.context import UNTRACED_PATH_PREFIXES

        # Anonymous near-miss reports by API: no request id in any response, also not in
        # a 422 that the input validation returns before the endpoint runs.
        UNTRACED_PATH_PREFIXES.add("/api/v1/incident-reports")
