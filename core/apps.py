from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Plattform")

    def ready(self) -> None:
        from core import pagecache, signals  # noqa: F401

        pagecache.connect_signals()
        _keep_principals_current()


def _keep_principals_current() -> None:
    """The user row and the roles in each process's snapshot of a signed-in user."""
    from django.contrib.auth import get_user_model

    from core import principal
    from core.models import Membership

    principal.watch(get_user_model(), lambda user: [user.pk])
    principal.watch(Membership, lambda membership: [membership.user_id])
    principal.register_part(
        "memberships",
        lambda user: tuple(user.memberships.values_list("municipality_id", "role")),
    )
