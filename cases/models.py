"""§ 8a procedures: teams, pseudonymous child records, the encrypted person store, events,
risk assessments in the four-eyes principle, amendments and the per-commune policy.

Identifying data (names, birth dates, addresses) lives only in :class:`PersonRecord`
(encrypted) and in free-text fields marked ``EncryptedTextField``; everything the federal
statistic needs is pseudonymous and stays after the retention purge.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    ActivityCode,
    AgeGroup,
    AssessmentStatus,
    Channel,
    DangerSource,
    EndangermentKind,
    HandoverItem,
    HandoverStatus,
    ImpressionForm,
    LivingSituation,
    NewHelp,
    ParentAgeGroup,
    PersonRole,
    ProcedureStatus,
    ReporterCategory,
    Section42Place,
    Section42Reason,
    Sex,
    SignOffRequestStatus,
    StatisticResult,
    Urgency,
)
from core import fragcache, permissions, principal
from core.fields import EncryptedJSONField, EncryptedTextField
from core.models import TenantModel, TenantQuerySet

DEFAULT_FIRST_CONTACT_HOURS = {
    Urgency.IMMEDIATE.value: 2,
    Urgency.SAME_DAY.value: 8,
    Urgency.WITHIN_3_DAYS.value: 72,
    Urgency.WITHIN_WEEK.value: 168,
}
# Days after the report by which a step must be done.
DEFAULT_STEP_DAYS = {
    ActivityCode.RISK_ASSESSMENT_SIGNED.value: 14,
    ActivityCode.REPORTER_FEEDBACK.value: 28,
    ActivityCode.CLOSED.value: 120,
}


def _default_first_contact_hours() -> dict[str, int]:
    return dict(DEFAULT_FIRST_CONTACT_HOURS)


def _default_step_days() -> dict[str, int]:
    return dict(DEFAULT_STEP_DAYS)


class CasePolicy(models.Model):
    """A commune's rules for procedures: deadlines per urgency and step, retention.

    Per-commune settings are data (STYLE §7.4); a commune without a row uses the defaults.
    """

    municipality = models.OneToOneField(
        "registry.Municipality",
        on_delete=models.CASCADE,
        related_name="case_policy",
        verbose_name=_("Kommune"),
    )
    first_contact_hours = models.JSONField(
        _("Frist für den Erstkontakt je Dringlichkeit (Stunden)"),
        default=_default_first_contact_hours,
    )
    step_days = models.JSONField(
        _("Fristen je Schritt ab Meldung (Tage)"), default=_default_step_days
    )
    require_reporter_feedback = models.BooleanField(
        _("Rückmeldung an meldende Fachkräfte ist Pflicht (§ 4 Abs. 4 KKG)"), default=True
    )
    require_team_lead_signoff = models.BooleanField(
        _("Einschätzungen zeichnet eine Teamleitung ab"), default=False
    )
    retention_years = models.PositiveSmallIntegerField(
        _("Löschfrist nach Abschluss (Jahre)"), default=5
    )
    share_statistic_in_cluster = models.BooleanField(
        _("Kennzahlen der § 8a-Statistik im Kinderschutzcluster teilen"),
        default=False,
        help_text=_(
            "Die Koordination der Kommunen des Clusters, die ebenfalls teilen, sieht die "
            "geheim gehaltenen Tabellen dieser Kommune und die Summe des Clusters."
        ),
    )
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    tenant_field = "municipality_id"
    audit_fields = (
        "first_contact_hours",
        "step_days",
        "require_reporter_feedback",
        "require_team_lead_signoff",
        "retention_years",
        "share_statistic_in_cluster",
    )

    class Meta:
        verbose_name = _("Verfahrensregeln der Kommune")
        verbose_name_plural = _("Verfahrensregeln der Kommunen")

    def __str__(self) -> str:
        return f"Verfahrensregeln {self.municipality}"

    @property
    def tenant_id(self) -> int | None:
        return self.municipality_id

    def first_contact_delta(self, urgency: str) -> dt.timedelta:
        hours = self.first_contact_hours.get(urgency, DEFAULT_FIRST_CONTACT_HOURS[urgency])
        return dt.timedelta(hours=int(hours))

    def step_delta(self, activity: str) -> dt.timedelta | None:
        days = self.step_days.get(activity, DEFAULT_STEP_DAYS.get(activity))
        return None if days is None else dt.timedelta(days=int(days))


class Team(TenantModel):
    """A Jugendamt team (e.g. ASD Nord) responsible for procedures; only members open them."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="case_teams",
        verbose_name=_("Kommune"),
    )
    name = models.CharField(_("Name"), max_length=120)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    permission_domain = permissions.CASES
    # Organisation, not case data: the trail may show team names.
    audit_values_hidden = False
    audit_fields = ("municipality_id", "name")

    class Meta:
        verbose_name = _("Team")
        verbose_name_plural = _("Teams")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(TenantModel):
    """A person in a team; case access needs this AND a case role in the commune."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="case_team_memberships",
        verbose_name=_("Person"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    tenant_field = "team__municipality_id"
    permission_domain = permissions.CASES
    audit_values_hidden = False
    audit_fields = ("team_id", "user_id")

    class Meta:
        verbose_name = _("Teammitgliedschaft")
        verbose_name_plural = _("Teammitgliedschaften")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], name="%(app_label)s_%(class)s_unique_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.team}"


class ChildRecord(TenantModel):
    """The pseudonymous record of the child that the federal statistic needs.

    No name, no birth day: only month and year of birth and the statistic's features. It
    survives the retention purge, so statistics stay reproducible.
    """

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    sex = models.CharField(_("Geschlecht"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("Geburtsjahr"))
    birth_month = models.PositiveSmallIntegerField(_("Geburtsmonat"))
    age_group = models.CharField(_("Altersgruppe"), max_length=5, choices=AgeGroup.choices)
    foreign_origin = models.BooleanField(
        _("mindestens ein Elternteil ausländischer Herkunft"), null=True, blank=True
    )
    german_family_language = models.BooleanField(
        _("in der Familie wird vorrangig Deutsch gesprochen"), null=True, blank=True
    )
    integration_assistance = models.BooleanField(
        _("erhält Eingliederungshilfe"), null=True, blank=True
    )
    living_situation = models.CharField(
        _("Aufenthaltsort des Kindes"), max_length=20, choices=LivingSituation.choices
    )
    parent_age_group = models.CharField(
        _("Alter der Eltern"),
        max_length=8,
        choices=ParentAgeGroup.choices,
        default=ParentAgeGroup.UNKNOWN,
    )
    prior_help = models.BooleanField(
        _("Inanspruchnahme von Leistungen (§§ 16–19, 27–35a) zu Beginn"), null=True, blank=True
    )

    permission_domain = permissions.CASES

    class Meta:
        verbose_name = _("Kind (pseudonym)")
        verbose_name_plural = _("Kinder (pseudonym)")

    def __str__(self) -> str:
        return f"{self.get_sex_display()}, {self.birth_month:02d}/{self.birth_year}"


class Household(TenantModel):
    """Children living together (siblings, half-siblings): linked by the caseworker."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    permission_domain = permissions.CASES
    audit_fields = ("municipality_id",)

    class Meta:
        verbose_name = _("Haushalt")
        verbose_name_plural = _("Haushalte")

    def __str__(self) -> str:
        return f"Haushalt {self.code}"


