"""Reads of the review workflow: who sees which reviews (blind until submitted), reconciliation,
the timeline, the queue, the reviewer pool and the readiness of a decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When

from weh.accounts.models import Organisation, User
from weh.assessments import workflow
from weh.assessments.models import Assessment
from weh.assessments.workflow import Actor
from weh.core import policy
from weh.core.errors import NotFound
from weh.core.permissions import get_for, grants_for
from weh.review import conflicts
from weh.review.models import (
    Alert,
    AlertState,
    AssignmentState,
    Clarification,
    FieldVisit,
    Pledge,
    Recognition,
    ReviewAssignment,
    ReviewerProfile,
    ReviewRating,
    Transition,
)
from weh.review.services import actor_roles, gather_facts, open_conflicts
from weh.standards.models import in_language

# After these states the applicant may read the reviewers' submitted ratings (anonymised).
DECIDED = frozenset(
    {
        workflow.State.RECOGNISED,
        workflow.State.DECLINED,
        workflow.State.SUSPENDED,
        workflow.State.EXPIRED,
    }
)


def assessment_for_review(*, user: Any, assessment_id: int) -> Assessment:
    """The assessment, if the user may see it (404 otherwise)."""
    return get_for(
        Assessment.objects.select_related("subject", "standard_version", "owner", "coordinator"),
        user,
        policy.ASSESSMENT_VIEW,
        view_permission=policy.ASSESSMENT_VIEW,
        pk=assessment_id,
    )


def roles_of(user: Any, assessment: Assessment) -> frozenset[Actor]:
    return actor_roles(user, assessment)


def timeline(assessment: Assessment) -> QuerySet[Transition]:
    return assessment.timeline.select_related("actor").order_by("at", "pk")


def assignments(assessment: Assessment) -> QuerySet[ReviewAssignment]:
    return assessment.review_assignments.select_related("reviewer").order_by("assigned_at", "pk")


def own_assignment(user: Any, assessment: Assessment) -> ReviewAssignment | None:
    if not user.is_authenticated:
        return None
    return (
        assessment.review_assignments.filter(reviewer_id=user.pk)
        .exclude(state=AssignmentState.REMOVED)
        .first()
    )


def visible_reviews(user: Any, assessment: Assessment) -> list[ReviewAssignment]:
    """The reviews whose ratings this user may read.

    Blind review: a reviewer sees their own ratings, and the other reviewers' only once their
    own review is submitted (and only submitted ones). The secretariat sees every submitted
    review; the applicant sees them (anonymised by the view) once the decision is taken.
    """
    roles = actor_roles(user, assessment)
    submitted = assessment.review_assignments.filter(state=AssignmentState.SUBMITTED)
    if Actor.SECRETARIAT in roles:
        chosen = submitted
    else:
        own = own_assignment(user, assessment)
        if own is not None and own.state == AssignmentState.SUBMITTED:
            chosen = submitted
        elif own is not None:
            chosen = assessment.review_assignments.filter(pk=own.pk)
        elif Actor.APPLICANT in roles and assessment.status in DECIDED:
            chosen = submitted
        else:
            chosen = assessment.review_assignments.none()
    return list(
        chosen.select_related("reviewer")
        .prefetch_related(
            Prefetch("ratings", queryset=ReviewRating.objects.select_related("indicator"))
        )
        .order_by("assigned_at", "pk")
    )


@dataclass
class ReconciliationRow:
    code: str
    statement: str
    applicant: str  # rating code, "not_applicable" or ""
    reviewers: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    disagreement: bool = False


def reconciliation(
    assessment: Assessment, reviews: list[ReviewAssignment]
) -> list[ReconciliationRow]:
    """Applicant and reviewer ratings side by side; a row disagrees when any two differ."""
    rows = []
    by_review = [{r.indicator.code: r for r in review.ratings.all()} for review in reviews]
    for response in assessment.responses.select_related("indicator").order_by(
        "indicator__position"
    ):
        code = response.indicator.code
        applicant = "not_applicable" if response.not_applicable else response.rating
        values, comments = [], []
        for ratings in by_review:
            rating = ratings.get(code)
            if rating is None:
                values.append("")
                comments.append("")
            else:
                values.append("not_applicable" if rating.not_applicable else rating.rating)
                comments.append(rating.comment)
        given = {v for v in [applicant, *values] if v}
        rows.append(
            ReconciliationRow(
                code=code,
                statement=response.indicator.display_statement,
                applicant=applicant,
                reviewers=values,
                comments=comments,
                disagreement=len(given) > 1,
            )
        )
    return rows


def clarifications(assessment: Assessment) -> QuerySet[Clarification]:
    return (
        assessment.clarifications.select_related("indicator")
        .prefetch_related("messages__author")
        .order_by("indicator__position")
    )


def field_visits(assessment: Assessment) -> QuerySet[FieldVisit]:
    return FieldVisit.objects.filter(assignment__assessment=assessment).select_related(
        "assignment__reviewer"
    )


@dataclass
class Readiness:
    """What stands between the assessment and a decision at each tier."""

    tiers: list[dict[str, Any]]
    open_questions: int
    completed_reviews: int
    open_conflicts: list[ReviewAssignment]
    level_recognisable: bool


def readiness(assessment: Assessment) -> Readiness:
    """For the decision form: each tier with what it still lacks."""
    from weh.review.services import REQUIREMENT_LABELS

    definition = assessment.standard_version.parsed()
    tiers = []
    for tier in definition.assurance_tiers:
        facts = gather_facts(assessment, tier=tier)
        lacking = [str(REQUIREMENT_LABELS.get(name, name)) for name in facts.tier_shortfalls]
        tiers.append(
            {
                "tier": tier,
                "label": in_language(tier.label),
                "lacking": lacking,
                "ready": not lacking,
            }
        )
    base = gather_facts(assessment)
    return Readiness(
        tiers=tiers,
        open_questions=base.open_questions,
        completed_reviews=base.completed_reviews,
        open_conflicts=open_conflicts(assessment),
        level_recognisable=base.level_recognisable,
    )


@dataclass
class PoolMember:
    profile: ReviewerProfile
    conflicts: list[conflicts.ConflictReason]
    matches: int  # how many of standard, country and language match the assessment
    assigned: bool


def pool_for(assessment: Assessment, language: str = "") -> list[PoolMember]:
    """The reviewer pool ranked for this assessment; conflicted reviewers are flagged."""
    taken = set(assessment.review_assignments.active().values_list("reviewer_id", flat=True))
    members = []
    for profile in ReviewerProfile.objects.filter(active=True, user__is_active=True).select_related(
        "user"
    ):
        matches = (
            (assessment.standard_version.standard_id in profile.standards)
            + (assessment.subject.country in profile.regions)
            + (bool(language) and language in profile.languages)
        )
        members.append(
            PoolMember(
                profile=profile,
                conflicts=conflicts.conflicts_of(profile.user_id, assessment.owner_id),
                matches=int(matches),
                assigned=profile.user_id in taken,
            )
        )
    members.sort(key=lambda m: (bool(m.conflicts), -m.matches, m.profile.user.username))
    return members


def reviewer_pool() -> QuerySet[ReviewerProfile]:
    return ReviewerProfile.objects.select_related("user").order_by("-active", "user__username")


def review_queue(user: Any) -> dict[str, Any]:
    """The secretariat's assessments in the workflow, and the user's own assignments."""
    mine = (
        ReviewAssignment.objects.filter(reviewer_id=user.pk)
        .exclude(state__in=(AssignmentState.REMOVED,))
        .select_related("assessment__subject", "assessment__standard_version")
        .order_by("-assigned_at")
    )
    queue = None
    if grants_for(user).hub_wide:
        queue = (
            Assessment.objects.filter(
                status__in=[
                    workflow.State.SUBMITTED,
                    workflow.State.IN_REVIEW,
                    workflow.State.RETURNED,
                ]
            )
            .select_related("subject", "standard_version", "owner")
            .annotate(
                reviewers=Count(
                    "review_assignments",
                    filter=Q(
                        review_assignments__state__in=(
                            AssignmentState.ASSIGNED,
                            AssignmentState.ACCEPTED,
                            AssignmentState.SUBMITTED,
                        )
                    ),
                ),
                reviews_done=Count(
                    "review_assignments",
                    filter=Q(review_assignments__state=AssignmentState.SUBMITTED),
                ),
            )
            .order_by("submitted_at", "pk")
        )
    return {"assignments": mine, "queue": queue}


def alerts_for_triage() -> QuerySet[Alert]:
    # Open ones first, then newest.
    still_open = Case(When(state=AlertState.OPEN, then=Value(0)), default=Value(1))
    return Alert.objects.select_related("recognition", "triaged_by").order_by(
        still_open, "-filed_at"
    )


def open_alert_count() -> int:
    return Alert.objects.filter(state=AlertState.OPEN).count()


def pledges_of(organisation: Organisation) -> QuerySet[Pledge]:
    return organisation.pledges.select_related("recorded_by")


def pledge_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations for which the user may record a pledge."""
    return Organisation.objects.restrict(user, policy.PLEDGE_ADD).order_by("name")


def recognition_of(assessment: Assessment) -> Recognition | None:
    return Recognition.objects.filter(assessment=assessment).first()


def pool_candidates() -> QuerySet[User]:
    """Active users not yet in the reviewer pool (for the secretariat's add form)."""
    return User.objects.filter(is_active=True, reviewer_profile__isnull=True).order_by("username")


def reviewer_profile(*, user: Any, user_id: int) -> ReviewerProfile:
    profile = ReviewerProfile.objects.select_related("user").filter(user_id=user_id).first()
    if profile is None or (user.pk != user_id and not grants_for(user).hub_wide):
        raise NotFound()
    return profile
