"""Roles in the child-protection network, the on-call plan and the crisis path.

The organigram of "our roles" (seed 000) says who does what in a case: an institution,
the person holding the role and her deputy, and to whom the role reports. The on-call
plan says who is reachable outside office hours and for whom; its public part tells a
partner how to reach the Jugendamt now (Bremen's Rufbereitschaft and crisis management,
seed 003). People are referenced as network contacts, whose own visibility rules apply.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel
from roles.choices import Audience, RoleFunction, Weekday


class NetworkRole(TenantModel):
    """A responsibility in the network: function, institution, holder, deputy, hierarchy."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="network_roles",
        verbose_name=_("Kommune"),
    )
    function = models.CharField(_("Funktion"), max_length=30, choices=RoleFunction.choices)
    title = models.CharField(
        _("Bezeichnung vor Ort"),
        max_length=200,
        blank=True,
        help_text=_("z. B. „Kinderschutzfachkraft im Gesundheitsamt“; leer = Funktion"),
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        related_name="network_roles",
        verbose_name=_("Einrichtung"),
    )
    holder = models.ForeignKey(
        "network.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roles_held",
        verbose_name=_("Wahrgenommen von"),
    )
    deputy = models.ForeignKey(
        "network.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roles_deputised",
        verbose_name=_("Vertretung"),
    )
    reports_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("berichtet an"),
    )
    responsibilities = models.TextField(_("Aufgaben im Kinderschutzfall"), blank=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.NETWORK
    audit_fields = (
        "function",
        "title",
        "institution_id",
        "holder_id",
        "deputy_id",
        "reports_to_id",
        "responsibilities",
        "position",
    )

    class Meta:
        verbose_name = _("Rolle im Netzwerk")
        verbose_name_plural = _("Rollen im Netzwerk")
        ordering = ["municipality", "position", "function", "title"]

    def __str__(self) -> str:
        return self.title or str(self.get_function_display())

    def clean(self) -> None:
        errors = {}
        mid = self.municipality_id
        if self.institution_id and self.institution.municipality_id != mid:
            errors["institution"] = _("Die Einrichtung gehört zu einer anderen Kommune.")
        for name in ("holder", "deputy"):
            contact = getattr(self, name)
            if contact is not None and contact.municipality_id != mid:
                errors[name] = _("Die Person gehört zu einer anderen Kommune.")
        if self.holder_id and self.holder_id == self.deputy_id:
            errors["deputy"] = _("Vertretung und Rolleninhaberin sind dieselbe Person.")
        if self.reports_to_id:
            if self.reports_to.municipality_id != mid:
                errors["reports_to"] = _("Diese Rolle gehört zu einer anderen Kommune.")
            elif self._reports_to_creates_cycle():
                errors["reports_to"] = _("Das ergäbe einen Kreis in der Hierarchie.")
        if errors:
            raise ValidationError(errors)

    def _reports_to_creates_cycle(self) -> bool:
        seen = {self.pk} if self.pk else set()
        current = self.reports_to
        while current is not None:
            if current.pk in seen:
                return True
            seen.add(current.pk)
            current = current.reports_to
        return False


class OnCallSlot(TenantModel):
    """A time window in which a service is reachable (office hours, Rufbereitschaft)."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="on_call_slots",
        verbose_name=_("Kommune"),
    )
    service = models.CharField(
        _("Dienst"), max_length=200, help_text=_("z. B. „Rufbereitschaft des Jugendamts“")
    )
    role = models.ForeignKey(
        NetworkRole,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="on_call_slots",
        verbose_name=_("Rolle"),
    )
    audience = models.CharField(_("Erreichbar für"), max_length=20, choices=Audience.choices)
    weekdays = models.JSONField(_("Wochentage"), default=list)
    starts_at = models.TimeField(_("von"))
    ends_at = models.TimeField(
        _("bis"), help_text=_("Liegt „bis“ vor „von“, reicht das Fenster über Mitternacht.")
    )
    phone = models.CharField(_("Telefon"), max_length=50)
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.NETWORK
    audit_fields = (
        "service",
        "role_id",
        "audience",
        "weekdays",
        "starts_at",
        "ends_at",
        "phone",
        "note",
    )

    class Meta:
        verbose_name = _("Erreichbarkeit")
        verbose_name_plural = _("Erreichbarkeiten")
        ordering = ["municipality", "audience", "starts_at"]

    def __str__(self) -> str:
        return self.service

    def clean(self) -> None:
        errors = {}
        days = self.weekdays or []
        if not days or any(d not in Weekday.values for d in days):
            errors["weekdays"] = _("Bitte mindestens einen gültigen Wochentag wählen.")
        if self.starts_at == self.ends_at:
            errors["ends_at"] = _("Beginn und Ende sind gleich.")
        if self.role_id and self.role.municipality_id != self.municipality_id:
            errors["role"] = _("Diese Rolle gehört zu einer anderen Kommune.")
        if errors:
            raise ValidationError(errors)

    def covers(self, moment: dt.datetime) -> bool:
        """Whether the slot covers ``moment`` (local time). A window past midnight
        belongs to the weekday on which it starts."""
        t, day = moment.time(), moment.weekday()
        if self.starts_at < self.ends_at:
            return day in self.weekdays and self.starts_at <= t < self.ends_at
        started_today = day in self.weekdays and t >= self.starts_at
        started_yesterday = (day - 1) % 7 in self.weekdays and t < self.ends_at
        return started_today or started_yesterday

    @property
    def weekday_labels(self) -> list[str]:
        return [str(Weekday(d).label) for d in sorted(self.weekdays or [])]

    @property
    def weekday_summary(self) -> str:
        """ "täglich", "Montag–Freitag", "Samstag, Sonntag": runs of days joined."""
        days = sorted(set(self.weekdays or []))
        if len(days) == 7:
            return str(_("täglich"))
        runs: list[list[int]] = []
        for day in days:
            if runs and day == runs[-1][-1] + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        parts = [
            f"{Weekday(r[0]).label}–{Weekday(r[-1]).label}"
            if len(r) > 2
            else ", ".join(str(Weekday(d).label) for d in r)
            for r in runs
        ]
        return ", ".join(parts)


class EscalationStep(TenantModel):
    """One step of the commune's crisis path: in this situation, do this, within …"""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="escalation_steps",
        verbose_name=_("Kommune"),
    )
    order = models.PositiveIntegerField(_("Schritt"))
    situation = models.CharField(_("Situation"), max_length=300)
    action = models.TextField(_("Was zu tun ist"))
    role = models.ForeignKey(
        NetworkRole,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalation_steps",
        verbose_name=_("Zuständige Rolle"),
    )
    within_minutes = models.PositiveIntegerField(
        _("spätestens nach Minuten"), null=True, blank=True
    )
    is_public = models.BooleanField(_("für Partner sichtbar"), default=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.NETWORK
    audit_fields = ("order", "situation", "action", "role_id", "within_minutes", "is_public")

    class Meta:
        verbose_name = _("Schritt im Krisenweg")
        verbose_name_plural = _("Krisenweg")
        ordering = ["municipality", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message=_("Diesen Schritt gibt es schon."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.situation}"

    @property
    def within_hours(self) -> int | None:
        """Whole hours when the deadline is one (1440 minutes read better as 24 hours)."""
        minutes = self.within_minutes
        return minutes // 60 if minutes and minutes >= 60 and minutes % 60 == 0 else None

    def clean(self) -> None:
        if self.role_id and self.role.municipality_id != self.municipality_id:
            raise ValidationError({"role": _("Diese Rolle gehört zu einer anderen Kommune.")})
