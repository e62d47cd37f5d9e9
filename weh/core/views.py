from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from weh.core import selectors
from weh.core.errors import PermissionDenied


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    filters = {
        key: request.GET.get(key) or None for key in ("target_type", "action", "actor", "target_id")
    }
    try:
        qs = selectors.list_audit_entries(user=request.user, **filters)
    except PermissionDenied:
        return render(
            request,
            "web/forbidden.html",
            {"reason": _("Only staff and the secretariat can read the audit trail.")},
            status=403,
        )
    page = Paginator(qs.select_related("actor"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page,
            "filters": filters,
            "choices": selectors.audit_filter_choices(),
            "query": query.urlencode(),
        },
    )
