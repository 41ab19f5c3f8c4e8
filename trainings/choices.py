from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingTopic(models.TextChoices):
    """What the seeds' communes trained their networks in (seeds 001, 002)."""

    CHILD_PROTECTION = "child_protection", _("Kinderschutz – Grundlagen")
    RISK_ASSESSMENT = "risk_assessment", _("Gefährdungseinschätzung und Instrument")
    DATA_PROTECTION = "data_protection", _("Datenschutz im Kinderschutz")
    CONVERSATION = "conversation", _("Gespräche mit Eltern und Kindern")
    EARLY_HELP = "early_help", _("Frühe Hilfen")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexualisierte Gewalt")
    COOPERATION = "cooperation", _("Kooperation im Netzwerk")
    OTHER = "other", _("anderes Thema")


class TrainingOrigin(models.TextChoices):
    WORKSHOP = "workshop", _("aus einer Werkstatt oder Veranstaltung der Kommune")
    EXTERNAL = "external", _("extern")
