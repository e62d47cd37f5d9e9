"""The REST API object: authentication, problem-detail error handlers and the routers."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from weh.core.errors import DomainError, NotAuthenticated, PermissionDenied, ValidationFailed
from weh.core.problems import problem_response


class ApiAuth(AuthBase):
    """Bearer token when an Authorization header is sent; else the session (with CSRF on writes);
    else anonymous, which sees what the public sees."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        from weh.accounts.services import authenticate_token

        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _sep, credentials = header.partition(" ")
            user = authenticate_token(credentials) if scheme.lower() == "bearer" else None
            if user is None:
                raise NotAuthenticated(
                    _("The API token is missing, malformed, revoked or expired.")
                )
            request.user = user
            return user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                error = check_csrf(request)
                if error is not None:
                    raise PermissionDenied(
                        _("CSRF check failed: send the X-CSRFToken header from the page.")
                    )
            return user
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            # The public may read; every write needs someone to answer for it.
            raise NotAuthenticated(
                _("Sign in or send an API token as 'Authorization: Bearer <token>'.")
            )
        return AnonymousUser()


def _field_path(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja reports ("body", "payload", "name"); callers only care about the field itself.
    # Drop the source, then the handler's parameter name, but never a field's own name.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
        parts.pop(0)
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters"}:
        parts.pop(0)
    return ".".join(parts)


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        message = str(error.get("msg", ""))
        if error.get("type") == "json_invalid":
            message = _("The body is not valid JSON: %(reason)s") % {
                "reason": error.get("ctx", {}).get("error", message)
            }
        out.append({"field": _field_path(error.get("loc", ())), "message": message})
    return out


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="WEH API",
        version="1",
        description=(
            "World Environmental Hubs: organisations, subjects, standards, assessments and "
            "recognitions. Errors are RFC 9457 problem details."
        ),
        urls_namespace="api",
        auth=ApiAuth(),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        status = exc.status
        headers = {}
        if isinstance(exc, PermissionDenied) and not request.user.is_authenticated:
            # Anonymous callers are told to authenticate rather than that they are refused.
            status = 401
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="weh"'
        errors = None
        if isinstance(exc, ValidationFailed):
            errors = [
                {"field": field, "message": message}
                for field, messages in exc.errors.items()
                for message in messages
            ]
        return problem_response(
            request,
            status=status,
            code=exc.code if status == exc.status else "not-authenticated",
            title=str(exc.title) if status == exc.status else _("Authentication required"),
            detail=str(exc.detail),
            errors=errors,
            headers=headers,
            extra=exc.extra,
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = _validation_errors(exc.errors)
        if any(e["field"] == "" and "JSON" in e["message"] for e in errors) or any(
            err.get("type") == "json_invalid" for err in exc.errors
        ):
            return problem_response(
                request,
                status=400,
                code="malformed",
                detail=errors[0]["message"],
                errors=errors,
            )
        return problem_response(
            request,
            status=422,
            code="validation",
            detail=_("Please correct the fields listed in 'errors'."),
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            status=401,
            code="not-authenticated",
            detail=_("Sign in or send an API token as 'Authorization: Bearer <token>'."),
            headers={"WWW-Authenticate": 'Bearer realm="weh"'},
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if exc.status_code == 400 and isinstance(cause, ValueError):
            # The body could not be parsed: say why, so the caller can fix it.
            reason = cause.msg if isinstance(cause, json.JSONDecodeError) else str(cause)
            return problem_response(
                request,
                status=400,
                code="malformed",
                detail=_("The body is not valid JSON: %(reason)s") % {"reason": reason},
            )
        return problem_response(
            request, status=exc.status_code, code=f"http-{exc.status_code}", detail=str(exc)
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem_response(
            request,
            status=413,
            code="too-large",
            detail=_("The request body is larger than the limit this server accepts."),
        )

    @api.exception_handler(json.JSONDecodeError)
    def bad_json(request: HttpRequest, exc: json.JSONDecodeError) -> HttpResponse:
        return problem_response(
            request,
            status=400,
            code="malformed",
            detail=_("The body is not valid JSON: %(reason)s") % {"reason": exc.msg},
        )

    from weh.accounts.api import router as accounts_router
    from weh.assessments.api import router as assessments_router
    from weh.notifications.api import router as notifications_router
    from weh.registry.api import router as registry_router
    from weh.standards.api import crosswalk_router
    from weh.standards.api import router as standards_router

    api.add_router("/", accounts_router)
    api.add_router("/subjects", registry_router)
    api.add_router("/standards", standards_router)
    api.add_router("/crosswalks", crosswalk_router)
    api.add_router("/assessments", assessments_router)
    api.add_router("/recognitions", "weh.review.api_public.router")
    api.add_router("/", "weh.review.api.router")
    api.add_router("/", notifications_router)
    api.add_router("/log", "weh.ledger.api.router")
    api.add_router("/funding", "weh.finance.api.router")
    return api


api = build_api()
