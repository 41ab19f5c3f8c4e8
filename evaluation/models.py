"""Evaluation of a local child-protection system: frameworks, rounds, invitations, answers.

Anonymity by design
-------------------
People answer honestly only if nobody can find out what *they* answered — not the
coordinator, not the project team, and not someone who reads the database afterwards.
The schema therefore keeps the person (the :class:`Invitation`) and the answers (the
:class:`Response`) apart:

* **No link.** ``Response`` has no foreign key to ``Invitation`` and no token or token
  hash; the only thing it records about the person is the *institution type* (needed for
  "Jugendamt sees it differently from the schools"). The invitation only flips ``used``.
* **No clock.** Neither row has a timestamp that could be matched: ``Invitation`` has no
  ``used_at``/``updated_at``, ``Response`` stores ``submitted_on`` as a *date* only.
  No audit row is written for a submission (the audit trail's timestamps are precise and
  it names the target); the round's progress is counted, not logged.
* **No order.** ``Response`` uses a random UUID primary key, so ids do not reveal which
  answer came in after which invitation was sent. On PostgreSQL every row version carries
  the id of the transaction that wrote it (``xmin``): a submission therefore rewrites
  *every* invitation row of the round in the same statement (see
  ``services.response_submit``), so all of them share the response's transaction and
  none stands out.
* **Drafts** are the one place where answers and the invitation meet: a half-filled
  form belongs to its token until it is submitted, then the draft is erased in the
  same transaction that writes the anonymous response.
* **Tokens** are random (``secrets.token_urlsafe``); only their SHA-256 is stored, so the
  database cannot produce a link. A reminder issues a fresh link (and the old one stops
  working), because the old one cannot be reconstructed.

What remains, and how it is handled: the institution type of a response is visible to
whoever reads the table, so a type with a single invitee is identifiable *in the
database*; the results pages never show a group below the round's minimum size and
fold small groups together so that no suppressed group can be recovered by
subtraction (see ``selectors.round_results``). Free-text answers may identify their
writer by content; they are shown grouped by dimension without institution type.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.models import TenantModel, TenantQuerySet
from evaluation.choices import FollowUpKind, RoundKind, RoundStatus
from registry.taxonomy import institution_type_choices


class FrameworkQuerySet(TenantQuerySet):
    def visible_to(self, user: Any, action: str = permissions.VIEW) -> FrameworkQuerySet:
        """Shared frameworks (no commune) for everyone with quality rights; own ones else."""
        allowed = permissions.municipality_ids_for(user, action, permissions.QUALITY)
        if allowed == permissions.ALL:
            return self
        if not allowed:
            return self.none()
        return self.filter(Q(municipality__isnull=True) | Q(municipality_id__in=allowed))


class Framework(TenantModel):
    """A versioned questionnaire definition (YAML source plus its validated JSON form).

    ``municipality`` is empty for frameworks shared by all communes (the shipped example);
    a commune's adapted copy belongs to it.
    """

    key = models.SlugField(_("Schlüssel"), max_length=60)
    version = models.PositiveIntegerField(_("Version"))
    title = models.CharField(_("Titel"), max_length=300)
    is_example = models.BooleanField(_("Beispiel zum Anpassen"), default=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_frameworks",
        verbose_name=_("Kommune"),
    )
    source = models.TextField(_("YAML-Definition"))
    definition = models.JSONField(_("geprüfte Definition"))
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    objects = FrameworkQuerySet.as_manager()
    permission_domain = permissions.QUALITY
    audit_fields = ("key", "version", "title", "is_example", "municipality_id")

    class Meta:
        verbose_name = _("Evaluationsrahmen")
        verbose_name_plural = _("Evaluationsrahmen")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="%(app_label)s_%(class)s_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def parsed(self) -> Any:
        from evaluation.frameworks import Definition

        return Definition.from_json(self.definition)


class Round(TenantModel):
    """An evaluation round of one commune: framework, period, invited network members."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="evaluation_rounds",
        verbose_name=_("Kommune"),
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("Fragebogen")
    )
    kind = models.CharField(_("Art"), max_length=10, choices=RoundKind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    opens_on = models.DateField(_("Beginn"))
    closes_on = models.DateField(_("Ende"))
    status = models.CharField(
        _("Status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("Mindestgröße einer Gruppe"),
        default=5,
        help_text=_("Ergebnisse einer Gruppe erscheinen erst ab so vielen Antworten."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    closed_on = models.DateField(_("abgeschlossen am"), null=True, blank=True)
    last_reminded_on = models.DateField(_("zuletzt erinnert am"), null=True, blank=True)

    permission_domain = permissions.QUALITY
    audit_fields = (
        "framework_id",
        "kind",
        "title",
        "opens_on",
        "closes_on",
        "status",
        "min_group_size",
        "closed_on",
    )

    class Meta:
        verbose_name = _("Evaluationsrunde")
        verbose_name_plural = _("Evaluationsrunden")
        ordering = ["municipality", "-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="%(app_label)s_%(class)s_period_order",
                violation_error_message=_("Das Ende darf nicht vor dem Beginn liegen."),
            ),
            models.CheckConstraint(
                condition=Q(min_group_size__gte=2),
                name="%(app_label)s_%(class)s_min_group",
                violation_error_message=_("Eine Gruppe braucht mindestens 2 Antworten."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} – {self.municipality}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:round_detail", args=[self.code])

    def is_accepting(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.status == RoundStatus.OPEN and self.opens_on <= today <= self.closes_on


class Invitation(TenantModel):
    """A personal invitation to answer: who was asked, never what they answered.

    Deliberately without ``used_at``/``updated_at`` (see the module docstring).
    """

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("Runde")
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Einrichtung"),
    )
    institution_type = models.CharField(
        _("Art der Einrichtung"), max_length=40, choices=institution_type_choices()
    )
    email = models.EmailField(_("E-Mail"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    used = models.BooleanField(_("beantwortet"), default=False)
    draft = models.JSONField(_("Zwischenstand"), default=dict, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("Erinnerungen"), default=0)
    created_at = models.DateTimeField(_("eingeladen"), auto_now_add=True)

    tenant_field = "round__municipality_id"
    permission_domain = permissions.QUALITY
    audit_fields = ("round_id", "institution_id", "institution_type", "email")

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["round", "institution_type", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "email"], name="%(app_label)s_%(class)s_unique_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_institution_type_display()})"


class Response(TenantModel):
    """One submitted questionnaire, anonymous: only the institution type is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="responses", verbose_name=_("Runde")
    )
    institution_type = models.CharField(
        _("Art der Einrichtung"), max_length=40, choices=institution_type_choices()
    )
    submitted_on = models.DateField(_("eingegangen am"))

    tenant_field = "round__municipality_id"
    permission_domain = permissions.QUALITY

    class Meta:
        verbose_name = _("Antwortbogen")
        verbose_name_plural = _("Antwortbögen")
        indexes = [models.Index(fields=["round", "institution_type"], name="evaluation_resp_type")]

    def __str__(self) -> str:
        return f"{self.round_id} / {self.institution_type}"


class Answer(TenantModel):
    """A rating of one statement; ``value`` empty means "kann ich nicht beurteilen"."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("Antwortbogen")
    )
    # Denormalised from the response so aggregation is one scan of one table.
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    institution_type = models.CharField(max_length=40)
    dimension_key = models.CharField(_("Dimension"), max_length=60)
    statement_key = models.CharField(_("Aussage"), max_length=60)
    value = models.PositiveSmallIntegerField(_("Wert"), null=True, blank=True)

    tenant_field = "round__municipality_id"
    permission_domain = permissions.QUALITY

    class Meta:
        verbose_name = _("Antwort")
        verbose_name_plural = _("Antworten")
        indexes = [
            # Covers the one aggregation query (GROUP BY statement, type, value of a
            # round): an index-only scan in group order, no table lookups, no sort.
            models.Index(
                fields=["round", "statement_key", "institution_type", "value"],
                name="evaluation_answer_agg",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "statement_key"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=10),
                name="%(app_label)s_%(class)s_value_range",
                violation_error_message=_("Der Wert liegt außerhalb jeder Skala."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_key}={self.value}"


class FreeTextAnswer(TenantModel):
    """A free-text answer; shown grouped by dimension, never with its institution type."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="texts", verbose_name=_("Antwortbogen")
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    dimension_key = models.CharField(_("Dimension"), max_length=60, blank=True)
    question_key = models.CharField(_("Frage"), max_length=60)
    text = models.TextField(_("Antwort"))

    tenant_field = "round__municipality_id"
    permission_domain = permissions.QUALITY

    class Meta:
        verbose_name = _("Freitextantwort")
        verbose_name_plural = _("Freitextantworten")

    def __str__(self) -> str:
        return self.text[:80]


class FollowUp(TenantModel):
    """ "From weakness to work": a development interest or outcome made from a result."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("Runde")
    )
    dimension_key = models.CharField(_("Dimension"), max_length=60)
    statement_key = models.CharField(_("Aussage"), max_length=60, blank=True)
    kind = models.CharField(_("Art"), max_length=10, choices=FollowUpKind.choices)
    development_interest = models.ForeignKey(
        "quality.DevelopmentInterest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Qualitätsentwicklungsinteresse"),
    )
    outcome = models.ForeignKey(
        "quality.Outcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ergebnis"),
    )
    text = models.TextField(_("Text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    tenant_field = "round__municipality_id"
    permission_domain = permissions.QUALITY
    audit_fields = (
        "round_id",
        "dimension_key",
        "statement_key",
        "kind",
        "development_interest_id",
        "outcome_id",
        "text",
    )

    class Meta:
        verbose_name = _("Folgearbeit aus der Evaluation")
        verbose_name_plural = _("Folgearbeiten aus der Evaluation")
        ordering = ["round", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]
