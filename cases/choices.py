"""Vocabularies of § 8a procedures.

Labels follow the federal § 8a statistic (§ 99 Abs. 6 SGB VIII).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityCode(models.TextChoices):
    """The fixed vocabulary of steps in a procedure: the event log of process analysis."""

    REPORT_RECEIVED = "report_received", _("Meldung eingegangen")
    URGENCY_RATED = "urgency_rated", _("Dringlichkeit eingeschätzt")
    FIRST_CONTACT = "first_contact", _("Erstkontakt")
    HOME_VISIT = "home_visit", _("Hausbesuch")
    DIRECT_IMPRESSION = "direct_impression", _("unmittelbarer Eindruck (§ 8a Abs. 1 S. 2)")
    PARENTS_INVOLVED = "parents_involved", _("Eltern einbezogen")
    CHILD_INVOLVED = "child_involved", _("Kind/Jugendliche:r einbezogen")
    RISK_ASSESSMENT_STARTED = "risk_assessment_started", _("Gefährdungseinschätzung begonnen")
    RISK_ASSESSMENT_SIGNED = "risk_assessment_signed", _("Gefährdungseinschätzung abgezeichnet")
    INSOFA_CONSULTED = "insofa_consulted", _("Insoweit erfahrene Fachkraft beraten")
    HELP_OFFERED = "help_offered", _("Hilfe angeboten")
    HELP_ACCEPTED = "help_accepted", _("Hilfe angenommen")
    SAFETY_PLAN = "safety_plan", _("Schutzvereinbarung")
    SAFETY_PLAN_REVIEWED = "safety_plan_reviewed", _("Schutzvereinbarung überprüft")
    FAMILY_COURT_CALLED = "family_court_called", _("Familiengericht angerufen")
    FAMILY_COURT_HEARING = (
        "family_court_hearing",
        _("Erörterung beim Familiengericht (§ 157 FamFG)"),
    )
    FAMILY_COURT_DECISION = "family_court_decision", _("Entscheidung des Familiengerichts")
    INOBHUTNAHME = "inobhutnahme", _("Inobhutnahme (§ 42)")
    POLICE_INVOLVED = "police_involved", _("Polizei eingeschaltet")
    HANDOVER_SENT = "handover_sent", _("Mitteilung an zuständiges Jugendamt (§ 8a Abs. 6)")
    REPORTER_FEEDBACK = "reporter_feedback", _("Rückmeldung an meldende Fachkraft (§ 4 Abs. 4 KKG)")
    CLOSED = "closed", _("Verfahren abgeschlossen")


# Steps a caseworker records by hand; the others are written by the services themselves.
MANUAL_ACTIVITIES = (
    ActivityCode.FIRST_CONTACT,
    ActivityCode.HOME_VISIT,
    ActivityCode.DIRECT_IMPRESSION,
    ActivityCode.PARENTS_INVOLVED,
    ActivityCode.CHILD_INVOLVED,
    ActivityCode.INSOFA_CONSULTED,
    ActivityCode.HELP_OFFERED,
    ActivityCode.HELP_ACCEPTED,
    ActivityCode.SAFETY_PLAN,
    ActivityCode.SAFETY_PLAN_REVIEWED,
    ActivityCode.FAMILY_COURT_CALLED,
    ActivityCode.FAMILY_COURT_HEARING,
    ActivityCode.FAMILY_COURT_DECISION,
    ActivityCode.INOBHUTNAHME,
    ActivityCode.POLICE_INVOLVED,
    ActivityCode.REPORTER_FEEDBACK,
)
# The § 8a Abs. 6 hand-over has its own form and service (procedure_hand_over).


class ImpressionForm(models.TextChoices):
    """Forms of the unmittelbarer Eindruck (§ 8a Abs. 1 S. 2; the survey's explanation names
    home visit, visit of Kita or school, the young person's own flat, summoning the parents)."""

    HOME_VISIT = "home_visit", _("Hausbesuch")
    DAYCARE_SCHOOL = "daycare_school", _("Besuch in Kita/Schule")
    OFFICE = "office", _("Einbestellung ins Jugendamt")
    OWN_FLAT = "own_flat", _("eigene Wohnung des/der Jugendlichen")
    OTHER = "other", _("anderer Ort")


class Section42Reason(models.TextChoices):
    """§ 42 Abs. 1 SGB VIII: the three grounds of an Inobhutnahme."""

    CHILD_REQUEST = "child_request", _("auf Bitte des Kindes/Jugendlichen (Nr. 1)")
    URGENT_DANGER = "urgent_danger", _("dringende Gefahr für das Kindeswohl (Nr. 2)")
    UNACCOMPANIED = "unaccompanied", _("unbegleitet eingereist (Nr. 3)")


class Section42Place(models.TextChoices):
    EMERGENCY_FOSTER = "emergency_foster", _("Bereitschaftspflege")
    FACILITY = "facility", _("Einrichtung/Inobhutnahmestelle")
    RELATIVES = "relatives", _("bei Verwandten/geeigneter Person")
    OTHER = "other", _("sonstige Unterbringung")


class HandoverStatus(models.TextChoices):
    SENT = "sent", _("übermittelt")
    ACCEPTED = "accepted", _("übernommen")


class HandoverItem(models.TextChoices):
    """What a § 8a Abs. 6 hand-over may transmit; the receiver sees exactly these."""

    IDENTITY = "identity", _("Name, Geburtsdatum, Anschrift des Kindes")
    INDICATIONS = "indications", _("gewichtige Anhaltspunkte der Meldung")
    ASSESSMENT = "assessment", _("Ergebnis der Gefährdungseinschätzung")
    HELP = "help", _("laufende und angebotene Hilfen")


class Urgency(models.TextChoices):
    """First urgency rating; the commune's policy turns it into a first-contact deadline."""

    IMMEDIATE = "immediate", _("sofort (akute Gefahr)")
    SAME_DAY = "same_day", _("am selben Tag")
    WITHIN_3_DAYS = "within_3_days", _("innerhalb von 3 Tagen")
    WITHIN_WEEK = "within_week", _("innerhalb einer Woche")


class ReporterCategory(models.TextChoices):
    """Bekanntwerden der möglichen Kindeswohlgefährdung durch … (federal statistic)."""

    POLICE_COURT = "police_court", _("Polizei/Gericht/Staatsanwaltschaft")
    SCHOOL = "school", _("Schule")
    DAYCARE = "daycare", _("Kindertageseinrichtung/Kindertagespflege")
    YOUTH_WELFARE_SERVICE = "youth_welfare", _("Einrichtung/Dienst der Kinder- und Jugendhilfe")
    HEALTH = "health", _("Hebamme/Arzt/Ärztin/Klinik/Gesundheitsamt/u.ä. Dienste")
    COUNSELLING = "counselling", _("Beratungsstelle")
    SOCIAL_SERVICES = "social_services", _("Sozialamt/Jobcenter")
    OTHER_YOUTH_OFFICE = "other_youth_office", _("anderes Jugendamt")
    RELATIVES = "relatives", _("Verwandte")
    NEIGHBOURS = "neighbours", _("Bekannte/Nachbarn")
    PARENTS = "parents", _("Eltern(teil)/Personensorgeberechtigte/r")
    CHILD_SELF = "child_self", _("Minderjährige/r selbst")
    ANONYMOUS = "anonymous", _("anonym")
    OTHER = "other", _("Sonstige")


# Reporters bound by secrecy or professional duty: they are owed feedback (§ 4 Abs. 4 KKG).
PROFESSIONAL_REPORTERS = frozenset(
    {
        ReporterCategory.SCHOOL,
        ReporterCategory.DAYCARE,
        ReporterCategory.YOUTH_WELFARE_SERVICE,
        ReporterCategory.HEALTH,
        ReporterCategory.COUNSELLING,
    }
)


class Channel(models.TextChoices):
    PHONE = "phone", _("telefonisch")
    WRITTEN = "written", _("schriftlich/E-Mail")
    IN_PERSON = "in_person", _("persönlich")
    FORM = "form", _("Meldebogen (§ 8a-Vereinbarung)")


class StatisticResult(models.TextChoices):
    """Ergebnis der Gefährdungseinschätzung (federal statistic)."""

    ACUTE = "acute", _("akute Kindeswohlgefährdung")
    LATENT = "latent", _("latente Kindeswohlgefährdung")
    NEED_OF_HELP = "need_of_help", _("keine Kindeswohlgefährdung, aber Hilfe-/Unterstützungsbedarf")
    NEITHER = "neither", _("keine Kindeswohlgefährdung und kein (weiterer) Hilfebedarf")


class EndangermentKind(models.TextChoices):
    """Art der Kindeswohlgefährdung (several possible)."""

    NEGLECT = "neglect", _("Vernachlässigung")
    PSYCHOLOGICAL = "psychological", _("psychische Misshandlung")
    PHYSICAL = "physical", _("körperliche Misshandlung")
    SEXUAL = "sexual", _("sexuelle Gewalt")


class DangerSource(models.TextChoices):
    """Von wem ging die Gefährdung aus (federal statistic)."""

    MOTHER = "mother", _("Mutter")
    FATHER = "father", _("Vater")
    STEP_PARENT = "step_parent", _("Stiefelternteil/Lebenspartner:in eines Elternteils")
    OTHER_RELATIVE = "other_relative", _("sonstige Person aus dem familiären Umfeld")
    OTHER_PERSON = "other_person", _("sonstige Person")
    UNKNOWN = "unknown", _("nicht bekannt")


class Sex(models.TextChoices):
    """Geschlecht with the survey's four values (since the PStG change of 2018: "divers" and
    "ohne Angabe" are separate entries of the birth register and of the § 8a survey)."""

    MALE = "m", _("männlich")
    FEMALE = "f", _("weiblich")
    DIVERSE = "d", _("divers")
    NOT_STATED = "x", _("ohne Angabe (nach Geburtenregister)")


class LivingSituation(models.TextChoices):
    """Aufenthaltsort des Kindes zu Beginn der Gefährdungseinschätzung."""

    BOTH_PARENTS = "both_parents", _("bei den Eltern")
    SINGLE_PARENT = "single_parent", _("bei einem alleinerziehenden Elternteil")
    PARENT_NEW_PARTNER = "parent_partner", _("bei einem Elternteil mit Stiefelternteil/Partner:in")
    RELATIVES = "relatives", _("bei Großeltern/Verwandten")
    FOSTER_OR_HOME = "foster_or_home", _("in einer Pflegefamilie/Einrichtung")
    OTHER = "other", _("an einem anderen Ort")
    UNKNOWN = "unknown", _("an unbekanntem Ort/unbekannt")


class AgeGroup(models.TextChoices):
    """Altersgruppen of the statistic: age in full years when the assessment was completed
    (the survey counts completed procedures; the age is taken at that date)."""

    UNDER_3 = "0-3", _("unter 3 Jahren")
    FROM_3 = "3-6", _("3 bis unter 6 Jahren")
    FROM_6 = "6-9", _("6 bis unter 9 Jahren")
    FROM_9 = "9-12", _("9 bis unter 12 Jahren")
    FROM_12 = "12-14", _("12 bis unter 14 Jahren")
    FROM_14 = "14-16", _("14 bis unter 16 Jahren")
    FROM_16 = "16-18", _("16 bis unter 18 Jahren")


def age_group_for(age: int) -> str:
    """The statistic's age group of a child aged ``age`` full years."""
    for code, low in (
        ("16-18", 16),
        ("14-16", 14),
        ("12-14", 12),
        ("9-12", 9),
        ("6-9", 6),
        ("3-6", 3),
    ):
        if age >= low:
            return code
    return "0-3"


class ParentAgeGroup(models.TextChoices):
    UNDER_18 = "u18", _("unter 18 Jahren")
    FROM_18 = "18-27", _("18 bis unter 27 Jahren")
    FROM_27 = "27+", _("27 Jahre und älter")
    UNKNOWN = "unknown", _("unbekannt")


class ProcedureStatus(models.TextChoices):
    OPEN = "open", _("offen")
    ASSESSING = "assessing", _("in Gefährdungseinschätzung")
    DECIDED = "decided", _("eingeschätzt")
    CLOSED = "closed", _("abgeschlossen")


class NewHelp(models.TextChoices):
    """Im Anschluss an die Gefährdungseinschätzung neu eingeleitete Leistung/Maßnahme.

    Several possible per procedure; the § 8a survey publishes a table on newly started help.
    """

    FAMILY_SUPPORT = "16_18", _("Förderung der Erziehung in der Familie (§§ 16–18)")
    JOINT_HOUSING = "19", _("Gemeinsame Wohnform für Mütter/Väter und Kinder (§ 19)")
    EDUCATIONAL_OUTPATIENT = (
        "27_32",
        _("ambulante/teilstationäre Hilfe zur Erziehung (§§ 27–32, 35)"),
    )
    EDUCATIONAL_RESIDENTIAL = "33_34", _("Vollzeitpflege/Heimerziehung (§§ 33, 34)")
    INTEGRATION = "35a", _("Eingliederungshilfe (§ 35a)")
    OTHER = "other", _("andere Hilfe/Maßnahme")


class SignOffRequestStatus(models.TextChoices):
    OPEN = "open", _("wartet auf Abzeichnung")
    SIGNED = "signed", _("abgezeichnet")
    RETURNED = "returned", _("zurückgegeben")
    WITHDRAWN = "withdrawn", _("zurückgezogen")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SIGNED = "signed", _("abgezeichnet (verbindlich)")


class PersonRole(models.TextChoices):
    CHILD = "child", _("Kind/Jugendliche:r")
    MOTHER = "mother", _("Mutter")
    FATHER = "father", _("Vater")
    GUARDIAN = "guardian", _("sonstige:r Personensorgeberechtigte:r")
    OTHER = "other", _("weitere Person")
