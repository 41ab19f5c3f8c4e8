"""Choices of the network registry (German labels, English codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    COOPERATION = "cooperation", _("Kooperationsvereinbarung")
    HANDOVER = "handover", _("Übergabevereinbarung zwischen Jugendämtern")
    SECTION_8A = "section_8a", _("Vereinbarung nach § 8a Abs. 4 SGB VIII mit Trägern")
    DATA_PROTECTION = "data_protection", _("Datenschutz-/Schweigepflichtregelung")
    EARLY_HELP = "early_help", _("Vereinbarung Frühe Hilfen (§ 3 KKG)")
    OTHER = "other", _("sonstige Vereinbarung")


class EdgeKind(models.TextChoices):
    AGREEMENT = "agreement", _("Vereinbarung")
    WORKING_GROUP = "working_group", _("Arbeitskreis")
    PARENT = "parent", _("Organisationseinheit")
