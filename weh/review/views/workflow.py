"""The review pages: one page per assessment (timeline, reviewers, ratings, questions, decision),
the queue, the reviewer pool, pledges and alert triage. Each form posts to one step, which calls
one service and comes back to the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weh.assessments import workflow
from weh.assessments.selectors import responses_of
from weh.assessments.views._shared import Labels
from weh.assessments.workflow import Actor
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.permissions import grants_for
from weh.review import selectors, services
from weh.review.models import AlertState, AssignmentState, Recommendation
from weh.standards.models import in_language


def _forbidden(request: HttpRequest, reason: Any) -> HttpResponse:
    return render(request, "web/forbidden.html", {"reason": str(reason)}, status=403)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed({"date": [_("Enter a date as YYYY-MM-DD.")]}) from None


def _page_context(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    user = request.user
    try:
        assessment = selectors.assessment_for_review(user=user, assessment_id=assessment_id)
    except NotFound:
        raise Http404 from None
    roles = selectors.roles_of(user, assessment)
    labels = Labels(assessment.standard_version.parsed())
    definition = labels.definition
    own = selectors.own_assignment(user, assessment)
    reviews = selectors.visible_reviews(user, assessment)
    anonymous = Actor.SECRETARIAT not in roles and Actor.REVIEWER not in roles
    own_ratings = (
        {r.indicator.code: r for r in own.ratings.select_related("indicator")} if own else {}
    )
    rows = []
    for response in responses_of(assessment):
        code = response.indicator.code
        rows.append(
            {
                "response": response,
                "code": code,
                "statement": response.indicator.display_statement,
                "applicant": labels.rating_label(response.rating)
                if not response.not_applicable
                else _("Not applicable"),
                "mine": own_ratings.get(code),
            }
        )
    tiers = [
        {"code": t.code, "label": in_language(t.label), "description": in_language(t.description)}
        for t in definition.assurance_tiers
    ]
    secretariat = Actor.SECRETARIAT in roles
    context: dict[str, Any] = {
        "assessment": assessment,
        "labels": labels,
        "roles": {r.value for r in roles},
        "is_secretariat": secretariat,
        "is_applicant": Actor.APPLICANT in roles,
        "allowed": {a.value for a in workflow.allowed_actions(assessment.status, roles or [])},
        "timeline": selectors.timeline(assessment),
        "own": own,
        "rows": rows,
        "reviews": reviews,
        "review_names": [
            _("Reviewer %(n)d") % {"n": i + 1} if anonymous else r.reviewer.get_username()
            for i, r in enumerate(reviews)
        ],
        "reconciliation": selectors.reconciliation(assessment, reviews) if reviews else [],
        "clarifications": selectors.clarifications(assessment),
        "field_visits": selectors.field_visits(assessment) if secretariat or own else [],
        "tiers": tiers,
        "recommendations": Recommendation.choices,
        "recognition": selectors.recognition_of(assessment),
        "decision": getattr(assessment, "decision", None),
        "declaration": services.DECLARATION,
        "can_review": own is not None and own.state == AssignmentState.ACCEPTED,
        "awaiting_declaration": own is not None and own.state == AssignmentState.ASSIGNED,
        "editable": workflow.is_editable(assessment.status),
        "errors": {},
    }
    if secretariat:
        context["assignments"] = selectors.assignments(assessment)
        context["pool"] = selectors.pool_for(assessment, get_language() or "")
        context["readiness"] = selectors.readiness(assessment)
    return context


@login_required
def review_page(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return render(request, "review/assessment.html", _page_context(request, assessment_id))


def _reconciliation_rows(context: dict[str, Any]) -> list[dict[str, Any]]:
    labels: Labels = context["labels"]

    def label(code: str) -> str:
        return _("Not applicable") if code == "not_applicable" else labels.rating_label(code)

    return [
        {
            "row": row,
            "applicant": label(row.applicant),
            "reviewers": [
                {"label": label(value), "comment": comment}
                for value, comment in zip(row.reviewers, row.comments, strict=True)
            ],
        }
        for row in context["reconciliation"]
    ]


@login_required
def reconciliation_page(request: HttpRequest, assessment_id: int) -> HttpResponse:
    context = _page_context(request, assessment_id)
    context["reconciled"] = _reconciliation_rows(context)
    context["disagreements"] = sum(1 for row in context["reconciliation"] if row.disagreement)
    return render(request, "review/reconciliation.html", context)


# ---------------------------------------------------------------------------------------------
# One step per form.


def _ratings(request: HttpRequest, assessment_id: int) -> list[dict[str, Any]]:
    codes = [c for c in request.POST.getlist("indicator") if c]
    return [
        {
            "indicator": code,
            "rating": request.POST.get(f"rating-{code}", ""),
            "not_applicable": request.POST.get(f"rating-{code}") == "not_applicable",
            "comment": request.POST.get(f"comment-{code}", ""),
        }
        for code in codes
    ]


def _clean_na(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in items:
        if item["not_applicable"]:
            item["rating"] = ""
    return items


Step = Callable[[HttpRequest, int], Any]

STEPS: dict[str, tuple[Step, Any]] = {
    "start-review": (
        lambda r, a: services.start_review(actor=r.user, assessment_id=a),
        gettext_lazy("The review has started."),
    ),
    "withdraw": (
        lambda r, a: services.withdraw_assessment(
            actor=r.user, assessment_id=a, reason=r.POST.get("reason", "")
        ),
        gettext_lazy("The assessment was withdrawn."),
    ),
    "return": (
        lambda r, a: services.return_assessment(
            actor=r.user, assessment_id=a, reason=r.POST.get("reason", "")
        ),
        gettext_lazy("The assessment was returned to the applicant with the open questions."),
    ),
    "resubmit": (
        lambda r, a: services.resubmit_assessment(actor=r.user, assessment_id=a),
        gettext_lazy("Your answers were sent back to the reviewers."),
    ),
    "recognise": (
        lambda r, a: services.recognise_assessment(
            actor=r.user,
            assessment_id=a,
            tier=r.POST.get("tier", ""),
            reasons=r.POST.get("reasons", ""),
            committee=r.POST.get("committee", ""),
        ),
        gettext_lazy("The recognition was granted and published in the registry."),
    ),
    "decline": (
        lambda r, a: services.decline_assessment(
            actor=r.user, assessment_id=a, reasons=r.POST.get("reasons", "")
        ),
        gettext_lazy("The assessment was declined."),
    ),
    "assign": (
        lambda r, a: services.assign_reviewer(
            actor=r.user, assessment_id=a, reviewer_id=int(r.POST.get("reviewer") or 0)
        ),
        gettext_lazy("The reviewer was assigned and notified."),
    ),
    "remove": (
        lambda r, a: services.remove_reviewer(
            actor=r.user, assignment_id=int(r.POST.get("assignment") or 0)
        ),
        gettext_lazy("The reviewer was removed from this assessment."),
    ),
    "declare": (
        lambda r, a: services.declare_no_conflict(
            actor=r.user,
            assignment_id=int(r.POST.get("assignment") or 0),
            confirm=r.POST.get("confirm") == "on",
        ),
        gettext_lazy("Declaration signed. You can now rate the indicators."),
    ),
    "conflict": (
        lambda r, a: services.declare_conflict(
            actor=r.user,
            assignment_id=int(r.POST.get("assignment") or 0),
            note=r.POST.get("note", ""),
        ),
        gettext_lazy("Your conflict was recorded and the secretariat informed."),
    ),
    "ratings": (
        lambda r, a: services.save_review_ratings(
            actor=r.user,
            assignment_id=int(r.POST.get("assignment") or 0),
            ratings=_clean_na(_ratings(r, a)),
        ),
        gettext_lazy("Your ratings were saved."),
    ),
    "submit-review": (
        lambda r, a: services.submit_review(
            actor=r.user,
            assignment_id=int(r.POST.get("assignment") or 0),
            recommendation=r.POST.get("recommendation", ""),
            tier=r.POST.get("tier", ""),
            summary=r.POST.get("summary", ""),
        ),
        gettext_lazy("Your review was submitted."),
    ),
    "field-visit": (
        lambda r, a: services.record_field_visit(
            actor=r.user,
            assignment_id=int(r.POST.get("assignment") or 0),
            visited_on=_date(r.POST.get("visited_on", "")),
            place=r.POST.get("place", ""),
            findings=r.POST.get("findings", ""),
            upload=r.FILES.get("file"),
        ),
        gettext_lazy("The field visit was recorded."),
    ),
    "ask": (
        lambda r, a: services.ask_clarification(
            actor=r.user,
            assessment_id=a,
            indicator=r.POST.get("indicator", ""),
            body=r.POST.get("body", ""),
        ),
        gettext_lazy("Your question was added. Return the assessment when all are asked."),
    ),
    "answer": (
        lambda r, a: services.answer_clarification(
            actor=r.user,
            assessment_id=a,
            indicator=r.POST.get("indicator", ""),
            body=r.POST.get("body", ""),
        ),
        gettext_lazy("Your answer was recorded."),
    ),
}


@login_required
@require_POST
def review_step(request: HttpRequest, assessment_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    call, success = STEPS[step]
    page = reverse("review:assessment", args=[assessment_id])
    try:
        call(request, assessment_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as error:
        return _forbidden(request, error.detail)
    except ValidationFailed as error:
        context = _page_context(request, assessment_id)
        context["errors"] = {step.replace("-", "_"): error.errors}
        context["posted"] = request.POST
        return render(request, "review/assessment.html", context, status=422)
    except Conflict as error:
        messages.error(request, str(error.detail))
        return redirect(page)
    except ValueError:
        messages.error(request, _("The form was incomplete; please try again."))
        return redirect(page)
    messages.success(request, str(success))
    return redirect(page + f"#{step}")


@login_required
@require_POST
def recognition_step(request: HttpRequest, serial: str, step: str) -> HttpResponse:
    """Suspend, reinstate or renew a recognition."""
    calls: dict[str, tuple[Callable[[], Any], Any]] = {
        "suspend": (
            lambda: services.suspend_recognition(
                actor=request.user, serial=serial, reasons=request.POST.get("reasons", "")
            ),
            _("The recognition was suspended."),
        ),
        "reinstate": (
            lambda: services.reinstate_recognition(
                actor=request.user, serial=serial, reasons=request.POST.get("reasons", "")
            ),
            _("The recognition was reinstated."),
        ),
        "renew": (
            lambda: services.renew_recognition(actor=request.user, serial=serial),
            _("The renewal assessment was started, pre-filled from the recognised one."),
        ),
    }
    if step not in calls:
        raise Http404
    call, success = calls[step]
    try:
        result = call()
    except NotFound:
        raise Http404 from None
    except PermissionDenied as error:
        return _forbidden(request, error.detail)
    except (ValidationFailed, Conflict) as error:
        details = getattr(error, "errors", {}) or {}
        text = " ".join(m for found in details.values() for m in found) or str(error.detail)
        messages.error(request, text)
        return redirect(request.POST.get("back") or reverse("review:queue"))
    messages.success(request, str(success))
    if step == "renew":
        return redirect("assessments:workspace", assessment_id=result.pk)
    return redirect(reverse("review:assessment", args=[result.assessment_id]))


# ---------------------------------------------------------------------------------------------
# Queue, pool, pledges, alerts.


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    found = selectors.review_queue(request.user)
    return render(request, "review/queue.html", found)


@login_required
def reviewers(request: HttpRequest) -> HttpResponse:
    grants = grants_for(request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.save_reviewer(
                actor=request.user,
                user_id=int(request.POST.get("user") or 0),
                standards=request.POST.getlist("standards"),
                regions=request.POST.get("regions", "").replace(",", " ").split(),
                languages=request.POST.get("languages", "").replace(",", " ").split(),
                bio=request.POST.get("bio", ""),
                active=request.POST.get("active", "on") == "on",
            )
        except PermissionDenied as error:
            return _forbidden(request, error.detail)
        except NotFound:
            errors = {"user": [_("Choose a person.")]}
        except ValidationFailed as error:
            errors = error.errors
        else:
            messages.success(request, _("The reviewer pool was updated."))
            return redirect("review:reviewers")
    if not grants.hub_wide:
        profile = getattr(request.user, "reviewer_profile", None)
        if profile is None:
            return _forbidden(request, _("Only the secretariat manages the reviewer pool."))
    from weh.standards.selectors import list_standard_versions

    context = {
        "pool": selectors.reviewer_pool() if grants.hub_wide else [request.user.reviewer_profile],
        "candidates": selectors.pool_candidates() if grants.hub_wide else [],
        "standards": sorted({v.standard_id for v in list_standard_versions()}),
        "errors": errors,
        "is_secretariat": grants.hub_wide,
    }
    return render(request, "review/reviewers.html", context, status=422 if errors else 200)


@login_required
def pledges(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    organisations = selectors.pledge_organisations(request.user)
    if request.method == "POST":
        try:
            services.record_pledge(
                actor=request.user,
                organisation_id=int(request.POST.get("organisation") or 0),
                signatory_name=request.POST.get("signatory_name", ""),
                signatory_title=request.POST.get("signatory_title", ""),
                signed_on=_date(request.POST.get("signed_on", "")),
            )
        except (NotFound, PermissionDenied):
            errors = {"organisation": [_("Choose one of your organisations.")]}
        except ValidationFailed as error:
            errors = error.errors
        else:
            messages.success(request, _("The pledge was recorded."))
            return redirect("review:pledges")
    from weh.review.models import Pledge

    recorded = Pledge.objects.filter(organisation__in=organisations).select_related("organisation")
    return render(
        request,
        "review/pledges.html",
        {
            "organisations": organisations,
            "pledges": recorded,
            "errors": errors,
            "posted": request.POST,
        },
        status=422 if errors else 200,
    )


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    if not grants_for(request.user).hub_wide:
        return _forbidden(request, _("Only the secretariat triages alerts."))
    errors: dict[str, list[str]] = {}
    failed = None
    if request.method == "POST":
        failed = int(request.POST.get("alert") or 0)
        try:
            services.triage_alert(
                actor=request.user,
                alert_id=failed,
                state=request.POST.get("state", ""),
                note=request.POST.get("note", ""),
            )
        except NotFound:
            raise Http404 from None
        except ValidationFailed as error:
            errors = error.errors
        else:
            messages.success(request, _("The alert was triaged."))
            return redirect("review:alerts")
    return render(
        request,
        "review/alerts.html",
        {
            "alerts": selectors.alerts_for_triage(),
            "states": [
                (s.value, s.label)
                for s in (AlertState.SUBSTANTIATED, AlertState.DISMISSED, AlertState.CLOSED)
            ],
            "errors": errors,
            "failed": failed,
        },
        status=422 if errors else 200,
    )
