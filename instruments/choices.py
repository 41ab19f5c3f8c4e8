"""Choices of the instruments app (German labels via gettext_lazy)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf (Vorschau)")
    PUBLISHED = "published", _("veröffentlicht")
