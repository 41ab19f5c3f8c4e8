"""Cache invalidation only (STYLE §7.3): a saved or deleted procedure or team makes its
commune's case lists render afresh in every web process (core.fragcache).

Bulk writes through ``Procedure.objects`` are covered by ``ProcedureQuerySet``; team
memberships and roles need nothing here, because the user's scope is part of the key.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.models import Procedure, Team, case_list_changed


@receiver(post_save, sender=Procedure, dispatch_uid="ksqm-case-list-procedure-saved")
@receiver(post_delete, sender=Procedure, dispatch_uid="ksqm-case-list-procedure-deleted")
@receiver(post_save, sender=Team, dispatch_uid="ksqm-case-list-team-saved")
@receiver(post_delete, sender=Team, dispatch_uid="ksqm-case-list-team-deleted")
def _case_list_changed(sender: Any, instance: Procedure | Team, **kwargs: Any) -> None:
    case_list_changed([instance.municipality_id])