class IndexedPerson(TenantModel):
    """A child of the commune's person index: one identity across procedures.

    Name and birth date are encrypted; ``blind_index`` (keyed HMAC, cases.person_index) is
    the only searchable value. Procedures point here once a caseworker confirmed the link.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    name = EncryptedTextField(_("Name"))
    birth_date = EncryptedTextField(_("Geburtsdatum"))
    blind_index = models.CharField(_("Blindindex"), max_length=64, db_index=True)
    key_id = models.CharField(_("Schlüssel-ID"), max_length=16)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("Haushalt"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    permission_domain = permissions.CASES
    audit_fields = ("municipality_id", "name", "birth_date", "household_id")
    audit_redacted_fields = ("name", "birth_date")

    class Meta:
        verbose_name = _("Person im Personenindex")
        verbose_name_plural = _("Personenindex")
        indexes = [
            models.Index(fields=["municipality", "blind_index"], name="cases_person_muni_blind"),
        ]

    def __str__(self) -> str:
        # Never the name: this string lands in read logs.
        return f"Person {self.code}"


def case_list_scope(municipality_id: int) -> str:
    """The data-version scope of a commune's case lists (core.fragcache)."""
    return f"cases:{municipality_id}"


def case_list_changed(municipality_ids: Iterable[int | None]) -> None:
    """Every process renders these communes' case lists afresh on the next request."""
    fragcache.data_changed(case_list_scope(m) for m in municipality_ids if m is not None)


