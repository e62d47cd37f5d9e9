"""The subject list and detail endpoints: filters, pagination, and a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import SQUARE, OrganisationFactory, SubjectFactory
from weh.registry.models import SubjectKind, SubjectStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(organisation):  # type: ignore[no-untyped-def]
    other = OrganisationFactory(name="Barcelona City Council", country="ES")
    SubjectFactory(
        owner=organisation,
        name="Jeju Special Self-Governing Province",
        country="KR",
        search_text="jeju special self-governing province 济州 kr",
    )
    SubjectFactory(
        owner=organisation,
        name="Hallasan National Park",
        country="KR",
        kind=SubjectKind.PROTECTED_AREA,
        search_text="hallasan national park kr",
        geometry=SQUARE,
        geometry_kind="Polygon",
        centroid_lon=126.55,
        centroid_lat=33.35,
    )
    SubjectFactory(owner=other, name="Barcelona", country="ES", search_text="barcelona es")
    SubjectFactory(
        owner=other,
        name="Barcelona green roofs",
        country="ES",
        kind=SubjectKind.NBS_INTERVENTION,
        status=SubjectStatus.DRAFT,
        search_text="barcelona green roofs es",
    )
    return {"owner": organisation, "other": other}


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["name"] for row in response.json()["results"]]


def test_filters(registry) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert names(client.get("/api/v1/subjects?country=kr")) == [
        "Hallasan National Park",
        "Jeju Special Self-Governing Province",
    ]
    assert names(client.get("/api/v1/subjects?kind=protected_area")) == ["Hallasan National Park"]
    assert names(client.get(f"/api/v1/subjects?owner={registry['other'].pk}")) == ["Barcelona"]
    assert names(client.get("/api/v1/subjects?q=济州")) == ["Jeju Special Self-Governing Province"]
    assert names(client.get("/api/v1/subjects?q=NATIONAL park")) == ["Hallasan National Park"]
    # The draft is not public.
    assert names(client.get("/api/v1/subjects?q=barcelona")) == ["Barcelona"]


def test_list_rows_carry_summary_not_geometry(registry) -> None:  # type: ignore[no-untyped-def]
    row = Client().get("/api/v1/subjects?kind=protected_area").json()["results"][0]
    assert "geometry" not in row
    assert row["centroid"] == [126.55, 33.35]
    assert row["owner"] == {"id": registry["owner"].pk, "name": registry["owner"].name}
    detail = Client().get(f"/api/v1/subjects/{row['id']}").json()
    assert detail["geometry"] == SQUARE


def test_pagination_links(registry) -> None:  # type: ignore[no-untyped-def]
    body = Client().get("/api/v1/subjects?limit=2").json()
    assert body["count"] == 3
    assert body["next"] == "/api/v1/subjects?limit=2&offset=2"
    assert body["previous"] is None
    second = Client().get(body["next"]).json()
    assert [r["name"] for r in second["results"]] == ["Jeju Special Self-Governing Province"]
    assert second["next"] is None
    assert second["previous"] == "/api/v1/subjects?limit=2&offset=0"


@pytest.mark.parametrize("signed_in", [False, True])
def test_query_count_does_not_grow_with_page_size(organisation, applicant, signed_in: bool) -> None:  # type: ignore[no-untyped-def]
    for i in range(60):
        SubjectFactory(owner=OrganisationFactory() if i % 2 else organisation, name=f"S{i:03d}")
    client = Client()
    if signed_in:
        client.force_login(applicant)
    counts = []
    for limit in (5, 50, 200):
        client.get("/api/v1/subjects?limit=1")  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/subjects?limit={limit}")
        assert len(response.json()["results"]) == min(limit, 60)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    # anonymous: count + page; signed in: + session + user + memberships.
    assert counts[0] == (5 if signed_in else 2)


def test_list_rows_match_the_published_schema(registry) -> None:  # type: ignore[no-untyped-def]
    """The list renders its rows without re-validating them; they must still fit the schema."""
    from weh.registry.api import SubjectSummary

    rows = Client().get("/api/v1/subjects?limit=200").json()["results"]
    assert rows
    for row in rows:
        assert list(row) == list(SubjectSummary.model_fields)
        validated = SubjectSummary.model_validate(row).model_dump(mode="json")
        # Django's encoder writes milliseconds, pydantic microseconds: compare the instants.
        assert datetime.fromisoformat(validated.pop("updated_at")) == datetime.fromisoformat(
            row.pop("updated_at")
        )
        assert validated == row
