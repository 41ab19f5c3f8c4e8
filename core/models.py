"""Cross-cutting models: memberships, the audit trail, the case read log, API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.choices import GLOBAL_ROLES, AuditAction, AuditSource, MembershipRequestStatus, Role


class TenantQuerySet(models.QuerySet):
    """Querysets of commune-owned records, restricted the same way everywhere."""

    def visible_to(self, user: Any, action: str = permissions.VIEW) -> TenantQuerySet:
        """Rows of the communes in which ``user`` may do ``action`` on this model's domain."""
        domain = self.model.permission_domain
        allowed = permissions.municipality_ids_for(user, action, domain)
        if allowed == permissions.ALL:
            return self
        return self.filter(**{f"{self.model.tenant_field}__in": allowed})


class TenantModel(models.Model):
    """Base for records that belong to one commune.

    Subclasses define ``municipality`` (or point ``tenant_field`` at the path to it) and
    ``permission_domain``.
    """

    tenant_field = "municipality_id"
    permission_domain = permissions.REGISTRY
    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def tenant_id(self) -> int | None:
        value: Any = self
        for part in self.tenant_field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value


class Membership(models.Model):
    """A user's role in one commune, or a global role (project team, administration)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("Person"),
    )
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("Kommune"),
    )
    role = models.CharField(_("Rolle"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role"],
                name="%(app_label)s_%(class)s_unique_role",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(GLOBAL_ROLES), municipality__isnull=True)
                    | (~Q(role__in=sorted(GLOBAL_ROLES)) & Q(municipality__isnull=False))
                ),
                name="%(app_label)s_%(class)s_global_roles_without_municipality",
                violation_error_message=_(
                    "Projektteam und Administration gelten für alle Kommunen; "
                    "alle anderen Rollen brauchen eine Kommune."
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.municipality or _("alle Kommunen")
        return f"{self.user} – {self.get_role_display()} ({where})"


class MembershipRequest(TenantModel):
    """A role granted by one person that a second person must confirm (four eyes).

    A platform administrator cannot give anyone (itself included) a role that opens social
    data alone: the commune's coordination confirms. Grants that need no second person are
    recorded here too, already confirmed, so every role change has one row with who asked,
    who confirmed and why (``core.services.membership_request_create``).
    """

    permission_domain = "members"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership_requests",
        verbose_name=_("Person"),
    )
    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="membership_requests",
        verbose_name=_("Kommune"),
    )
    role = models.CharField(_("Rolle"), max_length=32, choices=Role.choices)
    reason = models.TextField(_("Begründung"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beantragt von"),
    )
    requested_by_name = models.CharField(_("beantragt von (Name)"), max_length=150, blank=True)
    requested_at = models.DateTimeField(_("beantragt am"), default=timezone.now)
    status = models.CharField(
        _("Status"),
        max_length=16,
        choices=MembershipRequestStatus.choices,
        default=MembershipRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entschieden von"),
    )
    decided_by_name = models.CharField(_("entschieden von (Name)"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    decision_note = models.TextField(_("Anmerkung zur Entscheidung"), blank=True)

    audit_fields = ("user_id", "municipality_id", "role", "status", "reason")

    class Meta:
        verbose_name = _("Rollenantrag")
        verbose_name_plural = _("Rollenanträge")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        where = self.municipality or _("alle Kommunen")
        return f"{self.user} – {self.get_role_display()} ({where}): {self.get_status_display()}"


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("append-only table")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("append-only table")


class AppendOnlyModel(models.Model):
    """Rows are written once; there is no update or delete path in code."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class AuditEvent(AppendOnlyModel):
    """One change to a record: who, when, what, before → after (NetBox + Zulip)."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    time = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Person"),
    )
    actor_name = models.CharField(_("Person (Name)"), max_length=150, blank=True)
    request_id = models.UUIDField(_("Anfrage-ID"), db_index=True)
    source = models.CharField(_("Quelle"), max_length=16, choices=AuditSource.choices)
    action = models.CharField(_("Aktion"), max_length=16, choices=AuditAction.choices)
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("Objekttyp"),
    )
    target_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(_("Objekt"), max_length=300)
    related_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("übergeordneter Objekttyp"),
    )
    related_id = models.CharField(_("übergeordnete Objekt-ID"), max_length=64, blank=True)
    reason = models.TextField(_("Begründung"), blank=True)
    before = models.JSONField(_("vorher"), null=True, blank=True)
    after = models.JSONField(_("nachher"), null=True, blank=True)

    class Meta:
        verbose_name = _("Änderungsprotokoll-Eintrag")
        verbose_name_plural = _("Änderungsprotokoll")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="core_audit_target"),
            models.Index(fields=["related_type", "related_id"], name="core_audit_related"),
            models.Index(fields=["municipality", "time"], name="core_audit_muni_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def changes(self) -> list[tuple[str, Any, Any]]:
        """Field-wise (name, old, new) for display, only where something changed."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        # A redacted value ("«geändert»" on both sides) still counts as a change.
        return [
            (k, _local_time_text(before.get(k)), _local_time_text(after.get(k)))
            for k in keys
            if before.get(k) != after.get(k) or after.get(k) == "«geändert»"
        ]

    def readable_changes(self) -> list[tuple[str, Any, Any]]:
        """:meth:`changes` in the words of the UI: field labels instead of code names
        ("Status", not "status"; "Träger (Einrichtung)", not "provider_id"), choice
        labels instead of stored values, "ja"/"nein" instead of true/false."""
        model = self.target_type.model_class() if self.target_type_id else None
        return [
            (_field_label(model, name), _readable(model, name, old), _readable(model, name, new))
            for name, old, new in self.changes()
        ]


