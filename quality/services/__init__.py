"""Writes of the quality app, one module per sub-domain.

Import from the package (``from quality.services import outcome_create``): the modules
are an internal split, and the names below are the package's interface.
"""

from quality.services.evidence import (
    EVIDENCE_MAX_BYTES,
    EVIDENCE_TYPES,
    evidence_add,
    evidence_delete,
)
from quality.services.feeds import calendar_feed_for, calendar_feed_renew
from quality.services.outcomes import (
    OUTCOME_EDITABLE_FIELDS,
    OutcomeConflict,
    outcome_create,
    outcome_transition,
    outcome_update,
)
from quality.services.profile_items import (
    ItemTree,
    development_interest_create,
    profile_item_update,
    profile_items_sync,
)
from quality.services.registrations import (
    attendance_record,
    invitation_respond,
    registration_cancel,
    registration_signup,
    seat_available,
    seat_quota_set,
    session_invite,
)
from quality.services.workshops import (
    SESSION_EDITABLE_FIELDS,
    add_months,
    agenda_item_add,
    agenda_item_delete,
    session_add,
    session_cancel,
    session_series_dates,
    session_update,
    workshop_create,
    workshop_schedule_series,
    workshop_update,
)

__all__ = [
    "EVIDENCE_MAX_BYTES",
    "EVIDENCE_TYPES",
    "OUTCOME_EDITABLE_FIELDS",
    "SESSION_EDITABLE_FIELDS",
    "ItemTree",
    "OutcomeConflict",
    "add_months",
    "agenda_item_add",
    "agenda_item_delete",
    "attendance_record",
    "calendar_feed_for",
    "calendar_feed_renew",
    "development_interest_create",
    "evidence_add",
    "evidence_delete",
    "invitation_respond",
    "outcome_create",
    "outcome_transition",
    "outcome_update",
    "profile_item_update",
    "profile_items_sync",
    "registration_cancel",
    "registration_signup",
    "seat_available",
    "seat_quota_set",
    "session_add",
    "session_cancel",
    "session_invite",
    "session_series_dates",
    "session_update",
    "workshop_create",
    "workshop_schedule_series",
    "workshop_update",
]
