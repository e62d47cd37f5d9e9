"""The caller's notices and notification settings. Every endpoint needs a signed-in caller."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from weh.accounts.models import User
from weh.core.api_paging import Page, paginate
from weh.core.errors import NotAuthenticated
from weh.notifications import selectors, services

router = Router(tags=["notifications"])


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    title: str
    body: str
    url: str = Field(..., description="A path on this site; empty when there is nothing to open.")
    created_at: datetime
    read_at: datetime | None


class MarkedOut(Schema):
    marked: int = Field(..., description="How many notices were unread and are now read.")


class PreferenceOut(Schema):
    kind: str
    label: str
    description: str
    in_app: bool
    email: bool


class PreferenceIn(Schema):
    kind: str = Field(..., max_length=30, examples=["decision"])
    in_app: bool
    email: bool


class PreferencesOut(Schema):
    preferences: list[PreferenceOut]


class PreferencesIn(Schema):
    preferences: list[PreferenceIn] = Field(
        ..., description="The kinds to change; kinds not listed keep their current setting."
    )


def _signed_in(request: HttpRequest) -> User:
    # ApiAuth lets anonymous callers read public data; notices are never public.
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    return request.user  # type: ignore[return-value]


def _preferences(user: User) -> dict[str, list[dict[str, object]]]:
    return {"preferences": [row._asdict() for row in selectors.preferences_for(user)]}


@router.get("/notices", response=Page[NoticeOut], summary="Your notices, newest first")
def list_notices(  # type: ignore[no-untyped-def]
    request: HttpRequest, unread: bool = False, limit: int = 50, offset: int = 0
):
    qs = selectors.notices_for(_signed_in(request), unread_only=unread)
    return paginate(request, qs, limit=limit, offset=offset)


@router.post("/notices/read-all", response=MarkedOut, summary="Mark all your notices read")
def read_all(request: HttpRequest):  # type: ignore[no-untyped-def]
    return {"marked": services.mark_all_read(actor=_signed_in(request))}


@router.get(
    "/notices/preferences", response=PreferencesOut, summary="How you are told of each kind"
)
def get_preferences(request: HttpRequest):  # type: ignore[no-untyped-def]
    return _preferences(_signed_in(request))


@router.put(
    "/notices/preferences", response=PreferencesOut, summary="Change how you are told of kinds"
)
def put_preferences(request: HttpRequest, payload: PreferencesIn):  # type: ignore[no-untyped-def]
    user = _signed_in(request)
    services.set_preferences(
        actor=user,
        choices={item.kind: (item.in_app, item.email) for item in payload.preferences},
    )
    return _preferences(user)


@router.post("/notices/{notice_id}/read", response=NoticeOut, summary="Mark one notice read")
def read(request: HttpRequest, notice_id: int):  # type: ignore[no-untyped-def]
    return services.mark_read(actor=_signed_in(request), notice_id=notice_id)