def case_team_rows(user: Any) -> tuple[tuple[int, int], ...]:
    """(team id, commune id) of every team the user belongs to, read from the database."""
    return tuple(
        TeamMembership.objects.filter(user_id=user.pk).values_list(
            "team_id", "team__municipality_id"
        )
    )


def case_team_condition(user: Any, action: str = permissions.VIEW, *, via: str = "") -> Q:
    """Who may open a procedure, as a condition on it or on one reached through ``via``
    (e.g. ``"assessment__procedure__"``): a case role for ``action`` in its commune AND
    membership in its team. Plain id lists rather than a subquery of procedures: the
    planner then starts from the few rows asked for, or from the team indexes."""
    if getattr(user, "is_system", False):  # batch jobs act with the operator's authority
        return Q()
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(**{f"{via}pk__in": []})
    condition = Q()
    allowed = permissions.municipality_ids_for(user, action, permissions.CASES)
    if allowed != permissions.ALL:
        condition &= Q(**{f"{via}municipality_id__in": allowed})
    return condition & Q(**{f"{via}team_id__in": [team for team, _commune in case_teams_of(user)]})


def case_teams_of(user: Any) -> tuple[tuple[int, int], ...]:
    """:func:`case_team_rows`, from the login snapshot (core.principal) when the user came
    with one (a signed-in request), else from the database (a service, a test)."""
    kept = principal.part(user, "case_teams")
    return kept if kept is not None else case_team_rows(user)


