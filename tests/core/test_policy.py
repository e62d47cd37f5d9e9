"""The permission vocabulary, tested directly (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weh.core import policy
from weh.core.policy import Role


def test_every_permission_is_scope_resource_action() -> None:
    for permission in policy.ALL_PERMISSIONS:
        scope, resource, action = policy.parse_permission(permission)
        assert permission == f"{scope}:{resource}:{action}"


@pytest.mark.parametrize("bad", ["", "a:b", "a:b:c:d", "a::c", ":b:c"])
def test_malformed_permissions_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="scope:resource:action"):
        policy.parse_permission(bad)


def test_unknown_permission_is_an_error_not_a_silent_refusal() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        policy.role_grants(Role.APPLICANT, "registry:subject:fly")


def test_applicants_edit_subjects_viewers_only_read() -> None:
    assert policy.role_grants(Role.APPLICANT, policy.SUBJECT_CHANGE)
    assert policy.role_grants(Role.APPLICANT, policy.SUBJECT_ADD)
    assert not policy.role_grants(Role.VIEWER, policy.SUBJECT_CHANGE)
    assert policy.role_grants(Role.VIEWER, policy.SUBJECT_VIEW_DRAFT)
    assert not policy.role_grants(Role.REVIEWER, policy.SUBJECT_ADD)
    assert not policy.role_grants(Role.FUNDER, policy.SUBJECT_DELETE)


def test_only_the_secretariat_is_hub_wide_and_manages_organisations() -> None:
    assert [role for role in Role if policy.is_hub_wide(role)] == [Role.SECRETARIAT]
    assert [role for role in Role if policy.role_grants(role, policy.ORGANISATION_ADD)] == [
        Role.SECRETARIAT
    ]
    assert [role for role in Role if policy.role_grants(role, policy.AUDIT_VIEW)] == [
        Role.SECRETARIAT
    ]


memberships = st.dictionaries(
    st.integers(min_value=1, max_value=50),
    st.frozensets(st.sampled_from(list(Role)), min_size=1),
    max_size=8,
)


@given(memberships, st.sampled_from(sorted(policy.ALL_PERMISSIONS)))
def test_organisations_granting_is_exactly_those_with_a_granting_role(
    roles: dict[int, frozenset[Role]], permission: str
) -> None:
    granted = policy.organisations_granting(roles, permission)
    assert granted <= set(roles)
    for org_id, org_roles in roles.items():
        assert (org_id in granted) == any(
            permission in policy.ROLE_PERMISSIONS[r] for r in org_roles
        )


@given(memberships, st.sampled_from(sorted(policy.ALL_PERMISSIONS)), st.sampled_from(list(Role)))
def test_adding_a_role_never_removes_a_grant(
    roles: dict[int, frozenset[Role]], permission: str, extra: Role
) -> None:
    before = policy.organisations_granting(roles, permission)
    widened = {org: r | {extra} for org, r in roles.items()}
    assert before <= policy.organisations_granting(widened, permission)
