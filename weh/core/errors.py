"""Domain errors. Services raise them; one handler per interface turns them into a response.

Each error carries an HTTP status, a stable code and a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise


class DomainError(Exception):
    status = 400
    code = "invalid"
    title: Message = _("The request cannot be carried out")

    def __init__(self, detail: Message | None = None) -> None:
        self.detail = detail or self.title
        # Extra members for the problem document (RFC 9457 allows extensions).
        self.extra: dict[str, object] = {}
        super().__init__(str(self.detail))


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = _("Not found")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    title = _("Not allowed")


class NotAuthenticated(DomainError):
    status = 401
    code = "not-authenticated"
    title = _("Authentication required")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = _("Conflict with the current state")


class RateLimited(DomainError):
    status = 429
    code = "rate-limited"
    title = _("Too many requests")


class ValidationFailed(DomainError):
    """Field-level errors: ``errors`` maps a field name ('' for the whole record) to messages."""

    status = 422
    code = "validation"
    title = _("Some values are not valid")

    def __init__(
        self, errors: Mapping[str, Sequence[Message]], detail: Message | None = None
    ) -> None:
        self.errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
        super().__init__(detail or _("Please correct the fields listed in 'errors'."))
