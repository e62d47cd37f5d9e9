from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from weh.core.api_paging import Page, paginate
from weh.registry import selectors, services
from weh.registry.models import (
    Ecosystem,
    GovernanceType,
    IucnCategory,
    SocietalChallenge,
    SubjectKind,
    SubjectStatus,
)

router = Router(tags=["subjects"])

LIST_FIELDS = (
    "id",
    "kind",
    "status",
    "name",
    "names",
    "country",
    "owner_id",
    "owner__name",
    "subdivision_code",
    "admin_level",
    "population",
    "area_km2",
    "iucn_category",
    "designation",
    "geometry_kind",
    "geometry_area_km2",
    "centroid_lon",
    "centroid_lat",
    "updated_at",
)


class OwnerRef(Schema):
    id: int
    name: str


class SubjectSummary(Schema):
    id: int
    kind: SubjectKind
    status: SubjectStatus
    name: str
    names: dict[str, str]
    country: str
    owner: OwnerRef
    subdivision_code: str
    admin_level: int | None
    population: int | None
    area_km2: Decimal | None
    iucn_category: str
    designation: str
    geometry_kind: str
    geometry_area_km2: float | None
    centroid: list[float] | None = Field(None, description="[longitude, latitude]")
    updated_at: datetime


class SubjectDetail(SubjectSummary):
    description: str
    governance_type: str
    wdpa_id: int | None
    societal_challenges: list[str]
    ecosystems: list[str]
    start_date: date | None
    budget: Decimal | None
    budget_currency: str
    geometry: dict[str, Any] | None
    bbox: list[float] | None
    created_at: datetime


class SubjectIn(Schema):
    kind: SubjectKind
    owner_id: int
    name: str = Field(..., max_length=200)
    names: dict[str, str] = Field(default_factory=dict, examples=[{"fr": "…", "zh": "…"}])
    description: str = ""
    country: str = Field(..., examples=["KR"])
    subdivision_code: str = ""
    admin_level: int | None = None
    population: int | None = None
    area_km2: Decimal | None = None
    iucn_category: IucnCategory | None = None
    governance_type: GovernanceType | None = None
    designation: str = ""
    wdpa_id: int | None = None
    societal_challenges: list[SocietalChallenge] = Field(default_factory=list)
    ecosystems: list[Ecosystem] = Field(default_factory=list)
    start_date: date | None = None
    budget: Decimal | None = None
    budget_currency: str = ""
    geometry: dict[str, Any] | None = Field(
        None, description="GeoJSON Polygon, MultiPolygon or Point in WGS 84 (lon, lat)."
    )


class SubjectPatch(Schema):
    owner_id: int | None = None
    name: str | None = Field(None, max_length=200)
    names: dict[str, str] | None = None
    description: str | None = None
    country: str | None = None
    subdivision_code: str | None = None
    admin_level: int | None = None
    population: int | None = None
    area_km2: Decimal | None = None
    iucn_category: IucnCategory | None = None
    governance_type: GovernanceType | None = None
    designation: str | None = None
    wdpa_id: int | None = None
    societal_challenges: list[SocietalChallenge] | None = None
    ecosystems: list[Ecosystem] | None = None
    start_date: date | None = None
    budget: Decimal | None = None
    budget_currency: str | None = None
    geometry: dict[str, Any] | None = None


def _summary_rows(page: Any) -> list[dict[str, Any]]:
    """The page's rows as SubjectSummary dicts: the schema's keys in its order, its value types."""
    rows = []
    for (
        pk,
        kind,
        status,
        name,
        names,
        country,
        owner_id,
        owner_name,
        subdivision_code,
        admin_level,
        population,
        area_km2,
        iucn_category,
        designation,
        geometry_kind,
        geometry_area_km2,
        lon,
        lat,
        updated_at,
    ) in page.values_list(*LIST_FIELDS):
        rows.append(
            {
                "id": pk,
                "kind": kind,
                "status": status,
                "name": name,
                "names": names,
                "country": country,
                "owner": {"id": owner_id, "name": owner_name},
                "subdivision_code": subdivision_code,
                "admin_level": admin_level,
                "population": population,
                "area_km2": area_km2,
                "iucn_category": iucn_category,
                "designation": designation,
                "geometry_kind": geometry_kind,
                "geometry_area_km2": geometry_area_km2,
                "centroid": [lon, lat] if lon is not None else None,
                "updated_at": updated_at,
            }
        )
    return rows


