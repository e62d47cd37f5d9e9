"""Reads on subjects, always restricted to what the user may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from weh.accounts.models import User
from weh.core import policy
from weh.core.permissions import get_for, grants_for
from weh.registry.models import Subject


def list_subjects(
    *,
    user: User | AnonymousUser,
    country: str | None = None,
    kind: str | None = None,
    owner_id: int | None = None,
    status: str | None = None,
    text: str | None = None,
) -> QuerySet[Subject]:
    qs = Subject.objects.restrict(user, policy.SUBJECT_VIEW).select_related("owner")
    if country:
        qs = qs.filter(country=country.strip().upper())
    if kind:
        qs = qs.filter(kind=kind)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if status:
        qs = qs.filter(status=status)
    if text and text.strip():
        for word in text.lower().split()[:8]:
            qs = qs.filter(search_text__contains=word)
    # Lists never carry the geometry itself: it can be large and is shown on the detail page only.
    return qs.defer("geometry", "search_text", "description").order_by("name", "pk")


def get_subject(*, user: User | AnonymousUser, subject_id: int) -> Subject:
    return get_for(
        Subject.objects.select_related("owner", "created_by"),
        user,
        policy.SUBJECT_VIEW,
        view_permission=policy.SUBJECT_VIEW,
        pk=subject_id,
    )


def subject_actions(*, user: User | AnonymousUser, subject: Subject) -> dict[str, bool]:
    """Which actions the user may take on this subject, for showing buttons."""
    grants = grants_for(user)
    return {
        "change": grants.allows(policy.SUBJECT_CHANGE, subject.owner_id),
        "publish": grants.allows(policy.SUBJECT_PUBLISH, subject.owner_id),
        "delete": grants.allows(policy.SUBJECT_DELETE, subject.owner_id),
        "assess": grants.allows(policy.ASSESSMENT_ADD, subject.owner_id),
    }


def registry_figures(*, user: User | AnonymousUser) -> dict[str, int]:
    """Counts for the home page: visible subjects by kind, countries and owning organisations."""
    from django.db.models import Count

    qs = Subject.objects.restrict(user, policy.SUBJECT_VIEW)
    by_kind = dict(qs.order_by().values_list("kind").annotate(n=Count("id")))
    totals = qs.order_by().aggregate(
        countries=Count("country", distinct=True), organisations=Count("owner", distinct=True)
    )
    return {
        "subjects": sum(by_kind.values()),
        "jurisdictions": by_kind.get("jurisdiction", 0),
        "protected_areas": by_kind.get("protected_area", 0),
        "nbs_interventions": by_kind.get("nbs_intervention", 0),
        "countries": totals["countries"],
        "organisations": totals["organisations"],
    }