def _local_time_text(value: Any) -> Any:
    """Snapshots store times as ISO 8601 in UTC; show them in the site's zone like every
    other time on the page (Europe/Berlin), not "…T08:00:00+00:00" beside "09:00"."""
    if not isinstance(value, str) or len(value) < 19 or value[10:11] != "T":
        return value
    import datetime as dt

    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return value
    return timezone.localtime(parsed).strftime("%d.%m.%Y %H:%M")


def _model_field(model: Any, name: str) -> Any:
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except Exception:  # noqa: S112 – FieldDoesNotExist; try the next spelling
            continue
    return None


def _field_label(model: Any, name: str) -> str:
    field = _model_field(model, name)
    label = getattr(field, "verbose_name", None)
    if label and str(label) != name.replace("_", " "):
        return str(label)
    # Keys that are not model fields (e.g. "target_groups" lists) still read as words.
    return name.removesuffix("_id").replace("_", " ")


def _readable(model: Any, name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    field = _model_field(model, name)
    choices = dict(getattr(field, "flatchoices", None) or ())
    if choices and not isinstance(value, (list, dict)):
        return choices.get(value, value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


class AccessLog(AppendOnlyModel):
    """One read of a sensitive record (a case): who, when, what, why (§ 8a documentation)."""

    municipality = models.ForeignKey(
        "registry.Municipality",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kommune"),
    )
    time = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Person"),
    )
    actor_name = models.CharField(_("Person (Name)"), max_length=150)
    request_id = models.UUIDField(_("Anfrage-ID"))
    source = models.CharField(_("Quelle"), max_length=16, choices=AuditSource.choices)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("Objekttyp")
    )
    target_id = models.CharField(_("Objekt-ID"), max_length=64)
    target_repr = models.CharField(_("Objekt"), max_length=300)
    purpose = models.CharField(_("Zweck"), max_length=200)

    class Meta:
        verbose_name = _("Lesezugriff")
        verbose_name_plural = _("Lesezugriffe")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="core_access_target"),
            models.Index(fields=["municipality", "time"], name="core_access_muni_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_name} → {self.target_repr}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its hash is stored, the token itself is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("Person"),
    )
    name = models.CharField(_("Bezeichnung"), max_length=100)
    prefix = models.CharField(_("Präfix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    expires_at = models.DateTimeField(_("gültig bis"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("zuletzt benutzt"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-Token")
        verbose_name_plural = _("API-Tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw_token() -> str:
        return "ksqm_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class UserPreference(models.Model):
    """What a person chose for themselves: for now the language their e-mails come in.

    Written when a signed-in person switches the interface language, so reminders and
    notices sent later by the worker (no request, no cookie) reach them in that language.
    Empty: the platform's default language.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(_("Sprache"), max_length=8, blank=True, choices=settings.LANGUAGES)
    changed_at = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Persönliche Einstellung")
        verbose_name_plural = _("Persönliche Einstellungen")

    def __str__(self) -> str:
        return f"{self.user}: {self.language or '-'}"
