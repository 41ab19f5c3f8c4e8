"""The library of local standards and the network's shared glossary.

The seeds' results are, again and again, documents a network agrees on: a Leitbild and a
Kinderschutzplan (seed 001), a Leitfaden and Übergabevereinbarungen (seed 002), the Bremer
Konzept (seed 003). Here each such document has a lifecycle, versions, the body that
decided it, a review date and a visibility beyond its commune.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel, TenantQuerySet
from standards.choices import DocumentKind, DocumentStatus, Visibility

# Documents others may read: never a draft of another commune.
SHARED_STATUSES = (DocumentStatus.CONSULTATION, DocumentStatus.ADOPTED, DocumentStatus.REPEALED)
PUBLIC_STATUSES = (DocumentStatus.ADOPTED, DocumentStatus.REPEALED)


class SharedQuerySet(TenantQuerySet):
    """Records a commune may share with its cluster or the public."""

    def readable_by(self, user: Any) -> SharedQuerySet:
        """What ``user`` may read: all of her own communes' records, the shared records of
        the communes in her clusters, and public records of every commune."""
        own = permissions.municipality_ids_for(user, permissions.VIEW, self.model.permission_domain)
        if own == permissions.ALL:
            return self
        status_field = getattr(self.model, "status_field", None)
        public = Q(visibility=Visibility.PUBLIC)
        shared = Q(visibility__in=[Visibility.CLUSTER, Visibility.PUBLIC])
        if status_field:
            public &= Q(**{f"{status_field}__in": PUBLIC_STATUSES})
            shared &= Q(**{f"{status_field}__in": SHARED_STATUSES})
        condition = public
        if own:
            condition |= Q(municipality_id__in=own)
            municipality_model = self.model._meta.get_field("municipality").related_model
            clusters = municipality_model.objects.filter(pk__in=own, cluster__isnull=False).values(
                "cluster_id"
            )
            condition |= shared & Q(municipality__cluster_id__in=clusters)
        return self.filter(condition)


class StandardDocument(TenantModel):
    """A local standard (Leitbild, Leitfaden, Verfahrensstandard …) with its lifecycle."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="standard_documents",
        verbose_name=_("Kommune"),
    )
    code = models.UUIDField(_("Kennung"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("Titel"), max_length=250)
    kind = models.CharField(_("Art"), max_length=20, choices=DocumentKind.choices)
    summary = models.TextField(_("Kurzbeschreibung"), blank=True)
    owner = models.CharField(
        _("Verantwortlich"),
        max_length=200,
        help_text=_("Wer das Dokument pflegt, z. B. „Koordination Kinderschutz im Jugendamt“."),
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    visibility = models.CharField(
        _("Sichtbarkeit"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.MUNICIPALITY,
        help_text=_(
            "Andere Kommunen sehen nie Entwürfe; die Öffentlichkeit sieht nur beschlossene "
            "oder außer Kraft gesetzte Dokumente."
        ),
    )
    decided_by = models.CharField(
        _("Beschlossen von"),
        max_length=200,
        blank=True,
        help_text=_("z. B. Jugendhilfeausschuss, Netzwerkkonferenz, Amtsleitung"),
    )
    decided_on = models.DateField(_("Beschlossen am"), null=True, blank=True)
    next_review_on = models.DateField(_("Nächste Überprüfung"), null=True, blank=True)
    adopted_number = models.PositiveIntegerField(
        _("Beschlossene Version"), null=True, blank=True, editable=False
    )
    review_reminded_for = models.DateField(
        _("Erinnert für Überprüfung am"), null=True, blank=True, editable=False
    )
    outcomes = models.ManyToManyField(
        "quality.Outcome", blank=True, related_name="standards", verbose_name=_("Ergebnisse")
    )
    workshops = models.ManyToManyField(
        "quality.Workshop", blank=True, related_name="standards", verbose_name=_("Werkstätten")
    )
    agreements = models.ManyToManyField(
        "network.Agreement",
        blank=True,
        related_name="standards",
        verbose_name=_("Vereinbarungen"),
    )
    search_text = models.TextField(_("Suchtext"), blank=True, editable=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects = SharedQuerySet.as_manager()
    permission_domain = permissions.QUALITY
    status_field = "status"
    audit_fields = (
        "title",
        "kind",
        "summary",
        "owner",
        "status",
        "visibility",
        "decided_by",
        "decided_on",
        "next_review_on",
        "adopted_number",
    )

    class Meta:
        verbose_name = _("Standard")
        verbose_name_plural = _("Standards")
        ordering = ["municipality__name", "kind", "title"]
        indexes = [
            models.Index(fields=["municipality", "status"], name="standards_doc_status"),
            models.Index(fields=["next_review_on"], name="standards_doc_review"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.status == DocumentStatus.ADOPTED and not (self.decided_by and self.decided_on):
            errors["decided_by"] = _(
                "Ein beschlossenes Dokument nennt, wer es wann beschlossen hat."
            )
        if self.decided_on and self.next_review_on and self.next_review_on < self.decided_on:
            errors["next_review_on"] = _("Die Überprüfung liegt vor dem Beschluss.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT

    def versions_for(self, *, own: bool) -> list[StandardVersion]:
        """Newest first. Outside the commune a version newer than the adopted one is not
        shown: it is still being agreed on, and what is in force is the adopted text."""
        versions = sorted(self.versions.all(), key=lambda v: -v.number)
        if own or self.adopted_number is None:
            return versions
        return [v for v in versions if v.number <= self.adopted_number]


class StandardVersion(models.Model):
    """One version of a document: Markdown text, a file, or both. Versions never change."""

    document = models.ForeignKey(
        StandardDocument,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("Dokument"),
    )
    number = models.PositiveIntegerField(_("Version"))
    text = models.TextField(_("Text (Markdown)"), blank=True)
    file = models.FileField(_("Datei"), upload_to="standards/%Y/", blank=True)
    file_name = models.CharField(_("Dateiname"), max_length=200, blank=True)
    content_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("Größe in Bytes"), default=0)
    note = models.CharField(_("Was sich geändert hat"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    created_by_name = models.CharField(_("angelegt von"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    tenant_field = "document__municipality_id"
    audit_fields = ("number", "note", "file_name", "size")

    class Meta:
        verbose_name = _("Version")
        verbose_name_plural = _("Versionen")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(file=""),
                name="%(app_label)s_%(class)s_text_or_file",
                violation_error_message=_("Eine Version braucht einen Text oder eine Datei."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} – v{self.number}"

    @property
    def tenant_id(self) -> int:
        return self.document.municipality_id


class GlossaryTerm(TenantModel):
    """A definition the network agreed on (Kindeswohl, gewichtige Anhaltspunkte …)."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="glossary_terms",
        verbose_name=_("Kommune"),
    )
    term = models.CharField(_("Begriff"), max_length=150)
    key = models.CharField(_("Vergleichsschlüssel"), max_length=150, editable=False)
    definition = models.TextField(_("Definition"))
    source = models.CharField(
        _("Quelle"),
        max_length=300,
        blank=True,
        help_text=_("z. B. Werkstatt vom 12.03., Leitfaden Kinderschutz Kapitel 2, § 8a SGB VIII"),
    )
    professions = models.CharField(
        _("Zugestimmt haben"),
        max_length=300,
        blank=True,
        help_text=_("Berufsgruppen, die die Definition gemeinsam beschlossen haben, kommagetrennt"),
    )
    agreed_on = models.DateField(_("Vereinbart am"), null=True, blank=True)
    visibility = models.CharField(
        _("Sichtbarkeit"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects = SharedQuerySet.as_manager()
    permission_domain = permissions.QUALITY
    audit_fields = ("term", "definition", "source", "professions", "agreed_on", "visibility")

    class Meta:
        verbose_name = _("Begriff im Glossar")
        verbose_name_plural = _("Glossar")
        ordering = ["key", "municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"],
                name="%(app_label)s_%(class)s_unique_term",
                violation_error_message=_("Diesen Begriff hat die Kommune schon definiert."),
            )
        ]

    def __str__(self) -> str:
        return self.term

    @property
    def profession_list(self) -> list[str]:
        return [p.strip() for p in self.professions.split(",") if p.strip()]
