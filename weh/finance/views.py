"""The funding pages: a funder's commitments and their trace from money to outcomes, a batch with
its history, one form per step (commit, disburse, split, allocate, retire, name an activity,
report spending), and the public funding summary of a subject.

Each form calls one service; its refusals come back as field errors beside the fields (422), a
page saying why not (403), a 404, or, for units already used, the conflict explained at the top
of the batch page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weh.core import policy
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.permissions import grants_for
from weh.finance import selectors, services
from weh.finance.forms import (
    ActivityForm,
    AllocateForm,
    CommitmentForm,
    DisbursementForm,
    RetireForm,
    ServiceForm,
    SpendingForm,
    SplitForm,
)
from weh.finance.models import BatchState, Commitment, UnitBatch
from weh.registry.models import Subject


def _forbidden(request: HttpRequest, reason: Any) -> HttpResponse:
    return render(request, "web/forbidden.html", {"reason": str(reason)}, status=403)


def _submit(form: ServiceForm, call: Callable[[dict[str, Any]], Any]) -> tuple[Any, bool]:
    """Run the service with the form's values; put its field errors on the form.

    Returns (result, done). PermissionDenied and NotFound propagate to the view.
    """
    if not form.is_valid():
        return None, False
    try:
        return call(form.values()), True
    except ValidationFailed as error:
        form.add_service_errors(error.errors)
    except Conflict as error:
        form.add_error(None, str(error.detail))
    return None, False


def _render_form(
    request: HttpRequest, template: str, form: ServiceForm, context: dict[str, Any]
) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=422 if form.errors else 200)


# --- commitments -----------------------------------------------------------------------------


@login_required
def funding_index(request: HttpRequest) -> HttpResponse:
    """/funding/: commitments the user's organisations gave, and those their subjects received."""
    grants = grants_for(request.user)
    commitments = list(selectors.list_commitments(user=request.user))
    member_of = set(grants.roles)
    given = [c for c in commitments if grants.hub_wide or c.funder_id in member_of]
    received = [c for c in commitments if c not in given]
    return render(
        request,
        "finance/index.html",
        {
            "given": given,
            "received": received,
            "can_commit": selectors.funder_organisations(request.user).exists(),
        },
    )


@login_required
def commitment_new(request: HttpRequest) -> HttpResponse:
    funders = selectors.funder_organisations(request.user)
    if not funders.exists():
        return _forbidden(request, _("Commitments are recorded by members with the funder role."))
    subjects = Subject.objects.restrict(request.user, policy.SUBJECT_VIEW).order_by("name")
    form = CommitmentForm(
        request.POST or None,
        funders=funders,
        subjects=subjects.only("pk", "name", "country"),
        initial={"subject": request.GET.get("subject", ""), "currency": "EUR"},
    )
    if request.method == "POST":
        try:
            commitment, done = _submit(
                form, lambda v: services.record_commitment(actor=request.user, **v)
            )
        except PermissionDenied as error:
            return _forbidden(request, error.detail)
        if done:
            messages.success(
                request,
                _("The commitment was recorded in the public log at index %(index)s.")
                % {"index": commitment.log_index},
            )
            return redirect("finance:commitment", commitment_id=commitment.pk)
    return _render_form(request, "finance/commitment_form.html", form, {})


def _commitment_or_404(request: HttpRequest, commitment_id: int) -> Commitment:
    try:
        return selectors.get_commitment(user=request.user, commitment_id=commitment_id)
    except NotFound:
        raise Http404 from None


