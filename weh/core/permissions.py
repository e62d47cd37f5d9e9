"""Applying the permission vocabulary (``weh.core.policy``) to users and querysets.

``RestrictedQuerySet.restrict(user, permission)`` is the one place where rows are filtered by what a
user may do. Every view, endpoint and service starts from it, so a forgotten check shows nothing
rather than everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

from weh.core import policy
from weh.core.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from weh.accounts.models import User


@dataclass(frozen=True)
class Grants:
    """What one user may do: hub-wide, or per organisation id."""

    user_id: int | None
    hub_wide: bool = False
    roles: dict[int, frozenset[policy.Role]] = field(default_factory=dict)

    def organisations_granting(self, permission: str) -> frozenset[int]:
        return policy.organisations_granting(self.roles, permission)

    def allows(self, permission: str, organisation_id: int | None = None) -> bool:
        """May the user do ``permission`` in ``organisation_id`` (or anywhere, when None)?"""
        if self.hub_wide:
            return True
        if organisation_id is None:
            return bool(self.organisations_granting(permission))
        return organisation_id in self.organisations_granting(permission)


ANONYMOUS = Grants(user_id=None)


def grants_for(user: User | AnonymousUser | None) -> Grants:
    """The user's grants, computed once per user object (one query) and cached on it."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_weh_grants", None)
    if cached is not None:
        return cached
    from weh.accounts.models import Membership

    roles: dict[int, set[policy.Role]] = {}
    hub_wide = bool(user.is_superuser or user.is_staff)
    # No ordering: the default one joins organisations to sort by name, which grants need not.
    for org_id, role in (
        Membership.objects.filter(user_id=user.pk).order_by().values_list("organisation_id", "role")
    ):
        roles.setdefault(org_id, set()).add(policy.Role(role))
        hub_wide = hub_wide or policy.is_hub_wide(role)
    grants = Grants(
        user_id=user.pk,
        hub_wide=hub_wide,
        roles={org_id: frozenset(r) for org_id, r in roles.items()},
    )
    user._weh_grants = grants  # type: ignore[union-attr]
    return grants


def forget_grants(user: Any) -> None:
    """Drop the cached grants after the user's memberships changed."""
    if hasattr(user, "_weh_grants"):
        del user._weh_grants


class RestrictedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """A queryset that knows which rows a user may act on.

    Models declare ``owner_field`` (the path to the owning organisation's id); they may override
    ``public_q`` (rows anyone may see for a public permission) and ``personal_q`` (rows that are
    the user's own whatever their roles).
    """

    owner_field = "owner"

    def public_q(self, permission: str) -> Q | None:
        return Q() if permission in policy.PUBLIC_PERMISSIONS else None

    def personal_q(self, user_id: int, permission: str) -> Q | None:
        return None

    def organisation_permission(self, permission: str) -> str:
        """The permission a membership must grant for rows of its organisation."""
        return permission

    def restrict(self, user: User | AnonymousUser | None, permission: str) -> Self:
        grants = grants_for(user)
        if grants.hub_wide:
            return self.all()
        conditions: list[Q] = []
        public = self.public_q(permission)
        if public is not None:
            conditions.append(public)
        organisations = grants.organisations_granting(self.organisation_permission(permission))
        if organisations:
            conditions.append(Q(**{f"{self.owner_field}__in": sorted(organisations)}))
        if grants.user_id is not None:
            personal = self.personal_q(grants.user_id, permission)
            if personal is not None:
                conditions.append(personal)
        if not conditions:
            return self.none()
        if any(not condition for condition in conditions):
            # An empty Q means "every row"; OR-ing it with others would silently drop it.
            return self.all()
        combined = conditions[0]
        for condition in conditions[1:]:
            combined |= condition
        return self.filter(combined)


def get_for(
    queryset: RestrictedQuerySet,
    user: User | AnonymousUser | None,
    permission: str,
    *,
    view_permission: str,
    **lookup: Any,
) -> Any:
    """The one row matching ``lookup`` that ``user`` may act on with ``permission``.

    A row the user cannot even see is reported as not found (its existence is not disclosed);
    a row they can see but not act on is reported as not allowed.
    """
    row = queryset.restrict(user, permission).filter(**lookup).first()
    if row is not None:
        return row
    if (
        permission != view_permission
        and queryset.restrict(user, view_permission).filter(**lookup).exists()
    ):
        raise PermissionDenied()
    raise NotFound()
