"""The one place that says which role may do what (STYLE §7.4).

Permissions are a fixed table: role → domain → actions. A domain is the kind of data
(registry profile, workshops, cases …), because the same role may edit a commune's
profile but must never read its child-protection cases. Every model that belongs to a
commune names its domain in ``permission_domain``.

Read the table top to bottom; one rule per line, each with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from core import principal
from core.choices import GLOBAL_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
SIGN_OFF = "sign_off"
EXPORT = "export"
VIEW_IDENTIFYING = "view_identifying"
VIEW_AUDIT = "view_audit"
MANAGE_MEMBERS = "manage_members"

ACTIONS = frozenset(
    {VIEW, ADD, CHANGE, DELETE, SIGN_OFF, EXPORT, VIEW_IDENTIFYING, VIEW_AUDIT, MANAGE_MEMBERS}
)

# Domains: the kinds of data a commune holds.
REGISTRY = "registry"  # commune profile, institutions, population
QUALITY = "quality"  # workshops, outcomes, evaluations
NETWORK = "network"  # network registry, agreements, directory offers
CASES = "cases"  # § 8a procedures: social data
REVIEWS = "reviews"  # case reviews and near-miss moderation
ANALYTICS = "analytics"  # aggregated process analysis
AUDIT = "audit"  # the audit trail and the case read log
PARTNERS = "partners"  # a network partner's own pseudonymous § 8a Abs. 4 / § 4 KKG records
CONSULTATIONS = "consultations"  # consultations of an insoweit erfahrene Fachkraft

DOMAINS = frozenset(
    {REGISTRY, QUALITY, NETWORK, CASES, REVIEWS, ANALYTICS, AUDIT, PARTNERS, CONSULTATIONS}
)

_EDIT = frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT})
_READ = frozenset({VIEW})
_READ_EXPORT = frozenset({VIEW, EXPORT})

ROLE_PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    # Platform administration runs the platform and manages accounts, but social data
    # (cases) is out of reach: administrators are not part of any case team.
    Role.PLATFORM_ADMIN: {
        REGISTRY: _EDIT,
        QUALITY: _EDIT,
        NETWORK: _EDIT,
        REVIEWS: _READ,
        ANALYTICS: _READ_EXPORT,
        AUDIT: frozenset({VIEW, VIEW_AUDIT}),
        "members": frozenset({VIEW, MANAGE_MEMBERS}),
    },
    # The national project team sees and edits all communes' profiles and quality work,
    # and reads aggregated analytics — never cases.
    Role.PROJECT_TEAM: {
        REGISTRY: _EDIT,
        QUALITY: _EDIT,
        NETWORK: _READ_EXPORT,
        REVIEWS: _READ_EXPORT,
        ANALYTICS: _READ_EXPORT,
    },
    # The commune's coordination keeps profile, network, workshops and case reviews.
    # It does not document cases; case data reaches it only aggregated.
    Role.COORDINATOR: {
        REGISTRY: _EDIT,
        QUALITY: _EDIT,
        NETWORK: _EDIT,
        REVIEWS: _EDIT,
        ANALYTICS: _READ_EXPORT,
        "members": frozenset({VIEW, MANAGE_MEMBERS}),
    },
    # A team lead documents cases like a caseworker and signs off assessments.
    Role.TEAM_LEAD: {
        REGISTRY: _READ,
        QUALITY: _READ,
        NETWORK: _READ,
        CASES: frozenset({VIEW, ADD, CHANGE, SIGN_OFF, EXPORT, VIEW_IDENTIFYING}),
        REVIEWS: _READ,
        ANALYTICS: _READ_EXPORT,
    },
    # Caseworkers document cases of their own team and sign off a colleague's assessment
    # (four-eyes principle); deleting documentation is never allowed.
    Role.CASEWORKER: {
        REGISTRY: _READ,
        QUALITY: _READ,
        NETWORK: _READ,
        CASES: frozenset({VIEW, ADD, CHANGE, SIGN_OFF, VIEW_IDENTIFYING}),
        REVIEWS: _READ,
    },
    # The data-protection officer reads the audit trail and the case read log,
    # but not the cases themselves.
    Role.DATA_PROTECTION: {
        REGISTRY: _READ,
        AUDIT: frozenset({VIEW, VIEW_AUDIT}),
    },
    # Network partners find offers and contacts; they never see procedures.
    Role.NETWORK_PARTNER: {
        REGISTRY: _READ,
        QUALITY: _READ,
        NETWORK: _READ,
    },
    # Read-only members (e.g. Jugendhilfeausschuss) read profile and quality work.
    Role.READER: {
        REGISTRY: _READ,
        QUALITY: _READ,
        NETWORK: _READ,
    },
    # A professional of a Kita, school, clinic … documents her institution's own records
    # and signs a colleague's (when the agreement allows colleagues to sign). Which
    # institution is a second gate (partners.StaffBinding), like the case team for cases.
    # She never sees procedures: no CASES grant.
    Role.INSTITUTION_STAFF: {
        REGISTRY: _READ,
        QUALITY: _READ,
        NETWORK: _READ,
        PARTNERS: frozenset({VIEW, ADD, CHANGE, SIGN_OFF}),
    },
    # The institution's lead signs, exports and invites her own staff (MANAGE_MEMBERS on
    # PARTNERS only: she never manages the commune's memberships).
    Role.INSTITUTION_LEAD: {
        REGISTRY: _READ,
        QUALITY: _READ,
        NETWORK: _READ,
        PARTNERS: frozenset({VIEW, ADD, CHANGE, SIGN_OFF, EXPORT, MANAGE_MEMBERS}),
    },
    # An insoweit erfahrene Fachkraft sees and answers only the consultations she was
    # asked for (the second gate is the consultation's addressee); no partner records
    # of her own, no procedures.
    Role.INSOFA: {
        REGISTRY: _READ,
        NETWORK: _READ,
        CONSULTATIONS: frozenset({VIEW, CHANGE}),
    },
}

ALL = "__all__"


class SystemActor:
    """The actor of management commands and imports run by the operator on the server.

    Whoever can run ``manage.py`` already holds the database credentials, so the CLI is
    trusted; the audit trail still names it and the request id groups its rows.
    """

    is_system = True
    is_authenticated = False
    is_active = True
    is_superuser = False
    pk = None

    def __init__(self, name: str = "System") -> None:
        self.name = name

    def get_username(self) -> str:
        return self.name

    def get_full_name(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


SYSTEM = SystemActor()


def role_allows(role: str, domain: str, action: str) -> bool:
    """Whether the table grants ``action`` on ``domain`` to ``role``."""
    return action in ROLE_PERMISSIONS.get(role, {}).get(domain, frozenset())


def _memberships(user: Any) -> list[tuple[int | None, str]]:
    # Cached on the user object: a request asks many times, memberships rarely change.
    cached = getattr(user, "_ksqm_memberships", None)
    if cached is None:
        # The login's per-process snapshot (core.principal) has them already.
        kept = principal.part(user, "memberships")
        if kept is not None:
            cached = list(kept)
        else:
            cached = list(user.memberships.values_list("municipality_id", "role"))
        user._ksqm_memberships = cached
    return cached


def municipality_ids_for(
    user: AbstractBaseUser | AnonymousUser | None, action: str, domain: str
) -> set[int] | str:
    """The communes in which ``user`` may do ``action`` on ``domain``; ``ALL`` for every one."""
    # Batch jobs on the server act with the operator's authority.
    if getattr(user, "is_system", False):
        return ALL
    # Anonymous and inactive users hold no permissions; public pages don't ask here.
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    ids: set[int] = set()
    for municipality_id, role in _memberships(user):
        # A role that doesn't grant the action contributes nothing.
        if not role_allows(role, domain, action):
            continue
        # Global roles (project team, platform admin) span every commune.
        if role in GLOBAL_ROLES:
            return ALL
        ids.add(municipality_id)
    # Django superusers act as platform administrators, with the same limits.
    if user.is_superuser and role_allows(Role.PLATFORM_ADMIN, domain, action):
        return ALL
    return ids


def has_permission(
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    domain: str,
    municipality_id: int | None,
) -> bool:
    """Whether ``user`` may do ``action`` on ``domain`` data of the given commune."""
    allowed = municipality_ids_for(user, action, domain)
    # Global roles pass for any commune, including records without one.
    if allowed == ALL:
        return True
    # A record without a commune is only reachable for global roles.
    if municipality_id is None:
        return False
    return municipality_id in allowed


def require(
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    domain: str,
    municipality_id: int | None,
) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may act; services call this first."""
    if not has_permission(user, action, domain, municipality_id):
        raise PermissionDenied(f"{action} on {domain} not permitted")


