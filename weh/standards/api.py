from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from weh.core.errors import NotFound
from weh.standards import selectors

router = Router(tags=["standards"])


class StandardSummary(Schema):
    key: str
    standard_id: str
    version: str
    title: dict[str, str]
    publisher: dict[str, str]
    applies_to: list[str]
    criteria: int
    indicators: int


class StandardDetail(StandardSummary):
    definition: dict[str, Any]


class CrosswalkLinkOut(Schema):
    source: str
    target: str
    strength: str
    note: str


class CrosswalkOut(Schema):
    id: str
    source: str
    target: str
    description: dict[str, str]
    links: list[CrosswalkLinkOut]


def _summary(version: Any) -> dict[str, Any]:
    definition = version.parsed()
    return {
        "key": version.key,
        "standard_id": version.standard_id,
        "version": version.version,
        "title": version.title,
        "publisher": version.publisher,
        "applies_to": version.applies_to,
        "criteria": len(definition.all_criteria()),
        "indicators": len(definition.indicators()),
    }


@router.get("", response=list[StandardSummary], auth=None, summary="Standard versions loaded")
def list_standards(request: HttpRequest, applies_to: str | None = None):  # type: ignore[no-untyped-def]
    return [_summary(v) for v in selectors.list_standard_versions(applies_to=applies_to)]


@router.get(
    "/{standard_id}/{version}",
    response=StandardDetail,
    auth=None,
    summary="One standard version with its whole hierarchy, scale, scoring rules and outcomes",
)
def get_standard(request: HttpRequest, standard_id: str, version: str):  # type: ignore[no-untyped-def]
    try:
        found = selectors.get_standard_version(f"{standard_id}@{version}")
    except LookupError as error:
        raise NotFound(str(error)) from None
    return {**_summary(found), "definition": found.definition}


crosswalk_router = Router(tags=["standards"])


@crosswalk_router.get("", response=list[CrosswalkOut], auth=None, summary="Crosswalks")
def list_crosswalks(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [
        {
            "id": crosswalk.crosswalk_id,
            "source": crosswalk.source.key,
            "target": crosswalk.target.key,
            "description": crosswalk.description,
            "links": [
                {
                    "source": link.source.code,
                    "target": link.target.code,
                    "strength": link.strength,
                    "note": link.note,
                }
                for link in selectors.crosswalk_links(crosswalk)
            ],
        }
        for crosswalk in selectors.list_crosswalks()
    ]
