"""Choices of the quality app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutcomeScope(models.TextChoices):
    MUNICIPAL = "municipal", _("kommunal")
    CROSS_CLUSTER = "cross_cluster", _("clusterübergreifend")


class OutcomeStatus(models.TextChoices):
    PLANNED = "planned", _("in Planung")
    IN_PROGRESS = "in_progress", _("in Umsetzung")
    ACHIEVED = "achieved", _("erreicht")
    DISCARDED = "discarded", _("verworfen")


class WorkshopKind(models.TextChoices):
    WORKSHOP = "workshop", _("Qualitätsentwicklungswerkstatt")
    CONFERENCE = "conference", _("Fachtagung")
    CHILD_PROTECTION_CONFERENCE = "cp_conference", _("Kinderschutzkonferenz")
    TRAINING = "training", _("Fortbildung")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("geplant")
    CANCELLED = "cancelled", _("abgesagt")


class RegistrationStatus(models.TextChoices):
    INVITED = "invited", _("eingeladen")
    REGISTERED = "registered", _("angemeldet")
    WAITLISTED = "waitlisted", _("Warteliste")
    CANCELLED = "cancelled", _("abgemeldet")


class EvidenceKind(models.TextChoices):
    LINK = "link", _("Link")
    FILE = "file", _("Dokument")


# The outcome lifecycle: in Planung → in Umsetzung → erreicht, or verworfen at any open
# stage; an achieved outcome may be reopened and a discarded one taken up again, because
# real work is rarely final (the transition log keeps every step).
OUTCOME_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OutcomeStatus.PLANNED: (OutcomeStatus.IN_PROGRESS, OutcomeStatus.DISCARDED),
    OutcomeStatus.IN_PROGRESS: (
        OutcomeStatus.ACHIEVED,
        OutcomeStatus.DISCARDED,
        OutcomeStatus.PLANNED,
    ),
    OutcomeStatus.ACHIEVED: (OutcomeStatus.IN_PROGRESS,),
    OutcomeStatus.DISCARDED: (OutcomeStatus.PLANNED,),
}
