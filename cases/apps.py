from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Verfahren nach § 8a SGB VIII")
    # "Mein Bereich" asks this selector what is due for a user (core.inbox).
    due_items = "cases.selectors.due_items_for_user"
    # Audit and read-log rows of open procedures outlive the log retention (core.retention).
    log_holds = "cases.selectors.log_holds"
    # Entries for the main navigation: (url name, label, needs login, permission domain).
    navigation: tuple = (
        (
            "cases:procedure_list",
            pgettext_lazy("procedures, plural heading", "Verfahren"),
            True,
            "cases",
        ),
    )
    navigation_group = "casework"

    def ready(self) -> None:
        from cases import signals  # noqa: F401 – case-list cache invalidation
        from cases.models import Team, TeamMembership, case_team_rows
        from core import principal

        # The signed-in user's teams travel in the per-process snapshot (core.principal).
        principal.watch(TeamMembership, lambda membership: [membership.user_id])
        principal.watch(
            Team,
            lambda team: TeamMembership.objects.filter(team_id=team.pk).values_list(
                "user_id", flat=True
            ),
        )
        principal.register_part("case_teams", case_team_rows)