class ProcedureQuerySet(TenantQuerySet):
    """Bulk writes invalidate the case lists of the communes they touch.

    ``save()`` and ``delete()`` of single procedures send signals (cases.signals); these
    queryset writes send none, and services use ``update()`` for many steps.
    """

    def _communes(self) -> set[int]:
        return set(self.order_by().values_list("municipality_id", flat=True).distinct())

    def update(self, **kwargs: Any) -> int:
        touched = self._communes()
        rows = super().update(**kwargs)
        moved = kwargs.get("municipality_id", kwargs.get("municipality"))
        touched.add(getattr(moved, "pk", moved))
        case_list_changed(touched)
        return rows

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list:
        created = super().bulk_create(objs, *args, **kwargs)
        case_list_changed({p.municipality_id for p in created})
        return created

    def bulk_update(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        rows = super().bulk_update(objs, *args, **kwargs)
        case_list_changed({p.municipality_id for p in objs})
        return rows

    def delete(self) -> tuple[int, dict[str, int]]:
        touched = self._communes()
        result = super().delete()
        case_list_changed(touched)
        return result

    def for_case_team(self, user: Any, action: str = permissions.VIEW) -> ProcedureQuerySet:
        """Procedures the user may open: a case role in the commune AND team membership."""
        return self.filter(case_team_condition(user, action))


class Procedure(TenantModel):
    """One § 8a procedure for one child: from the report to the decision and closing."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("Kommune"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("Team")
    )
    file_number = models.CharField(_("Aktenzeichen"), max_length=40)
    child = models.OneToOneField(
        ChildRecord,
        on_delete=models.PROTECT,
        related_name="procedure",
        verbose_name=_("Kind (pseudonym)"),
    )
    received_at = models.DateTimeField(_("Meldung eingegangen am"))
    reporter_category = models.CharField(
        _("Bekannt geworden durch"), max_length=24, choices=ReporterCategory.choices
    )
    channel = models.CharField(_("Meldeweg"), max_length=12, choices=Channel.choices)
    indications = EncryptedTextField(_("gewichtige Anhaltspunkte"), blank=True)
    urgency = models.CharField(_("Dringlichkeit"), max_length=16, choices=Urgency.choices)
    repeated_report = models.BooleanField(
        _("erneute Meldung zum selben Kind im Jahr"), default=False
    )
    first_contact_due = models.DateTimeField(_("Erstkontakt fällig bis"))
    assessment_due = models.DateTimeField(_("Einschätzung fällig bis"), null=True, blank=True)
    feedback_due = models.DateTimeField(_("Rückmeldung fällig bis"), null=True, blank=True)
    close_due = models.DateTimeField(_("Abschluss fällig bis"), null=True, blank=True)
    safety_plan_review_due = models.DateTimeField(
        _("Überprüfung der Schutzvereinbarung fällig"), null=True, blank=True
    )
    safety_plan_reviewed_at = models.DateTimeField(
        _("Schutzvereinbarung überprüft am"), null=True, blank=True
    )
    handed_over_at = models.DateTimeField(
        _("an zuständiges Jugendamt übergeben am"), null=True, blank=True
    )
    first_contact_at = models.DateTimeField(_("Erstkontakt am"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("Rückmeldung am"), null=True, blank=True)
    status = models.CharField(
        _("Stand"), max_length=12, choices=ProcedureStatus.choices, default=ProcedureStatus.OPEN
    )
    result = models.CharField(
        _("Ergebnis"), max_length=16, choices=StatisticResult.choices, blank=True
    )
    result_at = models.DateTimeField(_("Einschätzung abgeschlossen am"), null=True, blank=True)
    kind_neglect = models.BooleanField(_("Vernachlässigung"), default=False)
    kind_psychological = models.BooleanField(_("psychische Misshandlung"), default=False)
    kind_physical = models.BooleanField(_("körperliche Misshandlung"), default=False)
    kind_sexual = models.BooleanField(_("sexuelle Gewalt"), default=False)
    danger_source = models.CharField(
        _("Gefährdung ging aus von"), max_length=16, choices=DangerSource.choices, blank=True
    )
    section_42 = models.BooleanField(_("vorläufige Schutzmaßnahme (§ 42)"), default=False)
    # One report (Meldung) may name several children; the statistic counts one procedure per
    # child, so each child gets its own procedure and they share this code.
    report_code = models.UUIDField(_("Meldung"), default=uuid.uuid4, db_index=True, editable=False)
    # Set only when a caseworker confirmed that this child is a person of the index.
    indexed_child = models.ForeignKey(
        IndexedPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("Kind im Personenindex"),
    )
    family_court_called = models.BooleanField(
        _("Anrufung des Familiengerichts (§ 8a Abs. 2)"), default=False
    )
    # Survey codes of newly started help (cases.choices.NewHelp), sorted, comma-joined: a
    # plain string keeps the statistic's one-pass GROUP BY hashable and index-free.
    new_help = models.CharField(_("neu eingeleitete Hilfen"), max_length=120, blank=True)
    closed_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True)
    purge_after = models.DateField(_("identifizierende Daten löschen ab"), null=True, blank=True)
    purged_at = models.DateTimeField(_("identifizierende Daten gelöscht am"), null=True, blank=True)
    # A court case (Familiengericht, Strafverfahren) or a complaint may need the documented
    # course beyond the retention period: while the hold stands, nothing is purged.
    legal_hold = models.BooleanField(_("Löschsperre (rechtliche Aufbewahrung)"), default=False)
    legal_hold_reason = models.CharField(_("Grund der Löschsperre"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("angelegt von"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    objects = ProcedureQuerySet.as_manager()
    permission_domain = permissions.CASES
    audit_fields = (
        "file_number",
        "team_id",
        "received_at",
        "reporter_category",
        "channel",
        "indications",
        "urgency",
        "repeated_report",
        "first_contact_due",
        "status",
        "result",
        "kind_neglect",
        "kind_psychological",
        "kind_physical",
        "kind_sexual",
        "danger_source",
        "section_42",
        "family_court_called",
        "new_help",
        "indexed_child_id",
        "closed_at",
        "purged_at",
    )
    audit_redacted_fields = ("indications",)

    KIND_FIELDS = {
        EndangermentKind.NEGLECT: "kind_neglect",
        EndangermentKind.PSYCHOLOGICAL: "kind_psychological",
        EndangermentKind.PHYSICAL: "kind_physical",
        EndangermentKind.SEXUAL: "kind_sexual",
    }

    class Meta:
        verbose_name = _("Verfahren nach § 8a SGB VIII")
        verbose_name_plural = _("Verfahren nach § 8a SGB VIII")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "result_at"], name="cases_proc_muni_result"),
            models.Index(fields=["team", "status", "received_at"], name="cases_proc_team_status"),
            models.Index(fields=["team", "received_at"], name="cases_proc_team_received"),
            # The case list (newest first, for a commune's teams): an ordered scan that
            # stops after one page, instead of sorting every procedure of the commune.
            models.Index(
                fields=["municipality", "received_at", "id"], name="cases_proc_muni_received"
            ),
            models.Index(fields=["team", "result_at"], name="cases_proc_team_result"),
            # The case list's count (commune and team ids): read from this index alone,
            # 6 ms instead of 170 ms for 100,000 procedures of one team on SQLite.
            models.Index(fields=["municipality", "team"], name="cases_proc_muni_team"),
            models.Index(fields=["status", "first_contact_due"], name="cases_proc_due"),
            models.Index(fields=["purge_after"], name="cases_proc_purge"),
            # Deadlines (Mein Bereich, ?due=): only open procedures have them, a few
            # per cent of a team's history. 16 ms -> 2 ms for 100,000 on PostgreSQL and
            # on SQLite (whose planner takes it over cases_proc_muni_team only when it
            # has the same two columns).
            models.Index(
                fields=["municipality", "team"],
                condition=~Q(status=ProcedureStatus.CLOSED),
                name="cases_proc_open_team",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "file_number"],
                name="%(app_label)s_%(class)s_unique_file_number",
                violation_error_message=_("Dieses Aktenzeichen ist in der Kommune vergeben."),
            )
        ]

    def __str__(self) -> str:
        # The Aktenzeichen is no identifying data of the family; it shows in read logs.
        return f"§ 8a {self.file_number}"

    def get_absolute_url(self) -> str:
        return reverse("cases:procedure_detail", args=[self.code])

    @property
    def kinds(self) -> list[str]:
        return [kind for kind, field in self.KIND_FIELDS.items() if getattr(self, field)]

    @property
    def kind_labels(self) -> list[str]:
        return [str(EndangermentKind(k).label) for k in self.kinds]

    @property
    def new_help_codes(self) -> list[str]:
        return [c for c in self.new_help.split(",") if c]

    @property
    def new_help_labels(self) -> list[str]:
        return [str(NewHelp(c).label) for c in self.new_help_codes if c in NewHelp.values]

    # (label, due field, done field) of the deadlines, in overview order. The first contact
    # is always listed; the others once they are set. The case list reads the same fields
    # as plain values (cases.selectors.procedure_list_rows), so both share this table.
    DEADLINE_FIELDS: tuple[tuple[Any, str, str], ...] = (
        (_("Erstkontakt"), "first_contact_due", "first_contact_at"),
        (_("Gefährdungseinschätzung"), "assessment_due", "result_at"),
        (_("Rückmeldung an Meldende"), "feedback_due", "feedback_at"),
        (
            _("Überprüfung der Schutzvereinbarung"),
            "safety_plan_review_due",
            "safety_plan_reviewed_at",
        ),
        (_("Abschluss des Verfahrens"), "close_due", "closed_at"),
    )

    def deadlines(self) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
        """(label, due, done) of the procedure's deadlines, for the overview."""
        return [
            (str(label), getattr(self, due), getattr(self, done))
            for index, (label, due, done) in enumerate(self.DEADLINE_FIELDS)
            if index == 0 or getattr(self, due)
        ]


class PersonRecord(TenantModel):
    """Identifying data of a child or parent, encrypted at rest; deleted by the purge."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="persons", verbose_name=_("Verfahren")
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("Rolle"), max_length=12, choices=PersonRole.choices)
    # Blank allowed: at intake a caller may give a birth date but not (yet) the name.
    name = EncryptedTextField(_("Name"), blank=True)
    birth_date = EncryptedTextField(_("Geburtsdatum"), blank=True)
    address = EncryptedTextField(_("Anschrift"), blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    tenant_field = "procedure__municipality_id"
    permission_domain = permissions.CASES
    audit_fields = ("procedure_id", "role", "name", "birth_date", "address")
    audit_redacted_fields = ("name", "birth_date", "address")

    class Meta:
        verbose_name = _("Person (identifizierende Daten)")
        verbose_name_plural = _("Personen (identifizierende Daten)")
        ordering = ["procedure", "role", "id"]

    def __str__(self) -> str:
        # Never the name: this string lands in logs.
        return f"{self.get_role_display()} ({self.code})"


class BindingRecordError(RuntimeError):
    """Raised when code tries to change a binding (signed) documentation entry."""


class ProcedureEvent(TenantModel):
    """One step of a procedure: activity, time, acting institution and person.

    Events are binding documentation: they are never edited, only amended
    (:class:`Amendment`). Only the retention purge blanks their free text. The institution
    named for the case and the structured details (e.g. what a § 8a Abs. 6 hand-over
    transmitted) are identifying and encrypted like the note, bound to the row's ``code``.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="events", verbose_name=_("Verfahren")
    )
    activity_code = models.CharField(
        _("Schritt"), max_length=32, choices=ActivityCode.choices, db_index=True
    )
    occurred_at = models.DateTimeField(_("Zeitpunkt"))
    institution = models.ForeignKey(
        "registry.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handelnde Einrichtung"),
    )
    institution_name = EncryptedTextField(_("handelnde Stelle"), max_length=200, blank=True)
    institution_type = models.CharField(_("Art der Stelle"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dokumentiert von"),
    )
    actor_name = models.CharField(_("Fachkraft"), max_length=150, blank=True)
    note = EncryptedTextField(_("Vermerk"), blank=True)
    details = EncryptedJSONField(_("Angaben"), default=dict, blank=True)
    recorded_at = models.DateTimeField(_("dokumentiert am"), auto_now_add=True)

    tenant_field = "procedure__municipality_id"
    permission_domain = permissions.CASES
    audit_fields = (
        "activity_code",
        "occurred_at",
        "institution_id",
        "institution_name",
        "note",
        "details",
    )
    audit_redacted_fields = ("note", "institution_name", "details")

    class Meta:
        verbose_name = _("Verfahrensschritt")
        verbose_name_plural = _("Verfahrensschritte")
        ordering = ["procedure", "occurred_at", "id"]
        indexes = [
            models.Index(fields=["procedure", "occurred_at"], name="cases_event_proc_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_code_display()} {self.occurred_at:%d.%m.%Y %H:%M}"

    @property
    def detail_labels(self) -> list[str]:
        """The step's legal details in words (form of the impression, § 42, review date)."""
        out = []
        d = self.details or {}
        for key, choices in (
            ("impression_form", ImpressionForm),
            ("section_42_reason", Section42Reason),
            ("section_42_place", Section42Place),
        ):
            if d.get(key) in choices.values:
                out.append(str(choices(d[key]).label))
        if d.get("review_on"):
            out.append(str(_("Überprüfung am %(date)s")) % {"date": d["review_on"]})
        out.extend(str(NewHelp(c).label) for c in d.get("help_types", []) if c in NewHelp.values)
        return out

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise BindingRecordError("Dokumentierte Schritte können nur ergänzt werden.")
        super().save(*args, **kwargs)


class RiskAssessment(TenantModel):
    """A Gefährdungseinschätzung with a versioned instrument, signed by a second professional."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("Verfahren"),
    )
    instrument_key = models.CharField(_("Instrument"), max_length=60)
    instrument_version = models.CharField(_("Version"), max_length=20)
    age_band = models.CharField(_("Altersstufe"), max_length=8)
    answers = models.JSONField(_("Einschätzungen"), default=dict, blank=True)
    notes = EncryptedTextField(_("Begründung"), blank=True)
    parents_involved = models.BooleanField(_("Eltern einbezogen"), default=False)
    child_involved = models.BooleanField(_("Kind einbezogen"), default=False)
    # § 8a Abs. 1 S. 2: not involving them is allowed only where it would endanger the
    # child's protection; the reason is documented.
    parents_not_involved_reason = EncryptedTextField(
        _("Grund, warum die Eltern nicht einbezogen wurden"), blank=True
    )
    child_not_involved_reason = EncryptedTextField(
        _("Grund, warum das Kind nicht einbezogen wurde"), blank=True
    )
    # Everyone who took part in the Zusammenwirken mehrerer Fachkräfte: [{"name", "role"}].
    participants = models.JSONField(_("Beteiligte Fachkräfte"), default=list, blank=True)
    home_visit = models.BooleanField(_("Hausbesuch erfolgt"), default=False)
    result = models.CharField(
        _("Ergebnis"), max_length=16, choices=StatisticResult.choices, blank=True
    )
    kinds = models.JSONField(_("Arten der Gefährdung"), default=list, blank=True)
    danger_source = models.CharField(
        _("Gefährdung ging aus von"), max_length=16, choices=DangerSource.choices, blank=True
    )
    status = models.CharField(
        _("Stand"),
        max_length=8,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("erstellt von"),
    )
    started_at = models.DateTimeField(_("begonnen am"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("abgezeichnet von"),
    )
    signed_at = models.DateTimeField(_("abgezeichnet am"), null=True, blank=True)
    sign_off_note = EncryptedTextField(_("Vermerk zur Abzeichnung"), blank=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    tenant_field = "procedure__municipality_id"
    permission_domain = permissions.CASES
    audit_fields = (
        "instrument_key",
        "instrument_version",
        "age_band",
        "answers",
        "notes",
        "parents_involved",
        "child_involved",
        "parents_not_involved_reason",
        "child_not_involved_reason",
        "participants",
        "home_visit",
        "result",
        "kinds",
        "danger_source",
        "status",
        "signed_by_id",
        "signed_at",
        "sign_off_note",
    )
    audit_redacted_fields = (
        "notes",
        "sign_off_note",
        "parents_not_involved_reason",
        "child_not_involved_reason",
    )

    class Meta:
        verbose_name = _("Gefährdungseinschätzung")
        verbose_name_plural = _("Gefährdungseinschätzungen")
        ordering = ["procedure", "started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True) | ~Q(signed_by=F("author")),
                name="%(app_label)s_%(class)s_four_eyes",
                violation_error_message=_(
                    "Vier-Augen-Prinzip: Wer die Einschätzung erstellt hat, kann sie nicht "
                    "selbst abzeichnen."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Gefährdungseinschätzung {self.started_at:%d.%m.%Y}"

    @property
    def is_binding(self) -> bool:
        return self.status == AssessmentStatus.SIGNED

    @property
    def kind_labels(self) -> list[str]:
        return [str(EndangermentKind(k).label) for k in self.kinds]


class Amendment(TenantModel):
    """A later, attributed addition to binding documentation (never an edit)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="amendments",
        verbose_name=_("Verfahren"),
    )
    event = models.ForeignKey(
        ProcedureEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("ergänzter Schritt"),
    )
    assessment = models.ForeignKey(
        RiskAssessment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("ergänzte Einschätzung"),
    )
    text = EncryptedTextField(_("Ergänzung"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("ergänzt von"),
    )
    author_name = models.CharField(_("ergänzt von (Name)"), max_length=150)
    created_at = models.DateTimeField(_("ergänzt am"), auto_now_add=True)

    tenant_field = "procedure__municipality_id"
    permission_domain = permissions.CASES
    audit_fields = ("procedure_id", "event_id", "assessment_id", "text")
    audit_redacted_fields = ("text",)

    class Meta:
        verbose_name = _("Ergänzung")
        verbose_name_plural = _("Ergänzungen")
        ordering = ["procedure", "created_at", "id"]

    def __str__(self) -> str:
        return f"Ergänzung {self.created_at:%d.%m.%Y %H:%M}" if self.created_at else "Ergänzung"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise BindingRecordError("Ergänzungen sind verbindlich und unveränderlich.")
        super().save(*args, **kwargs)


class SignOffRequest(TenantModel):
    """A request to a chosen colleague to sign off a draft assessment (four-eyes principle).

    The signer finds it in "Warten auf meine Abzeichnung"; they sign it or return it with
    a comment. At most one request per assessment is open at a time.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(
        RiskAssessment,
        on_delete=models.CASCADE,
        related_name="sign_off_requests",
        verbose_name=_("Gefährdungseinschätzung"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("angefragt von"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_sign_off_requests",
        verbose_name=_("abzeichnende Fachkraft"),
    )
    note = EncryptedTextField(_("Hinweis an die abzeichnende Fachkraft"), blank=True)
    status = models.CharField(
        _("Stand"),
        max_length=10,
        choices=SignOffRequestStatus.choices,
        default=SignOffRequestStatus.OPEN,
    )
    answer = EncryptedTextField(_("Kommentar der abzeichnenden Fachkraft"), blank=True)
    created_at = models.DateTimeField(_("angefragt am"), auto_now_add=True)
    answered_at = models.DateTimeField(_("beantwortet am"), null=True, blank=True)

    tenant_field = "assessment__procedure__municipality_id"
    permission_domain = permissions.CASES
    audit_fields = ("assessment_id", "requested_by_id", "signer_id", "note", "status", "answer")
    audit_redacted_fields = ("note", "answer")

    class Meta:
        verbose_name = _("Bitte um Abzeichnung")
        verbose_name_plural = _("Bitten um Abzeichnung")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["signer", "status"], name="cases_signreq_signer_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(status="open"),
                name="%(app_label)s_%(class)s_one_open",
                violation_error_message=_(
                    "Für diese Einschätzung ist bereits eine Abzeichnung angefragt."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Bitte um Abzeichnung {self.created_at:%d.%m.%Y}" if self.created_at else "Bitte"


class Handover(TenantModel):
    """A § 8a Abs. 6 hand-over to the Jugendamt that became responsible.

    When that commune is on the platform (``to_municipality``), its Jugendamt finds the
    hand-over in its intake and sees exactly ``items`` and ``transmitted`` — nothing else of
    the sender's file. ``municipality`` is the sender's commune (the owner of this row).
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("übergebende Kommune"),
    )
    procedure = models.OneToOneField(
        Procedure, on_delete=models.CASCADE, related_name="handover", verbose_name=_("Verfahren")
    )
    to_municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zuständige Kommune (auf der Plattform)"),
    )
    to_office = models.CharField(_("zuständiges Jugendamt"), max_length=200)
    items = models.JSONField(_("übermittelte Angaben"), default=list)
    transmitted = EncryptedTextField(_("übermittelter Inhalt"))
    sent_at = models.DateTimeField(_("übermittelt am"))
    conversation_at = models.DateTimeField(_("Übergabegespräch am"), null=True, blank=True)
    conversation_with = models.CharField(_("Gespräch mit"), max_length=200, blank=True)
    conversation_note = EncryptedTextField(_("Inhalt des Übergabegesprächs"), blank=True)
    status = models.CharField(
        _("Stand"), max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.SENT
    )
    received_procedure = models.OneToOneField(
        Procedure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_handover",
        verbose_name=_("Verfahren beim zuständigen Jugendamt"),
    )
    accepted_at = models.DateTimeField(_("übernommen am"), null=True, blank=True)

    permission_domain = permissions.CASES
    audit_fields = (
        "procedure_id",
        "to_municipality_id",
        "to_office",
        "items",
        "transmitted",
        "conversation_at",
        "conversation_with",
        "conversation_note",
        "status",
        "received_procedure_id",
    )
    audit_redacted_fields = ("transmitted", "conversation_note")

    class Meta:
        verbose_name = _("Übergabe nach § 8a Abs. 6")
        verbose_name_plural = _("Übergaben nach § 8a Abs. 6")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["to_municipality", "status"], name="cases_handover_to_status"),
        ]

    def __str__(self) -> str:
        return f"Übergabe {self.code}"

    @property
    def item_labels(self) -> list[str]:
        return [str(HandoverItem(i).label) for i in self.items if i in HandoverItem.values]


