"""Writes of the review workflow: one service per transition, plus the steps between them.

Every function validates, authorises, writes in one transaction and records the audit entry.
Transitions go through ``_take``, which asks the pure table in ``weh.assessments.workflow`` and
writes the timeline; nothing here compares status strings by hand.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weh.accounts.models import Organisation, User
from weh.assessments import workflow
from weh.assessments.models import Assessment, Evidence, EvidenceKind, Response
from weh.assessments.services import check_upload, record_answer, rescore, start_assessment
from weh.assessments.workflow import Action, Actor
from weh.core import audit, policy
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.permissions import get_for, grants_for
from weh.ledger.services import append_entry
from weh.notifications.models import NoticeKind
from weh.notifications.services import notify
from weh.review import certificate, conflicts
from weh.review.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Alert,
    AlertState,
    AssignmentState,
    Clarification,
    ClarificationState,
    Decision,
    DecisionOutcome,
    FieldVisit,
    Message,
    Pledge,
    Recognition,
    RecognitionStatus,
    Recommendation,
    ReviewAssignment,
    ReviewerProfile,
    ReviewRating,
    Transition,
)
from weh.standards.definition import AssuranceTier

ACTION_LABELS = {
    Action.SUBMIT: gettext_lazy("submit"),
    Action.WITHDRAW: gettext_lazy("withdraw"),
    Action.START_REVIEW: gettext_lazy("start the review"),
    Action.RETURN: gettext_lazy("return to the applicant"),
    Action.RESUBMIT: gettext_lazy("resubmit"),
    Action.RECOGNISE: gettext_lazy("recognise"),
    Action.DECLINE: gettext_lazy("decline"),
    Action.SUSPEND: gettext_lazy("suspend"),
    Action.REINSTATE: gettext_lazy("reinstate"),
    Action.EXPIRE: gettext_lazy("expire"),
}

ACTOR_LABELS = {
    Actor.APPLICANT: gettext_lazy("the applicant"),
    Actor.REVIEWER: gettext_lazy("an assigned reviewer"),
    Actor.SECRETARIAT: gettext_lazy("the secretariat"),
    Actor.SYSTEM: gettext_lazy("the scheduled task"),
}

DECLARATION = gettext_lazy(
    "I declare that I have no conflict of interest with the organisation that owns this "
    "assessment or with any organisation tied to it: I am not a member, employee, adviser or "
    "funder of any of them, and I have no personal or financial interest in the outcome. I will "
    "rate every indicator independently and keep the assessment confidential."
)


# ---------------------------------------------------------------------------------------------
# Who acts, what the guards read, and taking a transition.


def _status_label(state: str) -> str:
    from weh.assessments.models import AssessmentStatus

    return str(dict(AssessmentStatus.choices).get(state, state))


def actor_roles(user: Any, assessment: Assessment) -> frozenset[Actor]:
    """The workflow roles ``user`` holds on this assessment."""
    if user is None or not user.is_authenticated:
        return frozenset()
    grants = grants_for(user)
    roles: set[Actor] = set()
    if grants.hub_wide:
        roles.add(Actor.SECRETARIAT)
    # Applicants by membership of the owner (not by the secretariat's hub-wide reach).
    submitting = policy.organisations_granting(grants.roles, policy.ASSESSMENT_SUBMIT)
    if assessment.owner_id in submitting or assessment.coordinator_id == user.pk:
        roles.add(Actor.APPLICANT)
    if ReviewAssignment.objects.filter(
        assessment=assessment,
        reviewer_id=user.pk,
        state__in=(AssignmentState.ACCEPTED, AssignmentState.SUBMITTED),
    ).exists():
        roles.add(Actor.REVIEWER)
    return frozenset(roles)


def _have_for_tier(assessment: Assessment, committee: str) -> dict[str, bool | int]:
    submitted = assessment.review_assignments.filter(state=AssignmentState.SUBMITTED)
    return {
        "pledge": Pledge.objects.filter(organisation_id=assessment.owner_id).exists(),
        "reviews": submitted.count(),
        "field_verification": FieldVisit.objects.filter(assignment__in=submitted).exists(),
        "committee_decision": bool(committee.strip()),
    }


def open_conflicts(assessment: Assessment) -> list[ReviewAssignment]:
    """Active assignments whose reviewer has not declared, or now conflicts with the owner."""
    found = []
    for assignment in assessment.review_assignments.active().select_related("reviewer"):
        if assignment.state == AssignmentState.ASSIGNED or conflicts.conflicts_of(
            assignment.reviewer_id, assessment.owner_id
        ):
            found.append(assignment)
    return found


def gather_facts(
    assessment: Assessment,
    *,
    tier: AssuranceTier | None = None,
    reasons: str = "",
    committee: str = "",
    today: date | None = None,
) -> workflow.Facts:
    """What the workflow's guards read, from the database."""
    responses = assessment.responses.order_by("indicator__position")
    unanswered = tuple(
        responses.filter(rating="", not_applicable=False).values_list("indicator__code", flat=True)
    )
    unjustified = tuple(
        responses.exclude(rating="")
        .filter(not_applicable=False, justification__regex=r"^\s*$")
        .values_list("indicator__code", flat=True)
    )
    have = _have_for_tier(assessment, committee)
    requires = tier.requires.model_dump() if tier is not None else {}
    outcome = assessment.standard_version.parsed().outcome(assessment.outcome)
    recognition = Recognition.objects.filter(assessment=assessment).first()
    return workflow.Facts(
        unanswered=unanswered,
        unjustified=unjustified,
        open_questions=assessment.clarifications.filter(state=ClarificationState.OPEN).count(),
        required_reviews=int(requires.get("reviews", 0)),
        completed_reviews=int(have["reviews"]),
        open_conflicts=len(open_conflicts(assessment)),
        tier_shortfalls=workflow.tier_shortfalls(requires, have),
        level_recognisable=outcome is not None and outcome.recognisable,
        reasons=reasons,
        substantiated_alerts=(
            recognition.alerts.filter(state=AlertState.SUBSTANTIATED).count() if recognition else 0
        ),
        validity_ended=bool(
            recognition and recognition.valid_until < (today or timezone.localdate())
        ),
    )


