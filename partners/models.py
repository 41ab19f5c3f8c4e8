"""The network partner's side of the chain (issue 13).

A Kita, school, clinic, practice or provider documents its own pseudonymous record under
§ 8a Abs. 4 SGB VIII / § 4 KKG, consults an insoweit erfahrene Fachkraft (§ 8b SGB VIII)
from the commune's pool and informs the Jugendamt with a Mitteilung; the Jugendamt
acknowledges it and gives feedback. Only the Mitteilung and the feedback cross between
the institution and the Jugendamt; neither sees the other's internal record.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.choices import ReporterCategory
from cases.fields import EncryptedTextField
from core import permissions
from core.models import TenantModel
from partners.choices import (
    AgeBand,
    ConsultationOutcome,
    ConsultationStatus,
    Decision,
    InvolvementKind,
    MessageStatus,
    PartnerActivity,
    RecordStatus,
    ReporterInvolvement,
    SignOffRule,
    StaffRole,
)


class PartnerSettings(TenantModel):
    """A commune's rules for partner records: retention and the default sign-off rule."""

    municipality = models.OneToOneField(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="partner_settings",
        verbose_name=_("Kommune"),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("Löschfrist der Dokumentation der Einrichtungen (Jahre)"), default=3
    )
    sign_off_rule = models.CharField(
        _("Abzeichnung durch"),
        max_length=12,
        choices=SignOffRule.choices,
        default=SignOffRule.COLLEAGUE,
    )

    permission_domain = permissions.NETWORK
    audit_fields = ("retention_years", "sign_off_rule")

    class Meta:
        verbose_name = _("Regeln für Einrichtungen")
        verbose_name_plural = _("Regeln für Einrichtungen")

    def __str__(self) -> str:
        return f"Regeln für Einrichtungen {self.municipality}"


class AgreementTerms(TenantModel):
    """What a network agreement says about the chain: the legal basis of the feedback and
    who signs. Data, not code: § 4 Abs. 4 KKG for professionals bound by secrecy, the
    § 8a Abs. 4 agreement's own wording for providers."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    agreement = models.OneToOneField(
        "network.Agreement",
        on_delete=models.CASCADE,
        related_name="partner_terms",
        verbose_name=_("Vereinbarung"),
    )
    feedback_legal_basis = models.CharField(
        _("Rechtsgrundlage der Rückmeldung"),
        max_length=200,
        help_text=_("z. B. „§ 4 Abs. 4 KKG“ oder „§ 8a Abs. 4 SGB VIII i. V. m. Ziff. 5“"),
    )
    feedback_scope = models.TextField(
        _("Inhalt der Rückmeldung laut Vereinbarung"),
        blank=True,
        help_text=_("z. B. ob das Jugendamt gewichtige Anhaltspunkte sieht und tätig ist"),
    )
    sign_off_rule = models.CharField(
        _("Abzeichnung durch"), max_length=12, choices=SignOffRule.choices, blank=True
    )

    permission_domain = permissions.NETWORK
    audit_fields = ("agreement_id", "feedback_legal_basis", "feedback_scope", "sign_off_rule")

    class Meta:
        verbose_name = _("Regelungen der Vereinbarung zur Mitteilung")
        verbose_name_plural = _("Regelungen der Vereinbarungen zur Mitteilung")

    def __str__(self) -> str:
        return f"{self.agreement}: {self.feedback_legal_basis}"


class StaffBinding(TenantModel):
    """Binds a person with an institution role to exactly one institution (the second gate)."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_binding",
        verbose_name=_("Person"),
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.CASCADE,
        related_name="staff_bindings",
        verbose_name=_("Einrichtung"),
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=StaffRole.choices)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    permission_domain = permissions.PARTNERS
    audit_fields = ("user_id", "institution_id", "role")

    class Meta:
        verbose_name = _("Zuordnung zur Einrichtung")
        verbose_name_plural = _("Zuordnungen zu Einrichtungen")

    def __str__(self) -> str:
        return f"{self.user} – {self.institution}"


class StaffInvitation(TenantModel):
    """An invitation by e-mail link into an institution (no self-registration).

    Only the hash of the token is stored; the link is shown and mailed once.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.CASCADE,
        related_name="staff_invitations",
        verbose_name=_("Einrichtung"),
    )
    email = models.EmailField(_("E-Mail"))
    role = models.CharField(_("Rolle"), max_length=20, choices=StaffRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("eingeladen von"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    expires_at = models.DateTimeField(_("gültig bis"))
    accepted_at = models.DateTimeField(_("angenommen am"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)

    permission_domain = permissions.PARTNERS
    audit_fields = ("institution_id", "email", "role", "expires_at", "accepted_at", "revoked_at")

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Einladung {self.email} ({self.institution})"


class InsofaPoolMember(TenantModel):
    """An insoweit erfahrene Fachkraft in the commune's pool (§ 8a Abs. 4, § 8b SGB VIII).

    ``cluster_wide`` members are offered to every commune of the same Kinderschutzcluster.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="insofa_pool",
        verbose_name=_("Kommune"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="insofa_profile",
        verbose_name=_("Zugang"),
    )
    name = models.CharField(_("Name"), max_length=150)
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Anstellungsträger"),
    )
    qualification = models.CharField(_("Qualifikation"), max_length=250)
    specialisms = models.JSONField(_("Schwerpunkte"), default=list, blank=True)
    languages = models.JSONField(_("Sprachen"), default=list, blank=True)
    agreement = models.ForeignKey(
        "network.Agreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Vereinbarung (Vertrag)"),
    )
    available = models.BooleanField(_("verfügbar"), default=True)
    availability_note = models.CharField(_("Erreichbarkeit"), max_length=200, blank=True)
    cluster_wide = models.BooleanField(_("für den ganzen Kinderschutzcluster"), default=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    permission_domain = permissions.NETWORK
    audit_fields = (
        "user_id",
        "name",
        "institution_id",
        "qualification",
        "specialisms",
        "languages",
        "agreement_id",
        "available",
        "availability_note",
        "cluster_wide",
    )

    class Meta:
        verbose_name = _("Insoweit erfahrene Fachkraft (Pool)")
        verbose_name_plural = _("Pool insoweit erfahrener Fachkräfte")
        ordering = ["municipality", "name"]

    def __str__(self) -> str:
        return self.name


class PartnerRecord(TenantModel):
    """An institution's own pseudonymous record of gewichtige Anhaltspunkte.

    No name, no address: the child is a code the institution chooses and an age band.
    Identifying data enters only with the Mitteilung to the Jugendamt.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="partner_records",
        verbose_name=_("Kommune"),
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        related_name="partner_records",
        verbose_name=_("Einrichtung"),
    )
    child_code = models.CharField(
        _("Kürzel des Kindes"),
        max_length=20,
        help_text=_("z. B. Initialen und Gruppe – kein Name, keine Anschrift"),
    )
    age_band = models.CharField(_("Altersstufe"), max_length=5, choices=AgeBand.choices)
    noticed_on = models.DateField(_("Anhaltspunkte zuerst bemerkt am"))
    indications = EncryptedTextField(_("gewichtige Anhaltspunkte"))
    instrument_key = models.CharField(_("Instrument"), max_length=60, blank=True)
    instrument_version = models.CharField(_("Version"), max_length=20, blank=True)
    answers = models.JSONField(_("Einschätzungen"), default=dict, blank=True)
    assessment_summary = EncryptedTextField(_("eigene Einschätzung"), blank=True)
    parents_talk = models.BooleanField(_("Gespräch mit den Eltern geführt"), default=False)
    child_talk = models.BooleanField(_("Gespräch mit dem Kind geführt"), default=False)
    talk_omitted_reason = EncryptedTextField(
        _("Grund, warum ein Gespräch den Schutz des Kindes gefährden würde"), blank=True
    )
    help_towards = EncryptedTextField(_("Hilfen, auf die hingewirkt wurde"), blank=True)
    decision = models.CharField(
        _("Entscheidung"), max_length=10, choices=Decision.choices, blank=True
    )
    review_on = models.DateField(_("Überprüfung am"), null=True, blank=True)
    status = models.CharField(
        _("Stand"), max_length=8, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("erstellt von"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("abgezeichnet von"),
    )
    signed_at = models.DateTimeField(_("abgezeichnet am"), null=True, blank=True)
    purge_after = models.DateField(_("löschen ab"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.PARTNERS
    audit_fields = (
        "institution_id",
        "child_code",
        "age_band",
        "noticed_on",
        "indications",
        "instrument_key",
        "instrument_version",
        "answers",
        "assessment_summary",
        "parents_talk",
        "child_talk",
        "talk_omitted_reason",
        "help_towards",
        "decision",
        "review_on",
        "status",
        "signed_by_id",
        "signed_at",
    )
    audit_redacted_fields = (
        "indications",
        "assessment_summary",
        "talk_omitted_reason",
        "help_towards",
    )

    class Meta:
        verbose_name = _("Dokumentation der Einrichtung")
        verbose_name_plural = _("Dokumentationen der Einrichtungen")
        ordering = ["-noticed_on", "-id"]
        # The institution's dashboard reads only index ranges (covering indexes, no row
        # loads): counts by status, monitored records due for review, and the list in
        # noticed order, each starting with (institution, municipality) — the two
        # equalities of ``selectors.records_for_user``. bench/partners_dashboard.py.
        indexes = [
            models.Index(
                fields=["institution", "municipality", "status"], name="partners_rec_inst_status"
            ),
            models.Index(
                fields=["institution", "municipality", "decision", "review_on"],
                name="partners_rec_inst_review",
            ),
            models.Index(
                fields=["institution", "municipality", "noticed_on"],
                name="partners_rec_inst_noticed",
            ),
            models.Index(fields=["municipality", "noticed_on"], name="partners_rec_muni_noticed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True) | ~Q(signed_by=F("author")),
                name="%(app_label)s_%(class)s_four_eyes",
                violation_error_message=_(
                    "Vier-Augen-Prinzip: Wer die Dokumentation erstellt hat, kann sie nicht "
                    "selbst abzeichnen."
                ),
            )
        ]

    def __str__(self) -> str:
        # The pseudonym only: this string lands in audit and read logs.
        return f"Dokumentation {self.child_code} ({self.noticed_on:%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("partners:record_detail", args=[self.code])

    @property
    def is_signed(self) -> bool:
        return self.status == RecordStatus.SIGNED


class Consultation(TenantModel):
    """A consultation of an insoweit erfahrene Fachkraft on one pseudonymous record."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    record = models.ForeignKey(
        PartnerRecord,
        on_delete=models.CASCADE,
        related_name="consultations",
        verbose_name=_("Dokumentation"),
    )
    insofa = models.ForeignKey(
        InsofaPoolMember,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("insoweit erfahrene Fachkraft"),
    )
    question = EncryptedTextField(_("Fragestellung"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("angefragt von"),
    )
    requested_at = models.DateTimeField(_("angefragt am"))
    status = models.CharField(
        _("Stand"),
        max_length=10,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.REQUESTED,
    )
    answered_at = models.DateTimeField(_("angenommen/abgelehnt am"), null=True, blank=True)
    decline_reason = models.CharField(_("Grund der Ablehnung"), max_length=250, blank=True)
    consulted_at = models.DateTimeField(_("beraten am"), null=True, blank=True)
    outcome = models.CharField(
        _("Ergebnis"), max_length=16, choices=ConsultationOutcome.choices, blank=True
    )
    result = EncryptedTextField(_("Ergebnis der Beratung"), blank=True)

    permission_domain = permissions.PARTNERS
    audit_fields = (
        "record_id",
        "insofa_id",
        "question",
        "requested_at",
        "status",
        "answered_at",
        "decline_reason",
        "consulted_at",
        "outcome",
        "result",
    )
    audit_redacted_fields = ("question", "result")

    class Meta:
        verbose_name = _("Beratung durch eine insoweit erfahrene Fachkraft")
        verbose_name_plural = _("Beratungen durch insoweit erfahrene Fachkräfte")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["insofa", "status"], name="partners_cons_insofa_status"),
        ]

    def __str__(self) -> str:
        return f"Beratung {self.requested_at:%d.%m.%Y} ({self.record.child_code})"


