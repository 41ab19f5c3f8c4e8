"""Choices of the analytics app (German labels via gettext_lazy)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadStatus(models.TextChoices):
    PENDING = "pending", _("wartet")
    RUNNING = "running", _("wird verarbeitet")
    DONE = "done", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")


class LogFormat(models.TextChoices):
    XES = "xes", _("XES (auch .xes.gz)")
    CSV = "csv", _("CSV")
    PARQUET = "parquet", _("Parquet")
