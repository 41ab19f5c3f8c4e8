"""The Frühe-Hilfen directory: offers of early help, aligned with Open Referral HSDS 3.0.

Mapping onto HSDS 3.0: the provider (``registry.Institution`` or ``provider_name``) is the
``organization``; :class:`Service` is the ``service``; its address is one ``location``
joined by one ``service_at_location``; ``contact_name``/``phone``/``email`` are the
``contact`` and ``phone``; :class:`Schedule` rows are ``schedule``; target groups are
``taxonomy_term`` rows linked as ``attribute``; languages are ``language``. The HSDS
document is compiled in :mod:`directory.hsds`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel
from core.validators import validate_http_url
from directory.choices import ServiceStatus, Weekday
from directory.constants import STALE_AFTER_DAYS


class TaxonomyTerm(models.Model):
    """A term of a controlled vocabulary (HSDS ``taxonomy_term``), e.g. a target group."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    taxonomy = models.CharField(_("Vokabular"), max_length=60)
    slug = models.SlugField(_("Kürzel"), max_length=60)
    name = models.CharField(_("Bezeichnung"), max_length=150)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Begriff")
        verbose_name_plural = _("Begriffe")
        ordering = ["taxonomy", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "slug"], name="%(app_label)s_%(class)s_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Service(TenantModel):
    """An Angebot of early help (Frühe Hilfen) in a commune; public without login.

    ``languages`` holds ISO 639 codes wrapped in commas (",de,tr,") so that one indexed
    ``LIKE`` finds a language on SQLite and PostgreSQL alike. ``search_document`` is the
    text the full-text index is built from (see :mod:`directory.search`).
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("Kommune"),
    )
    provider = models.ForeignKey(
        "registry.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("Träger (Einrichtung)"),
    )
    provider_name = models.CharField(
        _("Träger"), max_length=300, blank=True, help_text=_("wenn keine Einrichtung gewählt")
    )
    name = models.CharField(_("Name des Angebots"), max_length=300)
    description = models.TextField(_("Beschreibung"), blank=True)
    target_groups = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="services", verbose_name=_("Zielgruppen")
    )
    min_age = models.PositiveSmallIntegerField(_("Alter von (Jahre)"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("Alter bis (Jahre)"), null=True, blank=True)
    languages = models.CharField(_("Sprachen"), max_length=200, default=",de,", blank=True)
    is_free = models.BooleanField(_("kostenfrei"), default=True)
    fees_description = models.CharField(_("Kosten"), max_length=300, blank=True)
    accessibility = models.CharField(_("Barrierefreiheit"), max_length=300, blank=True)
    wheelchair_accessible = models.BooleanField(_("rollstuhlgerecht"), default=False)
    opening_hours = models.CharField(_("Öffnungszeiten"), max_length=300, blank=True)
    location_name = models.CharField(_("Ort des Angebots"), max_length=200, blank=True)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    district = models.CharField(_("Stadtteil"), max_length=100, blank=True, db_index=True)
    latitude = models.DecimalField(
        _("Breitengrad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("Längengrad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    contact_name = models.CharField(
        _("Ansprechperson"),
        max_length=150,
        blank=True,
        help_text=_("öffentlich sichtbar – nur mit Einverständnis der Person"),
    )
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    website = models.URLField(_("Website"), blank=True, validators=[validate_http_url])
    status = models.CharField(
        _("Status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    last_confirmed_on = models.DateField(_("zuletzt bestätigt am"), default=timezone.localdate)
    # The provider's personal link to confirm the entry without an account; issued with the
    # reminder, cleared once used.
    confirmation_token = models.UUIDField(
        _("Bestätigungsschlüssel"), null=True, blank=True, unique=True, editable=False
    )
    synthetic = models.BooleanField(_("synthetische Demodaten"), default=False)
    search_document = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.NETWORK
    audit_fields = (
        "name",
        "provider_id",
        "provider_name",
        "description",
        "min_age",
        "max_age",
        "languages",
        "is_free",
        "fees_description",
        "accessibility",
        "wheelchair_accessible",
        "opening_hours",
        "location_name",
        "street",
        "postcode",
        "city",
        "district",
        "latitude",
        "longitude",
        "contact_name",
        "phone",
        "email",
        "website",
        "status",
        "last_confirmed_on",
    )

    class Meta:
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")
        ordering = ["municipality", "name"]
        indexes = [
            models.Index(fields=["municipality", "status", "name"], name="directory_svc_muni"),
            models.Index(fields=["last_confirmed_on"], name="directory_svc_confirmed"),
            # The search page orders by name; with this index the first page needs no sort.
            models.Index(fields=["name", "id"], name="directory_svc_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_age__isnull=True)
                | Q(min_age__isnull=True)
                | Q(max_age__gte=models.F("min_age")),
                name="%(app_label)s_%(class)s_age_order",
                violation_error_message=_("„Alter bis“ darf nicht kleiner als „Alter von“ sein."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:service_detail", args=[self.code])

    @property
    def organization_name(self) -> str:
        if self.provider_id:
            return self.provider.name
        return self.provider_name

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def is_stale(self, today: dt.date | None = None) -> bool:
        """Not confirmed for 12 months: shown with a warning, listed for re-confirmation."""
        today = today or timezone.localdate()
        return self.last_confirmed_on < today - dt.timedelta(days=STALE_AFTER_DAYS)

    @property
    def language_names(self) -> list[str]:
        """The languages in words ("Deutsch, Türkisch"), for parents; unknown codes as is."""
        from directory.constants import LANGUAGES

        names = dict(LANGUAGES)
        return [str(names.get(code, code)) for code in self.language_codes]

    def build_search_document(self, target_group_names: list[str] | None = None) -> str:
        """Name, text, place and target groups, then a line of their compound parts."""
        from directory.vocabulary import document_with_parts

        parts = [
            self.name,
            self.description,
            self.organization_name,
            self.location_name,
            self.district,
            self.city,
            self.fees_description,
            self.accessibility,
            *(target_group_names or []),
        ]
        return document_with_parts(" ".join(p for p in parts if p))


class SearchSynonym(models.Model):
    """A group of terms the public search treats as one ("Hebamme, Familienhebamme,
    Geburtshilfe, midwife"): a query word of the group finds offers naming any of them.

    Vocabulary of the whole platform (like :class:`TaxonomyTerm`), kept by the
    administration in the admin; read at query time, so a change needs no re-index.
    """

    terms = models.CharField(
        _("Begriffe"),
        max_length=500,
        unique=True,
        help_text=_("gleichbedeutende Begriffe, durch Komma getrennt; auch englische"),
    )
    note = models.CharField(_("Hinweis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Suchbegriff-Gruppe")
        verbose_name_plural = _("Suchbegriff-Gruppen")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        terms = [t.strip() for t in self.terms.split(",") if t.strip()]
        if len(terms) < 2:
            raise ValidationError(
                {"terms": _("Bitte mindestens zwei Begriffe durch Komma getrennt angeben.")}
            )
        self.terms = ", ".join(terms)


class Schedule(models.Model):
    """A weekly opening time of an offer (HSDS ``schedule`` with freq WEEKLY)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("Angebot")
    )
    weekday = models.CharField(_("Wochentag"), max_length=2, choices=Weekday.choices)
    opens_at = models.TimeField(_("von"))
    closes_at = models.TimeField(_("bis"))
    note = models.CharField(_("Hinweis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Öffnungszeit")
        verbose_name_plural = _("Öffnungszeiten")
        ordering = ["service", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="%(app_label)s_%(class)s_time_order",
                violation_error_message=_("Das Ende muss nach dem Beginn liegen."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class ServiceIndicator(TenantModel):
    """The effect of an offer in one year, as the network agreed to measure it (Bremen,
    seed 003: checking offers for their effect): reach, waiting time, uptake by families
    referred from a § 8a procedure, and feedback. Shown to the coordination only."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("Angebot")
    )
    year = models.PositiveSmallIntegerField(_("Jahr"))
    families_reached = models.PositiveIntegerField(_("erreichte Familien"), null=True, blank=True)
    waiting_days = models.PositiveIntegerField(
        _("Wartezeit bis zum Erstkontakt (Tage, Median)"), null=True, blank=True
    )
    referred_from_procedures = models.PositiveIntegerField(
        _("davon vom Jugendamt aus einem Verfahren vermittelt"), null=True, blank=True
    )
    feedback_score = models.DecimalField(
        _("Rückmeldung der Familien (1–5)"),
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("5"))],
    )
    notes = models.TextField(_("Bemerkungen"), blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    tenant_field = "service__municipality_id"
    permission_domain = permissions.NETWORK
    audit_fields = (
        "year",
        "families_reached",
        "waiting_days",
        "referred_from_procedures",
        "feedback_score",
        "notes",
    )

    class Meta:
        verbose_name = _("Wirkungskennzahl")
        verbose_name_plural = _("Wirkungskennzahlen")
        ordering = ["service", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("Für dieses Jahr gibt es schon Kennzahlen."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.year}"

    def clean(self) -> None:
        errors = {}
        if self.year and not 2000 <= self.year <= timezone.localdate().year:
            errors["year"] = _("Kennzahlen gibt es nur für vergangene oder laufende Jahre.")
        if (
            self.referred_from_procedures is not None
            and self.families_reached is not None
            and self.referred_from_procedures > self.families_reached
        ):
            errors["referred_from_procedures"] = _(
                "Mehr vermittelte als erreichte Familien ist nicht möglich."
            )
        if errors:
            raise ValidationError(errors)