def _detail(subject: Any) -> dict[str, Any]:
    data = {
        field: getattr(subject, field)
        for field in SubjectDetail.model_fields
        if hasattr(subject, field) and field not in {"owner", "centroid"}
    }
    data["owner"] = {"id": subject.owner_id, "name": subject.owner.name}
    data["centroid"] = (
        [subject.centroid_lon, subject.centroid_lat] if subject.centroid_lon is not None else None
    )
    return data


def _values(payload: Schema, *, partial: bool) -> dict[str, Any]:
    values = payload.model_dump(exclude_unset=partial, mode="python")
    for key in ("iucn_category", "governance_type"):
        if key in values and values[key] is None:
            values[key] = ""
    for key in ("societal_challenges", "ecosystems"):
        if key in values and values[key] is not None:
            values[key] = [str(v) for v in values[key]]
    return {k: (str(v) if hasattr(v, "value") else v) for k, v in values.items()}


@router.get("", response=Page[SubjectSummary], summary="List subjects")
def list_subjects(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    country: str | None = None,
    kind: SubjectKind | None = None,
    owner: int | None = None,
    status: SubjectStatus | None = None,
    q: str | None = Query(None, description="Words that must all appear in a name."),
    limit: int = 50,
    offset: int = 0,
):
    qs = selectors.list_subjects(
        user=request.user, country=country, kind=kind, owner_id=owner, status=status, text=q
    )
    page = paginate(request, qs, limit=limit, offset=offset, rows=_summary_rows)
    # The rows already have the schema's shape and types, so they are rendered as they are:
    # ninja would otherwise re-validate every field of every row, which costs more than the
    # queries. The response schema above still documents the endpoint.
    from weh.core.api import api  # here: weh.core.api imports this module

    return api.create_response(request, page, status=200)


@router.get("/{subject_id}", response=SubjectDetail, summary="One subject, with its geometry")
def get_subject(request: HttpRequest, subject_id: int):  # type: ignore[no-untyped-def]
    return _detail(selectors.get_subject(user=request.user, subject_id=subject_id))


@router.post("", response={201: SubjectDetail}, summary="Register a subject (as a draft)")
def create_subject(request: HttpRequest, payload: SubjectIn):  # type: ignore[no-untyped-def]
    subject = services.create_subject(actor=request.user, values=_values(payload, partial=False))
    return Status(201, _detail(subject))


@router.patch("/{subject_id}", response=SubjectDetail, summary="Change some fields")
def update_subject(  # type: ignore[no-untyped-def]
    request: HttpRequest, subject_id: int, payload: SubjectPatch
):
    subject = services.update_subject(
        actor=request.user, subject_id=subject_id, values=_values(payload, partial=True)
    )
    return _detail(subject)


@router.post("/{subject_id}/publish", response=SubjectDetail, summary="Publish in the registry")
def publish_subject(request: HttpRequest, subject_id: int):  # type: ignore[no-untyped-def]
    return _detail(services.publish_subject(actor=request.user, subject_id=subject_id))


@router.post("/{subject_id}/withdraw", response=SubjectDetail, summary="Withdraw to draft")
def withdraw_subject(request: HttpRequest, subject_id: int):  # type: ignore[no-untyped-def]
    return _detail(services.withdraw_subject(actor=request.user, subject_id=subject_id))


@router.delete("/{subject_id}", response={204: None}, summary="Delete a subject")
def delete_subject(request: HttpRequest, subject_id: int):  # type: ignore[no-untyped-def]
    services.delete_subject(actor=request.user, subject_id=subject_id)
    return Status(204, None)
