"""The permission vocabulary: which role may do what, as ``scope:resource:action`` strings.

Pure data and functions, no Django import, so the whole policy can be read and tested in one place.
Organisation-scoped roles grant their permissions inside the organisation that holds the membership;
hub-wide roles grant them everywhere; public permissions need no account at all.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    SECRETARIAT = "secretariat"
    FUNDER = "funder"
    VIEWER = "viewer"


ORGANISATION_VIEW = "accounts:organisation:view"
ORGANISATION_ADD = "accounts:organisation:add"
ORGANISATION_CHANGE = "accounts:organisation:change"
ORGANISATION_DELETE = "accounts:organisation:delete"
MEMBERSHIP_VIEW = "accounts:membership:view"
MEMBERSHIP_ADD = "accounts:membership:add"
MEMBERSHIP_DELETE = "accounts:membership:delete"
SUBJECT_VIEW = "registry:subject:view"
SUBJECT_VIEW_DRAFT = "registry:subject:view_draft"
SUBJECT_ADD = "registry:subject:add"
SUBJECT_CHANGE = "registry:subject:change"
SUBJECT_PUBLISH = "registry:subject:publish"
SUBJECT_DELETE = "registry:subject:delete"
AUDIT_VIEW = "core:audit:view"
ASSESSMENT_VIEW = "assessments:assessment:view"
ASSESSMENT_ADD = "assessments:assessment:add"
ASSESSMENT_CHANGE = "assessments:assessment:change"
ASSESSMENT_SUBMIT = "assessments:assessment:submit"
ASSESSMENT_DELETE = "assessments:assessment:delete"
REVIEWER_CHANGE = "review:reviewer:change"
REVIEW_ASSIGN = "review:assignment:add"
REVIEW_DECIDE = "review:decision:add"
PLEDGE_ADD = "review:pledge:add"
ALERT_TRIAGE = "review:alert:change"
# Finance traceability (weh.finance): who sees and records funding, units and spending.
FUNDING_VIEW = "finance:funding:view"
COMMITMENT_ADD = "finance:commitment:add"
DISBURSEMENT_ADD = "finance:disbursement:add"
UNITS_CHANGE = "finance:units:change"
ACTIVITY_ADD = "finance:activity:add"
SPENDING_ADD = "finance:spending:add"

ALL_PERMISSIONS: frozenset[str] = frozenset(
    {
        ORGANISATION_VIEW,
        ORGANISATION_ADD,
        ORGANISATION_CHANGE,
        ORGANISATION_DELETE,
        MEMBERSHIP_VIEW,
        MEMBERSHIP_ADD,
        MEMBERSHIP_DELETE,
        SUBJECT_VIEW,
        SUBJECT_VIEW_DRAFT,
        SUBJECT_ADD,
        SUBJECT_CHANGE,
        SUBJECT_PUBLISH,
        SUBJECT_DELETE,
        AUDIT_VIEW,
        ASSESSMENT_VIEW,
        ASSESSMENT_ADD,
        ASSESSMENT_CHANGE,
        ASSESSMENT_SUBMIT,
        ASSESSMENT_DELETE,
        REVIEWER_CHANGE,
        REVIEW_ASSIGN,
        REVIEW_DECIDE,
        PLEDGE_ADD,
        ALERT_TRIAGE,
        FUNDING_VIEW,
        COMMITMENT_ADD,
        DISBURSEMENT_ADD,
        UNITS_CHANGE,
        ACTIVITY_ADD,
        SPENDING_ADD,
    }
)

# Anyone, signed in or not, may do these (each model narrows them, e.g. to published subjects).
PUBLIC_PERMISSIONS: frozenset[str] = frozenset({ORGANISATION_VIEW, SUBJECT_VIEW})

_MEMBER = frozenset(
    {
        ORGANISATION_VIEW,
        MEMBERSHIP_VIEW,
        SUBJECT_VIEW,
        SUBJECT_VIEW_DRAFT,
        ASSESSMENT_VIEW,
        # Funders see what they gave; recipients see what their subjects received.
        FUNDING_VIEW,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.VIEWER: _MEMBER,
    Role.REVIEWER: _MEMBER,
    # A funder records its organisation's commitments and disbursements and moves its units.
    Role.FUNDER: _MEMBER | {COMMITMENT_ADD, DISBURSEMENT_ADD, UNITS_CHANGE, ACTIVITY_ADD},
    Role.APPLICANT: _MEMBER
    | {
        SUBJECT_ADD,
        SUBJECT_CHANGE,
        SUBJECT_PUBLISH,
        SUBJECT_DELETE,
        ASSESSMENT_ADD,
        ASSESSMENT_CHANGE,
        ASSESSMENT_SUBMIT,
        ASSESSMENT_DELETE,
        PLEDGE_ADD,
        # The recipient names its funded activities and reports what it spent.
        ACTIVITY_ADD,
        SPENDING_ADD,
    },
    Role.SECRETARIAT: ALL_PERMISSIONS,
}

# Contributors named on an assessment may do these to that assessment, whatever their roles.
CONTRIBUTOR_PERMISSIONS: frozenset[str] = frozenset({ASSESSMENT_VIEW, ASSESSMENT_CHANGE})

# The secretariat runs the hub: its grants are not limited to its own organisation.
HUB_WIDE_ROLES: frozenset[Role] = frozenset({Role.SECRETARIAT})


def parse_permission(permission: str) -> tuple[str, str, str]:
    """Split ``scope:resource:action`` into its parts; raise ValueError for anything else."""
    parts = permission.split(":")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"not a scope:resource:action permission: {permission!r}")
    return parts[0], parts[1], parts[2]


def role_grants(role: Role | str, permission: str) -> bool:
    """True when ``role`` carries ``permission`` (within its organisation, or hub-wide)."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission: {permission!r}")
    return permission in ROLE_PERMISSIONS[Role(role)]


def is_hub_wide(role: Role | str) -> bool:
    """True when ``role`` grants its permissions across every organisation."""
    return Role(role) in HUB_WIDE_ROLES


def organisations_granting(
    memberships: dict[int, frozenset[Role]], permission: str
) -> frozenset[int]:
    """The organisation ids in which some role of the user grants ``permission``."""
    return frozenset(
        org_id
        for org_id, roles in memberships.items()
        if any(role_grants(role, permission) for role in roles)
    )
