"""The public registry in the API: recognitions, their map, one recognition, and alerts.

Reads are open to anyone (the house ``ApiAuth`` lets anonymous callers read). Filing an alert is
open to anyone too, which ``ApiAuth`` refuses for writes, so that operation has ``auth=None``:
a caller who sends a token or a session is still identified (and checked: a bad token is a 401,
a session needs its CSRF header) and recorded as the one who filed it; otherwise the alert is
anonymous. Every alert counts against a rate limit per client address.

Reads carry a strong ETag and ``Cache-Control: public, max-age=60`` and answer ``304`` to a
matching ``If-None-Match``, like the registry's pages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema, Status

from weh.core import ratelimit
from weh.core.api import ApiAuth
from weh.core.api_paging import Page, check_window, paginate
from weh.core.errors import NotFound
from weh.registry.models import SubjectKind
from weh.review import registry, services
from weh.review.views.public import (
    LANGUAGE_VARY,
    alert_rate_limit,
    client_address,
    if_none_match,
    map_response,
    not_modified,
    with_cache_headers,
)

router = Router(tags=["recognitions"])

StatusFilter = Literal["active", "suspended", "expired", "all"]
STATUS_QUERY = Query("active", description="Active by default; 'all' lists every status.")


class Coded(Schema):
    code: str
    label: str


class StandardRef(Schema):
    id: str
    version: str
    title: str


class SubjectRef(Schema):
    name: str
    kind: SubjectKind
    country: str


class RecognitionSummary(Schema):
    serial: str
    subject: SubjectRef
    standard: StandardRef
    tier: Coded
    level: Coded
    overall_percent: Decimal | None
    overall_count: int | None
    valid_from: date
    valid_until: date
    status: Literal["active", "suspended", "expired"]
    url: str = Field(..., description="The recognition's page in the registry.")


class SubjectFacts(SubjectRef):
    latitude: float | None
    longitude: float | None
    url: str | None = Field(None, description="The subject's page, when it is published.")


class CriterionScore(Schema):
    code: str
    title: str
    percent: Decimal | None
    band: str


class DecisionSummary(Schema):
    decided_on: date
    reasons: str
    committee: str


class RecognitionDetail(Schema):
    serial: str
    subject: SubjectFacts
    standard: StandardRef
    tier: Coded
    tier_description: str
    level: Coded
    overall_percent: Decimal | None
    overall_count: int | None
    criteria: list[CriterionScore]
    decision: DecisionSummary
    valid_from: date
    valid_until: date
    midterm_check_on: date | None
    status: Literal["active", "suspended", "expired"]
    url: str
    certificate: dict[str, Any] = Field(
        ..., description="The signed certificate document (format weh-certificate/1)."
    )


class AlertIn(Schema):
    body: str = Field(..., description="What is wrong, in at least 20 characters.")
    contact: str = Field("", description="An e-mail address, if you agree to be contacted.")


class AlertReceipt(Schema):
    serial: str
    state: str
    filed_at: str


def _filters(
    standard: str | None,
    tier: str | None,
    level: str | None,
    country: str | None,
    kind: SubjectKind | None,
    status: StatusFilter,
    q: str | None,
) -> registry.RegistryFilters:
    return registry.RegistryFilters.from_params(
        {
            "standard": standard,
            "tier": tier,
            "level": level,
            "country": country,
            "kind": kind.value if kind else None,
            "status": status,
            "q": q,
        }
    )


def _query_key(request: HttpRequest) -> str:
    # Every parameter, sorted: the page's next/previous links repeat them all.
    return "&".join(f"{k}={v}" for k, v in sorted(request.GET.items()))


@router.get("", response=Page[RecognitionSummary], summary="List recognitions")
def list_recognitions(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    standard: str | None = Query(None, description="Standard id, e.g. iucn-nbs."),
    tier: str | None = Query(None, description="Assurance tier code, e.g. reviewed."),
    level: str | None = Query(None, description="Level (outcome) code, e.g. gold."),
    country: str | None = Query(None, description="ISO 3166-1 alpha-2 code."),
    kind: SubjectKind | None = None,
    status: StatusFilter = STATUS_QUERY,
    q: str | None = Query(None, description="Words of the subject's name, or a serial."),
    limit: int = 50,
    offset: int = 0,
):
    check_window(limit, offset)
    filters = _filters(standard, tier, level, country, kind, status, q)
    language = get_language()
    tag = registry.registry_etag("api-list", filters, _query_key(request), language)
    if if_none_match(request, tag):
        return not_modified(tag, LANGUAGE_VARY)
    # The page is the same for every caller until a recognition changes: rendered once per
    # registry version and kept by its ETag.
    body = registry.page_bodies.get(tag)
    if body is None:
        page = paginate(
            request,
            registry.list_recognitions(filters),
            limit=limit,
            offset=offset,
            rows=registry.summary_rows,
        )
        # The rows already have the schema's shape and JSON types; rendering them as they are
        # spares ninja validating every field of every row (as the subject list does).
        from weh.core.api import api  # here: weh.core.api imports the routers

        body = api.create_response(request, page, status=200).content
        registry.page_bodies.put(tag, body)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return with_cache_headers(response, tag, LANGUAGE_VARY)


@router.get("/map", summary="The recognitions as GeoJSON points")
def recognitions_map(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    standard: str | None = None,
    tier: str | None = None,
    level: str | None = None,
    country: str | None = None,
    kind: SubjectKind | None = None,
    status: StatusFilter = "active",
    q: str | None = None,
):
    """A FeatureCollection of points: serial, name, standard, tier, level, status, url."""
    return map_response(request, _filters(standard, tier, level, country, kind, status, q))


def _detail(page: registry.RecognitionPage) -> dict[str, Any]:
    site = settings.WEH_SITE_URL
    return {
        "serial": page.serial,
        "subject": {
            "name": page.subject_name,
            "kind": page.subject_kind,
            "country": page.country,
            "latitude": page.latitude,
            "longitude": page.longitude,
            "url": (
                site + reverse("web:subject_detail", args=[page.subject_id])
                if page.subject_published
                else None
            ),
        },
        "standard": {
            "id": page.standard,
            "version": page.standard_version,
            "title": page.standard_title,
        },
        "tier": {"code": page.tier, "label": page.tier_label},
        "tier_description": page.tier_description,
        "level": {"code": page.level, "label": page.level_label},
        "overall_percent": page.overall_percent,
        "overall_count": page.overall_count,
        "criteria": [
            {
                "code": c.code,
                "title": c.title,
                "percent": Decimal(c.percent) if c.percent else None,
                "band": c.band,
            }
            for c in page.criteria
        ],
        "decision": {
            "decided_on": page.decided_at.date(),
            "reasons": page.reasons,
            "committee": page.committee,
        },
        "valid_from": page.valid_from,
        "valid_until": page.valid_until,
        "midterm_check_on": page.midterm_check_on,
        "status": page.status,
        "url": site + reverse("review:recognition", args=[page.serial]),
        "certificate": page.certificate,
    }


@router.get("/{serial}", response=RecognitionDetail, summary="One recognition")
def get_recognition(request: HttpRequest, serial: str):  # type: ignore[no-untyped-def]
    """Scores by criterion, the decision (date, reasons, committee) and the signed certificate."""
    stamp = registry.recognition_stamp(serial)
    if stamp is None:
        raise NotFound(_no_recognition())
    tag = registry.make_etag("api-detail", serial, *stamp, get_language())
    if if_none_match(request, tag):
        return not_modified(tag, LANGUAGE_VARY)
    page = registry.get_recognition(serial)
    if page is None:
        raise NotFound(_no_recognition())
    from weh.core.api import api

    return with_cache_headers(
        api.create_response(request, _detail(page), status=200), tag, LANGUAGE_VARY
    )


def _no_recognition() -> str:
    from django.utils.translation import gettext as _

    return _("No recognition has this certificate number.")


def _alert_actor(request: HttpRequest) -> Any:
    """Who files the alert: the token's or the session's user (checked as ApiAuth checks them:
    a bad token is refused, a session needs its CSRF header), else an anonymous member of the
    public."""
    if request.headers.get("Authorization") is None and not request.user.is_authenticated:
        return AnonymousUser()
    return ApiAuth()(request)


@router.post(
    "/{serial}/alerts",
    response={201: AlertReceipt},
    auth=None,
    summary="Raise a concern about a recognition (anyone)",
)
def file_alert(request: HttpRequest, serial: str, payload: AlertIn):  # type: ignore[no-untyped-def]
    """Sent to the secretariat, not published. Limited per client address (429 when exceeded)."""
    actor = _alert_actor(request)
    ratelimit.hit(f"alert:{client_address(request)}", alert_rate_limit())
    alert = services.file_alert(
        actor=actor, serial=serial, body=payload.body, contact=payload.contact.strip()
    )
    return Status(
        201,
        {"serial": serial, "state": alert.state, "filed_at": alert.filed_at.isoformat()},
    )
