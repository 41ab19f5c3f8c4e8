"""Vocabularies of case reviews and near-miss reports (German labels, English codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewTrigger(models.TextChoices):
    """Why a case is reviewed: harm, a near miss, a routine sample, or a case that went well."""

    SERIOUS_HARM = "serious_harm", _("schwere Schädigung oder Tod eines Kindes")
    NEAR_MISS = "near_miss", _("Beinahe-Ereignis")
    ROUTINE = "routine", _("Routinestichprobe")
    SUCCESS = "success", _("gut gelungener Fall")


class ReviewMethod(models.TextChoices):
    """How the review works (SCIE "Learning Together" systems model or a case workshop)."""

    SYSTEMIC = "systemic", _("systemische Mehrebenenanalyse (Learning Together)")
    CASE_WORKSHOP = "case_workshop", _("Fallwerkstatt")


class ReviewStatus(models.TextChoices):
    PLANNED = "planned", _("geplant")
    RUNNING = "running", _("laufend")
    CLOSED = "closed", _("abgeschlossen")
    IMPLEMENTED = "implemented", _("Maßnahmen umgesetzt")


class FindingLevel(models.TextChoices):
    """The project's four error levels (seed 003: "vier Risiko- und Fehlerebenen im
    Kinderschutz") — exactly these four; what lies outside them is a :class:`ContextFactor`."""

    PROFESSIONAL = "professional", _("Fachkraft")
    TEAM = "team", _("Team")
    ORGANISATION = "organisation", _("Organisation")
    INTERORGANISATIONAL = "interorganisational", _("interorganisationale Zusammenarbeit")


class ContextFactor(models.TextChoices):
    """Contributing factors outside the four levels: the frame the local system works in.

    A separate dimension, never counted as a level. Reviews before 2026-12 had a fifth
    level "Politik/Gesellschaft"; migration 0007 moved those findings to ``society``.
    """

    LAW = "law", _("Recht und Gesetzgebung")
    SOCIETY = "society", _("Politik und Gesellschaft")
    MEDIA = "media", _("Öffentlichkeit und Medien")


class FindingValence(models.TextChoices):
    """Learning from successes as much as from failures."""

    WEAKNESS = "weakness", _("Schwachstelle")
    STRENGTH = "strength", _("Stärke")


class CategoryKind(models.TextChoices):
    ERROR = "error", _("Fehler")
    FACTOR = "factor", _("beitragender Faktor")


class IncidentStatus(models.TextChoices):
    RECEIVED = "received", _("eingegangen")
    PUBLISHED = "published", _("beantwortet und veröffentlicht")
    ANSWERED = "answered", _("beantwortet (nicht veröffentlicht)")
    REJECTED = "rejected", _("verworfen")


class LibraryKind(models.TextChoices):
    FINDING = "finding", _("Befund einer Falluntersuchung")
    INCIDENT = "incident", _("Beinahe-Ereignis")
