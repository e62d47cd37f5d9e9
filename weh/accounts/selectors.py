"""Reads on organisations, memberships and tokens, always restricted to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from weh.accounts.models import ApiToken, Membership, Organisation, User
from weh.core import policy
from weh.core.permissions import get_for


def list_organisations(
    *,
    user: User | AnonymousUser,
    country: str | None = None,
    type: str | None = None,
    text: str | None = None,
) -> QuerySet[Organisation]:
    qs = Organisation.objects.restrict(user, policy.ORGANISATION_VIEW).select_related("parent")
    if country:
        qs = qs.filter(country=country.upper())
    if type:
        qs = qs.filter(type=type)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(acronym__icontains=text))
    return qs.order_by("name", "pk")


def get_organisation(*, user: User | AnonymousUser, organisation_id: int) -> Organisation:
    return get_for(
        Organisation.objects.select_related("parent").annotate(
            subject_count=Count("subjects", distinct=True)
        ),
        user,
        policy.ORGANISATION_VIEW,
        view_permission=policy.ORGANISATION_VIEW,
        pk=organisation_id,
    )


def list_memberships(
    *, user: User | AnonymousUser, organisation_id: int | None = None
) -> QuerySet[Membership]:
    qs = Membership.objects.restrict(user, policy.MEMBERSHIP_VIEW).select_related(
        "user", "organisation"
    )
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("organisation__name", "user__username", "role")


def my_organisations(*, user: User) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(memberships__user=user)
        .distinct()
        .annotate(subject_count=Count("subjects", distinct=True))
        .order_by("name")
    )


def list_api_tokens(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def find_active_user(username: str) -> User | None:
    """An active user by username, case-insensitively (to name contributors and members)."""
    return User.objects.filter(username__iexact=username.strip(), is_active=True).first()
