"""/api/v1/availability/{municipality} (public part of the on-call plan and crisis path)
and /api/v1/roles/{municipality} (the commune's roles, members with a token)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router

from core.api import optional_auth, token_auth
from roles import selectors
from roles.schemas import AvailabilityOut, EscalationStepOut, OnCallSlotOut, RoleOut

router = Router(tags=["Rollen und Erreichbarkeit"])


@router.get(
    "/availability/{municipality}",
    response=AvailabilityOut,
    auth=optional_auth,
    summary="Erreichbarkeit und Krisenweg einer Kommune",
)
def availability(request: HttpRequest, municipality: str):
    target = selectors.municipality_get(slug=municipality)
    member = selectors.is_member(user=request.user, municipality=target)
    now = timezone.localtime()
    return AvailabilityOut(
        municipality=target.slug,
        slots=[
            OnCallSlotOut(
                service=s.service,
                audience=s.audience,
                weekdays=sorted(s.weekdays),
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                phone=s.phone,
                note=s.note,
                reachable_now=s.covers(now),
            )
            for s in selectors.on_call_slots(municipality=target, member=member)
        ],
        escalation=[
            EscalationStepOut(
                order=step.order,
                situation=step.situation,
                action=step.action,
                role=str(step.role) if step.role else "",
                within_minutes=step.within_minutes,
            )
            for step in selectors.escalation_path(municipality=target, member=member)
        ],
    )


@router.get(
    "/roles/{municipality}",
    response=list[RoleOut],
    auth=token_auth,
    summary="Rollen im Kinderschutz einer Kommune",
)
def roles(request: HttpRequest, municipality: str):
    target = selectors.municipality_get(slug=municipality)
    if not selectors.is_member(user=request.user, municipality=target):
        raise Http404("Kommune nicht gefunden")
    return [
        RoleOut(
            id=r.pk,
            function=r.function,
            function_label=str(r.get_function_display()),
            title=r.title,
            institution=r.institution.name,
            holder=r.holder.name if r.holder else "",
            deputy=r.deputy.name if r.deputy else "",
            reports_to_id=r.reports_to_id,
            responsibilities=r.responsibilities,
        )
        for r in selectors.role_list(municipality=target)
    ]