REQUIREMENT_LABELS = {
    "pledge": gettext_lazy("a signed pledge to the WEH principles by the owning organisation"),
    "reviews": gettext_lazy("enough completed independent reviews"),
    "field_verification": gettext_lazy("a field visit recorded by a reviewer"),
    "committee_decision": gettext_lazy("the recognition committee named in the decision"),
}


def _guard_errors(failures: list[workflow.Failure]) -> dict[str, list[str]]:
    G = workflow.Guard  # noqa: N806 - reads like the table
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for failure in failures:
        guard, details = failure.guard, failure.details
        if guard is G.ALL_RATED_AND_JUSTIFIED and details[0] == "unanswered":
            add(
                "responses",
                _("Rate every applicable indicator first. Still open: %(codes)s.")
                % {"codes": ", ".join(details[1:])},
            )
        elif guard is G.ALL_RATED_AND_JUSTIFIED:
            add(
                "responses",
                _("Give a justification for every rating. Missing for: %(codes)s.")
                % {"codes": ", ".join(details[1:])},
            )
        elif guard is G.QUESTION_OPEN:
            add(
                "clarifications",
                _("Ask at least one clarification question before returning the assessment."),
            )
        elif guard is G.QUESTIONS_ANSWERED:
            add(
                "clarifications",
                _("%(count)s clarification question(s) still await the applicant's answer.")
                % {"count": details[0]},
            )
        elif guard is G.REVIEWS_COMPLETE:
            add(
                "reviews",
                _("This tier needs %(required)s completed review(s); %(done)s submitted so far.")
                % {"required": details[1], "done": details[0]},
            )
        elif guard is G.NO_OPEN_CONFLICT:
            add(
                "reviewers",
                _(
                    "%(count)s reviewer(s) have not declared the absence of a conflict of "
                    "interest, or now conflict with the owner. Remove them or wait for their "
                    "declaration."
                )
                % {"count": details[0]},
            )
        elif guard is G.TIER_REQUIREMENTS_MET:
            add(
                "tier",
                _("This tier also needs: %(missing)s.")
                % {"missing": "; ".join(str(REQUIREMENT_LABELS.get(d, d)) for d in details)},
            )
        elif guard is G.LEVEL_RECOGNISABLE:
            add(
                "level",
                _("The level this assessment reached cannot be recognised under this standard."),
            )
        elif guard is G.REASONS_GIVEN:
            add("reasons", _("Give the reasons for this decision."))
        elif guard is G.ALERT_SUBSTANTIATED:
            add("alerts", _("Suspension needs at least one alert the secretariat substantiated."))
        elif guard is G.VALIDITY_ENDED:
            add("valid_until", _("The recognition is still within its validity period."))
    return errors


def _check_move(assessment: Assessment, action: Action, roles: frozenset[Actor]) -> None:
    """Refuse an action that cannot start from the current state, or not by these roles."""
    try:
        workflow.check_move(assessment.status, action, roles)
    except workflow.IllegalTransition as refused:
        allowed = workflow.allowed_actions(assessment.status, roles)
        error = Conflict(
            _(
                "This assessment is %(state)s: it cannot %(action)s. %(action_cap)s is possible "
                "only from: %(sources)s. Possible now: %(allowed)s."
            )
            % {
                "state": _status_label(assessment.status),
                "action": ACTION_LABELS[action],
                "action_cap": str(ACTION_LABELS[action]).capitalize(),
                "sources": ", ".join(_status_label(s) for s in refused.allowed_from),
                "allowed": ", ".join(str(ACTION_LABELS[a]) for a in allowed) or _("nothing"),
            }
        )
        error.extra = {
            "current_state": assessment.status,
            "action": action.value,
            "allowed_from": [s.value for s in refused.allowed_from],
            "allowed_actions": [a.value for a in allowed],
        }
        raise error from None
    except workflow.ActorNotAllowed as refused:
        error = PermissionDenied(
            _("Only %(actors)s may %(action)s this assessment.")
            % {
                "actors": _(" or ").join(str(ACTOR_LABELS[a]) for a in refused.allowed_actors),
                "action": ACTION_LABELS[action],
            }
        )
        error.extra = {"allowed_actors": [a.value for a in refused.allowed_actors]}
        raise error from None


def _take(
    actor: Any,
    assessment: Assessment,
    action: Action,
    facts: workflow.Facts,
    *,
    reason: str = "",
    system: bool = False,
) -> workflow.Rule:
    """Carry out one transition: check the table, change the state, write the timeline."""
    roles = frozenset({Actor.SYSTEM}) if system else actor_roles(actor, assessment)
    _check_move(assessment, action, roles)
    try:
        rule = workflow.check(assessment.status, action, roles, facts)
    except workflow.GuardsFailed as refused:
        raise ValidationFailed(
            _guard_errors(refused.failures),
            _("The assessment cannot %(action)s yet: see 'errors'.")
            % {"action": ACTION_LABELS[action]},
        ) from None
    before = audit.snapshot(assessment)
    source = assessment.status
    assessment.status = rule.target.value
    fields = ["status", "updated_at"]
    if action is Action.SUBMIT:
        assessment.submitted_at = timezone.now()
        fields.append("submitted_at")
    assessment.save(update_fields=fields)
    acting_as = next(
        a
        for a in (Actor.SECRETARIAT, Actor.REVIEWER, Actor.APPLICANT, Actor.SYSTEM)
        if a in roles and a in rule.actors
    )
    step = Transition.objects.create(
        assessment=assessment,
        action=action.value,
        from_state=source,
        to_state=rule.target.value,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_role=acting_as.value,
        reason=reason,
    )
    # The public log holds the step itself; who took it stays here (only the role is logged).
    entry = append_entry(
        kind=f"assessment.{action.value}",
        subject=f"assessment:{assessment.pk}",
        content={
            "assessment": assessment.pk,
            "subject": assessment.subject_id,
            "standard": assessment.standard_version.key,
            "action": action.value,
            "from": source,
            "to": rule.target.value,
            "as": acting_as.value,
            "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
            "transition": step.pk,
        },
        at=step.at,
        facts={"from": source, "to": rule.target.value, "as": acting_as.value},
    )
    step.log_index = entry.index
    step.save(update_fields=["log_index"])
    audit.record(
        actor=actor,
        action=f"workflow.{action.value}",
        target=assessment,
        before=before,
        after=audit.snapshot(assessment),
    )
    _notify_effects(rule, assessment, actor, reason)
    return rule


