"""Profile content of the quality workshops: interests, central topics, outcomes.

Items keep the nesting and order of the profile (a bullet's sub-items are children).
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
from core.validators import validate_http_url, validate_link
from quality.choices import (
    EvidenceKind,
    OutcomeScope,
    OutcomeStatus,
    RegistrationStatus,
    SessionStatus,
    WorkshopKind,
)


class ProfileItem(TenantModel):
    """An ordered, possibly nested text item of a commune's profile."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    text = models.TextField(_("Text"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("übergeordneter Punkt"),
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    imported = models.BooleanField(_("aus Profil importiert"), default=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.QUALITY
    audit_fields = ("text", "parent_id", "position")

    class Meta:
        abstract = True
        ordering = ["municipality", "parent_id", "position"]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "…"


class DevelopmentInterest(ProfileItem):
    """A Qualitätsentwicklungsinteresse: what the commune wants to improve."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="development_interests",
        verbose_name=_("Kommune"),
    )

    class Meta(ProfileItem.Meta):
        verbose_name = _("Qualitätsentwicklungsinteresse")
        verbose_name_plural = _("Qualitätsentwicklungsinteressen")


class Topic(ProfileItem):
    """A Zentrales Thema of the commune's workshop."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="topics",
        verbose_name=_("Kommune"),
    )

    class Meta(ProfileItem.Meta):
        verbose_name = _("Zentrales Thema")
        verbose_name_plural = _("Zentrale Themen")


