"""The review workflow over REST: transitions, assignments, blind reviews, clarifications, the
reviewer pool, pledges, alerts and the queue.

Handlers are thin: parse, call one service or selector, shape the result. Every refusal comes from
the services as a ``DomainError`` and becomes an RFC 9457 problem document. The workflow table
(``weh.assessments.workflow.RULES``) is served at ``GET /workflow`` and written, at import time,
into the OpenAPI description of every transition, so the documentation cannot drift from it.

Mounted at the API root: ``api.add_router("/", "weh.review.api.router")``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from weh.accounts import selectors as account_selectors
from weh.assessments import workflow
from weh.assessments.models import Assessment, AssessmentStatus
from weh.assessments.workflow import RULES, Action, Actor, Effect, Guard, State
from weh.core import policy
from weh.core.api_paging import Page, paginate
from weh.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from weh.core.permissions import grants_for
from weh.review import selectors, services
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
    Transition,
)
from weh.standards.models import in_language

router = Router(tags=["review"])

# ---------------------------------------------------------------------------------------------
# The workflow table, described once from RULES.

GUARD_TEXT: dict[Guard, str] = {
    Guard.ALL_RATED_AND_JUSTIFIED: "every applicable indicator is rated and every rating above "
    "the lowest is justified",
    Guard.QUESTION_OPEN: "at least one clarification question awaits the applicant",
    Guard.QUESTIONS_ANSWERED: "no clarification question awaits the applicant",
    Guard.REVIEWS_COMPLETE: "the chosen tier's number of reviews is submitted",
    Guard.NO_OPEN_CONFLICT: "every active reviewer declared no conflict of interest",
    Guard.TIER_REQUIREMENTS_MET: "the tier's requirements hold (pledge, reviews, field visit, "
    "committee)",
    Guard.LEVEL_RECOGNISABLE: "the level reached can be recognised under the standard",
    Guard.REASONS_GIVEN: "reasons are given",
    Guard.ALERT_SUBSTANTIATED: "an alert about the recognition was substantiated",
    Guard.VALIDITY_ENDED: "the recognition's validity has ended",
}


def _in_order(members: frozenset[Any], enum: Any) -> list[Any]:
    """The members of a set in their enum's declaration order (sets have none)."""
    return [member for member in enum if member in members]


def _codes(values: Any) -> str:
    return ", ".join(f"`{v.value}`" for v in values) or "—"


def _rule_line(rule: workflow.Rule) -> str:
    return (
        f"| `{rule.action.value}` | {_codes(_in_order(rule.sources, State))} "
        f"| `{rule.target.value}` | {_codes(_in_order(rule.actors, Actor))} "
        f"| {_codes(rule.guards)} | {_codes(rule.effects)} |"
    )


WORKFLOW_TABLE = "\n".join(
    [
        "| action | from | to | taken by | guards | effects |",
        "|---|---|---|---|---|---|",
        *(_rule_line(rule) for rule in RULES.values()),
    ]
)

STATES_TEXT = (
    f"States: {_codes(State)}. "
    f"Answers can change in {_codes(_in_order(workflow.EDITABLE, State))}; "
    f"reviewers rate in {_codes(_in_order(workflow.REVIEWABLE, State))}; a recognition stands in "
    f"{_codes(_in_order(workflow.RECOGNITION_STANDS, State))}; "
    f"{_codes(_in_order(workflow.FINAL, State))} end the workflow."
)

GUARDS_TEXT = "Guards: " + "; ".join(
    f"`{guard.value}`: {GUARD_TEXT.get(guard, guard.value)}" for guard in Guard
)

REFUSALS_TEXT = (
    "Refusals are RFC 9457 problem documents: **409** `conflict` when the action cannot start "
    "from the current state (members `current_state`, `action`, `allowed_from`, "
    "`allowed_actions`); **403** `forbidden` when the caller holds none of the roles that take "
    "it (member `allowed_actors`); **422** `validation` when a guard does not hold (`errors` "
    "names each); **404** when the caller cannot see the assessment."
)


def transition_description(action: Action) -> str:
    """The OpenAPI description of one transition: its rule, then the whole table."""
    rule = RULES[action]
    guards = "; ".join(GUARD_TEXT.get(g, g.value) for g in rule.guards) or "none"
    return "\n\n".join(
        [
            f"**{action.value}**: from {_codes(_in_order(rule.sources, State))} to "
            f"`{rule.target.value}`, taken by {_codes(_in_order(rule.actors, Actor))}. "
            f"Needs: {guards}. Effects: {_codes(rule.effects)}. The response gives the new "
            "state, the timeline entry and the actions the caller may take next.",
            REFUSALS_TEXT,
            STATES_TEXT,
            "The workflow:\n\n" + WORKFLOW_TABLE,
            GUARDS_TEXT,
        ]
    )


# ---------------------------------------------------------------------------------------------
# Schemas.


