from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleFunction(models.TextChoices):
    """Who does what in a child-protection case (seed 000: "unsere Rollen im Bonner
    Kinderschutzsystem"); a commune names its own title beside the function."""

    COORDINATION = "coordination", _("Koordination Kinderschutz")
    ASD = "asd", _("Allgemeiner Sozialer Dienst (ASD)")
    ASD_LEAD = "asd_lead", _("Teamleitung ASD")
    INSOFA_POOL = "insofa_pool", _("Pool insoweit erfahrener Fachkräfte")
    EARLY_HELP = "early_help", _("Netzwerkkoordination Frühe Hilfen")
    KITA_ADVICE = "kita_advice", _("Kita-Fachberatung")
    SCHOOL_SOCIAL_WORK = "school_social_work", _("Schulsozialarbeit")
    POLICE_CONTACT = "police_contact", _("Ansprechperson Polizei")
    CLINIC_GROUP = "clinic_group", _("Kinderschutzgruppe der Klinik")
    HEALTH_OFFICE = "health_office", _("Gesundheitsamt")
    FAMILY_COURT = "family_court", _("Familiengericht")
    EMERGENCY_SERVICE = "emergency_service", _("Notdienst / Rufbereitschaft")
    OTHER = "other", _("andere Rolle")


class Audience(models.TextChoices):
    """For whom an availability is meant."""

    PUBLIC = "public", _("alle (öffentlich)")
    PARTNERS = "partners", _("Fachkräfte im Netzwerk")
    POLICE = "police", _("Polizei und Rettungsdienst")
    INTERNAL = "internal", _("nur intern")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Montag")
    TUESDAY = 1, _("Dienstag")
    WEDNESDAY = 2, _("Mittwoch")
    THURSDAY = 3, _("Donnerstag")
    FRIDAY = 4, _("Freitag")
    SATURDAY = 5, _("Samstag")
    SUNDAY = 6, _("Sonntag")
