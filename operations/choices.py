"""Choices of the operations app (German labels via gettext_lazy)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleRunStatus(models.TextChoices):
    QUEUED = "queued", _("eingereiht")
    RUNNING = "running", _("läuft")
    SUCCEEDED = "succeeded", _("erfolgreich")
    FAILED = "failed", _("fehlgeschlagen")
