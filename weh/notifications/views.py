from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from weh.core.errors import NotFound, ValidationFailed
from weh.notifications import selectors, services


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notices_for(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def read(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        notice = services.mark_read(actor=request.user, notice_id=notice_id)
    except NotFound:
        raise Http404 from None
    # Only a path on this site is followed: a stored link must never send anyone elsewhere.
    if notice.url and services.is_site_path(notice.url):
        return redirect(notice.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d notice was marked read.", "%(count)d notices were marked read.", count)
        % {"count": count},
    )
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        in_app = set(request.POST.getlist("in_app"))
        email = set(request.POST.getlist("email"))
        # Every kind is on the form; an unticked box is simply absent from the post.
        kinds = [row.kind for row in selectors.preferences_for(request.user)]
        try:
            services.set_preferences(
                actor=request.user,
                choices={kind: (kind in in_app, kind in email) for kind in kinds},
            )
        except ValidationFailed as error:  # pragma: no cover - the form offers only known kinds
            for message_list in error.errors.values():
                for message in message_list:
                    messages.error(request, message)
        else:
            messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": selectors.preferences_for(request.user)},
    )
