from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    """The kinds of local standards the model communes wrote down (seeds 001–003)."""

    MISSION = "mission", _("Leitbild")
    PROCEDURE = "procedure", _("Verfahrensstandard")
    GUIDE = "guide", _("Leitfaden")
    PROTECTION_PLAN = "protection_plan", _("Kinderschutzplan")
    COOPERATION = "cooperation", _("Kooperationsvereinbarung")
    HANDOVER = "handover", _("Übergabevereinbarung")
    INSTRUCTION = "instruction", _("Dienstanweisung")
    CONCEPT = "concept", _("Konzept")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    CONSULTATION = "consultation", _("in Abstimmung")
    ADOPTED = "adopted", _("beschlossen")
    REPEALED = "repealed", _("außer Kraft")


class Visibility(models.TextChoices):
    """Who may read a document beyond the commune's own members."""

    MUNICIPALITY = "municipality", _("nur die eigene Kommune")
    CLUSTER = "cluster", _("Kinderschutzcluster")
    PUBLIC = "public", _("öffentlich")
