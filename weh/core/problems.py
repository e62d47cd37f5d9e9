"""RFC 9457 problem details: the one shape of every API error."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger("weh.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict with the current state",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Some values are not valid",
    429: "Too many requests",
    500: "Internal error",
}


def problem_type(code: str) -> str:
    """A stable URI naming the kind of problem; docs/api.md lists them."""
    return f"urn:weh:problem:{code}"


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    title: str | None = None,
    detail: str | None = None,
    errors: Iterable[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title or _(_TITLES.get(status, "Error")),
        "status": status,
        "detail": detail or title or _(_TITLES.get(status, "Error")),
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = list(errors)
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


class ApiProblemMiddleware:
    """Turns any error under /api/ that is not already a problem document into one.

    Covers what happens outside the API's own handlers: unknown routes, wrong methods, request
    bodies over the size limit, and (logged, without internals) unexpected exceptions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith(PROBLEM_CONTENT_TYPE):
            return response
        status = response.status_code
        detail = None
        if status == 404:
            detail = _("There is no API resource at %(path)s. See /api/v1/docs.") % {
                "path": request.path
            }
        elif status == 405:
            detail = _("%(method)s is not allowed here; allowed: %(allowed)s.") % {
                "method": request.method,
                "allowed": response.headers.get("Allow", ""),
            }
        elif status == 413:
            detail = _("The request body is larger than the limit this server accepts.")
        elif status >= 500:
            detail = _("Something went wrong on the server. The error has been logged.")
        problem = problem_response(request, status=status, code=f"http-{status}", detail=detail)
        if "Allow" in response.headers:
            problem["Allow"] = response.headers["Allow"]
        return problem

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        from django.core.exceptions import RequestDataTooBig

        if isinstance(exception, RequestDataTooBig):
            return problem_response(
                request,
                status=413,
                code="too-large",
                detail=_("The request body is larger than the limit this server accepts."),
            )
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return problem_response(
            request,
            status=500,
            code="internal",
            detail=_("Something went wrong on the server. The error has been logged."),
        )