class Problem(Schema):
    """An RFC 9457 problem document (sent as application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, str]] | None = None
    current_state: State | None = None
    action: Action | None = None
    allowed_from: list[State] | None = None
    allowed_actions: list[Action] | None = None
    allowed_actors: list[Actor] | None = None
    conflicts: list[dict[str, str]] | None = None


PROBLEMS: dict[int, Any] = {403: Problem, 404: Problem, 409: Problem, 422: Problem}


class StateOut(Schema):
    code: State
    label: str
    editable: bool
    reviewable: bool
    recognition_stands: bool
    final: bool


class RuleOut(Schema):
    action: Action
    label: str
    sources: list[State]
    target: State
    actors: list[Actor]
    guards: list[Guard]
    effects: list[Effect]


class WorkflowOut(Schema):
    states: list[StateOut]
    actions: list[RuleOut]
    guards: dict[str, str]
    description: str


class TimelineEntry(Schema):
    id: int
    action: Action
    from_state: State
    to_state: State
    actor: str | None = Field(None, description="Who acted; reviewers appear as 'Reviewer n'.")
    actor_role: Actor
    reason: str
    at: datetime


class RecognitionOut(Schema):
    serial: str
    status: str
    standard: str
    tier: str
    level: str
    valid_from: date
    valid_until: date
    midterm_check_on: date | None
    certificate: dict[str, Any]


class DecisionOut(Schema):
    outcome: str
    tier: str
    level: str
    reasons: str
    committee: str
    decided_at: datetime


class TransitionOut(Schema):
    assessment_id: int
    state: State
    state_label: str
    transition: TimelineEntry | None
    allowed_actions: list[Action] = Field(
        ..., description="What the caller may do next, by the table (guards not yet checked)."
    )
    recognition: RecognitionOut | None = None
    decision: DecisionOut | None = None
    renews: str | None = Field(None, description="The certificate number being renewed.")


class ReasonIn(Schema):
    reason: str = Field("", max_length=5000)


class ReasonsIn(Schema):
    reasons: str = Field("", max_length=5000)


class RecogniseIn(Schema):
    tier: str = Field(..., max_length=40, examples=["reviewed"])
    reasons: str = Field("", max_length=5000)
    committee: str = Field("", max_length=300)


class AssignIn(Schema):
    reviewer_id: int


class AssignmentOut(Schema):
    id: int
    assessment_id: int
    reviewer_id: int
    reviewer: str
    state: str
    assigned_at: datetime
    declaration: str
    declared_at: datetime | None
    declaration_sha256: str
    conflict_note: str
    recommendation: str
    recommended_tier: str
    summary: str
    submitted_at: datetime | None


class DeclarationIn(Schema):
    confirm: bool


class ConflictIn(Schema):
    note: str = Field("", max_length=5000)


class RatingIn(Schema):
    indicator: str = Field(..., max_length=40)
    rating: str = Field("", max_length=40)
    not_applicable: bool = False
    comment: str = Field("", max_length=10000)


class RatingOut(Schema):
    indicator: str
    rating: str
    not_applicable: bool
    comment: str


class ReviewSubmitIn(Schema):
    recommendation: str = Field(..., examples=["recognise"])
    tier: str = Field("", max_length=40)
    summary: str = Field("", max_length=20000)


class ReviewOut(Schema):
    assignment_id: int | None = Field(None, description="Shown to the secretariat and reviewers.")
    reviewer: str
    state: str
    recommendation: str
    recommended_tier: str
    summary: str
    submitted_at: datetime | None
    ratings: list[RatingOut]


class ReconciliationRowOut(Schema):
    code: str
    statement: str
    applicant: str
    reviewers: list[str]
    comments: list[str]
    disagreement: bool


class ReconciliationOut(Schema):
    reviewers: list[str]
    rows: list[ReconciliationRowOut]


class TierReadiness(Schema):
    code: str
    label: str
    ready: bool
    lacking: list[str]


class ConflictRef(Schema):
    assignment_id: int
    reviewer: str
    state: str


class ReadinessOut(Schema):
    state: State
    level: str
    level_recognisable: bool
    open_questions: int
    completed_reviews: int
    open_conflicts: list[ConflictRef]
    tiers: list[TierReadiness]
    allowed_actions: list[Action]


class FieldVisitOut(Schema):
    id: int
    assignment_id: int
    visited_on: date
    place: str
    findings: str
    original_name: str
    content_type: str
    size: int | None
    sha256: str


class MessageOut(Schema):
    author: str
    author_role: str
    body: str
    sent_at: datetime


class ClarificationOut(Schema):
    indicator: str
    state: str
    opened_at: datetime
    messages: list[MessageOut]


class ClarificationIn(Schema):
    indicator: str = Field(..., max_length=40)
    body: str = Field(..., max_length=10000)


class ReviewerOut(Schema):
    user_id: int
    username: str
    standards: list[str]
    regions: list[str]
    languages: list[str]
    bio: str
    active: bool
    updated_at: datetime


class ReviewerIn(Schema):
    standards: list[str] = Field(default_factory=list, max_length=50)
    regions: list[str] = Field(default_factory=list, max_length=300)
    languages: list[str] = Field(default_factory=list, max_length=50)
    bio: str = Field("", max_length=5000)
    active: bool = True


class PoolConflict(Schema):
    organisation: str
    why: str


class PoolMemberOut(Schema):
    reviewer: ReviewerOut
    conflicts: list[PoolConflict]
    matches: int
    assigned: bool


class PledgeIn(Schema):
    organisation_id: int
    signatory_name: str = Field(..., max_length=200)
    signatory_title: str = Field(..., max_length=200)
    signed_on: date


class PledgeOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    signatory_name: str
    signatory_title: str
    signed_on: date
    principles: str
    recorded_at: datetime


class AlertOut(Schema):
    id: int
    recognition: str
    subject_name: str
    body: str
    contact: str
    filed_at: datetime
    state: str
    triage_note: str
    triaged_at: datetime | None
    triaged_by: str | None


class TriageIn(Schema):
    state: AlertState
    note: str = Field("", max_length=5000)


class QueueAssignment(Schema):
    assignment_id: int
    assessment_id: int
    assessment: str
    subject: str
    standard: str
    assessment_state: State
    state: str
    assigned_at: datetime


class QueueItem(Schema):
    assessment_id: int
    assessment: str
    subject: str
    owner: str
    standard: str
    state: State
    submitted_at: datetime | None
    reviewers: int
    reviews_done: int


class QueueOut(Schema):
    assignments: list[QueueAssignment]
    queue: list[QueueItem] | None = Field(None, description="Only for the secretariat.")


# ---------------------------------------------------------------------------------------------
# Shaping.

HIDDEN_ASSIGNMENT_STATES = (AssignmentState.REMOVED, AssignmentState.RECUSED)


class Names:
    """How reviewers are named to this caller: by username to the secretariat and to reviewers of
    the assessment; as "Reviewer 1", "Reviewer 2"… (in the order they were assigned) to anyone
    else, e.g. the applicant."""

    def __init__(self, user: Any, assessment: Assessment) -> None:
        self.roles = services.actor_roles(user, assessment)
        self.open = (
            Actor.SECRETARIAT in self.roles
            or selectors.own_assignment(user, assessment) is not None
        )
        order = (
            selectors.assignments(assessment)
            .exclude(state__in=HIDDEN_ASSIGNMENT_STATES)
            .values_list("reviewer_id", flat=True)
        )
        self.pseudonyms = {
            reviewer_id: _("Reviewer %(number)s") % {"number": number}
            for number, reviewer_id in enumerate(order, 1)
        }

    def reviewer(self, user: Any) -> str:
        if user is None:
            return _("Reviewer")
        if self.open:
            return str(user.get_username())
        return self.pseudonyms.get(user.pk, _("Reviewer"))


def _state_label(state: str) -> str:
    return str(dict(AssessmentStatus.choices).get(state, state))


def _entry(entry: Transition, names: Names) -> dict[str, Any]:
    actor = None
    if entry.actor is not None:
        actor = (
            names.reviewer(entry.actor)
            if entry.actor_role == Actor.REVIEWER
            else entry.actor.get_username()
        )
    return {
        "id": entry.pk,
        "action": entry.action,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "actor": actor,
        "actor_role": entry.actor_role,
        "reason": entry.reason,
        "at": entry.at,
    }


def _recognition(recognition: Recognition) -> dict[str, Any]:
    return {
        "serial": recognition.serial,
        "status": recognition.status,
        "standard": recognition.standard,
        "tier": recognition.tier,
        "level": recognition.level,
        "valid_from": recognition.valid_from,
        "valid_until": recognition.valid_until,
        "midterm_check_on": recognition.midterm_check_on,
        "certificate": recognition.certificate,
    }


def _moved(request: HttpRequest, assessment: Assessment, **extra: Any) -> dict[str, Any]:
    """The answer to every transition: the new state, its timeline entry, what may come next."""
    # A service may hand back a recognition whose assessment was loaded before the change.
    assessment.refresh_from_db(fields=["status", "updated_at"])
    names = Names(request.user, assessment)
    last = selectors.timeline(assessment).last()
    return {
        "assessment_id": assessment.pk,
        "state": assessment.status,
        "state_label": _state_label(assessment.status),
        "transition": _entry(last, names) if last is not None else None,
        "allowed_actions": workflow.allowed_actions(assessment.status, names.roles),
        **extra,
    }


def _assignment(assignment: ReviewAssignment) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "assessment_id": assignment.assessment_id,
        "reviewer_id": assignment.reviewer_id,
        "reviewer": assignment.reviewer.get_username(),
        "state": assignment.state,
        "assigned_at": assignment.assigned_at,
        "declaration": assignment.declaration,
        "declared_at": assignment.declared_at,
        "declaration_sha256": assignment.declaration_sha256,
        "conflict_note": assignment.conflict_note,
        "recommendation": assignment.recommendation,
        "recommended_tier": assignment.recommended_tier,
        "summary": assignment.summary,
        "submitted_at": assignment.submitted_at,
    }


def _ratings(assignment: ReviewAssignment) -> list[dict[str, Any]]:
    return [
        {
            "indicator": r.indicator.code,
            "rating": r.rating,
            "not_applicable": r.not_applicable,
            "comment": r.comment,
        }
        for r in assignment.ratings.all()
    ]


def _review(assignment: ReviewAssignment, names: Names) -> dict[str, Any]:
    return {
        "assignment_id": assignment.pk if names.open else None,
        "reviewer": names.reviewer(assignment.reviewer),
        "state": assignment.state,
        "recommendation": assignment.recommendation,
        "recommended_tier": assignment.recommended_tier,
        "summary": assignment.summary,
        "submitted_at": assignment.submitted_at,
        "ratings": _ratings(assignment),
    }


def _own_review(assignment: ReviewAssignment) -> dict[str, Any]:
    assignment = (
        ReviewAssignment.objects.select_related("reviewer")
        .prefetch_related("ratings__indicator")
        .get(pk=assignment.pk)
    )
    return {
        "assignment_id": assignment.pk,
        "reviewer": assignment.reviewer.get_username(),
        "state": assignment.state,
        "recommendation": assignment.recommendation,
        "recommended_tier": assignment.recommended_tier,
        "summary": assignment.summary,
        "submitted_at": assignment.submitted_at,
        "ratings": _ratings(assignment),
    }


def _clarification(thread: Clarification, names: Names) -> dict[str, Any]:
    return {
        "indicator": thread.indicator.code,
        "state": thread.state,
        "opened_at": thread.opened_at,
        "messages": [
            {
                "author": (
                    names.reviewer(m.author)
                    if m.author_role == Actor.REVIEWER
                    else m.author.get_username()
                ),
                "author_role": m.author_role,
                "body": m.body,
                "sent_at": m.sent_at,
            }
            for m in thread.messages.all()
        ],
    }


def _reviewer(profile: ReviewerProfile) -> dict[str, Any]:
    return {
        "user_id": profile.user_id,
        "username": profile.user.get_username(),
        "standards": profile.standards,
        "regions": profile.regions,
        "languages": profile.languages,
        "bio": profile.bio,
        "active": profile.active,
        "updated_at": profile.updated_at,
    }


def _pledge(pledge: Pledge) -> dict[str, Any]:
    return {
        "id": pledge.pk,
        "organisation_id": pledge.organisation_id,
        "organisation": str(pledge.organisation),
        "signatory_name": pledge.signatory_name,
        "signatory_title": pledge.signatory_title,
        "signed_on": pledge.signed_on,
        "principles": pledge.principles,
        "recorded_at": pledge.recorded_at,
    }


def _alert(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "recognition": alert.recognition.serial,
        "subject_name": alert.recognition.subject_name,
        "body": alert.body,
        "contact": alert.contact,
        "filed_at": alert.filed_at,
        "state": alert.state,
        "triage_note": alert.triage_note,
        "triaged_at": alert.triaged_at,
        "triaged_by": alert.triaged_by.get_username() if alert.triaged_by else None,
    }


def _visit(visit: FieldVisit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "assignment_id": visit.assignment_id,
        "visited_on": visit.visited_on,
        "place": visit.place,
        "findings": visit.findings,
        "original_name": visit.original_name,
        "content_type": visit.content_type,
        "size": visit.size,
        "sha256": visit.sha256,
    }


def _secretariat_only(user: Any, permission: str) -> None:
    grants = grants_for(user)
    if not grants.hub_wide or not grants.allows(permission):
        raise PermissionDenied(_("Only the secretariat may do this."))


def _signed_in(user: Any) -> Any:
    if not user.is_authenticated:
        raise NotAuthenticated()
    return user


# ---------------------------------------------------------------------------------------------
# The workflow table.


@router.get(
    "/workflow",
    response=WorkflowOut,
    summary="The assessment workflow: states and transitions",
    description=STATES_TEXT + "\n\n" + WORKFLOW_TABLE,
)
def get_workflow(request: HttpRequest):  # type: ignore[no-untyped-def]
    return {
        "states": [
            {
                "code": state,
                "label": _state_label(state),
                "editable": state in workflow.EDITABLE,
                "reviewable": state in workflow.REVIEWABLE,
                "recognition_stands": state in workflow.RECOGNITION_STANDS,
                "final": state in workflow.FINAL,
            }
            for state in State
        ],
        "actions": [
            {
                "action": rule.action,
                "label": str(services.ACTION_LABELS.get(rule.action, rule.action.value)),
                "sources": _in_order(rule.sources, State),
                "target": rule.target,
                "actors": _in_order(rule.actors, Actor),
                "guards": list(rule.guards),
                "effects": list(rule.effects),
            }
            for rule in RULES.values()
        ],
        "guards": {guard.value: GUARD_TEXT.get(guard, guard.value) for guard in Guard},
        "description": WORKFLOW_TABLE,
    }


# ---------------------------------------------------------------------------------------------
# Transitions of an assessment.

TRANSITION_RESPONSES: dict[int, Any] = {200: TransitionOut, **PROBLEMS}


@router.post(
    "/assessments/{assessment_id}/withdraw",
    response=TRANSITION_RESPONSES,
    summary="Withdraw the assessment",
    description=transition_description(Action.WITHDRAW),
)
def withdraw(request: HttpRequest, assessment_id: int, payload: ReasonIn):  # type: ignore[no-untyped-def]
    assessment = services.withdraw_assessment(
        actor=request.user, assessment_id=assessment_id, reason=payload.reason
    )
    return _moved(request, assessment)


@router.post(
    "/assessments/{assessment_id}/start-review",
    response=TRANSITION_RESPONSES,
    summary="Start the review",
    description=transition_description(Action.START_REVIEW),
)
def start_review(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    assessment = services.start_review(actor=request.user, assessment_id=assessment_id)
    return _moved(request, assessment)


@router.post(
    "/assessments/{assessment_id}/return",
    response=TRANSITION_RESPONSES,
    summary="Return the assessment to the applicant",
    description=transition_description(Action.RETURN),
)
def return_assessment(request: HttpRequest, assessment_id: int, payload: ReasonIn):  # type: ignore[no-untyped-def]
    assessment = services.return_assessment(
        actor=request.user, assessment_id=assessment_id, reason=payload.reason
    )
    return _moved(request, assessment)


@router.post(
    "/assessments/{assessment_id}/resubmit",
    response=TRANSITION_RESPONSES,
    summary="Resubmit the answered assessment",
    description=transition_description(Action.RESUBMIT),
)
def resubmit(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    assessment = services.resubmit_assessment(actor=request.user, assessment_id=assessment_id)
    return _moved(request, assessment)


@router.post(
    "/assessments/{assessment_id}/recognise",
    response=TRANSITION_RESPONSES,
    summary="Recognise the assessment at an assurance tier",
    description=transition_description(Action.RECOGNISE),
)
def recognise(request: HttpRequest, assessment_id: int, payload: RecogniseIn):  # type: ignore[no-untyped-def]
    recognition = services.recognise_assessment(
        actor=request.user,
        assessment_id=assessment_id,
        tier=payload.tier,
        reasons=payload.reasons,
        committee=payload.committee,
    )
    return _moved(request, recognition.assessment, recognition=_recognition(recognition))


@router.post(
    "/assessments/{assessment_id}/decline",
    response=TRANSITION_RESPONSES,
    summary="Decline the assessment",
    description=transition_description(Action.DECLINE),
)
def decline(request: HttpRequest, assessment_id: int, payload: ReasonsIn):  # type: ignore[no-untyped-def]
    decision = services.decline_assessment(
        actor=request.user, assessment_id=assessment_id, reasons=payload.reasons
    )
    return _moved(
        request,
        decision.assessment,
        decision={
            "outcome": decision.outcome,
            "tier": decision.tier,
            "level": decision.level,
            "reasons": decision.reasons,
            "committee": decision.committee,
            "decided_at": decision.decided_at,
        },
    )


@router.post(
    "/recognitions/{serial}/suspend",
    response=TRANSITION_RESPONSES,
    summary="Suspend a recognition",
    description=transition_description(Action.SUSPEND),
)
def suspend(request: HttpRequest, serial: str, payload: ReasonsIn):  # type: ignore[no-untyped-def]
    recognition = services.suspend_recognition(
        actor=request.user, serial=serial, reasons=payload.reasons
    )
    return _moved(request, recognition.assessment, recognition=_recognition(recognition))


@router.post(
    "/recognitions/{serial}/reinstate",
    response=TRANSITION_RESPONSES,
    summary="Reinstate a suspended recognition",
    description=transition_description(Action.REINSTATE),
)
def reinstate(request: HttpRequest, serial: str, payload: ReasonsIn):  # type: ignore[no-untyped-def]
    recognition = services.reinstate_recognition(
        actor=request.user, serial=serial, reasons=payload.reasons
    )
    return _moved(request, recognition.assessment, recognition=_recognition(recognition))


@router.post(
    "/recognitions/{serial}/renew",
    response={201: TransitionOut, **PROBLEMS},
    summary="Start the renewal: a new draft assessment, pre-filled",
    description=(
        "Starts a new `draft` assessment of the recognised subject, pre-filled with the answers "
        "and evidence of the recognised one; `assessment_id` is the new assessment. It then "
        "goes through the workflow like any other.\n\n" + STATES_TEXT + "\n\n" + WORKFLOW_TABLE
    ),
)
def renew(request: HttpRequest, serial: str):  # type: ignore[no-untyped-def]
    renewal = services.renew_recognition(actor=request.user, serial=serial)
    return Status(201, _moved(request, renewal, renews=serial))


# ---------------------------------------------------------------------------------------------
# Reading the review of an assessment.


@router.get(
    "/assessments/{assessment_id}/timeline",
    response={200: list[TimelineEntry], 404: Problem},
    summary="Every workflow step of the assessment, oldest first",
)
def timeline(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    assessment = selectors.assessment_for_review(user=request.user, assessment_id=assessment_id)
    names = Names(request.user, assessment)
    return [_entry(entry, names) for entry in selectors.timeline(assessment)]


@router.get(
    "/assessments/{assessment_id}/reviews",
    response={200: list[ReviewOut], 404: Problem},
    summary="The reviews you may read (blind review)",
    description=(
        "Blind review: a reviewer reads their own ratings, and the others' only once their own "
        "review is submitted (and then only submitted reviews). The secretariat reads every "
        "submitted review; the applicant reads them once the decision is taken, with reviewers "
        "named 'Reviewer 1', 'Reviewer 2'…"
    ),
)
def reviews(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    assessment = selectors.assessment_for_review(user=request.user, assessment_id=assessment_id)
    names = Names(request.user, assessment)
    return [_review(r, names) for r in selectors.visible_reviews(request.user, assessment)]


@router.get(
    "/assessments/{assessment_id}/reconciliation",
    response={200: ReconciliationOut, 404: Problem},
    summary="Applicant and reviewer ratings side by side (same visibility as reviews)",
)
def reconciliation(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    assessment = selectors.assessment_for_review(user=request.user, assessment_id=assessment_id)
    names = Names(request.user, assessment)
    visible = selectors.visible_reviews(request.user, assessment)
    return {
        "reviewers": [names.reviewer(r.reviewer) for r in visible],
        "rows": [vars(row) for row in selectors.reconciliation(assessment, visible)],
    }


@router.get(
    "/assessments/{assessment_id}/readiness",
    response={200: ReadinessOut, **PROBLEMS},
    summary="What each assurance tier still lacks (secretariat)",
)
def readiness(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    assessment = selectors.assessment_for_review(user=request.user, assessment_id=assessment_id)
    roles = services.actor_roles(request.user, assessment)
    if Actor.SECRETARIAT not in roles:
        raise PermissionDenied(_("Only the secretariat reads the readiness of a decision."))
    ready = selectors.readiness(assessment)
    return {
        "state": assessment.status,
        "level": assessment.outcome,
        "level_recognisable": ready.level_recognisable,
        "open_questions": ready.open_questions,
        "completed_reviews": ready.completed_reviews,
        "open_conflicts": [
            {"assignment_id": a.pk, "reviewer": a.reviewer.get_username(), "state": a.state}
            for a in ready.open_conflicts
        ],
        "tiers": [
            {
                "code": row["tier"].code,
                "label": in_language(row["tier"].label),
                "ready": row["ready"],
                "lacking": row["lacking"],
            }
            for row in ready.tiers
        ],
        "allowed_actions": workflow.allowed_actions(assessment.status, roles),
    }


@router.get(
    "/assessments/{assessment_id}/pool",
    response={200: list[PoolMemberOut], **PROBLEMS},
    summary="The reviewer pool ranked for this assessment, conflicts flagged (secretariat)",
)
def pool_for_assessment(  # type: ignore[no-untyped-def]
    request: HttpRequest, assessment_id: int, language: str = ""
):
    assessment = selectors.assessment_for_review(user=request.user, assessment_id=assessment_id)
    _secretariat_only(request.user, policy.REVIEW_ASSIGN)
    return [
        {
            "reviewer": _reviewer(m.profile),
            "conflicts": [{"organisation": c.organisation, "why": c.why} for c in m.conflicts],
            "matches": m.matches,
            "assigned": m.assigned,
        }
        for m in selectors.pool_for(assessment, language=language)
    ]


# ---------------------------------------------------------------------------------------------
# Assignments.


@router.post(
    "/assessments/{assessment_id}/assignments",
    response={201: AssignmentOut, **PROBLEMS},
    summary="Assign a reviewer (secretariat)",
    description=(
        "A reviewer with a conflict of interest (a member of the owner or of an organisation tied "
        "to it) is refused with 409 and the member `conflicts`: [{organisation, why}]."
    ),
)
def assign(request: HttpRequest, assessment_id: int, payload: AssignIn):  # type: ignore[no-untyped-def]
    assignment = services.assign_reviewer(
        actor=request.user, assessment_id=assessment_id, reviewer_id=payload.reviewer_id
    )
    return Status(201, _assignment(assignment))


@router.delete(
    "/assignments/{assignment_id}",
    response={200: AssignmentOut, **PROBLEMS},
    summary="Take a reviewer off the assessment (secretariat)",
)
def remove(request: HttpRequest, assignment_id: int):  # type: ignore[no-untyped-def]
    return _assignment(services.remove_reviewer(actor=request.user, assignment_id=assignment_id))


@router.post(
    "/assignments/{assignment_id}/remove",
    response={200: AssignmentOut, **PROBLEMS},
    summary="Take a reviewer off the assessment (secretariat; same as DELETE)",
)
def remove_by_post(request: HttpRequest, assignment_id: int):  # type: ignore[no-untyped-def]
    return _assignment(services.remove_reviewer(actor=request.user, assignment_id=assignment_id))


@router.post(
    "/assignments/{assignment_id}/declaration",
    response={200: AssignmentOut, **PROBLEMS},
    summary="Sign the no-conflict declaration and start reviewing",
    description=f"The declaration signed:\n\n> {services.DECLARATION}",
)
def declare(request: HttpRequest, assignment_id: int, payload: DeclarationIn):  # type: ignore[no-untyped-def]
    assignment = services.declare_no_conflict(
        actor=request.user, assignment_id=assignment_id, confirm=payload.confirm
    )
    return _assignment(assignment)


@router.post(
    "/assignments/{assignment_id}/conflict",
    response={200: AssignmentOut, **PROBLEMS},
    summary="Declare a conflict of interest and step down",
)
def declare_conflict(request: HttpRequest, assignment_id: int, payload: ConflictIn):  # type: ignore[no-untyped-def]
    assignment = services.declare_conflict(
        actor=request.user, assignment_id=assignment_id, note=payload.note
    )
    return _assignment(assignment)


@router.put(
    "/assignments/{assignment_id}/ratings",
    response={200: ReviewOut, **PROBLEMS},
    summary="Save your ratings (all or none)",
    description=(
        "The body is a list of ratings. Nothing is saved unless every item is valid; a 422 "
        "problem then lists the errors with the indicator code as `field`."
    ),
)
def save_ratings(request: HttpRequest, assignment_id: int, payload: list[RatingIn]):  # type: ignore[no-untyped-def]
    if not payload:
        # The service checks who rates item by item: an empty list would check no one.
        raise ValidationFailed({"": [_("Send at least one rating.")]})
    saved = services.save_review_ratings(
        actor=request.user,
        assignment_id=assignment_id,
        ratings=[item.model_dump() for item in payload],
    )
    return _own_review(saved[0].assignment)


@router.post(
    "/assignments/{assignment_id}/submit",
    response={200: ReviewOut, **PROBLEMS},
    summary="Submit your review and recommendation (final)",
)
def submit_review(request: HttpRequest, assignment_id: int, payload: ReviewSubmitIn):  # type: ignore[no-untyped-def]
    assignment = services.submit_review(
        actor=request.user,
        assignment_id=assignment_id,
        recommendation=payload.recommendation,
        tier=payload.tier,
        summary=payload.summary,
    )
    return _own_review(assignment)


@router.post(
    "/assignments/{assignment_id}/field-visits",
    response={201: FieldVisitOut, **PROBLEMS},
    summary="Record a field visit (multipart: visited_on, place, findings, optional file)",
)
def field_visit(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    assignment_id: int,
    visited_on: Form[date],
    place: Form[str],
    findings: Form[str],
    file: File[UploadedFile | None] = None,
):
    visit = services.record_field_visit(
        actor=request.user,
        assignment_id=assignment_id,
        visited_on=visited_on,
        place=place,
        findings=findings,
        upload=file,
    )
    return Status(201, _visit(visit))


# ---------------------------------------------------------------------------------------------
# Clarifications.


@router.get(
    "/assessments/{assessment_id}/clarifications",
    response={200: list[ClarificationOut], 404: Problem},
    summary="The question-and-answer threads, one per indicator",
)
def list_clarifications(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    assessment = selectors.assessment_for_review(user=request.user, assessment_id=assessment_id)
    names = Names(request.user, assessment)
    return [_clarification(t, names) for t in selectors.clarifications(assessment)]


def _thread(request: HttpRequest, thread: Clarification) -> dict[str, Any]:
    fresh = selectors.clarifications(thread.assessment).get(pk=thread.pk)
    return _clarification(fresh, Names(request.user, thread.assessment))


@router.post(
    "/assessments/{assessment_id}/clarifications/ask",
    response={201: ClarificationOut, **PROBLEMS},
    summary="Ask the applicant about one indicator (reviewer or secretariat, in review)",
)
def ask(request: HttpRequest, assessment_id: int, payload: ClarificationIn):  # type: ignore[no-untyped-def]
    thread = services.ask_clarification(
        actor=request.user,
        assessment_id=assessment_id,
        indicator=payload.indicator,
        body=payload.body,
    )
    return Status(201, _thread(request, thread))


@router.post(
    "/assessments/{assessment_id}/clarifications/answer",
    response={201: ClarificationOut, **PROBLEMS},
    summary="Answer the question about one indicator (applicant, while returned)",
)
def answer(request: HttpRequest, assessment_id: int, payload: ClarificationIn):  # type: ignore[no-untyped-def]
    thread = services.answer_clarification(
        actor=request.user,
        assessment_id=assessment_id,
        indicator=payload.indicator,
        body=payload.body,
    )
    return Status(201, _thread(request, thread))


# ---------------------------------------------------------------------------------------------
# The reviewer pool.


@router.get(
    "/reviewers",
    response={200: Page[ReviewerOut], **PROBLEMS},
    summary="The reviewer pool (secretariat)",
)
def list_reviewers(request: HttpRequest, limit: int = 50, offset: int = 0):  # type: ignore[no-untyped-def]
    _secretariat_only(request.user, policy.REVIEWER_CHANGE)
    return paginate(
        request,
        selectors.reviewer_pool(),
        limit=limit,
        offset=offset,
        rows=lambda page: [_reviewer(p) for p in page],
    )


@router.get(
    "/reviewers/{user_id}",
    response={200: ReviewerOut, 404: Problem},
    summary="One reviewer's profile (secretariat, or the reviewer)",
)
def get_reviewer(request: HttpRequest, user_id: int):  # type: ignore[no-untyped-def]
    return _reviewer(selectors.reviewer_profile(user=request.user, user_id=user_id))


@router.put(
    "/reviewers/{user_id}",
    response={200: ReviewerOut, **PROBLEMS},
    summary="Add to the pool or change expertise (secretariat, or the reviewer)",
)
def save_reviewer(request: HttpRequest, user_id: int, payload: ReviewerIn):  # type: ignore[no-untyped-def]
    profile = services.save_reviewer(
        actor=request.user,
        user_id=user_id,
        standards=payload.standards,
        regions=payload.regions,
        languages=payload.languages,
        bio=payload.bio,
        active=payload.active,
    )
    return _reviewer(profile)


# ---------------------------------------------------------------------------------------------
# Pledges.


@router.post(
    "/pledges",
    response={201: PledgeOut, **PROBLEMS},
    summary="Record an organisation's signed pledge to the WEH principles",
)
def record_pledge(request: HttpRequest, payload: PledgeIn):  # type: ignore[no-untyped-def]
    pledge = services.record_pledge(
        actor=request.user,
        organisation_id=payload.organisation_id,
        signatory_name=payload.signatory_name,
        signatory_title=payload.signatory_title,
        signed_on=payload.signed_on,
    )
    return Status(201, _pledge(pledge))


@router.get(
    "/organisations/{organisation_id}/pledges",
    response={200: list[PledgeOut], 404: Problem},
    summary="An organisation's pledges, newest first",
)
def list_pledges(request: HttpRequest, organisation_id: int):  # type: ignore[no-untyped-def]
    organisation = account_selectors.get_organisation(
        user=request.user, organisation_id=organisation_id
    )
    return [_pledge(p) for p in selectors.pledges_of(organisation)]


# ---------------------------------------------------------------------------------------------
# Alerts.


@router.get(
    "/alerts",
    response={200: Page[AlertOut], **PROBLEMS},
    summary="Alerts about recognitions, for triage (secretariat)",
)
def list_alerts(  # type: ignore[no-untyped-def]
    request: HttpRequest, state: AlertState | None = None, limit: int = 50, offset: int = 0
):
    _secretariat_only(request.user, policy.ALERT_TRIAGE)
    qs = selectors.alerts_for_triage()
    if state is not None:
        qs = qs.filter(state=state)
    return paginate(
        request, qs, limit=limit, offset=offset, rows=lambda page: [_alert(a) for a in page]
    )


@router.post(
    "/alerts/{alert_id}/triage",
    response={200: AlertOut, **PROBLEMS},
    summary="Substantiate, dismiss or close an alert (secretariat)",
)
def triage(request: HttpRequest, alert_id: int, payload: TriageIn):  # type: ignore[no-untyped-def]
    alert = services.triage_alert(
        actor=request.user, alert_id=alert_id, state=payload.state, note=payload.note
    )
    return _alert(alert)


# ---------------------------------------------------------------------------------------------
# The queue.


@router.get(
    "/review/queue",
    response={200: QueueOut, 401: Problem},
    summary="Your assignments and, for the secretariat, the assessments in the workflow",
)
def queue(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = _signed_in(request.user)
    found = selectors.review_queue(user)
    return {
        "assignments": [
            {
                "assignment_id": a.pk,
                "assessment_id": a.assessment_id,
                "assessment": str(a.assessment),
                "subject": a.assessment.subject.name,
                "standard": a.assessment.standard_version.key,
                "assessment_state": a.assessment.status,
                "state": a.state,
                "assigned_at": a.assigned_at,
            }
            for a in found["assignments"]
        ],
        "queue": None
        if found["queue"] is None
        else [
            {
                "assessment_id": a.pk,
                "assessment": str(a),
                "subject": a.subject.name,
                "owner": a.owner.name,
                "standard": a.standard_version.key,
                "state": a.status,
                "submitted_at": a.submitted_at,
                "reviewers": a.reviewers,
                "reviews_done": a.reviews_done,
            }
            for a in found["queue"]
        ],
    }
