"""Choices of the Frühe-Hilfen directory."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceStatus(models.TextChoices):
    # The values are HSDS 3.0 service.status values.
    ACTIVE = "active", _("aktiv")
    INACTIVE = "inactive", _("ruht")
    TEMPORARILY_CLOSED = "temporarily closed", _("vorübergehend geschlossen")
    DEFUNCT = "defunct", _("eingestellt")


class Weekday(models.TextChoices):
    # RFC 5545 BYDAY codes, as HSDS 3.0 schedule.byday uses them.
    MO = "MO", _("Montag")
    TU = "TU", _("Dienstag")
    WE = "WE", _("Mittwoch")
    TH = "TH", _("Donnerstag")
    FR = "FR", _("Freitag")
    SA = "SA", _("Samstag")
    SU = "SU", _("Sonntag")
