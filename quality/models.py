"""Profile content of the quality workshops: interests, central topics, outcomes.

Items keep the nesting and order of the profile (a bullet's sub-items are children).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel
from quality.choices import OutcomeScope, OutcomeStatus


class ProfileItem(TenantModel):
    """An ordered, possibly nested text item of a commune's profile."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    text = models.TextField(_("Text"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("übergeordneter Punkt"),
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    imported = models.BooleanField(_("aus Profil importiert"), default=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.QUALITY
    audit_fields = ("text", "parent_id", "position")

    class Meta:
        abstract = True
        ordering = ["municipality", "parent_id", "position"]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "…"


class DevelopmentInterest(ProfileItem):
    """A Qualitätsentwicklungsinteresse: what the commune wants to improve."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="development_interests",
        verbose_name=_("Kommune"),
    )

    class Meta(ProfileItem.Meta):
        verbose_name = _("Qualitätsentwicklungsinteresse")
        verbose_name_plural = _("Qualitätsentwicklungsinteressen")


class Topic(ProfileItem):
    """A Zentrales Thema of the commune's workshop."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="topics",
        verbose_name=_("Kommune"),
    )

    class Meta(ProfileItem.Meta):
        verbose_name = _("Zentrales Thema")
        verbose_name_plural = _("Zentrale Themen")


class Outcome(ProfileItem):
    """An Ergebnis / eine Maßnahme: kommunal or clusterübergreifend, with a status."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("Kommune"),
    )
    scope = models.CharField(
        _("Reichweite"), max_length=20, choices=OutcomeScope.choices, default=OutcomeScope.MUNICIPAL
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=OutcomeStatus.choices, default=OutcomeStatus.PLANNED
    )

    audit_fields = ("text", "parent_id", "position", "scope", "status")

    class Meta(ProfileItem.Meta):
        verbose_name = _("Ergebnis")
        verbose_name_plural = _("Ergebnisse")
        ordering = ["municipality", "scope", "parent_id", "position"]
        indexes = [
            models.Index(fields=["municipality", "scope", "status"], name="quality_outcome_scope")
        ]
