"""API shapes of roles, on-call plan and crisis path."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class OnCallSlotOut(Schema):
    service: str
    audience: str
    weekdays: list[int]
    starts_at: dt.time
    ends_at: dt.time
    phone: str
    note: str
    reachable_now: bool


class EscalationStepOut(Schema):
    order: int
    situation: str
    action: str
    role: str
    within_minutes: int | None


class AvailabilityOut(Schema):
    municipality: str
    slots: list[OnCallSlotOut]
    escalation: list[EscalationStepOut]


class RoleOut(Schema):
    id: int
    function: str
    function_label: str
    title: str
    institution: str
    holder: str
    deputy: str
    reports_to_id: int | None
    responsibilities: str
