"""Analytics' own tables: deadline rules per commune and uploaded event logs.

Analytics only reads procedures (through the cases app's selectors); what it stores is
configuration (which deadlines a commune holds itself to) and logs brought in from
outside for analysis.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from analytics.choices import LogFormat, UploadStatus
from core import permissions
from core.models import TenantModel


class ComplianceRule(TenantModel):
    """A deadline a commune sets for its § 8a procedures (§ 79a quality standard).

    Example: "urgent report → first contact within 24 hours". Activities are matched by
    name or by the platform's activity code. The rules are quality standards, kept by
    the coordination like the rest of its quality work, hence the QUALITY domain for
    editing; reading the results needs ANALYTICS.
    """

    permission_domain = permissions.QUALITY

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="compliance_rules",
        verbose_name=_("Kommune"),
    )
    name = models.CharField(_("Bezeichnung"), max_length=150)
    start_activity = models.CharField(
        _("Start-Aktivität"), max_length=150, help_text=_("Name oder Code der Aktivität")
    )
    end_activity = models.CharField(
        _("Ziel-Aktivität"), max_length=150, help_text=_("Name oder Code der Aktivität")
    )
    deadline_hours = models.PositiveIntegerField(_("Frist in Stunden"))
    urgency = models.CharField(
        _("nur Dringlichkeit"),
        max_length=50,
        blank=True,
        help_text=_("Leer lassen, um die Regel auf alle Verfahren anzuwenden."),
    )
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    audit_fields = (
        "municipality_id",
        "name",
        "start_activity",
        "end_activity",
        "deadline_hours",
        "urgency",
        "active",
    )

    class Meta:
        verbose_name = _("Fristregel")
        verbose_name_plural = _("Fristregeln")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("Eine Fristregel mit diesem Namen gibt es schon."),
            ),
            models.CheckConstraint(
                condition=Q(deadline_hours__gt=0),
                name="%(app_label)s_%(class)s_positive_deadline",
                violation_error_message=_("Die Frist muss größer als null sein."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def deadline_label(self) -> str:
        if self.deadline_hours % 24 == 0 and self.deadline_hours >= 48:
            days = self.deadline_hours // 24
            return ngettext("%(n)d Tag", "%(n)d Tage", days) % {"n": days}
        return ngettext("%(n)d Stunde", "%(n)d Stunden", self.deadline_hours) % {
            "n": self.deadline_hours
        }


class EventLogUpload(TenantModel):
    """An event log brought in from outside (XES, CSV, Parquet) for analysis.

    The file is parsed in the background into a normalised Parquet frame; ``progress``
    (0–1) is what the page polls. Logs of a commune are visible to whoever may read that
    commune's analytics; logs without a commune only to the project team.
    """

    permission_domain = permissions.ANALYTICS

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="event_log_uploads",
        verbose_name=_("Kommune"),
    )
    name = models.CharField(_("Bezeichnung"), max_length=200)
    source_file = models.FileField(_("Datei"), upload_to="analytics/uploads/")
    log_format = models.CharField(_("Format"), max_length=10, choices=LogFormat.choices)
    column_mapping = models.JSONField(_("Spaltenzuordnung"), default=dict, blank=True)
    timestamp_format = models.CharField(_("Zeitformat"), max_length=50, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    progress = models.FloatField(_("Fortschritt"), default=0.0)
    message = models.TextField(pgettext_lazy("status message", "Meldung"), blank=True)
    cases = models.PositiveIntegerField(_("Fälle"), default=0)
    events = models.PositiveIntegerField(_("Ereignisse"), default=0)
    frame_file = models.CharField(_("aufbereitete Datei"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hochgeladen von"),
    )
    created_at = models.DateTimeField(_("hochgeladen"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("letzte Rückmeldung"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fertig"), null=True, blank=True)

    audit_fields = ("municipality_id", "name", "log_format", "status", "cases", "events")

    class Meta:
        verbose_name = _("Ereignisprotokoll")
        verbose_name_plural = _("Ereignisprotokolle")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def is_finished(self) -> bool:
        return self.status in (UploadStatus.DONE, UploadStatus.FAILED)
