"""Choices of the registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectRole(models.TextChoices):
    MODEL = "model", _("Modellkommune")
    PARTNER = "partner", _("Partnerkommune")


class BodyKind(models.TextChoices):
    """The kind of local authority, as it appears in its official name."""

    CITY = "stadt", _("Stadt")
    FEDERAL_CITY = "bundesstadt", _("Bundesstadt")
    CITY_MUNICIPALITY = "stadtgemeinde", _("Stadtgemeinde")
    HANSEATIC_CITY = "hansestadt", _("Hansestadt")
    DISTRICT = "landkreis", _("Landkreis")
    COUNTY = "kreis", _("Kreis")
    MUNICIPALITY = "gemeinde", _("Gemeinde")
    REGION = "region", _("Region")
    BOROUGH = "bezirk", _("Bezirk")
    UNKNOWN = "unknown", _("unbekannt")


class Sex(models.TextChoices):
    """As in the population statistics (Destatis uses männlich/weiblich; 'divers' since 2019)."""

    FEMALE = "f", _("weiblich")
    MALE = "m", _("männlich")
    DIVERSE = "d", _("divers")
    TOTAL = "t", _("insgesamt")
