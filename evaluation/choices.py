"""Choices of the evaluation app (German labels via gettext_lazy)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    SELF = "self", _("Selbstevaluation")
    EXTERNAL = "external", _("Fremdevaluation")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("offen")
    CLOSED = "closed", _("abgeschlossen")


class FollowUpKind(models.TextChoices):
    INTEREST = "interest", _("Qualitätsentwicklungsinteresse")
    OUTCOME = "outcome", _("Ergebnis / Maßnahme")
