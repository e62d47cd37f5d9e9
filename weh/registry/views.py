from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weh.accounts.models import Organisation
from weh.core import policy
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.iso import country_name
from weh.core.permissions import grants_for
from weh.registry import selectors, services
from weh.registry.forms import SubjectFilterForm, SubjectForm

PAGE_SIZE = 25


def _owners_for(user):  # type: ignore[no-untyped-def]
    grants = grants_for(user)
    qs = Organisation.objects.order_by("name")
    if grants.hub_wide:
        return qs
    return qs.filter(pk__in=grants.organisations_granting(policy.SUBJECT_ADD))


def subject_list(request: HttpRequest) -> HttpResponse:
    form = SubjectFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.list_subjects(
        user=request.user,
        country=filters.get("country") or None,
        kind=filters.get("kind") or None,
        text=filters.get("q") or None,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = (
        "registry/_subject_results.html"
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        else "registry/subject_list.html"
    )
    return render(request, template, context)


def subject_detail(request: HttpRequest, subject_id: int) -> HttpResponse:
    try:
        subject = selectors.get_subject(user=request.user, subject_id=subject_id)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "registry/subject_detail.html",
        {
            "subject": subject,
            "country_name": country_name(subject.country),
            "actions": selectors.subject_actions(user=request.user, subject=subject),
        },
    )


@login_required
def subject_create(request: HttpRequest) -> HttpResponse:
    owners = _owners_for(request.user)
    if not owners.exists():
        raise_forbidden = _("You have no organisation in which you can register subjects.")
        return render(request, "web/forbidden.html", {"reason": raise_forbidden}, status=403)
    form = SubjectForm(request.POST or None, request.FILES or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        values["kind"] = form.cleaned_data["kind"]
        try:
            subject = services.create_subject(actor=request.user, values=values)
        except ValidationFailed as error:
            form.add_service_errors(error.errors)
        except PermissionDenied as error:
            form.add_error("owner", str(error.detail))
        else:
            messages.success(request, _("The subject was registered as a draft."))
            return redirect("web:subject_detail", subject_id=subject.pk)
    return render(request, "registry/subject_form.html", {"form": form, "subject": None})


@login_required
def subject_edit(request: HttpRequest, subject_id: int) -> HttpResponse:
    try:
        subject = selectors.get_subject(user=request.user, subject_id=subject_id)
    except NotFound:
        raise Http404 from None
    if not selectors.subject_actions(user=request.user, subject=subject)["change"]:
        return render(
            request,
            "web/forbidden.html",
            {
                "reason": _("You cannot edit subjects of %(organisation)s.")
                % {"organisation": subject.owner}
            },
            status=403,
        )
    owners = _owners_for(request.user) | Organisation.objects.filter(pk=subject.owner_id)
    form = SubjectForm(
        request.POST or None,
        request.FILES or None,
        owners=owners.distinct(),
        editing=subject,
        initial=SubjectForm.initial_for(subject),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_subject(
                actor=request.user, subject_id=subject.pk, values=form.service_values()
            )
        except ValidationFailed as error:
            form.add_service_errors(error.errors)
        except PermissionDenied as error:
            form.add_error(None, str(error.detail))
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("web:subject_detail", subject_id=subject.pk)
    return render(request, "registry/subject_form.html", {"form": form, "subject": subject})


SUBJECT_ACTIONS = {
    "publish": (services.publish_subject, _("The subject is now in the public registry.")),
    "withdraw": (services.withdraw_subject, _("The subject was withdrawn to draft.")),
    "delete": (services.delete_subject, _("The subject was deleted.")),
}


@login_required
@require_POST
def subject_action(request: HttpRequest, subject_id: int, action: str) -> HttpResponse:
    if action not in SUBJECT_ACTIONS:
        raise Http404
    service, done = SUBJECT_ACTIONS[action]
    try:
        service(actor=request.user, subject_id=subject_id)
    except NotFound:
        raise Http404 from None
    except (PermissionDenied, Conflict) as error:
        messages.error(request, str(error.detail))
        return redirect("web:subject_detail", subject_id=subject_id)
    messages.success(request, str(done))
    if action == "delete":
        return redirect("web:subject_list")
    return redirect("web:subject_detail", subject_id=subject_id)
