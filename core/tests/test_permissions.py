"""The role → domain → action table, tested exhaustively (STYLE §7.4)."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied

from core import permissions
from core.choices import Role
from core.tests.factories import MembershipFactory, UserFactory

EXPECTED = {
    # (role, domain): actions. Anything not listed is denied.
    (Role.PLATFORM_ADMIN, "registry"): {"view", "add", "change", "delete", "export"},
    (Role.PLATFORM_ADMIN, "quality"): {"view", "add", "change", "delete", "export"},
    (Role.PLATFORM_ADMIN, "network"): {"view", "add", "change", "delete", "export"},
    (Role.PLATFORM_ADMIN, "reviews"): {"view"},
    (Role.PLATFORM_ADMIN, "analytics"): {"view", "export"},
    (Role.PLATFORM_ADMIN, "audit"): {"view", "view_audit"},
    (Role.PROJECT_TEAM, "registry"): {"view", "add", "change", "delete", "export"},
    (Role.PROJECT_TEAM, "quality"): {"view", "add", "change", "delete", "export"},
    (Role.PROJECT_TEAM, "network"): {"view", "export"},
    (Role.PROJECT_TEAM, "reviews"): {"view", "export"},
    (Role.PROJECT_TEAM, "analytics"): {"view", "export"},
    (Role.COORDINATOR, "registry"): {"view", "add", "change", "delete", "export"},
    (Role.COORDINATOR, "quality"): {"view", "add", "change", "delete", "export"},
    (Role.COORDINATOR, "network"): {"view", "add", "change", "delete", "export"},
    (Role.COORDINATOR, "reviews"): {"view", "add", "change", "delete", "export"},
    (Role.COORDINATOR, "analytics"): {"view", "export"},
    (Role.TEAM_LEAD, "registry"): {"view"},
    (Role.TEAM_LEAD, "quality"): {"view"},
    (Role.TEAM_LEAD, "network"): {"view"},
    (Role.TEAM_LEAD, "cases"): {"view", "add", "change", "sign_off", "export", "view_identifying"},
    (Role.TEAM_LEAD, "reviews"): {"view"},
    (Role.TEAM_LEAD, "analytics"): {"view", "export"},
    (Role.CASEWORKER, "registry"): {"view"},
    (Role.CASEWORKER, "quality"): {"view"},
    (Role.CASEWORKER, "network"): {"view"},
    (Role.CASEWORKER, "cases"): {"view", "add", "change", "sign_off", "view_identifying"},
    (Role.CASEWORKER, "reviews"): {"view"},
    (Role.DATA_PROTECTION, "registry"): {"view"},
    (Role.DATA_PROTECTION, "audit"): {"view", "view_audit"},
    (Role.NETWORK_PARTNER, "registry"): {"view"},
    (Role.NETWORK_PARTNER, "quality"): {"view"},
    (Role.NETWORK_PARTNER, "network"): {"view"},
    (Role.READER, "registry"): {"view"},
    (Role.READER, "quality"): {"view"},
    (Role.READER, "network"): {"view"},
    (Role.INSTITUTION_STAFF, "registry"): {"view"},
    (Role.INSTITUTION_STAFF, "quality"): {"view"},
    (Role.INSTITUTION_STAFF, "network"): {"view"},
    (Role.INSTITUTION_STAFF, "partners"): {"view", "add", "change", "sign_off"},
    (Role.INSTITUTION_LEAD, "registry"): {"view"},
    (Role.INSTITUTION_LEAD, "quality"): {"view"},
    (Role.INSTITUTION_LEAD, "network"): {"view"},
    (Role.INSTITUTION_LEAD, "partners"): {
        "view",
        "add",
        "change",
        "sign_off",
        "export",
        "manage_members",
    },
    (Role.INSOFA, "registry"): {"view"},
    (Role.INSOFA, "network"): {"view"},
    (Role.INSOFA, "consultations"): {"view", "change"},
}


@pytest.mark.parametrize(
    ("role", "domain", "action"),
    list(itertools.product(Role.values, sorted(permissions.DOMAINS), sorted(permissions.ACTIONS))),
)
def test_role_table_matches_the_specification(role, domain, action):
    expected = action in EXPECTED.get((role, domain), set())
    assert permissions.role_allows(role, domain, action) is expected


def test_no_role_may_touch_cases_except_case_teams():
    for role in Role.values:
        if role in (Role.CASEWORKER, Role.TEAM_LEAD):
            continue
        assert not permissions.role_allows(role, "cases", "view"), role


def test_partner_records_and_procedures_never_share_a_role():
    # The Jugendamt never sees a partner's internal record, a partner never a procedure.
    for role in Role.values:
        assert not (
            permissions.role_allows(role, "cases", "view")
            and permissions.role_allows(role, "partners", "view")
        ), role


def test_nobody_may_delete_case_documentation():
    assert not any(permissions.role_allows(r, "cases", "delete") for r in Role.values)


def test_table_is_sound():
    assert permissions.validate_table() == []


def test_validate_table_reports_unknown_entries(monkeypatch):
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, "ghost", {"nowhere": frozenset({"fly"})})
    problems = permissions.validate_table()
    assert "unknown role ghost" in problems
    assert "ghost: unknown domain nowhere" in problems
    assert "ghost/nowhere: unknown action fly" in problems


def test_members_act_only_in_their_municipality(coordinator_a, muni_a, muni_b):
    assert permissions.has_permission(coordinator_a, "change", "registry", muni_a.pk)
    assert not permissions.has_permission(coordinator_a, "change", "registry", muni_b.pk)
    assert permissions.municipality_ids_for(coordinator_a, "change", "registry") == {muni_a.pk}


def test_global_roles_span_all_municipalities(project_team, muni_a, muni_b):
    assert permissions.municipality_ids_for(project_team, "change", "registry") == permissions.ALL
    assert permissions.has_permission(project_team, "change", "registry", muni_b.pk)
    # … but never cases.
    assert not permissions.has_permission(project_team, "view", "cases", muni_a.pk)


def test_records_without_municipality_need_a_global_role(coordinator_a, project_team):
    assert not permissions.has_permission(coordinator_a, "change", "registry", None)
    assert permissions.has_permission(project_team, "change", "registry", None)


def test_anonymous_and_inactive_users_hold_nothing(anonymous, coordinator_a, muni_a):
    assert permissions.municipality_ids_for(anonymous, "view", "registry") == set()
    assert permissions.municipality_ids_for(None, "view", "registry") == set()
    coordinator_a.is_active = False
    assert not permissions.has_permission(coordinator_a, "view", "registry", muni_a.pk)


def test_superuser_acts_as_platform_admin_without_cases(db, muni_a):
    root = UserFactory(username="root", is_superuser=True)
    assert permissions.has_permission(root, "change", "registry", muni_a.pk)
    assert not permissions.has_permission(root, "view", "cases", muni_a.pk)


def test_system_actor_may_do_everything(muni_a):
    assert permissions.has_permission(permissions.SYSTEM, "change", "registry", muni_a.pk)
    assert str(permissions.SystemActor("import")) == "import"


def test_require_raises_permission_denied(readonly_a, muni_a):
    permissions.require(readonly_a, "view", "registry", muni_a.pk)
    with pytest.raises(PermissionDenied):
        permissions.require(readonly_a, "change", "registry", muni_a.pk)


def test_roles_of_combines_local_and_global_roles(db, muni_a, muni_b):
    user = UserFactory(username="both")
    MembershipFactory(user=user, municipality=muni_a, role=Role.CASEWORKER)
    MembershipFactory(user=user, municipality=None, role=Role.PROJECT_TEAM)
    assert permissions.roles_of(user, muni_a.pk) == {Role.CASEWORKER, Role.PROJECT_TEAM}
    assert permissions.roles_of(user, muni_b.pk) == {Role.PROJECT_TEAM}
    assert permissions.roles_of(user) == {Role.CASEWORKER, Role.PROJECT_TEAM}
    assert permissions.roles_of(None) == set()


def test_membership_constraint_rejects_local_role_without_municipality(db):
    from django.core.exceptions import ValidationError

    from core.models import Membership

    with pytest.raises(ValidationError):
        Membership(user=UserFactory(), municipality=None, role=Role.CASEWORKER).full_clean()
