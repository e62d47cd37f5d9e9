"""Limit/offset pagination for API lists: two queries per page whatever its size."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Schema

from weh.core.errors import ValidationFailed

T = TypeVar("T")


class Page(Schema, Generic[T]):
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    results: list[T]


def _link(request: HttpRequest, offset: int, limit: int) -> str:
    params = request.GET.copy()
    params["offset"] = str(offset)
    params["limit"] = str(limit)
    return f"{request.path}?{urlencode(sorted(params.items()))}"


def check_window(limit: int, offset: int) -> None:
    errors: dict[str, list[str]] = {}
    if not 1 <= limit <= settings.WEH_API_PAGE_SIZE_MAX:
        errors["limit"] = [
            _("Use a limit from 1 to %(max)d.") % {"max": settings.WEH_API_PAGE_SIZE_MAX}
        ]
    if offset < 0:
        errors["offset"] = [_("The offset cannot be negative.")]
    if errors:
        raise ValidationFailed(errors)


def paginate(
    request: HttpRequest, qs: QuerySet[Any], *, limit: int, offset: int, rows: Any = None
) -> dict[str, Any]:
    """One page of ``qs``; ``rows`` may turn the page's queryset into other row objects."""
    check_window(limit, offset)
    count = qs.count()
    page = qs[offset : offset + limit]
    results = list(rows(page) if rows is not None else page)
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": _link(request, offset + limit, limit) if offset + limit < count else None,
        "previous": _link(request, max(offset - limit, 0), limit) if offset > 0 else None,
        "results": results,
    }