@login_required
def commitment_detail(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """The trace: money → disbursements → batches (with splits) → activities → outcomes."""
    try:
        trace = selectors.trace(user=request.user, commitment_id=commitment_id)
    except NotFound:
        raise Http404 from None
    commitment = trace.commitment
    grants = grants_for(request.user)
    recipients = selectors.recipient_subjects(commitment)
    return render(
        request,
        "finance/commitment.html",
        {
            "trace": trace,
            "commitment": commitment,
            "totals": trace.totals,
            "can_disburse": grants.allows(policy.DISBURSEMENT_ADD, commitment.funder_id),
            "can_report": any(grants.allows(policy.SPENDING_ADD, s.owner_id) for s in recipients),
            "can_name_activity": commitment.subject_id is not None
            and (
                grants.allows(policy.ACTIVITY_ADD, commitment.subject.owner_id)
                or grants.allows(policy.ACTIVITY_ADD, commitment.funder_id)
            ),
            "log_url": selectors.log_entry_url,
        },
    )


@login_required
def disburse(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = _commitment_or_404(request, commitment_id)
    if not grants_for(request.user).allows(policy.DISBURSEMENT_ADD, commitment.funder_id):
        return _forbidden(
            request,
            _("Only %(funder)s's funders disburse this commitment.")
            % {"funder": commitment.funder.name},
        )
    form = DisbursementForm(request.POST or None)
    if request.method == "POST":
        disbursement, done = _submit(
            form,
            lambda v: services.disburse(actor=request.user, commitment_id=commitment.pk, **v),
        )
        if done:
            batch = disbursement.batches.get()
            messages.success(
                request,
                _(
                    "The disbursement was recorded (log index %(d)s) and issued as units "
                    "%(serial)s (log index %(b)s)."
                )
                % {"d": disbursement.log_index, "serial": batch.serial, "b": batch.log_index},
            )
            return redirect("finance:commitment", commitment_id=commitment.pk)
    return _render_form(
        request,
        "finance/disburse.html",
        form,
        {"commitment": commitment, "remaining": selectors.remaining(commitment)},
    )


@login_required
def report_spending(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = _commitment_or_404(request, commitment_id)
    grants = grants_for(request.user)
    recipients = [
        s
        for s in selectors.recipient_subjects(commitment)
        if grants.allows(policy.SPENDING_ADD, s.owner_id)
    ]
    if not recipients:
        return _forbidden(request, _("Spending is reported by the applicants of the recipient."))
    from weh.finance.models import Activity

    form = SpendingForm(
        request.POST or None,
        subjects=recipients,
        activities=Activity.objects.filter(subject__in=recipients).select_related("subject"),
    )
    if request.method == "POST":
        try:
            report, done = _submit(
                form,
                lambda v: services.report_spending(
                    actor=request.user,
                    commitment_id=commitment.pk,
                    **{**v, "subject_id": v["subject_id"] or recipients[0].pk},
                ),
            )
        except PermissionDenied as error:
            return _forbidden(request, error.detail)
        if done:
            messages.success(
                request,
                _("The spending was reported in the public log at index %(index)s.")
                % {"index": report.log_index},
            )
            return redirect("finance:commitment", commitment_id=commitment.pk)
    return _render_form(request, "finance/spending.html", form, {"commitment": commitment})


@login_required
def activity_new(request: HttpRequest, subject_id: int) -> HttpResponse:
    try:
        subject = Subject.objects.restrict(request.user, policy.SUBJECT_VIEW).get(pk=subject_id)
    except Subject.DoesNotExist:
        raise Http404 from None
    back = request.GET.get("next") or request.POST.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = ""  # only paths of this site: no redirect elsewhere
    form = ActivityForm(request.POST or None)
    if request.method == "POST":
        try:
            activity, done = _submit(
                form,
                lambda v: services.create_activity(actor=request.user, subject_id=subject.pk, **v),
            )
        except PermissionDenied as error:
            return _forbidden(request, error.detail)
        if done:
            messages.success(
                request, _("The activity “%(name)s” was added.") % {"name": activity.name}
            )
            return redirect(back or "finance:subject_summary", subject_id=subject.pk)
    return _render_form(
        request, "finance/activity_form.html", form, {"subject": subject, "next": back}
    )


# --- batches ---------------------------------------------------------------------------------


def _batch_context(
    request: HttpRequest, batch: UnitBatch, posted: str | None = None
) -> dict[str, Any]:
    """The batch page; the form of step ``posted`` is bound to what was sent."""

    def data(step: str) -> Any:
        return request.POST if step == posted else None

    can_change = selectors.can_change_units(request.user, batch)
    allocation = getattr(batch, "allocation", None)
    subject_id = allocation.activity.subject_id if allocation is not None else None
    issued = can_change and batch.state == BatchState.ISSUED
    context: dict[str, Any] = {
        "batch": batch,
        "history": selectors.batch_history(batch),
        "children": selectors.batch_children(batch),
        "allocation": allocation,
        "retirement": getattr(batch, "retirement", None),
        "split": getattr(batch, "split", None) if batch.state == BatchState.SPLIT else None,
        "can_change": can_change,
        "split_form": SplitForm(data("split"), prefix="split") if issued else None,
        "allocate_form": AllocateForm(
            data("allocate"), prefix="allocate", activities=selectors.activities_for(batch)
        )
        if issued
        else None,
        "retire_form": None,
        "log_url": selectors.log_entry_url,
    }
    if can_change and batch.state == BatchState.ALLOCATED and subject_id is not None:
        context["retire_form"] = RetireForm(
            data("retire"),
            prefix="retire",
            recognitions=selectors.active_recognitions(subject_id),
            improvements=selectors.improvements(subject_id),
        )
    return context


def _batch_or_404(request: HttpRequest, serial: str) -> UnitBatch:
    try:
        return selectors.get_batch(user=request.user, serial=serial)
    except NotFound:
        raise Http404 from None


@login_required
def batch_detail(request: HttpRequest, serial: str) -> HttpResponse:
    batch = _batch_or_404(request, serial)
    return render(request, "finance/batch.html", _batch_context(request, batch))


@login_required
@require_POST
def batch_step(request: HttpRequest, serial: str, step: str) -> HttpResponse:
    """One of split, allocate, retire: call its service, or show the page with its errors."""
    calls: dict[str, Callable[[dict[str, Any]], Any]] = {
        "split": lambda v: services.split_batch(actor=request.user, serial=serial, **v),
        "allocate": lambda v: services.allocate_batch(actor=request.user, serial=serial, **v),
        "retire": lambda v: services.retire_batch(actor=request.user, serial=serial, **v),
    }
    if step not in calls:
        raise Http404
    batch = _batch_or_404(request, serial)
    context = _batch_context(request, batch, posted=step)
    if not context["can_change"]:
        return _forbidden(
            request,
            _("Only %(issuer)s's funders move these units.") % {"issuer": batch.issuer.name},
        )
    form = context[f"{step}_form"]
    if form is None:
        # The batch has moved on (someone split, allocated or retired it meanwhile): say how.
        messages.error(request, str(services.state_conflict(batch, step).detail))
        return redirect("finance:batch", serial=serial)
    result, done = _submit(form, calls[step])
    if done:
        messages.success(request, _success(step, result))
        return redirect("finance:batch", serial=serial)
    context["failed"] = step
    return render(request, "finance/batch.html", context, status=422)


def _success(step: str, result: Any) -> str:
    if step == "split":
        left, right = result
        return _("The batch was split into %(left)s and %(right)s.") % {
            "left": left.serial,
            "right": right.serial,
        }
    if step == "allocate":
        return _("The units were allocated to “%(activity)s” (log index %(index)s).") % {
            "activity": result.activity.name,
            "index": result.log_index,
        }
    return _("The units were retired against %(outcome)s (log index %(index)s).") % {
        "outcome": result.outcome_label,
        "index": result.log_index,
    }


# --- the public summary ----------------------------------------------------------------------


def subject_summary(request: HttpRequest, subject_id: int) -> HttpResponse:
    """/subjects/<id>/funding/: public, what the subject received and the outcomes reached."""
    try:
        summary = selectors.subject_summary(user=request.user, subject_id=subject_id)
    except (NotFound, PermissionDenied):
        raise Http404 from None
    grants = grants_for(request.user)
    return render(
        request,
        "finance/summary.html",
        {
            "summary": summary,
            "subject": summary.subject,
            "can_name_activity": grants.allows(policy.ACTIVITY_ADD, summary.subject.owner_id),
        },
    )