class Outcome(ProfileItem):
    """An Ergebnis / eine Maßnahme: kommunal or clusterübergreifend, with a status."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("Kommune"),
    )
    scope = models.CharField(
        _("Reichweite"), max_length=20, choices=OutcomeScope.choices, default=OutcomeScope.MUNICIPAL
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=OutcomeStatus.choices, default=OutcomeStatus.PLANNED
    )
    description = models.TextField(_("Beschreibung"), blank=True)
    owner_institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_outcomes",
        verbose_name=_("verantwortliche Einrichtung"),
    )
    owner_name = models.CharField(_("verantwortliche Person"), max_length=150, blank=True)
    due_date = models.DateField(_("fällig bis"), null=True, blank=True)
    decided_in = models.ManyToManyField(
        "quality.WorkshopSession",
        blank=True,
        related_name="decided_outcomes",
        verbose_name=_("beschlossen in"),
    )
    origin = models.CharField(_("Herkunft"), max_length=200, blank=True)
    origin_url = models.CharField(
        _("Link zur Herkunft"), max_length=500, blank=True, validators=[validate_link]
    )
    status_changed_at = models.DateTimeField(_("Status geändert am"), null=True, blank=True)
    # The text as the profile had it: re-imports match on it, so rewording an outcome in
    # the app does not make the next import treat it as gone.
    profile_text = models.TextField(_("Text im Profil"), blank=True, editable=False)
    # Optimistic concurrency: every write compares and bumps it, so two coordinators
    # editing the same outcome never silently overwrite each other.
    version = models.PositiveIntegerField(_("Version"), default=1)

    audit_fields = (
        "text",
        "parent_id",
        "position",
        "scope",
        "status",
        "description",
        "owner_institution_id",
        "owner_name",
        "due_date",
        "origin",
        "origin_url",
        "version",
    )

    class Meta(ProfileItem.Meta):
        verbose_name = _("Ergebnis")
        verbose_name_plural = _("Ergebnisse")
        ordering = ["municipality", "scope", "parent_id", "position"]
        indexes = [
            models.Index(fields=["municipality", "scope", "status"], name="quality_outcome_scope")
        ]

    def get_absolute_url(self) -> str:
        return reverse("quality:outcome_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        """Open and past its due date (the board highlights it)."""
        return bool(
            self.due_date
            and self.status in (OutcomeStatus.PLANNED, OutcomeStatus.IN_PROGRESS)
            and self.due_date < timezone.localdate()
        )

    @property
    def has_work(self) -> bool:
        """Whether people worked on it here (then a re-import must never delete it)."""
        return bool(
            self.version > 1
            or self.description
            or self.owner_institution_id
            or self.owner_name
            or self.due_date
            or self.evidence.exists()
            or self.transitions.exists()
            or self.decided_in.exists()
        )

    @property
    def owner_display(self) -> str:
        parts = [str(self.owner_institution) if self.owner_institution_id else "", self.owner_name]
        return " · ".join(p for p in parts if p)


class OutcomeTransition(TenantModel):
    """One status change of an outcome: from, to, when, by whom (the lifecycle's history)."""

    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("Ergebnis")
    )
    from_status = models.CharField(_("von"), max_length=20, choices=OutcomeStatus.choices)
    to_status = models.CharField(_("nach"), max_length=20, choices=OutcomeStatus.choices)
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Person"),
    )
    actor_name = models.CharField(_("Person (Name)"), max_length=150, blank=True)
    note = models.TextField(_("Anmerkung"), blank=True)

    tenant_field = "outcome__municipality_id"
    permission_domain = permissions.QUALITY

    class Meta:
        verbose_name = _("Statuswechsel")
        verbose_name_plural = _("Statuswechsel")
        ordering = ["outcome", "at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome_id}: {self.from_status} → {self.to_status}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    return f"quality/evidence/{instance.outcome.municipality_id}/{uuid.uuid4().hex}/{filename}"


class Evidence(TenantModel):
    """A Nachweis of an outcome: a link or an uploaded document (size and type checked)."""

    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("Ergebnis")
    )
    kind = models.CharField(_("Art"), max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(_("Titel"), max_length=200)
    url = models.URLField(_("Link"), max_length=500, blank=True, validators=[validate_http_url])
    file = models.FileField(_("Dokument"), upload_to=_evidence_path, blank=True, max_length=300)
    content_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("Größe (Bytes)"), default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hinzugefügt von"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    tenant_field = "outcome__municipality_id"
    permission_domain = permissions.QUALITY
    audit_fields = ("kind", "title", "url", "file_name", "content_type", "size")

    class Meta:
        verbose_name = _("Nachweis")
        verbose_name_plural = _("Nachweise")
        ordering = ["outcome", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="")) | (Q(kind="file") & ~Q(file="")),
                name="%(app_label)s_%(class)s_link_or_file",
                violation_error_message=_("Ein Nachweis braucht einen Link oder ein Dokument."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def file_name(self) -> str:
        return self.file.name if self.file else ""


class WorkshopQuerySet(TenantQuerySet):
    def visible_to(self, user: Any, action: str = permissions.VIEW) -> WorkshopQuerySet:
        """Host commune's members, and for reading also the cluster's partner communes.

        Partner communes sit at the same table, so their members see the workshop and
        can sign up; only the host commune (or the project team) changes it.
        """
        allowed = permissions.municipality_ids_for(user, action, permissions.QUALITY)
        if allowed == permissions.ALL:
            return self
        if action != permissions.VIEW:
            return self.filter(municipality_id__in=allowed)
        return self.filter(
            Q(municipality_id__in=allowed) | Q(cluster__municipalities__in=allowed)
        ).distinct()


class Workshop(TenantModel):
    """A Qualitätsentwicklungswerkstatt, or a cluster-wide event of another kind.

    Hosted by the cluster's model commune; its partner communes take part.
    """

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="workshops",
        verbose_name=_("ausrichtende Kommune"),
    )
    cluster = models.ForeignKey(
        "registry.Cluster",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("Kinderschutzcluster"),
    )
    kind = models.CharField(
        _("Art"), max_length=20, choices=WorkshopKind.choices, default=WorkshopKind.WORKSHOP
    )
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    default_place = models.CharField(_("Ort"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("Plätze je Termin"),
        default=30,
        help_text=_("Fachkräfte je Termin; weitere Anmeldungen kommen auf die Warteliste."),
    )
    feed_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects = WorkshopQuerySet.as_manager()
    permission_domain = permissions.QUALITY
    audit_fields = ("municipality_id", "cluster_id", "kind", "title", "default_place", "capacity")

    class Meta:
        verbose_name = _("Qualitätsentwicklungswerkstatt")
        verbose_name_plural = _("Qualitätsentwicklungswerkstätten")
        ordering = ["municipality", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quality:workshop_detail", args=[self.pk])


class WorkshopSession(TenantModel):
    """A Termin of a workshop: date, place, agenda and (sanitised Markdown) minutes."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("Werkstatt")
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    place = models.CharField(_("Ort"), max_length=200, blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    is_extra = models.BooleanField(_("Zusatztermin"), default=False)
    capacity = models.PositiveSmallIntegerField(
        _("Plätze"), null=True, blank=True, help_text=_("leer = wie die Werkstatt")
    )
    minutes = models.TextField(_("Protokoll (Markdown)"), blank=True)
    cancel_reason = models.CharField(_("Absagegrund"), max_length=300, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # RFC 5545 SEQUENCE: calendar clients replace an event only when it grows.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    tenant_field = "workshop__municipality_id"
    permission_domain = permissions.QUALITY
    audit_fields = ("starts_at", "ends_at", "place", "status", "is_extra", "capacity", "minutes")

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["workshop", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message=_("Das Ende muss nach dem Beginn liegen."),
            )
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.workshop.title} – {local:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("quality:session_detail", args=[self.pk])

    @property
    def effective_capacity(self) -> int:
        return self.capacity if self.capacity is not None else self.workshop.capacity

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def status_label(self) -> str:
        """The status as people read it: a scheduled date that is over "fand statt".

        The stored status only knows planned or cancelled; a past date still labelled
        "geplant" read as if it had not taken place yet.
        """
        if self.status == SessionStatus.SCHEDULED and self.ends_at < timezone.now():
            return str(_("fand statt"))
        return str(self.get_status_display())


class AgendaItem(TenantModel):
    """A Tagesordnungspunkt, linked to the commune's interests and central topics."""

    session = models.ForeignKey(
        WorkshopSession, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("Termin")
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    title = models.CharField(_("Titel"), max_length=300)
    interest = models.ForeignKey(
        DevelopmentInterest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("Qualitätsentwicklungsinteresse"),
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("Zentrales Thema"),
    )
    duration_minutes = models.PositiveSmallIntegerField(_("Dauer (Minuten)"), null=True, blank=True)

    tenant_field = "session__workshop__municipality_id"
    permission_domain = permissions.QUALITY
    audit_fields = ("position", "title", "interest_id", "topic_id", "duration_minutes")

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnung")
        ordering = ["session", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Registration(TenantModel):
    """An invitation or sign-up of one professional for one session, with attendance."""

    session = models.ForeignKey(
        WorkshopSession,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("Termin"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_registrations",
        verbose_name=_("Konto"),
    )
    name = models.CharField(_("Name"), max_length=150)
    email = models.EmailField(_("E-Mail"), blank=True)
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_registrations",
        verbose_name=_("Einrichtung"),
    )
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.INVITED,
    )
    # When the person joined the queue: the waiting list moves up in this order.
    queued_at = models.DateTimeField(_("angemeldet am"), null=True, blank=True)
    # The personal link of an invitation: people without an account accept or decline
    # through it. Unguessable; cleared once answered so a forwarded mail cannot reuse it.
    invitation_token = models.UUIDField(
        _("Einladungsschlüssel"), null=True, blank=True, unique=True, editable=False
    )
    attended = models.BooleanField(_("teilgenommen"), null=True, blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    tenant_field = "session__workshop__municipality_id"
    permission_domain = permissions.QUALITY
    audit_fields = ("name", "email", "institution_id", "status", "attended")
    audit_redacted_fields = ("email",)

    class Meta:
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        ordering = ["session", "queued_at", "id"]
        indexes = [models.Index(fields=["session", "status"], name="quality_reg_status")]

    def __str__(self) -> str:
        return self.name


class SeatQuota(TenantModel):
    """Seats of one session reserved for one institution (seed 001: "Kontingentierung").

    An institution with a quota gets at most that many places per session, and they are
    kept for it; everyone else shares the places no quota reserves.
    """

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="seat_quotas", verbose_name=_("Werkstatt")
    )
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.CASCADE,
        related_name="seat_quotas",
        verbose_name=_("Einrichtung"),
    )
    seats = models.PositiveSmallIntegerField(_("Plätze je Termin"))
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    tenant_field = "workshop__municipality_id"
    permission_domain = permissions.QUALITY
    audit_fields = ("workshop_id", "institution_id", "seats")

    class Meta:
        verbose_name = _("Kontingent")
        verbose_name_plural = _("Kontingente")
        ordering = ["workshop", "institution__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "institution"],
                name="%(app_label)s_%(class)s_unique_institution",
                violation_error_message=_("Diese Einrichtung hat schon ein Kontingent."),
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=1),
                name="%(app_label)s_%(class)s_seats_positive",
                violation_error_message=_("Ein Kontingent hat mindestens einen Platz."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} – {self.seats}"


class CalendarFeed(models.Model):
    """A person's secret iCalendar address: calendar clients cannot log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="workshop_calendar",
        verbose_name=_("Person"),
    )
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Kalender-Abonnement")
        verbose_name_plural = _("Kalender-Abonnements")

    def __str__(self) -> str:
        return str(self.user)


class SearchDocument(models.Model):
    """One interest, topic or outcome as the search index sees it (a derived table).

    Kept in step by signals (it is a cache of the three source tables) and rebuilt by
    ``search_index_rebuild``. ``stems`` holds our German stems for SQLite's FTS5, whose
    own tokenisers know no German; PostgreSQL searches ``text`` with its ``german`` config.
    """

    kind = models.CharField(_("Art"), max_length=12)
    object_id = models.PositiveIntegerField()
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    text = models.TextField(_("Text"))
    stems = models.TextField(_("Wortstämme"), blank=True)
    # Compound parts ("risiko einschätzung"), so PostgreSQL's german stemmer finds them too.
    parts = models.TextField(_("Wortteile"), blank=True)
    status = models.CharField(_("Status"), max_length=20, blank=True)
    scope = models.CharField(_("Reichweite"), max_length=20, blank=True)
    # When the text last changed: the similarity cache of every worker process compares
    # it, so a rewording shows everywhere while status changes keep the cache.
    text_changed_at = models.DateTimeField(_("Text geändert"), default=timezone.now)

    class Meta:
        verbose_name = _("Suchindex-Eintrag")
        verbose_name_plural = _("Suchindex")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="%(app_label)s_%(class)s_unique_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