class CommitteeReport(TenantModel):
    """The yearly Bericht an den Jugendhilfeausschuss: the coordinator's own text blocks.

    The figures are never stored here: the report page computes them from the procedures
    (aggregated and suppressed) each time, so an edited text never freezes stale numbers.
    """

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="committee_reports",
        verbose_name=_("Kommune"),
    )
    year = models.PositiveSmallIntegerField(_("Berichtsjahr"))
    introduction = models.TextField(_("Einleitung"), blank=True)
    assessment = models.TextField(_("Einordnung der Zahlen"), blank=True)
    outlook = models.TextField(_("Ausblick und Vorhaben"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zuletzt bearbeitet von"),
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    permission_domain = permissions.ANALYTICS
    audit_fields = ("year", "introduction", "assessment", "outlook")

    class Meta:
        verbose_name = _("Bericht an den Jugendhilfeausschuss")
        verbose_name_plural = _("Berichte an den Jugendhilfeausschuss")
        ordering = ["municipality", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"],
                name="%(app_label)s_%(class)s_one_per_year",
                violation_error_message=_("Für dieses Jahr gibt es schon einen Bericht."),
            )
        ]

    def __str__(self) -> str:
        return f"Bericht an den Jugendhilfeausschuss {self.year} – {self.municipality}"
