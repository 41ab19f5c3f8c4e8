"""The local child-protection network: contacts, working groups and agreements.

Institutions themselves live in the registry (``registry.Institution``); this app adds the
people to call, the groups they meet in and the agreements that bind them (§ 3 KKG,
§ 8a Abs. 4 SGB VIII).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel
from network.choices import AgreementKind


class Contact(TenantModel):
    """An Ansprechperson at an institution of the network.

    Names, phone numbers and e-mail addresses of staff are personal data: they are shown
    to members of the commune only, unless ``is_public`` says the person agreed to be
    listed publicly (e.g. the insoweit erfahrene Fachkraft's advice line).
    """

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="network_contacts",
        verbose_name=_("Kommune"),
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("Einrichtung"),
    )
    name = models.CharField(_("Name"), max_length=150)
    function = models.CharField(_("Funktion"), max_length=150, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    responsibilities = models.TextField(_("Zuständigkeiten"), blank=True)
    is_insofa = models.BooleanField(
        _("insoweit erfahrene Fachkraft"),
        default=False,
        help_text=_("Beratung nach § 8a Abs. 4 und § 8b Abs. 1 SGB VIII, § 4 Abs. 2 KKG"),
    )
    insofa_specialism = models.CharField(
        _("Schwerpunkt der insoweit erfahrenen Fachkraft"),
        max_length=200,
        blank=True,
        help_text=_("z. B. Säuglinge und Kleinkinder, sexuelle Gewalt, Menschen mit Behinderung"),
    )
    is_public = models.BooleanField(
        _("öffentlich sichtbar"),
        default=False,
        help_text=_("Nur mit Einverständnis der Person: Name und Kontaktdaten werden öffentlich."),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.NETWORK
    audit_fields = (
        "institution_id",
        "name",
        "function",
        "phone",
        "email",
        "responsibilities",
        "is_insofa",
        "insofa_specialism",
        "is_public",
    )

    class Meta:
        verbose_name = _("Ansprechperson")
        verbose_name_plural = _("Ansprechpersonen")
        ordering = ["municipality", "institution__name", "name"]
        indexes = [
            models.Index(fields=["municipality", "is_insofa"], name="network_contact_insofa")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution})" if self.institution_id else self.name

    def clean(self) -> None:
        errors = {}
        if self.institution_id and self.institution.municipality_id != self.municipality_id:
            errors["institution"] = _("Die Einrichtung gehört zu einer anderen Kommune.")
        if self.insofa_specialism and not self.is_insofa:
            errors["insofa_specialism"] = _(
                "Einen Schwerpunkt gibt es nur für insoweit erfahrene Fachkräfte."
            )
        if errors:
            raise ValidationError(errors)


class WorkingGroup(TenantModel):
    """A local network or working group (Arbeitskreis, Netzwerk Frühe Hilfen, Werkstatt)."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="working_groups",
        verbose_name=_("Kommune"),
    )
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    members = models.ManyToManyField(
        "registry.Institution",
        blank=True,
        related_name="working_groups",
        verbose_name=_("Mitglieder"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.NETWORK
    audit_fields = ("name", "description")

    class Meta:
        verbose_name = _("Arbeitskreis")
        verbose_name_plural = _("Arbeitskreise")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


def agreement_upload_to(instance: Agreement, filename: str) -> str:
    # Not under a guessable public path: documents are served by a permission-checked view.
    return f"network/agreements/{instance.municipality_id}/{filename}"


class Agreement(TenantModel):
    """A cooperation, hand-over, § 8a Abs. 4 or data-protection agreement.

    Parties are institutions of the commune and/or other communes (hand-over agreements
    between Jugendämter). ``next_review_on`` drives the reminders of
    ``manage.py send_review_reminders``; ``review_reminder_sent_on`` remembers that the
    reminder for the current review date went out, and is cleared when the date moves.
    """

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("Kommune"),
    )
    title = models.CharField(_("Titel"), max_length=250)
    kind = models.CharField(_("Art"), max_length=20, choices=AgreementKind.choices)
    institutions = models.ManyToManyField(
        "registry.Institution",
        blank=True,
        related_name="agreements",
        verbose_name=_("beteiligte Einrichtungen"),
    )
    partner_municipalities = models.ManyToManyField(
        "registry.Municipality",
        blank=True,
        related_name="partner_agreements",
        verbose_name=_("beteiligte Kommunen"),
    )
    signed_on = models.DateField(_("unterzeichnet am"), null=True, blank=True)
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    next_review_on = models.DateField(_("nächste Überprüfung"), null=True, blank=True)
    review_reminder_sent_on = models.DateField(
        _("Erinnerung versandt am"), null=True, blank=True, editable=False
    )
    document = models.FileField(
        _("Dokument"), upload_to=agreement_upload_to, blank=True, max_length=300
    )
    notes = models.TextField(_("Anmerkungen"), blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.NETWORK
    audit_fields = (
        "title",
        "kind",
        "signed_on",
        "valid_from",
        "valid_until",
        "next_review_on",
        "document_name",
        "notes",
    )

    class Meta:
        verbose_name = _("Vereinbarung")
        verbose_name_plural = _("Vereinbarungen")
        ordering = ["municipality", "next_review_on", "title"]
        indexes = [models.Index(fields=["next_review_on"], name="network_agreement_review")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_order",
                violation_error_message=_("„gültig bis“ darf nicht vor „gültig ab“ liegen."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def document_name(self) -> str:
        """The stored file name (the audit trail records the name, not the content)."""
        return self.document.name or ""
