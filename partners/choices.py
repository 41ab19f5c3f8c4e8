"""Vocabularies of the partner side of the chain (§ 8a Abs. 4, § 8b SGB VIII, § 4 KKG)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgeBand(models.TextChoices):
    """The instrument age bands; a pseudonymous record knows only the band, no birth date."""

    UNDER_3 = "0-3", _("0 bis unter 3 Jahre")
    FROM_3 = "3-6", _("3 bis unter 6 Jahre")
    FROM_6 = "6-14", _("6 bis unter 14 Jahre")
    FROM_14 = "14-18", _("14 bis unter 18 Jahre")


class Decision(models.TextChoices):
    """What the institution decides after its own assessment."""

    NONE = "none", _("keine weiteren Schritte")
    MONITOR = "monitor", _("weiter beobachten (mit Termin zur Überprüfung)")
    INFORM = "inform", _("Jugendamt informieren")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SIGNED = "signed", _("abgezeichnet")


class SignOffRule(models.TextChoices):
    """Who of the institution signs a record as second person (the commune's agreement)."""

    LEAD = "lead", _("nur die Leitung der Einrichtung")
    COLLEAGUE = "colleague", _("Leitung oder eine Kollegin/ein Kollege")


class Specialism(models.TextChoices):
    EARLY_CHILDHOOD = "early_childhood", _("frühe Kindheit (0–6)")
    SCHOOL_AGE = "school_age", _("Schulalter")
    ADOLESCENCE = "adolescence", _("Jugendalter")
    DISABILITY = "disability", _("Behinderung/Eingliederungshilfe")
    SEXUALISED_VIOLENCE = "sexualised_violence", _("sexualisierte Gewalt")
    HEALTH = "health", _("Gesundheit")
    DOMESTIC_VIOLENCE = "domestic_violence", _("häusliche Gewalt")
    ADDICTION_MENTAL_HEALTH = "addiction_mental", _("Sucht/psychische Erkrankung der Eltern")


class ConsultationStatus(models.TextChoices):
    REQUESTED = "requested", _("angefragt")
    ACCEPTED = "accepted", _("angenommen")
    DECLINED = "declined", _("abgelehnt")
    DONE = "done", _("beraten")


class ConsultationOutcome(models.TextChoices):
    """The insoFa's overall view after the consultation."""

    NO_INDICATIONS = "no_indications", _("keine gewichtigen Anhaltspunkte erkennbar")
    OWN_HELP = "own_help", _("Anhaltspunkte – eigene Hilfen der Einrichtung ausreichend")
    INFORM = "inform", _("Anhaltspunkte – Jugendamt informieren")
    ACUTE = "acute", _("akute Gefährdung – Jugendamt sofort informieren")


class MessageStatus(models.TextChoices):
    SENT = "sent", _("beim Jugendamt eingegangen")
    ACKNOWLEDGED = "acknowledged", _("vom Jugendamt bestätigt")


class ReporterInvolvement(models.TextChoices):
    """§ 8a Abs. 1 S. 2 Nr. 2 SGB VIII / § 4 Abs. 3 KKG: was the reporter involved?"""

    INVOLVED = "involved", _("meldende Fachkraft in die Einschätzung einbezogen")
    NOT_APPROPRIATE = "not_appropriate", _("nicht einbezogen – nicht erforderlich/geeignet")
    NOT_REACHED = "not_reached", _("nicht einbezogen – nicht erreichbar")


class InvolvementKind(models.TextChoices):
    CONVERSATION = "conversation", _("Gespräch (persönlich/telefonisch)")
    CASE_CONFERENCE = "case_conference", _("Teilnahme an der Fallberatung/Helferkonferenz")
    WRITTEN = "written", _("schriftliche Stellungnahme")


class PartnerActivity(models.TextChoices):
    """The partner side's steps: the first links of the chain in the process analysis."""

    NOTICED = "partner_noticed", _("Gewichtige Anhaltspunkte bemerkt (Einrichtung)")
    RECORD_OPENED = "partner_record_opened", _("Dokumentation der Einrichtung begonnen")
    PARENTS_TALK = "partner_parents_talk", _("Gespräch mit Eltern/Kind (Einrichtung)")
    INSOFA_REQUESTED = "partner_insofa_requested", _("Insoweit erfahrene Fachkraft angefragt")
    INSOFA_CONSULTED = "partner_insofa_consulted", _("Beratung durch insoweit erfahrene Fachkraft")
    RECORD_SIGNED = "partner_record_signed", _("Einschätzung der Einrichtung abgezeichnet")
    MESSAGE_SENT = "partner_message_sent", _("Mitteilung an das Jugendamt")
    MESSAGE_ACKNOWLEDGED = "partner_message_acknowledged", _("Eingang vom Jugendamt bestätigt")
    REPORTER_INVOLVED = "partner_reporter_involved", _("meldende Fachkraft einbezogen")
    FEEDBACK_GIVEN = "partner_feedback_given", _("Rückmeldung an die Einrichtung")


class StaffRole(models.TextChoices):
    """The two roles an institution can invite into (a subset of core.Role)."""

    STAFF = "institution_staff", _("Fachkraft einer Einrichtung")
    LEAD = "institution_lead", _("Leitung der Einrichtung")
