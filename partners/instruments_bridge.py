"""Which risk-assessment instrument a partner record uses, and validating its answers.

The commune's own, versioned instruments live in the ``instruments`` app; this module is
the one place the partner side asks it, so records store (key, version) like the
Jugendamt's assessments do.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def current_instrument_for(
    *, municipality_id: int, institution_type: str
) -> tuple[str, str] | None:
    """(key, version) of the newest published instrument for this institution type."""
    from instruments.selectors import instrument_current_for

    version = instrument_current_for(
        municipality_id=municipality_id, institution_type=institution_type
    )
    return (version.instrument.key, str(version.number)) if version else None


def instrument_definition(*, key: str, version: str, municipality_id: int) -> Any:
    """The parsed instrument of a stored (key, version), or None when it is unknown."""
    from instruments.selectors import instrument_version_definition

    return instrument_version_definition(key=key, version=version, municipality_id=municipality_id)


def validate_answers(
    *, key: str, version: str, age_band: str, answers: dict[str, Any], municipality_id: int
) -> dict[str, int]:
    """The answers cleaned against the record's own instrument version."""
    from cases.instruments import InstrumentError

    definition = instrument_definition(key=key, version=version, municipality_id=municipality_id)
    if definition is None:
        raise ValidationError(_no_instrument())
    try:
        return definition.validate_answers(age_band, answers)
    except InstrumentError as exc:
        raise ValidationError(str(exc)) from exc


def _no_instrument() -> str:
    from django.utils.translation import gettext as _

    return _("Für diese Dokumentation ist kein Einschätzungsinstrument hinterlegt.")
