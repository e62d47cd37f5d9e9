from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from weh.accounts import selectors, services
from weh.accounts.models import OrganisationType, Role
from weh.core.api_paging import Page, paginate
from weh.core.errors import NotAuthenticated

router = Router(tags=["accounts"])


class OrganisationRef(Schema):
    id: int
    name: str


class OrganisationOut(Schema):
    id: int
    name: str
    acronym: str
    type: str
    country: str
    parent: OrganisationRef | None
    website: str
    description: str


class OrganisationIn(Schema):
    name: str = Field(..., max_length=200)
    acronym: str = Field("", max_length=30)
    type: OrganisationType
    country: str = Field(..., min_length=2, max_length=2, examples=["KR"])
    parent_id: int | None = None
    website: str = Field("", max_length=200)
    description: str = ""


class OrganisationPatch(Schema):
    name: str | None = Field(None, max_length=200)
    acronym: str | None = Field(None, max_length=30)
    type: OrganisationType | None = None
    country: str | None = Field(None, min_length=2, max_length=2)
    parent_id: int | None = None
    website: str | None = Field(None, max_length=200)
    description: str | None = None


class MembershipOut(Schema):
    id: int
    user_id: int
    username: str = Field(..., alias="user.username")
    organisation: OrganisationRef
    role: str


class MembershipIn(Schema):
    user_id: int
    role: Role


class MeOut(Schema):
    id: int
    username: str
    email: str
    is_staff: bool
    memberships: list[MembershipOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field(..., max_length=100)
    expires_at: datetime | None = None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The full token. It is shown only in this response.")


def _signed_in(request: HttpRequest):  # type: ignore[no-untyped-def]
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    return request.user


@router.get("/me", response=MeOut, summary="The signed-in user and their memberships")
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = _signed_in(request)
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "is_staff": user.is_staff,
        "memberships": list(selectors.list_memberships(user=user).filter(user=user)),
    }


@router.get("/organisations", response=Page[OrganisationOut], summary="List organisations")
def list_organisations(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    country: str | None = None,
    type: OrganisationType | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    qs = selectors.list_organisations(user=request.user, country=country, type=type, text=q)
    return paginate(request, qs, limit=limit, offset=offset)


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request: HttpRequest, organisation_id: int):  # type: ignore[no-untyped-def]
    return selectors.get_organisation(user=request.user, organisation_id=organisation_id)


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn):  # type: ignore[no-untyped-def]
    organisation = services.create_organisation(actor=request.user, values=payload.model_dump())
    return Status(201, organisation)


@router.patch("/organisations/{organisation_id}", response=OrganisationOut)
def update_organisation(  # type: ignore[no-untyped-def]
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
):
    return services.update_organisation(
        actor=request.user,
        organisation_id=organisation_id,
        values=payload.model_dump(exclude_unset=True),
    )


@router.get(
    "/organisations/{organisation_id}/memberships",
    response=Page[MembershipOut],
    summary="Members of an organisation (visible to its members and the secretariat)",
)
def list_memberships(  # type: ignore[no-untyped-def]
    request: HttpRequest, organisation_id: int, limit: int = 50, offset: int = 0
):
    selectors.get_organisation(user=request.user, organisation_id=organisation_id)
    qs = selectors.list_memberships(user=request.user, organisation_id=organisation_id)
    return paginate(request, qs, limit=limit, offset=offset)


@router.post("/organisations/{organisation_id}/memberships", response={201: MembershipOut})
def add_membership(  # type: ignore[no-untyped-def]
    request: HttpRequest, organisation_id: int, payload: MembershipIn
):
    membership = services.add_membership(
        actor=request.user,
        organisation_id=organisation_id,
        user_id=payload.user_id,
        role=payload.role,
    )
    return Status(201, membership)


@router.delete("/memberships/{membership_id}", response={204: None})
def remove_membership(request: HttpRequest, membership_id: int):  # type: ignore[no-untyped-def]
    services.remove_membership(actor=request.user, membership_id=membership_id)
    return Status(204, None)


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def list_tokens(request: HttpRequest):  # type: ignore[no-untyped-def]
    return list(selectors.list_api_tokens(user=_signed_in(request)))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn):  # type: ignore[no-untyped-def]
    token, full = services.create_api_token(
        actor=_signed_in(request), name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": full})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int):  # type: ignore[no-untyped-def]
    return services.revoke_api_token(actor=_signed_in(request), token_id=token_id)
