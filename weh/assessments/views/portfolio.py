"""An organisation's portfolio: the latest assessment of every subject and standard."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from weh.accounts import selectors as accounts_selectors
from weh.assessments import exports, selectors
from weh.assessments.forms import (
    PortfolioFilterForm,
)
from weh.assessments.models import (
    AssessmentStatus,
)
from weh.assessments.views._shared import (
    PORTFOLIO_PAGE_SIZE,
    Labels,
)
from weh.core import policy
from weh.core.errors import NotFound
from weh.core.permissions import grants_for
from weh.standards import selectors as standards_selectors
from weh.standards.models import StandardVersion

# ---------------------------------------------------------------------------------------------
# Portfolio


def _portfolio_rows(
    request: HttpRequest, organisation_id: int
) -> tuple[Any, PortfolioFilterForm, list[dict[str, Any]], list[StandardVersion]]:
    try:
        organisation = accounts_selectors.get_organisation(
            user=request.user, organisation_id=organisation_id
        )
    except NotFound:
        raise Http404 from None
    versions = standards_selectors.list_standard_versions()
    form = PortfolioFilterForm(request.GET or None, versions=versions)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.portfolio(
        user=request.user,
        owner_id=organisation.pk,
        standard_id=filters.get("standard") or None,
        status=filters.get("status") or None,
        outcome=filters.get("outcome") or None,
        country=filters.get("country") or None,
        sort=filters.get("sort") or "subject",
    )
    return organisation, form, rows, versions


SORTABLE = (("subject", "subject"), ("score", "score"), ("updated", "updated"))


@require_GET
def portfolio(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation, form, rows, versions = _portfolio_rows(request, organisation_id)
    by_pk = {v.pk: v for v in versions}
    labels_by_version = {v.pk: Labels(v.parsed()) for v in versions}
    statuses = dict(AssessmentStatus.choices)
    page = Paginator(rows, PORTFOLIO_PAGE_SIZE).get_page(request.GET.get("page"))
    table = []
    for row in page:
        labels = labels_by_version[row["standard_version_id"]]
        table.append(
            {
                "row": row,
                "standard": by_pk[row["standard_version_id"]].display_title,
                "status": statuses.get(row["status"], row["status"]),
                "overall": labels.overall(
                    row["overall_percent"], row["overall_count"], row["applicable"]
                ),
                "outcome": labels.outcome(row["outcome"]),
            }
        )
    summary = selectors.portfolio_summary(rows)
    outcome_labels: dict[str, str] = {}
    for labels in labels_by_version.values():
        for code, outcome in labels.outcomes.items():
            outcome_labels.setdefault(code, outcome["label"])
    summary_outcomes = [
        {"code": code, "label": outcome_labels.get(code, code or "—"), "count": count}
        for code, count in summary["outcomes"].items()
    ]
    sort = (form.cleaned_data.get("sort") if form.is_bound and form.is_valid() else "") or "subject"
    query = request.GET.copy()
    query.pop("page", None)
    base = query.copy()
    base.pop("sort", None)
    sort_links = {}
    for key, _name in SORTABLE:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        target = f"-{key}" if current and not descending else key
        link = base.copy()
        link["sort"] = target
        sort_links[key] = {
            "url": "?" + link.urlencode(),
            "aria": ("descending" if descending else "ascending") if current else "",
        }
    may_see = grants_for(request.user).allows(policy.ASSESSMENT_VIEW, organisation.pk)
    return render(
        request,
        "assessments/portfolio.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "table": table,
            "summary": summary,
            "summary_outcomes": summary_outcomes,
            "sort_links": sort_links,
            "query": query.urlencode(),
            "csv_query": query.urlencode(),
            "may_see": may_see,
        },
    )


@require_GET
def portfolio_csv(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation, _form, rows, _versions = _portfolio_rows(request, organisation_id)
    response = HttpResponse(exports.portfolio_csv(rows), content_type="text/csv; charset=utf-8")
    name = f"portfolio-{organisation.pk}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
