"""Training records of the network: who was trained in what, and on the instrument.

Seeds 001 and 002 name joint trainings (Datenschutz, Kinderschutz for Kitas, schools and
the clinic) as results of the quality workshops. A coordinator plans the next ones from
the coverage per institution type; a professional shows her record and certificate.
Names of professionals are personal data of staff: commune members only.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel
from registry.taxonomy import institution_type_choices
from trainings.choices import TrainingOrigin, TrainingTopic


class Training(TenantModel):
    """One training event (Fortbildung, Schulung) with its topic and target groups."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="trainings",
        verbose_name=_("Kommune"),
    )
    code = models.UUIDField(_("Kennung"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("Titel"), max_length=250)
    topic = models.CharField(_("Thema"), max_length=30, choices=TrainingTopic.choices)
    origin = models.CharField(
        _("Herkunft"),
        max_length=20,
        choices=TrainingOrigin.choices,
        default=TrainingOrigin.EXTERNAL,
    )
    workshop = models.ForeignKey(
        "quality.Workshop",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name=_("Werkstatt/Veranstaltung"),
    )
    provider = models.CharField(_("Anbieter, Referent/in"), max_length=200, blank=True)
    held_on = models.DateField(_("Datum"))
    hours = models.DecimalField(
        _("Dauer in Stunden"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))],
    )
    target_groups = models.JSONField(
        _("Zielgruppen"),
        default=list,
        blank=True,
        help_text=_("Arten von Einrichtungen, an die sich die Fortbildung richtet"),
    )
    covers_instrument = models.BooleanField(
        _("Schulung zum Gefährdungseinschätzungsbogen der Kommune"), default=False
    )
    description = models.TextField(_("Beschreibung"), blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.QUALITY
    audit_fields = (
        "title",
        "topic",
        "origin",
        "workshop_id",
        "provider",
        "held_on",
        "hours",
        "target_groups",
        "covers_instrument",
        "description",
    )

    class Meta:
        verbose_name = _("Fortbildung")
        verbose_name_plural = _("Fortbildungen")
        ordering = ["municipality__name", "-held_on", "title"]
        indexes = [models.Index(fields=["municipality", "held_on"], name="trainings_muni_date")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        known = {code for code, _label in institution_type_choices()}
        unknown = [g for g in self.target_groups or [] if g not in known]
        if unknown:
            errors["target_groups"] = _("Unbekannte Zielgruppe: %s") % ", ".join(map(str, unknown))
        if self.workshop_id and self.workshop.municipality_id not in (None, self.municipality_id):
            errors["workshop"] = _("Die Werkstatt gehört zu einer anderen Kommune.")
        if self.origin == TrainingOrigin.WORKSHOP and not self.workshop_id:
            errors["workshop"] = _("Bitte die Werkstatt oder Veranstaltung wählen.")
        if errors:
            raise ValidationError(errors)

    @property
    def target_group_labels(self) -> list[str]:
        labels = dict(institution_type_choices())
        return [str(labels.get(code, code)) for code in self.target_groups or []]


class Participation(TenantModel):
    """A professional's participation in a training: the line of her training record."""

    training = models.ForeignKey(
        Training,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("Fortbildung"),
    )
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="training_participations",
        verbose_name=_("Kommune"),
    )
    person_name = models.CharField(_("Name"), max_length=150)
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.PROTECT,
        related_name="training_participations",
        verbose_name=_("Einrichtung"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_participations",
        verbose_name=_("Zugang"),
    )
    completed = models.BooleanField(_("teilgenommen"), default=True)
    certificate_code = models.UUIDField(
        _("Nachweisnummer"), default=uuid.uuid4, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    permission_domain = permissions.QUALITY
    audit_fields = ("training_id", "person_name", "institution_id", "user_id", "completed")

    class Meta:
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        ordering = ["training", "person_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "person_name", "institution"],
                name="%(app_label)s_%(class)s_unique_person",
                violation_error_message=_("Diese Person steht schon auf der Liste."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_name} – {self.training}"

    def clean(self) -> None:
        if self.institution_id and self.institution.municipality_id != self.municipality_id:
            raise ValidationError(
                {"institution": _("Die Einrichtung gehört zu einer anderen Kommune.")}
            )
