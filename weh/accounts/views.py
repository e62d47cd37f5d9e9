from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weh.accounts import selectors, services
from weh.core import policy
from weh.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from weh.core.permissions import grants_for
from weh.registry import selectors as registry_selectors


def organisation_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    qs = selectors.list_organisations(user=request.user, text=text or None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/organisation_list.html", {"page": page, "q": text})


def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    try:
        organisation = selectors.get_organisation(
            user=request.user, organisation_id=organisation_id
        )
    except NotFound:
        raise Http404 from None
    grants = grants_for(request.user)
    members = (
        selectors.list_memberships(user=request.user, organisation_id=organisation.pk)
        if grants.allows(policy.MEMBERSHIP_VIEW, organisation.pk)
        else None
    )
    subjects = registry_selectors.list_subjects(user=request.user, owner_id=organisation.pk)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "members": members,
            "subjects": subjects[:200],
            "can_see_assessments": grants.allows(policy.ASSESSMENT_VIEW, organisation.pk),
        },
    )


@login_required
def my_organisations(request: HttpRequest) -> HttpResponse:
    memberships = selectors.list_memberships(user=request.user).filter(user=request.user)
    return render(request, "accounts/my_organisations.html", {"memberships": memberships})


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    created = None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            _token, created = services.create_api_token(
                actor=request.user, name=request.POST.get("name", "")
            )
        except ValidationFailed as error:
            errors = error.errors
        except RateLimited as error:
            errors = {"name": [str(error.detail)]}
    return render(
        request,
        "accounts/token_list.html",
        {
            "tokens": selectors.list_api_tokens(user=request.user),
            "created": created,
            "errors": errors,
            "name": request.POST.get("name", "") if errors else "",
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.revoke_api_token(actor=request.user, token_id=token_id)
    except NotFound:
        raise Http404 from None
    except Conflict as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("web:token_list")
