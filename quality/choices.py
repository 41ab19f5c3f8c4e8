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