def _applicants(assessment: Assessment) -> list[User]:
    ids = {assessment.coordinator_id}
    ids.update(assessment.contributors.values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids))


def _secretariat() -> list[User]:
    return list(
        User.objects.filter(
            Q(memberships__role=policy.Role.SECRETARIAT.value), is_active=True
        ).distinct()
    )


def _reviewers(assessment: Assessment) -> list[User]:
    return list(
        User.objects.filter(
            assignments__assessment=assessment, assignments__state__in=ACTIVE_ASSIGNMENT_STATES
        ).distinct()
    )


def assessment_path(assessment: Assessment) -> str:
    return reverse("review:assessment", args=[assessment.pk])


TRANSITION_NOTICES = {
    Action.SUBMIT: (NoticeKind.SUBMISSION, gettext_lazy("Submitted for review: %(title)s")),
    Action.WITHDRAW: (NoticeKind.DECISION, gettext_lazy("Withdrawn: %(title)s")),
    Action.START_REVIEW: (NoticeKind.DECISION, gettext_lazy("Review started: %(title)s")),
    Action.RETURN: (
        NoticeKind.CLARIFICATION,
        gettext_lazy("Questions from the reviewers: %(title)s"),
    ),
    Action.RESUBMIT: (NoticeKind.CLARIFICATION, gettext_lazy("Answers received: %(title)s")),
    Action.RECOGNISE: (NoticeKind.DECISION, gettext_lazy("Recognised: %(title)s")),
    Action.DECLINE: (NoticeKind.DECISION, gettext_lazy("Declined: %(title)s")),
    Action.SUSPEND: (NoticeKind.DECISION, gettext_lazy("Recognition suspended: %(title)s")),
    Action.REINSTATE: (NoticeKind.DECISION, gettext_lazy("Recognition reinstated: %(title)s")),
    Action.EXPIRE: (NoticeKind.EXPIRY, gettext_lazy("Recognition expired: %(title)s")),
}


def _notify_effects(rule: workflow.Rule, assessment: Assessment, actor: Any, reason: str) -> None:
    recipients: set[User] = set()
    if workflow.Effect.NOTIFY_APPLICANT in rule.effects:
        recipients.update(_applicants(assessment))
    if workflow.Effect.NOTIFY_SECRETARIAT in rule.effects:
        recipients.update(_secretariat())
    if workflow.Effect.NOTIFY_REVIEWERS in rule.effects:
        recipients.update(_reviewers(assessment))
    recipients.discard(actor)
    if not recipients:
        return
    kind, title = TRANSITION_NOTICES[rule.action]
    notify(
        users=recipients,
        kind=kind,
        title=str(title) % {"title": str(assessment)},
        body=reason,
        url=assessment_path(assessment),
    )


def _assessment(actor: Any, assessment_id: int) -> Assessment:
    # Locked: transitions on one assessment queue up, so each guard reads committed facts.
    return get_for(
        Assessment.objects.select_for_update(of=("self",)).select_related(
            "standard_version", "subject", "owner"
        ),
        actor,
        policy.ASSESSMENT_VIEW,
        view_permission=policy.ASSESSMENT_VIEW,
        pk=assessment_id,
    )


# ---------------------------------------------------------------------------------------------
# The transitions, one service each.


@transaction.atomic
def submit_assessment(*, actor: User, assessment_id: int) -> Assessment:
    """Submit a complete self-assessment for review (draft → submitted)."""
    assessment = _assessment(actor, assessment_id)
    rescore(assessment)
    _take(actor, assessment, Action.SUBMIT, gather_facts(assessment))
    return assessment


@transaction.atomic
def withdraw_assessment(*, actor: User, assessment_id: int, reason: str = "") -> Assessment:
    """Withdraw an assessment before a decision (applicant or secretariat)."""
    assessment = _assessment(actor, assessment_id)
    _take(actor, assessment, Action.WITHDRAW, gather_facts(assessment), reason=reason.strip())
    return assessment


@transaction.atomic
def start_review(*, actor: User, assessment_id: int) -> Assessment:
    """Open the review of a submitted assessment (secretariat)."""
    assessment = _assessment(actor, assessment_id)
    _take(actor, assessment, Action.START_REVIEW, gather_facts(assessment))
    return assessment


@transaction.atomic
def return_assessment(*, actor: User, assessment_id: int, reason: str = "") -> Assessment:
    """Send the assessment back to the applicant to answer the open questions."""
    assessment = _assessment(actor, assessment_id)
    _take(actor, assessment, Action.RETURN, gather_facts(assessment), reason=reason.strip())
    return assessment


@transaction.atomic
def resubmit_assessment(*, actor: User, assessment_id: int) -> Assessment:
    """Hand the answered assessment back to the reviewers (returned → in review)."""
    assessment = _assessment(actor, assessment_id)
    rescore(assessment)
    _take(actor, assessment, Action.RESUBMIT, gather_facts(assessment))
    return assessment


def _tier(assessment: Assessment, code: str) -> AssuranceTier:
    tier = assessment.standard_version.parsed().tier(code)
    if tier is None:
        codes = [t.code for t in assessment.standard_version.parsed().assurance_tiers]
        raise ValidationFailed(
            {"tier": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(codes)}]}
        )
    return tier


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _new_serial() -> str:
    # Random, not sequential: certificate numbers reveal nothing and never race.
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "WEH-" + "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def recognise_assessment(
    *, actor: User, assessment_id: int, tier: str, reasons: str, committee: str = ""
) -> Recognition:
    """Recognise the assessment at an assurance tier: the decision, the recognition and its
    signed certificate, in one transaction."""
    assessment = _assessment(actor, assessment_id)
    _check_move(assessment, Action.RECOGNISE, actor_roles(actor, assessment))
    tier_definition = _tier(assessment, tier)
    reasons, committee = reasons.strip(), committee.strip()
    facts = gather_facts(assessment, tier=tier_definition, reasons=reasons, committee=committee)
    _take(actor, assessment, Action.RECOGNISE, facts, reason=reasons)
    decision = _record_decision(
        actor, assessment, DecisionOutcome.RECOGNISED, reasons, tier=tier, committee=committee
    )
    recognition = _issue_recognition(assessment, decision)
    audit.record(
        actor=actor, action="create", target=recognition, after=audit.snapshot(recognition)
    )
    return recognition


