"""Risk-assessment instruments as the commune's own, versioned data (issue 13).

An :class:`Instrument` is a key and a title; each upload is an :class:`InstrumentVersion`
with the YAML source and its parsed definition. Publishing gives the next version number
and names the institution types it is for. Published versions are never changed, so an
assessment that stores (key, version) reads the same form forever. Instruments without a
commune are the platform's shipped examples.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel
from instruments.choices import VersionStatus


class Instrument(TenantModel):
    """A commune's risk-assessment instrument (or a shipped example without commune)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instruments",
        verbose_name=_("Kommune"),
    )
    key = models.SlugField(_("Kennung"), max_length=60)
    title = models.CharField(_("Titel"), max_length=250)
    example = models.BooleanField(_("Beispiel (kein Fachstandard)"), default=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    permission_domain = permissions.QUALITY
    audit_fields = ("key", "title", "example")

    class Meta:
        verbose_name = _("Einschätzungsinstrument")
        verbose_name_plural = _("Einschätzungsinstrumente")
        ordering = ["municipality__name", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"],
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=_("Ein Instrument mit dieser Kennung gibt es schon."),
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(municipality__isnull=True),
                name="%(app_label)s_%(class)s_unique_shipped_key",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("instruments:instrument_detail", args=[self.code])


class InstrumentVersion(models.Model):
    """One uploaded version: draft for the preview, then published with its number."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="versions", verbose_name=_("Instrument")
    )
    number = models.PositiveIntegerField(_("Version"), null=True, blank=True)
    status = models.CharField(
        _("Stand"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    source = models.TextField(_("Quelltext (YAML)"))
    definition = models.JSONField(_("Inhalt"))
    institution_types = models.JSONField(
        _("für Arten von Einrichtungen"),
        default=list,
        blank=True,
        help_text=_("Leer: für alle Arten von Einrichtungen"),
    )
    note = models.CharField(_("Änderungshinweis"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hochgeladen von"),
    )
    uploaded_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)

    tenant_field = "instrument__municipality_id"
    audit_fields = ("instrument_id", "number", "status", "institution_types", "note")

    class Meta:
        verbose_name = _("Version eines Instruments")
        verbose_name_plural = _("Versionen von Instrumenten")
        ordering = ["instrument", "-number", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | Q(status="published", number__isnull=False),
                name="%(app_label)s_%(class)s_number_when_published",
            ),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.instrument} (Entwurf)"
        return f"{self.instrument} – Version {self.number}"

    @property
    def tenant_id(self) -> int | None:
        return self.instrument.municipality_id

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED
