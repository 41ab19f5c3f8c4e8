"""Aus Fehlern lernen: case reviews, near-miss reports and the shared learning library."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.fields import EncryptedTextField
from core.models import TenantModel
from registry.taxonomy import institution_type_choices
from reviews.choices import (
    CategoryKind,
    ContextFactor,
    FindingLevel,
    FindingValence,
    IncidentStatus,
    LibraryKind,
    ReviewMethod,
    ReviewStatus,
    ReviewTrigger,
)


class ErrorCategory(models.Model):
    """One entry of the curated taxonomy of child-protection errors and contributing factors.

    Global (not per commune) so that findings from every commune can be counted together;
    shipped by a data migration and edited by the national project team.
    """

    code = models.SlugField(_("Kürzel"), max_length=60, unique=True)
    label = models.CharField(_("Bezeichnung"), max_length=150, unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    kind = models.CharField(_("Art"), max_length=10, choices=CategoryKind.choices)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(_("aktiv"), default=True)

    audit_fields = ("code", "label", "description", "kind", "position", "is_active")

    class Meta:
        verbose_name = _("Fehlerkategorie")
        verbose_name_plural = _("Fehlerkategorien")
        ordering = ["kind", "position", "label"]

    def __str__(self) -> str:
        return self.label


class CaseReview(TenantModel):
    """A Falluntersuchung: a systemic look at one case by a team from several institutions."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="case_reviews",
        verbose_name=_("Kommune"),
    )
    title = models.CharField(
        _("Titel"),
        max_length=200,
        help_text=_("Ohne Namen oder andere identifizierende Angaben, z. B. „Fall A 2025“."),
    )
    trigger = models.CharField(_("Anlass"), max_length=20, choices=ReviewTrigger.choices)
    method = models.CharField(_("Methode"), max_length=20, choices=ReviewMethod.choices)
    status = models.CharField(
        _("Status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    # The narratives: encrypted at rest, bound to this row (core.fields), read-logged.
    questions = EncryptedTextField(_("Fragen der Falluntersuchung"), blank=True)
    summary = EncryptedTextField(_("Zusammenfassung"), blank=True)
    team = models.ManyToManyField(
        "registry.Institution",
        blank=True,
        related_name="case_reviews",
        verbose_name=_("Analyseteam (Einrichtungen)"),
    )
    procedure_code = models.UUIDField(
        _("verknüpftes Verfahren"),
        null=True,
        blank=True,
        help_text=_("Nur die Kennung; aus dem Verfahren werden keine Personendaten kopiert."),
    )
    started_on = models.DateField(_("Beginn"), null=True, blank=True)
    closed_on = models.DateField(_("Abschluss"), null=True, blank=True)
    # The year the review is counted in ("over time" statistics): stored, because a
    # year extracted per row is a Python call per finding on SQLite (7× slower).
    year = models.PositiveSmallIntegerField(_("Jahr"), editable=False, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    # Retention: a closed review's narratives are blanked after the retention period
    # (settings.KSQM_REVIEW_RETENTION_YEARS) unless a legal hold stops the purge while a
    # court case or another review needs them.
    legal_hold = models.BooleanField(_("Löschsperre (rechtliche Aufbewahrung)"), default=False)
    legal_hold_reason = models.CharField(_("Grund der Löschsperre"), max_length=300, blank=True)
    purged_at = models.DateTimeField(_("Freitexte gelöscht am"), null=True, blank=True)
    synthetic = models.BooleanField(_("synthetische Demodaten"), default=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.REVIEWS
    audit_fields = (
        "title",
        "trigger",
        "method",
        "status",
        "questions",
        "summary",
        "procedure_code",
        "started_on",
        "closed_on",
        "legal_hold",
        "legal_hold_reason",
        "purged_at",
    )

    class Meta:
        verbose_name = _("Falluntersuchung")
        verbose_name_plural = _("Falluntersuchungen")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "status"], name="reviews_review_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:review_detail", args=[self.code])

    def save(self, *args, **kwargs) -> None:
        self.year = (self.started_on or timezone.localdate()).year
        super().save(*args, **kwargs)


class Episode(TenantModel):
    """A key practice episode on the review's timeline; its texts are encrypted.

    Either copied from a documented procedure's event (``source_event_ref`` keeps only a
    technical reference) or entered by hand for a case outside the system.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(
        CaseReview,
        on_delete=models.CASCADE,
        related_name="episodes",
        verbose_name=_("Falluntersuchung"),
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    occurred_on = models.DateField(_("Datum"), null=True, blank=True)
    title = models.CharField(_("Episode"), max_length=200)
    activity_code = models.CharField(_("Verfahrensschritt"), max_length=40, blank=True)
    institution_type = models.CharField(
        _("handelnde Einrichtungsart"),
        max_length=40,
        choices=institution_type_choices(),
        blank=True,
    )
    # Which body acted in the reviewed case: encrypted like the institution named in the
    # procedure it may come from (the pairing body ↔ case is what identifies).
    institution_label = EncryptedTextField(_("handelnde Stelle"), blank=True)
    what_happened = EncryptedTextField(_("Was ist geschehen?"), blank=True)
    known_then = EncryptedTextField(_("Was war damals bekannt?"), blank=True)
    why_sensible = EncryptedTextField(
        _("Warum erschien das Handeln damals sinnvoll?"),
        blank=True,
        help_text=_("Die Sicht der Beteiligten zum damaligen Zeitpunkt, nicht im Rückblick."),
    )
    imported = models.BooleanField(_("aus Verfahren übernommen"), default=False)
    source_event_ref = models.CharField(
        _("Bezug zum Verfahrensereignis"), max_length=64, blank=True
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    tenant_field = "review__municipality_id"
    permission_domain = permissions.REVIEWS
    audit_fields = (
        "position",
        "occurred_on",
        "title",
        "activity_code",
        "institution_type",
        "institution_label",
        "what_happened",
        "known_then",
        "why_sensible",
        "imported",
    )

    class Meta:
        verbose_name = _("Schlüsselepisode")
        verbose_name_plural = _("Schlüsselepisoden")
        ordering = ["review", "position", "occurred_on", "id"]

    def __str__(self) -> str:
        return self.title


class Finding(TenantModel):
    """A Befund: on one level, in one category of the taxonomy, a strength or a weakness."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(
        CaseReview,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("Falluntersuchung"),
    )
    episode = models.ForeignKey(
        Episode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("Episode"),
    )
    level = models.CharField(_("Ebene"), max_length=20, choices=FindingLevel.choices, blank=True)
    context_factor = models.CharField(
        _("Kontextfaktor außerhalb der vier Ebenen"),
        max_length=20,
        choices=ContextFactor.choices,
        blank=True,
        help_text=_("Recht, Politik, Gesellschaft: wird nicht als Ebene gezählt."),
    )
    category = models.ForeignKey(
        ErrorCategory,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("Kategorie"),
    )
    valence = models.CharField(
        _("Stärke oder Schwachstelle"),
        max_length=10,
        choices=FindingValence.choices,
        default=FindingValence.WEAKNESS,
    )
    text = EncryptedTextField(_("Befund"))
    public_text = models.TextField(_("anonymisierte Fassung für die Lernbibliothek"), blank=True)
    is_published = models.BooleanField(_("in der Lernbibliothek veröffentlicht"), default=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    tenant_field = "review__municipality_id"
    permission_domain = permissions.REVIEWS
    audit_fields = (
        "episode_id",
        "level",
        "context_factor",
        "category_id",
        "valence",
        "text",
        "public_text",
        "is_published",
    )

    class Meta:
        verbose_name = _("Befund")
        verbose_name_plural = _("Befunde")
        ordering = ["review", "level", "id"]
        indexes = [models.Index(fields=["level", "category"], name="reviews_finding_level_cat")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=FindingLevel.values) | models.Q(level=""),
                name="%(app_label)s_%(class)s_four_levels",
                violation_error_message=_("Ein Befund liegt auf einer der vier Ebenen."),
            ),
            models.CheckConstraint(
                condition=~models.Q(level="", context_factor=""),
                name="%(app_label)s_%(class)s_level_or_context",
                violation_error_message=_(
                    "Bitte eine der vier Ebenen oder einen Kontextfaktor angeben."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_label}: {self.category}"

    @property
    def dimension_label(self) -> str:
        """The level, or the context factor for a finding outside the four levels."""
        if self.level:
            return str(self.get_level_display())
        return str(self.get_context_factor_display())


class Recommendation(TenantModel):
    """What should change; turned into a quality outcome so the workshop board follows it up."""

    review = models.ForeignKey(
        CaseReview,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("Falluntersuchung"),
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("zu Befund"),
    )
    text = models.CharField(_("Empfehlung"), max_length=300)
    rationale = models.TextField(_("Begründung"), blank=True)
    due_date = models.DateField(_("umsetzen bis"), null=True, blank=True)
    outcome = models.ForeignKey(
        "quality.Outcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_recommendations",
        verbose_name=_("Ergebnis/Maßnahme in der Werkstatt"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    tenant_field = "review__municipality_id"
    permission_domain = permissions.REVIEWS
    audit_fields = ("finding_id", "text", "rationale", "due_date", "outcome_id")

    class Meta:
        verbose_name = _("Empfehlung")
        verbose_name_plural = _("Empfehlungen")
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return self.text


class IncidentReport(TenantModel):
    """An anonymous Beinahe-Ereignis (CIRS) report from anyone in a commune's network.

    Deliberately holds nothing about the reporter: no account, no IP address, no user
    agent, and only the day of receipt (an exact time could be matched with other logs).
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    receipt_code = models.CharField(_("Quittungscode"), max_length=20, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="incident_reports",
        verbose_name=_("Kommune"),
    )
    received_on = models.DateField(_("eingegangen am"))
    reporter_institution_type = models.CharField(
        _("Art der meldenden Einrichtung"),
        max_length=40,
        choices=institution_type_choices(),
        blank=True,
    )
    # The raw texts may name people until moderation: encrypted, bound to this row.
    what_happened = EncryptedTextField(_("Was ist passiert?"))
    what_could_have_happened = EncryptedTextField(_("Was hätte passieren können?"), blank=True)
    what_helped = EncryptedTextField(_("Was hat geholfen?"), blank=True)
    what_should_change = EncryptedTextField(_("Was sollte sich ändern?"), blank=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.RECEIVED
    )
    public_title = models.CharField(_("Titel (anonymisiert)"), max_length=200, blank=True)
    public_text = models.TextField(_("anonymisierte Fassung"), blank=True)
    level = models.CharField(_("Ebene"), max_length=20, choices=FindingLevel.choices, blank=True)
    context_factor = models.CharField(
        _("Kontextfaktor außerhalb der vier Ebenen"),
        max_length=20,
        choices=ContextFactor.choices,
        blank=True,
    )
    category = models.ForeignKey(
        ErrorCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incident_reports",
        verbose_name=_("Kategorie"),
    )
    answer = models.TextField(_("Antwort an die meldende Person"), blank=True)
    answered_on = models.DateField(_("beantwortet am"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderiert von"),
    )
    synthetic = models.BooleanField(_("synthetische Demodaten"), default=False)

    permission_domain = permissions.REVIEWS
    # The raw text is never copied into the audit trail: it may still hold identifying
    # details until the moderation removed them.
    audit_fields = (
        "status",
        "level",
        "context_factor",
        "category_id",
        "public_title",
        "public_text",
        "answer",
        "answered_on",
        "moderated_by_id",
    )

    class Meta:
        verbose_name = _("Beinahe-Ereignis")
        verbose_name_plural = _("Beinahe-Ereignisse")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status"], name="reviews_incident_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=FindingLevel.values) | models.Q(level=""),
                name="%(app_label)s_%(class)s_four_levels",
                violation_error_message=_("Eine Meldung liegt auf einer der vier Ebenen."),
            ),
        ]

    def __str__(self) -> str:
        return self.public_title or _("Beinahe-Ereignis vom %(day)s") % {
            "day": self.received_on.strftime("%d.%m.%Y") if self.received_on else "?"
        }


class LibraryItem(models.Model):
    """A published, anonymised entry of the learning library (open to everyone).

    A denormalised copy written when a finding or near-miss report is published, so the
    public search never touches the review or the raw report.
    """

    kind = models.CharField(_("Art"), max_length=10, choices=LibraryKind.choices)
    finding = models.OneToOneField(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="library_item",
        verbose_name=_("Befund"),
    )
    incident = models.OneToOneField(
        IncidentReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="library_item",
        verbose_name=_("Beinahe-Ereignis"),
    )
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    level = models.CharField(_("Ebene"), max_length=20, choices=FindingLevel.choices, blank=True)
    context_factor = models.CharField(
        _("Kontextfaktor außerhalb der vier Ebenen"),
        max_length=20,
        choices=ContextFactor.choices,
        blank=True,
    )
    category = models.ForeignKey(
        ErrorCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="library_items",
        verbose_name=_("Kategorie"),
    )
    valence = models.CharField(
        _("Stärke oder Schwachstelle"), max_length=10, choices=FindingValence.choices, blank=True
    )
    trigger = models.CharField(_("Anlass"), max_length=20, choices=ReviewTrigger.choices)
    # "|kita|asd|": a delimited string, so that one icontains filter works on SQLite and PG.
    institution_types = models.CharField(
        _("beteiligte Einrichtungsarten"), max_length=500, blank=True
    )
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Text"))
    answer = models.TextField(_("Antwort/Konsequenz"), blank=True)
    published_on = models.DateField(_("veröffentlicht am"))
    search_text = models.TextField(_("Suchtext (normalisiert)"), blank=True, editable=False)

    audit_fields = (
        "kind",
        "level",
        "context_factor",
        "category_id",
        "valence",
        "trigger",
        "title",
        "text",
    )

    class Meta:
        verbose_name = _("Eintrag der Lernbibliothek")
        verbose_name_plural = _("Lernbibliothek")
        ordering = ["-published_on", "-id"]
        indexes = [
            models.Index(fields=["-published_on", "-id"], name="reviews_library_recent"),
            models.Index(fields=["level", "-published_on"], name="reviews_library_level"),
            models.Index(fields=["trigger", "-published_on"], name="reviews_library_trigger"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=FindingLevel.values) | models.Q(level=""),
                name="%(app_label)s_%(class)s_four_levels",
                violation_error_message=_("Ein Eintrag liegt auf einer der vier Ebenen."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=LibraryKind.FINDING, finding__isnull=False, incident__isnull=True)
                    | models.Q(
                        kind=LibraryKind.INCIDENT, incident__isnull=False, finding__isnull=True
                    )
                ),
                name="%(app_label)s_%(class)s_one_source",
                violation_error_message=_("Ein Eintrag stammt aus genau einer Quelle."),
            ),
        ]

    def __str__(self) -> str:
        return self.title