def _issue_recognition(assessment: Assessment, decision: Decision) -> Recognition:
    rules = assessment.standard_version.parsed().recognition
    today = timezone.localdate()
    subject = assessment.subject
    recognition = Recognition(
        serial=_new_serial(),
        decision=decision,
        assessment=assessment,
        subject=subject,
        owner_id=assessment.owner_id,
        standard_version=assessment.standard_version,
        standard=assessment.standard_version.standard_id,
        tier=decision.tier,
        level=decision.level,
        overall_percent=decision.overall_percent,
        overall_count=decision.overall_count,
        criterion_scores=decision.criterion_scores,
        valid_from=today,
        valid_until=_add_years(today, rules.validity_years),
        midterm_check_on=(
            _add_months(today, rules.midterm_check_months) if rules.midterm_check_months else None
        ),
        subject_name=subject.name,
        subject_kind=subject.kind,
        country=subject.country,
        latitude=subject.centroid_lat,
        longitude=subject.centroid_lon,
    )
    recognition.certificate = sign_certificate(recognition)
    recognition.save()
    # Only the certificate's hash enters the log; the certificate itself is public in the registry.
    entry = append_entry(
        kind="recognition.granted",
        subject=f"recognition:{recognition.serial}",
        content=recognition.certificate["statement"],
        facts={
            "serial": recognition.serial,
            "standard": assessment.standard_version.key,
            "tier": recognition.tier,
            "level": recognition.level,
        },
    )
    recognition.log_index = entry.index
    recognition.save(update_fields=["log_index"])
    return recognition


def recognition_path(recognition: Recognition) -> str:
    return reverse("review:recognition", args=[recognition.serial])


def sign_certificate(recognition: Recognition) -> dict[str, Any]:
    """The signed certificate document for a recognition."""
    from weh.core.signing import sign_certificate as sign

    definition = recognition.standard_version.parsed()
    subject = recognition.subject
    outcome = definition.outcome(recognition.level)
    overall = recognition.overall_percent
    if overall is None and recognition.overall_count is not None:
        # Counting standards (e.g. actions achieved) state the share of applicable indicators.
        applicable = recognition.assessment.applicable or 1
        overall = Decimal(100 * recognition.overall_count / applicable).quantize(Decimal("0.1"))
    statement = certificate.recognition_statement(
        certificate_id=recognition.serial,
        registry_url=settings.WEH_SITE_URL + recognition_path(recognition),
        subject={
            "id": subject.pk,
            "name": subject.name,
            "kind": subject.kind,
            "country": subject.country,
        },
        standard={
            "id": definition.id,
            "version": definition.version,
            "title": definition.title.get("en", definition.id),
        },
        tier=recognition.tier or None,
        level={
            "code": recognition.level,
            "label": outcome.label.get("en", recognition.level) if outcome else recognition.level,
        },
        overall_percent=overall if overall is not None else Decimal(0),
        criteria=[
            {"code": c["code"], "percent": c["percent"]} for c in recognition.criterion_scores
        ],
        decision_date=recognition.decision.decided_at.date()
        if recognition.decision.decided_at
        else recognition.valid_from,
        valid_from=recognition.valid_from,
        valid_until=recognition.valid_until,
        issuer=settings.WEH_CERTIFICATE_ISSUER,
        issued_at=timezone.now().replace(microsecond=0),
    )
    return sign(statement)


@transaction.atomic
def decline_assessment(*, actor: User, assessment_id: int, reasons: str) -> Decision:
    """Decline the assessment, with reasons."""
    assessment = _assessment(actor, assessment_id)
    reasons = reasons.strip()
    _take(
        actor, assessment, Action.DECLINE, gather_facts(assessment, reasons=reasons), reason=reasons
    )
    return _record_decision(actor, assessment, DecisionOutcome.DECLINED, reasons)


def _record_decision(
    actor: User, assessment: Assessment, outcome: str, reasons: str, **extra: Any
) -> Decision:
    """The decision row, with the level and scores of the assessment as decided, audited."""
    decision = Decision.objects.create(
        assessment=assessment,
        outcome=outcome,
        level=assessment.outcome,
        overall_percent=assessment.overall_percent,
        overall_count=assessment.overall_count,
        criterion_scores=assessment.criterion_scores,
        reasons=reasons,
        decided_by=actor,
        **extra,
    )
    audit.record(actor=actor, action="create", target=decision, after=audit.snapshot(decision))
    return decision


def _recognition_for_change(actor: Any, serial: str) -> tuple[Recognition, Assessment]:
    recognition = Recognition.objects.filter(serial=serial).select_related("assessment").first()
    if recognition is None:
        raise NotFound(_("No recognition has this certificate number."))
    return recognition, _assessment(actor, recognition.assessment_id)


def _set_recognition_status(actor: Any, recognition: Recognition, status: str) -> None:
    before = audit.snapshot(recognition)
    recognition.status = status
    recognition.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="update",
        target=recognition,
        before=before,
        after=audit.snapshot(recognition),
    )


@transaction.atomic
def suspend_recognition(*, actor: User, serial: str, reasons: str) -> Recognition:
    """Suspend a recognition after a substantiated alert (secretariat)."""
    recognition, assessment = _recognition_for_change(actor, serial)
    reasons = reasons.strip()
    _take(
        actor, assessment, Action.SUSPEND, gather_facts(assessment, reasons=reasons), reason=reasons
    )
    _set_recognition_status(actor, recognition, RecognitionStatus.SUSPENDED)
    recognition.assessment = assessment
    return recognition


@transaction.atomic
def reinstate_recognition(*, actor: User, serial: str, reasons: str) -> Recognition:
    """Lift a suspension (secretariat)."""
    recognition, assessment = _recognition_for_change(actor, serial)
    reasons = reasons.strip()
    _take(
        actor,
        assessment,
        Action.REINSTATE,
        gather_facts(assessment, reasons=reasons),
        reason=reasons,
    )
    _set_recognition_status(actor, recognition, RecognitionStatus.ACTIVE)
    recognition.assessment = assessment
    return recognition