class PartnerMessage(TenantModel):
    """The Mitteilung an das Jugendamt: exactly what crosses from the institution.

    It carries the identifying data (entered only now, encrypted), arrives in the
    Jugendamt's intake and, once acknowledged, becomes a procedure there. The feedback
    (§ 4 Abs. 4 KKG or the § 8a agreement) travels back on the same row.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    receipt = models.CharField(_("Eingangsnummer"), max_length=20, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="partner_messages",
        verbose_name=_("Kommune"),
    )
    record = models.OneToOneField(
        PartnerRecord,
        on_delete=models.PROTECT,
        related_name="message",
        verbose_name=_("Dokumentation"),
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        related_name="partner_messages",
        verbose_name=_("meldende Einrichtung"),
    )
    reporter_category = models.CharField(
        _("Bekannt geworden durch"), max_length=24, choices=ReporterCategory.choices
    )
    sent_at = models.DateTimeField(_("eingegangen am"), db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("gesendet von"),
    )
    observations = EncryptedTextField(_("Beobachtungen"))
    assessment_summary = EncryptedTextField(_("Einschätzung der Einrichtung"), blank=True)
    instrument_key = models.CharField(_("Instrument"), max_length=60, blank=True)
    instrument_version = models.CharField(_("Version"), max_length=20, blank=True)
    actions_taken = EncryptedTextField(_("bisherige Schritte der Einrichtung"), blank=True)
    contact_person = EncryptedTextField(_("Ansprechperson und Erreichbarkeit"))
    child_name = EncryptedTextField(_("Name des Kindes"))
    child_birth_date = EncryptedTextField(_("Geburtsdatum des Kindes"), blank=True)
    child_address = EncryptedTextField(_("Anschrift"), blank=True)
    parents = EncryptedTextField(_("Eltern/Personensorgeberechtigte"), blank=True)
    # Pseudonymous statistic features the procedure needs (no day of birth).
    child_sex = models.CharField(_("Geschlecht"), max_length=1)
    child_birth_month = models.PositiveSmallIntegerField(_("Geburtsmonat"))
    child_birth_year = models.PositiveSmallIntegerField(_("Geburtsjahr"))
    status = models.CharField(
        _("Stand"), max_length=14, choices=MessageStatus.choices, default=MessageStatus.SENT
    )
    acknowledged_at = models.DateTimeField(_("bestätigt am"), null=True, blank=True)
    acknowledged_by_name = models.CharField(_("bestätigt von"), max_length=150, blank=True)
    # The Jugendamt's side: never shown to the institution.
    procedure = models.OneToOneField(
        "cases.Procedure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_message",
        verbose_name=_("Verfahren"),
    )
    feedback_due = models.DateTimeField(_("Rückmeldung fällig bis"), null=True, blank=True)
    reporter_involvement = models.CharField(
        _("Einbeziehung der meldenden Fachkraft"),
        max_length=16,
        choices=ReporterInvolvement.choices,
        blank=True,
    )
    involvement_kind = models.CharField(
        _("Art der Einbeziehung"), max_length=16, choices=InvolvementKind.choices, blank=True
    )
    involvement_note = EncryptedTextField(_("Vermerk zur Einbeziehung"), blank=True)
    involvement_at = models.DateTimeField(_("einbezogen am"), null=True, blank=True)
    # The way back: what the institution sees.
    feedback_at = models.DateTimeField(_("Rückmeldung am"), null=True, blank=True)
    feedback_legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=200, blank=True)
    feedback_indications_seen = models.BooleanField(
        _("Jugendamt sieht gewichtige Anhaltspunkte"), null=True, blank=True
    )
    feedback_active = models.BooleanField(_("Jugendamt ist tätig"), null=True, blank=True)
    feedback_text = EncryptedTextField(_("Rückmeldung"), blank=True)
    feedback_by_name = models.CharField(_("Rückmeldung von"), max_length=150, blank=True)

    permission_domain = permissions.PARTNERS
    audit_fields = (
        "record_id",
        "institution_id",
        "reporter_category",
        "sent_at",
        "observations",
        "assessment_summary",
        "instrument_key",
        "instrument_version",
        "actions_taken",
        "contact_person",
        "child_name",
        "child_birth_date",
        "child_address",
        "parents",
        "status",
        "acknowledged_at",
        "procedure_id",
        "feedback_due",
        "reporter_involvement",
        "involvement_kind",
        "involvement_note",
        "feedback_at",
        "feedback_legal_basis",
        "feedback_indications_seen",
        "feedback_active",
        "feedback_text",
    )
    audit_redacted_fields = (
        "observations",
        "assessment_summary",
        "actions_taken",
        "contact_person",
        "child_name",
        "child_birth_date",
        "child_address",
        "parents",
        "involvement_note",
        "feedback_text",
    )

    class Meta:
        verbose_name = _("Mitteilung an das Jugendamt")
        verbose_name_plural = _("Mitteilungen an das Jugendamt")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status", "sent_at"], name="partners_msg_intake"),
            models.Index(fields=["feedback_at", "feedback_due"], name="partners_msg_feedback"),
            # The institution's dashboard: open and answered Mitteilungen of one institution.
            models.Index(
                fields=["institution", "municipality", "feedback_at"],
                name="partners_msg_inst_feedback",
            ),
        ]

    def __str__(self) -> str:
        return f"Mitteilung {self.receipt}"


class PartnerEvent(TenantModel):
    """One step of the partner side, with its acting institution: the chain's event log.

    Written by the services only, never edited. When the Mitteilung becomes a procedure,
    the analysis joins these events to the procedure's own (same pseudonymous case id).
    """

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    record = models.ForeignKey(
        PartnerRecord,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("Dokumentation"),
    )
    activity_code = models.CharField(_("Schritt"), max_length=40, choices=PartnerActivity.choices)
    occurred_at = models.DateTimeField(_("Zeitpunkt"))
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handelnde Einrichtung"),
    )
    institution_name = models.CharField(_("handelnde Stelle"), max_length=300, blank=True)
    institution_type = models.CharField(_("Art der Stelle"), max_length=40, blank=True)
    actor_name = models.CharField(_("Fachkraft"), max_length=150, blank=True)

    permission_domain = permissions.PARTNERS

    class Meta:
        verbose_name = _("Schritt der Einrichtung")
        verbose_name_plural = _("Schritte der Einrichtungen")
        ordering = ["record", "occurred_at", "id"]
        indexes = [
            models.Index(fields=["municipality", "occurred_at"], name="partners_event_muni_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_code_display()} {self.occurred_at:%d.%m.%Y %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Schritte der Einrichtung werden nicht geändert.")
        super().save(*args, **kwargs)
