"""The project registry: Länder, clusters, communes, institutions, population."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel, TenantQuerySet
from core.validators import safe_href, validate_http_url, validate_website
from registry.choices import BodyKind, ProjectRole, Sex
from registry.taxonomy import institution_type_choices


class State(models.Model):
    """A Bundesland; the 16 rows are loaded by a data migration."""

    code = models.CharField(_("Kürzel"), max_length=2, unique=True)
    name = models.CharField(_("Name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("Bundesland")
        verbose_name_plural = _("Bundesländer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Cluster(models.Model):
    """A numbered Kinderschutzcluster: one model commune and its partner communes."""

    number = models.PositiveSmallIntegerField(_("Nummer"), unique=True)
    model_municipality = models.OneToOneField(
        "registry.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_cluster",
        verbose_name=_("Modellkommune"),
    )

    audit_fields = ("number", "model_municipality_id")

    class Meta:
        verbose_name = _("Kinderschutzcluster")
        verbose_name_plural = _("Kinderschutzcluster")
        ordering = ["number"]

    def __str__(self) -> str:
        return _("Kinderschutzcluster %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("profiles:cluster_detail", args=[self.number])

    @property
    def tenant_id(self) -> int | None:
        return self.model_municipality_id


class MunicipalityQuerySet(TenantQuerySet):
    def visible_to(self, user, action: str = permissions.VIEW) -> MunicipalityQuerySet:
        allowed = permissions.municipality_ids_for(user, action, permissions.REGISTRY)
        if allowed == permissions.ALL:
            return self
        return self.filter(pk__in=allowed)


class Municipality(models.Model):
    """A Kommune (the tenant): a Jugendamt's territory taking part in the project."""

    name = models.CharField(_("Name"), max_length=150)
    slug = models.SlugField(_("Kurzname"), max_length=160, unique=True)
    body_kind = models.CharField(
        _("Körperschaft"), max_length=20, choices=BodyKind.choices, default=BodyKind.UNKNOWN
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
        verbose_name=_("Bundesland"),
    )
    website = models.CharField(
        _("Website"), max_length=200, blank=True, validators=[validate_website]
    )
    project_role = models.CharField(
        _("Rolle im Projekt"), max_length=10, choices=ProjectRole.choices, blank=True
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipalities",
        verbose_name=_("Kinderschutzcluster"),
    )
    highlights = models.TextField(_("Besonderheiten"), blank=True)
    emergency_phone = models.CharField(
        _("Notdienst des Jugendamts (Telefon)"),
        max_length=50,
        blank=True,
        help_text=_("erscheint im Notfallhinweis der öffentlichen Seiten"),
    )
    profile_source = models.CharField(_("Profilquelle"), max_length=300, blank=True)
    profile_notes = models.JSONField(_("Anmerkungen im Profil"), default=list, blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects = MunicipalityQuerySet.as_manager()
    permission_domain = permissions.REGISTRY
    audit_fields = (
        "name",
        "slug",
        "body_kind",
        "state_id",
        "website",
        "project_role",
        "cluster_id",
        "highlights",
        "profile_notes",
        "profile_source",
        "emergency_phone",
    )

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name"]
        indexes = [models.Index(fields=["project_role"], name="registry_muni_role")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("profiles:municipality_detail", args=[self.slug])

    @property
    def tenant_id(self) -> int | None:
        return self.pk

    @property
    def website_url(self) -> str:
        # "" for anything that is not http(s), even in rows older than the validator.
        return safe_href(self.website, bare_host=True)


class MunicipalityAlias(models.Model):
    """Another spelling of a commune's name seen in a profile ("Stadt Wolfburg")."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("Kommune"),
    )
    name = models.CharField(_("Schreibweise"), max_length=150)
    key = models.CharField(_("Vergleichsschlüssel"), max_length=150, db_index=True)

    class Meta:
        verbose_name = _("Namensvariante")
        verbose_name_plural = _("Namensvarianten")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Institution(TenantModel):
    """An Einrichtung or Träger in a commune's child-protection network."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("Kommune"),
    )
    name = models.CharField(_("Name"), max_length=300)
    institution_type = models.CharField(
        _("Art der Einrichtung"),
        max_length=40,
        choices=institution_type_choices(),
        default="unclassified",
    )
    type_confidence = models.FloatField(_("Sicherheit der Zuordnung"), default=1.0)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("übergeordnete Einrichtung"),
    )
    workshop_participant = models.BooleanField(
        _("nimmt an der Qualitätsentwicklungswerkstatt teil"), default=False
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    imported = models.BooleanField(_("aus Profil importiert"), default=False)
    # Address and reachability of the institution itself (not of its staff): the network
    # registry and the Frühe-Hilfen directory show them; staff contacts live in
    # network.Contact, where personal data stays internal unless marked public.
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    district = models.CharField(_("Stadtteil/Bezirk"), max_length=100, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    website = models.URLField(_("Website"), blank=True, validators=[validate_http_url])
    is_public = models.BooleanField(
        _("öffentlich sichtbar"),
        default=True,
        help_text=_("Einrichtungen (nicht Personen) stehen in öffentlichen Listen."),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.REGISTRY
    audit_fields = (
        "name",
        "institution_type",
        "parent_id",
        "workshop_participant",
        "position",
        "street",
        "postcode",
        "city",
        "district",
        "phone",
        "email",
        "website",
        "is_public",
    )

    class Meta:
        verbose_name = _("Einrichtung")
        verbose_name_plural = _("Einrichtungen")
        ordering = ["municipality", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PopulationCount(TenantModel):
    """Residents of a commune by year, age band and sex (Altersstruktur der Einwohner)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="population",
        verbose_name=_("Kommune"),
    )
    year = models.PositiveSmallIntegerField(_("Jahr"))
    age_from = models.PositiveSmallIntegerField(_("Alter von"))
    age_to = models.PositiveSmallIntegerField(
        _("Alter bis"), null=True, blank=True, help_text=_("leer = und älter")
    )
    sex = models.CharField(_("Geschlecht"), max_length=1, choices=Sex.choices)
    count = models.PositiveIntegerField(_("Anzahl"))
    synthetic = models.BooleanField(_("synthetische Demodaten"), default=False)

    permission_domain = permissions.REGISTRY
    audit_fields = ("year", "age_from", "age_to", "sex", "count")

    class Meta:
        verbose_name = _("Einwohnerzahl")
        verbose_name_plural = _("Einwohnerzahlen")
        ordering = ["municipality", "year", "age_from", "sex"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "age_from", "sex"],
                name="%(app_label)s_%(class)s_unique_cell",
            ),
            models.CheckConstraint(
                condition=Q(age_to__isnull=True) | Q(age_to__gte=models.F("age_from")),
                name="%(app_label)s_%(class)s_age_order",
                violation_error_message=_("„Alter bis“ darf nicht kleiner als „Alter von“ sein."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year} {self.age_band} {self.sex}: {self.count}"

    @property
    def age_band(self) -> str:
        if self.age_to is None:
            return f"{self.age_from}+"
        return f"{self.age_from}–{self.age_to}"