def expire_recognitions(*, today: date | None = None) -> list[str]:
    """Expire every recognition past its validity (the scheduled task). Returns the serials."""
    today = today or timezone.localdate()
    expired = []
    due = Recognition.objects.filter(
        valid_until__lt=today,
        status__in=(RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED),
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            recognition = Recognition.objects.select_for_update().get(pk=pk)
            assessment = (
                Assessment.objects.select_for_update()
                .select_related("standard_version")
                .get(pk=recognition.assessment_id)
            )
            if assessment.status not in {workflow.State.RECOGNISED, workflow.State.SUSPENDED}:
                continue
            _take(
                None,
                assessment,
                Action.EXPIRE,
                gather_facts(assessment, today=today),
                reason=_("Validity ended on %(date)s.") % {"date": recognition.valid_until},
                system=True,
            )
            _set_recognition_status(None, recognition, RecognitionStatus.EXPIRED)
            expired.append(recognition.serial)
    return expired


def send_due_notices(*, today: date | None = None) -> int:
    """Tell owners about mid-term checks and renewals that are due. Returns notices sent."""
    today = today or timezone.localdate()
    sent = 0
    current = Recognition.objects.filter(status=RecognitionStatus.ACTIVE).select_related(
        "assessment", "standard_version"
    )
    for recognition in current:
        rules = recognition.standard_version.parsed().recognition
        due = []
        if recognition.midterm_check_on and recognition.midterm_check_on <= today:
            due.append(("midterm", _("Mid-term check due: %(name)s")))
        if (
            recognition.renewal_id is None
            and recognition.valid_until - timedelta(days=rules.renewal_notice_days) <= today
        ):
            due.append(("renewal", _("Renewal due: %(name)s")))
        for key, title in due:
            notices = notify(
                users=_applicants(recognition.assessment),
                kind=NoticeKind.RENEWAL_DUE,
                title=title % {"name": recognition.subject_name},
                body=_("The recognition %(serial)s is valid until %(date)s.")
                % {"serial": recognition.serial, "date": recognition.valid_until},
                url=recognition_path(recognition),
                dedupe_key=f"{key}:{recognition.serial}",
            )
            sent += len(notices)
    return sent


# ---------------------------------------------------------------------------------------------
# Reviewers and assignments.


@transaction.atomic
def save_reviewer(
    *,
    actor: User,
    user_id: int,
    standards: Iterable[str] = (),
    regions: Iterable[str] = (),
    languages: Iterable[str] = (),
    bio: str = "",
    active: bool = True,
) -> ReviewerProfile:
    """Add a person to the reviewer pool or change their expertise (secretariat, or themselves)."""
    if actor.pk != user_id and not grants_for(actor).allows(policy.REVIEWER_CHANGE):
        raise PermissionDenied(_("Only the secretariat manages the reviewer pool."))
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound(_("No active user has this id."))
    from weh.core.iso import is_country

    regions = [r.strip().upper() for r in regions if r.strip()]
    unknown = [r for r in regions if not is_country(r)]
    if unknown:
        raise ValidationFailed(
            {
                "regions": [
                    _("Not ISO 3166-1 country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
                ]
            }
        )
    profile, created = ReviewerProfile.objects.select_for_update().get_or_create(user=user)
    before = None if created else audit.snapshot(profile)
    profile.standards = sorted({s.strip() for s in standards if s.strip()})
    profile.regions = sorted(set(regions))
    profile.languages = sorted({lang.strip().lower() for lang in languages if lang.strip()})
    profile.bio = bio.strip()
    if actor.pk != user_id or created:
        profile.active = active
    profile.save()
    audit.record(
        actor=actor,
        action="create" if created else "update",
        target=profile,
        before=before,
        after=audit.snapshot(profile),
    )
    return profile


def _require_secretariat(actor: Any, permission: str) -> None:
    if not grants_for(actor).hub_wide or not grants_for(actor).allows(permission):
        raise PermissionDenied(_("Only the secretariat may do this."))


@transaction.atomic
def assign_reviewer(*, actor: User, assessment_id: int, reviewer_id: int) -> ReviewAssignment:
    """Assign a reviewer from the pool, refusing any conflict of interest (secretariat)."""
    assessment = _assessment(actor, assessment_id)
    _require_secretariat(actor, policy.REVIEW_ASSIGN)
    if not workflow.is_reviewable(assessment.status):
        raise Conflict(
            _(
                "Reviewers can be assigned only once the assessment is submitted and until the "
                "decision; it is %(state)s."
            )
            % {"state": _status_label(assessment.status)}
        )
    profile = ReviewerProfile.objects.filter(
        user_id=reviewer_id, active=True, user__is_active=True
    ).first()
    if profile is None:
        raise ValidationFailed({"reviewer": [_("This person is not in the reviewer pool.")]})
    found = conflicts.conflicts_of(reviewer_id, assessment.owner_id)
    if found:
        error = Conflict(
            _("This reviewer has a conflict of interest: %(reasons)s. Choose another reviewer.")
            % {"reasons": "; ".join(str(c) for c in found)}
        )
        error.extra = {"conflicts": [{"organisation": c.organisation, "why": c.why} for c in found]}
        raise error
    assignment = ReviewAssignment.objects.filter(
        assessment=assessment, reviewer_id=reviewer_id
    ).first()
    if assignment is not None and assignment.is_active:
        raise Conflict(_("This reviewer is already assigned."))
    before = audit.snapshot(assignment) if assignment else None
    if assignment is None:
        assignment = ReviewAssignment(assessment=assessment, reviewer_id=reviewer_id)
    assignment.assigned_by = actor
    assignment.state = AssignmentState.ASSIGNED
    assignment.declaration = assignment.declaration_sha256 = assignment.conflict_note = ""
    assignment.declared_at = None
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise Conflict(_("This reviewer is already assigned.")) from None
    audit.record(
        actor=actor,
        action="review.assign",
        target=assignment,
        before=before,
        after=audit.snapshot(assignment),
    )
    notify(
        users=[profile.user],
        kind=NoticeKind.ASSIGNMENT,
        title=_("You are asked to review: %(title)s") % {"title": str(assessment)},
        body=_("Declare that you have no conflict of interest, then rate every indicator."),
        url=assessment_path(assessment),
    )
    return assignment


def _own_assignment(actor: Any, assignment_id: int) -> ReviewAssignment:
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("assessment", "assessment__standard_version")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not actor.is_authenticated:
        raise NotFound()
    if assignment.reviewer_id != actor.pk:
        if grants_for(actor).hub_wide:
            raise PermissionDenied(_("Only the assigned reviewer may do this."))
        raise NotFound()
    return assignment


def declaration_digest(assignment: ReviewAssignment, text: str, at: Any) -> str:
    """The SHA-256 that seals who declared what, on which assessment, when."""
    sealed = "\n".join(
        [str(assignment.assessment_id), str(assignment.reviewer_id), at.isoformat(), text]
    )
    return hashlib.sha256(sealed.encode()).hexdigest()


@transaction.atomic
def declare_no_conflict(*, actor: User, assignment_id: int, confirm: bool) -> ReviewAssignment:
    """The reviewer signs the no-conflict declaration and starts reviewing."""
    assignment = _own_assignment(actor, assignment_id)
    if assignment.state != AssignmentState.ASSIGNED:
        raise Conflict(_("This assignment does not await a declaration."))
    if not confirm:
        raise ValidationFailed({"confirm": [_("Tick the box to sign the declaration.")]})
    found = conflicts.conflicts_of(actor.pk, assignment.assessment.owner_id)
    if found:
        raise Conflict(
            _(
                "You cannot declare the absence of a conflict: %(reasons)s. Declare the conflict "
                "instead."
            )
            % {"reasons": "; ".join(str(c) for c in found)}
        )
    before = audit.snapshot(assignment)
    now = timezone.now()
    assignment.declaration = str(DECLARATION)
    assignment.declared_at = now
    assignment.declaration_sha256 = declaration_digest(assignment, assignment.declaration, now)
    assignment.state = AssignmentState.ACCEPTED
    assignment.save()
    audit.record(
        actor=actor,
        action="review.declare",
        target=assignment,
        before=before,
        after=audit.snapshot(assignment),
    )
    return assignment


@transaction.atomic
def declare_conflict(*, actor: User, assignment_id: int, note: str) -> ReviewAssignment:
    """The reviewer declares a conflict of interest and steps down."""
    assignment = _own_assignment(actor, assignment_id)
    if not assignment.is_active or assignment.state == AssignmentState.SUBMITTED:
        raise Conflict(_("This assignment can no longer be declined."))
    if not note.strip():
        raise ValidationFailed({"note": [_("Say briefly what the conflict is.")]})
    before = audit.snapshot(assignment)
    assignment.state = AssignmentState.RECUSED
    assignment.conflict_note = note.strip()
    assignment.save()
    audit.record(
        actor=actor,
        action="review.recuse",
        target=assignment,
        before=before,
        after=audit.snapshot(assignment),
    )
    notify(
        users=_secretariat(),
        kind=NoticeKind.ASSIGNMENT,
        title=_("A reviewer declared a conflict: %(title)s")
        % {"title": str(assignment.assessment)},
        body=assignment.conflict_note,
        url=assessment_path(assignment.assessment),
    )
    return assignment


@transaction.atomic
def remove_reviewer(*, actor: User, assignment_id: int) -> ReviewAssignment:
    """Take a reviewer off an assessment (secretariat)."""
    _require_secretariat(actor, policy.REVIEW_ASSIGN)
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("assessment")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise NotFound()
    if not assignment.is_active:
        raise Conflict(_("This reviewer is no longer on the assessment."))
    if not workflow.is_reviewable(assignment.assessment.status):
        raise Conflict(_("Reviewers cannot change once the decision is taken."))
    before = audit.snapshot(assignment)
    assignment.state = AssignmentState.REMOVED
    assignment.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action="review.remove",
        target=assignment,
        before=before,
        after=audit.snapshot(assignment),
    )
    return assignment


def _reviewing(assignment: ReviewAssignment) -> None:
    if assignment.state != AssignmentState.ACCEPTED:
        raise Conflict(
            _("Ratings can change only after the declaration and before the review is submitted.")
        )
    if not workflow.is_reviewable(assignment.assessment.status):
        raise Conflict(_("The assessment is no longer under review."))


@transaction.atomic
def save_review_rating(
    *,
    actor: User,
    assignment_id: int,
    indicator: str,
    rating: str = "",
    not_applicable: bool = False,
    comment: str = "",
) -> ReviewRating:
    """Record the reviewer's own rating of one indicator."""
    assignment = _own_assignment(actor, assignment_id)
    _reviewing(assignment)
    definition = assignment.assessment.standard_version.parsed()
    response = (
        Response.objects.filter(assessment_id=assignment.assessment_id, indicator__code=indicator)
        .select_related("indicator")
        .first()
    )
    if response is None:
        raise ValidationFailed({"indicator": [_("Not an indicator of this standard.")]})
    codes = [r.code for r in definition.rating_scale.ratings]
    errors: dict[str, list[str]] = {}
    if not_applicable:
        if rating:
            errors["rating"] = [_("Give a rating or mark the indicator not applicable, not both.")]
        spec = next(i for i in definition.indicators() if i.code == indicator)
        if not definition.allows_not_applicable(spec):
            errors["not_applicable"] = [_("This indicator cannot be marked not applicable.")]
    elif rating and rating not in codes:
        errors["rating"] = [_("Choose one of: %(codes)s.") % {"codes": ", ".join(codes)}]
    if errors:
        raise ValidationFailed(errors)
    row, created = ReviewRating.objects.get_or_create(
        assignment=assignment, indicator=response.indicator
    )
    before = None if created else audit.snapshot(row)
    row.rating = "" if not_applicable else rating
    row.not_applicable = not_applicable
    row.comment = comment.strip()
    row.save()
    audit.record(
        actor=actor, action="review.rate", target=row, before=before, after=audit.snapshot(row)
    )
    return row


@transaction.atomic
def save_review_ratings(
    *, actor: User, assignment_id: int, ratings: Iterable[dict[str, Any]]
) -> list[ReviewRating]:
    """Record several of the reviewer's ratings at once: all are saved, or none.

    Each item has ``indicator`` and optionally ``rating``, ``not_applicable``, ``comment``.
    Errors are reported per indicator code.
    """
    _reviewing(_own_assignment(actor, assignment_id))
    saved, errors = [], {}
    for item in ratings:
        code = str(item.get("indicator", ""))
        try:
            with transaction.atomic():
                saved.append(
                    save_review_rating(
                        actor=actor,
                        assignment_id=assignment_id,
                        indicator=code,
                        rating=str(item.get("rating") or ""),
                        not_applicable=bool(item.get("not_applicable")),
                        comment=str(item.get("comment") or ""),
                    )
                )
        except ValidationFailed as error:
            errors[code] = [m for messages in error.errors.values() for m in messages]
    if errors:
        raise ValidationFailed(errors)
    return saved


@transaction.atomic
def submit_review(
    *, actor: User, assignment_id: int, recommendation: str, tier: str = "", summary: str = ""
) -> ReviewAssignment:
    """Submit the reviewer's ratings and recommendation; they are final and become visible to the
    other reviewers who have submitted, and to the secretariat."""
    assignment = _own_assignment(actor, assignment_id)
    _reviewing(assignment)
    errors: dict[str, list[str]] = {}
    if recommendation not in Recommendation.values:
        errors["recommendation"] = [_("Recommend to recognise or to decline.")]
    definition = assignment.assessment.standard_version.parsed()
    if recommendation == Recommendation.RECOGNISE and definition.tier(tier) is None:
        errors["tier"] = [_("Name the assurance tier you recommend.")]
    if not summary.strip():
        errors["summary"] = [_("Summarise your review for the committee.")]
    rated = set(
        assignment.ratings.filter(Q(not_applicable=True) | ~Q(rating="")).values_list(
            "indicator_id", flat=True
        )
    )
    missing = list(
        assignment.assessment.responses.exclude(indicator_id__in=rated)
        .order_by("indicator__position")
        .values_list("indicator__code", flat=True)
    )
    if missing:
        errors["ratings"] = [
            _("Rate every indicator before submitting. Still open: %(codes)s.")
            % {"codes": ", ".join(missing)}
        ]
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(assignment)
    assignment.recommendation = recommendation
    assignment.recommended_tier = tier if recommendation == Recommendation.RECOGNISE else ""
    assignment.summary = summary.strip()
    assignment.state = AssignmentState.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save()
    audit.record(
        actor=actor,
        action="review.submit",
        target=assignment,
        before=before,
        after=audit.snapshot(assignment),
    )
    notify(
        users=_secretariat(),
        kind=NoticeKind.SUBMISSION,
        title=_("Review submitted: %(title)s") % {"title": str(assignment.assessment)},
        body=assignment.summary,
        url=assessment_path(assignment.assessment),
    )
    return assignment


@transaction.atomic
def record_field_visit(
    *,
    actor: User,
    assignment_id: int,
    visited_on: date,
    place: str,
    findings: str,
    upload: Any | None = None,
) -> FieldVisit:
    """A reviewer records the verification of evidence on site, with an optional report file."""
    assignment = _own_assignment(actor, assignment_id)
    if assignment.state not in (AssignmentState.ACCEPTED, AssignmentState.SUBMITTED):
        raise Conflict(_("Sign the declaration before recording a field visit."))
    if not workflow.is_reviewable(assignment.assessment.status):
        raise Conflict(_("The assessment is no longer under review."))
    errors: dict[str, list[str]] = {}
    if not place.strip():
        errors["place"] = [_("Say where the visit took place.")]
    if not findings.strip():
        errors["findings"] = [_("Describe what was verified.")]
    if visited_on > timezone.localdate():
        errors["visited_on"] = [_("A visit cannot be in the future.")]
    if errors:
        raise ValidationFailed(errors)
    visit = FieldVisit(
        assignment=assignment, visited_on=visited_on, place=place.strip(), findings=findings.strip()
    )
    if upload is not None:
        visit.content_type, visit.sha256 = check_upload(upload)
        visit.original_name = (upload.name or "")[-255:]
        visit.size = upload.size
        visit.file.save(visit.sha256, ContentFile(upload.read()), save=False)
    visit.save()
    audit.record(actor=actor, action="create", target=visit, after=audit.snapshot(visit))
    return visit


# ---------------------------------------------------------------------------------------------
# Clarifications.


@transaction.atomic
def ask_clarification(
    *, actor: User, assessment_id: int, indicator: str, body: str
) -> Clarification:
    """A reviewer (or the secretariat) asks the applicant about one indicator."""
    assessment = _assessment(actor, assessment_id)
    roles = actor_roles(actor, assessment)
    if not roles & {Actor.REVIEWER, Actor.SECRETARIAT}:
        raise PermissionDenied(_("Only an assigned reviewer or the secretariat may ask questions."))
    if assessment.status != workflow.State.IN_REVIEW:
        raise Conflict(
            _("Questions can be asked while the assessment is in review; it is %(state)s.")
            % {"state": _status_label(assessment.status)}
        )
    return _post(
        actor,
        assessment,
        indicator,
        body,
        ClarificationState.OPEN,
        Actor.SECRETARIAT if Actor.SECRETARIAT in roles else Actor.REVIEWER,
    )


@transaction.atomic
def answer_clarification(
    *, actor: User, assessment_id: int, indicator: str, body: str
) -> Clarification:
    """The applicant answers the question about one indicator."""
    assessment = _assessment(actor, assessment_id)
    if Actor.APPLICANT not in actor_roles(actor, assessment):
        raise PermissionDenied(_("Only the applicant answers questions."))
    if not workflow.is_editable(assessment.status):
        raise Conflict(
            _("Answers are given while the assessment is returned to you; it is %(state)s.")
            % {"state": _status_label(assessment.status)}
        )
    thread = Clarification.objects.filter(assessment=assessment, indicator__code=indicator).first()
    if thread is None:
        raise ValidationFailed({"indicator": [_("No question was asked about this indicator.")]})
    return _post(actor, assessment, indicator, body, ClarificationState.ANSWERED, Actor.APPLICANT)


def _post(
    actor: User, assessment: Assessment, indicator: str, body: str, state: str, role: Actor
) -> Clarification:
    if not body.strip():
        raise ValidationFailed({"body": [_("Write the message.")]})
    response = (
        assessment.responses.filter(indicator__code=indicator).select_related("indicator").first()
    )
    if response is None:
        raise ValidationFailed({"indicator": [_("Not an indicator of this standard.")]})
    thread, created = Clarification.objects.select_for_update().get_or_create(
        assessment=assessment, indicator=response.indicator
    )
    before = None if created else audit.snapshot(thread)
    thread.state = state
    thread.save()
    Message.objects.create(
        clarification=thread, author=actor, author_role=role.value, body=body.strip()
    )
    audit.record(
        actor=actor,
        action=f"clarification.{role.value}",
        target=thread,
        before=before,
        after=audit.snapshot(thread),
    )
    return thread


# ---------------------------------------------------------------------------------------------
# Pledges, alerts, renewal.


@transaction.atomic
def record_pledge(
    *,
    actor: User,
    organisation_id: int,
    signatory_name: str,
    signatory_title: str,
    signed_on: date,
) -> Pledge:
    """Record the organisation's signed pledge to the WEH principles."""
    organisation = get_for(
        Organisation.objects.all(),
        actor,
        policy.PLEDGE_ADD,
        view_permission=policy.ORGANISATION_VIEW,
        pk=organisation_id,
    )
    errors: dict[str, list[str]] = {}
    if not signatory_name.strip():
        errors["signatory_name"] = [_("Name the person who signed.")]
    if not signatory_title.strip():
        errors["signatory_title"] = [_("Give the signatory's title, e.g. Mayor.")]
    if signed_on > timezone.localdate():
        errors["signed_on"] = [_("The pledge cannot be signed in the future.")]
    if errors:
        raise ValidationFailed(errors)
    pledge = Pledge.objects.create(
        organisation=organisation,
        signatory_name=signatory_name.strip(),
        signatory_title=signatory_title.strip(),
        signed_on=signed_on,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="create", target=pledge, after=audit.snapshot(pledge))
    return pledge


@transaction.atomic
def file_alert(*, actor: Any, serial: str, body: str, contact: str = "") -> Alert:
    """Anyone, signed in or not, raises a concern about a recognised subject."""
    recognition = Recognition.objects.filter(serial=serial).first()
    if recognition is None:
        raise NotFound(_("No recognition has this certificate number."))
    errors: dict[str, list[str]] = {}
    if len(body.strip()) < 20:
        errors["body"] = [_("Describe the concern in at least 20 characters.")]
    if len(body) > 5000:
        errors["body"] = [_("Keep the description under 5,000 characters.")]
    if contact:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(contact)
        except ValidationError:
            errors["contact"] = [_("Enter a valid e-mail address, or leave it empty.")]
    if errors:
        raise ValidationFailed(errors)
    user = actor if getattr(actor, "is_authenticated", False) else None
    alert = Alert.objects.create(
        recognition=recognition, filed_by=user, contact=contact.strip(), body=body.strip()
    )
    audit.record(actor=actor, action="create", target=alert, after=audit.snapshot(alert))
    notify(
        users=_secretariat(),
        kind=NoticeKind.ALERT,
        title=_("Alert about %(name)s") % {"name": recognition.subject_name},
        body=alert.body,
        url=reverse("review:alerts"),
    )
    return alert


@transaction.atomic
def triage_alert(*, actor: User, alert_id: int, state: str, note: str) -> Alert:
    """The secretariat substantiates, dismisses or closes an alert, with a note."""
    _require_secretariat(actor, policy.ALERT_TRIAGE)
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if state not in (AlertState.SUBSTANTIATED, AlertState.DISMISSED, AlertState.CLOSED):
        errors["state"] = [_("Choose substantiated, dismissed or closed.")]
    if not note.strip():
        errors["note"] = [_("Record why.")]
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(alert)
    alert.state = state
    alert.triage_note = note.strip()
    alert.triaged_by = actor
    alert.triaged_at = timezone.now()
    alert.save()
    audit.record(
        actor=actor, action="alert.triage", target=alert, before=before, after=audit.snapshot(alert)
    )
    return alert


@transaction.atomic
def renew_recognition(*, actor: User, serial: str) -> Assessment:
    """Start the renewal: a new assessment of the subject, pre-filled from the recognised one."""
    recognition = Recognition.objects.select_for_update().filter(serial=serial).first()
    if recognition is None:
        raise NotFound(_("No recognition has this certificate number."))
    previous = get_for(
        Assessment.objects.select_related("standard_version"),
        actor,
        policy.ASSESSMENT_ADD,
        view_permission=policy.ASSESSMENT_VIEW,
        pk=recognition.assessment_id,
    )
    if recognition.renewal_id is not None:
        raise Conflict(_("The renewal of this recognition has already started."))
    renewal = start_assessment(
        actor=actor,
        subject_id=recognition.subject_id,
        standard=previous.standard_version.standard_id,
        title=_("Renewal of %(serial)s") % {"serial": recognition.serial},
    )
    earlier = {
        r.indicator.code: r
        for r in previous.responses.select_related("indicator").prefetch_related("evidence")
    }
    for response in renewal.responses.select_related("indicator"):
        source = earlier.get(response.indicator.code)
        if source is None or not (source.rating or source.not_applicable):
            continue
        record_answer(
            actor,
            response,
            {
                "rating": source.rating,
                "not_applicable": source.not_applicable,
                "not_applicable_reason": source.not_applicable_reason,
                "justification": source.justification,
            },
        )
        for item in source.evidence.all():
            Evidence.objects.create(
                response=response,
                kind=item.kind,
                title=item.title,
                file=item.file.name if item.kind == EvidenceKind.FILE else "",
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                url=item.url,
                added_by=actor,
            )
    rescore(renewal)
    before = audit.snapshot(recognition)
    recognition.renewal = renewal
    recognition.save(update_fields=["renewal", "updated_at"])
    audit.record(
        actor=actor,
        action="recognition.renew",
        target=recognition,
        before=before,
        after=audit.snapshot(recognition),
    )
    return renewal
