"""Enumerations that cut across all apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user's role; global roles have no municipality, all others belong to one."""

    PLATFORM_ADMIN = "platform_admin", _("Plattform-Administration")
    PROJECT_TEAM = "project_team", _("Projektteam")
    COORDINATOR = "coordinator", _("Koordination Kinderschutz")
    TEAM_LEAD = "team_lead", _("Teamleitung")
    CASEWORKER = "caseworker", _("Fachkraft (ASD)")
    DATA_PROTECTION = "data_protection", _("Datenschutzbeauftragte")
    NETWORK_PARTNER = "network_partner", _("Netzwerkpartner")
    READER = "reader", _("Lesezugriff")
    # Network partners' own staff (issue 13): bound to one institution of the registry.
    INSTITUTION_STAFF = "institution_staff", _("Fachkraft einer Einrichtung")
    INSTITUTION_LEAD = "institution_lead", _("Leitung der Einrichtung")
    INSOFA = "insofa", _("Insoweit erfahrene Fachkraft")


GLOBAL_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.PROJECT_TEAM})


class AuditAction(models.TextChoices):
    CREATE = "create", _("angelegt")
    UPDATE = "update", _("geändert")
    DELETE = "delete", _("gelöscht")
    SIGN_OFF = "sign_off", _("abgezeichnet")
    EXPORT = "export", _("exportiert")
    IMPORT = "import", _("importiert")
    MERGE = "merge", _("zusammengeführt")
    LOGIN = "login", _("angemeldet")
    LOGIN_FAILED = "login_failed", _("Anmeldung fehlgeschlagen")
    PURGE = "purge", _("bereinigt")


class AuditSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    CLI = "cli", _("Kommandozeile")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class MembershipRequestStatus(models.TextChoices):
    PENDING = "pending", _("wartet auf Bestätigung")
    CONFIRMED = "confirmed", _("bestätigt")
    REJECTED = "rejected", _("abgelehnt")