def roles_of(user: Any, municipality_id: int | None = None) -> set[str]:
    """The user's roles, optionally limited to one commune (global roles always count)."""
    if user is None or not user.is_authenticated:
        return set()
    return {
        role
        for mid, role in _memberships(user)
        if municipality_id is None or mid == municipality_id or role in GLOBAL_ROLES
    }


# Domains without social data: commune profiles, quality work, the network registry and
# aggregated analytics. Every other domain (cases, reviews, the audit trail and read log,
# member management, and any domain added later) holds or opens social data.
_NON_SOCIAL_DOMAINS = frozenset({REGISTRY, QUALITY, NETWORK, ANALYTICS})


def requires_second_factor(user: Any) -> bool:
    """Whether ``user`` must pass a second factor: anyone who can read case data.

    That is every role with a grant outside the non-social domains, and staff and
    superusers (they manage accounts and roles). Readers and network partners without
    such a grant log in with their password alone.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    # Platform staff hand out roles: taking over their login opens every commune.
    if user.is_superuser or user.is_staff:
        return True
    # One role that opens social data is enough.
    return any(role_opens_social_data(role) for _municipality_id, role in _memberships(user))


def role_opens_social_data(role: str) -> bool:
    """Whether ``role`` grants anything on a domain with social data (cases, reviews,
    partner records, consultations, the audit trail, member management …)."""
    return bool(set(ROLE_PERMISSIONS.get(role, {})) - _NON_SOCIAL_DOMAINS)


def manages_members_locally(user: Any, municipality_id: int | None) -> bool:
    """Whether ``user`` manages the members of this commune through a role *in* it (its
    coordination), not only through a global role or as a superuser."""
    if municipality_id is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(
        mid == municipality_id and role_allows(role, "members", MANAGE_MEMBERS)
        for mid, role in _memberships(user)
    )


def validate_table(domains: Iterable[str] = DOMAINS) -> list[str]:
    """Problems in the table (unknown roles, domains, actions); empty when it is sound."""
    known_domains = set(domains) | {"members"}
    problems = []
    for role, grants in ROLE_PERMISSIONS.items():
        if role not in Role.values:
            problems.append(f"unknown role {role}")
        for domain, actions in grants.items():
            if domain not in known_domains:
                problems.append(f"{role}: unknown domain {domain}")
            problems.extend(f"{role}/{domain}: unknown action {a}" for a in actions - ACTIONS)
    return problems
