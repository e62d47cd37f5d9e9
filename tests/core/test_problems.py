"""Bad input to the API gets an RFC 9457 problem document with a 4xx status, never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from weh.registry.models import Subject

pytestmark = pytest.mark.django_db


def post_json(client: Client, path: str, body: object) -> object:
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def api(applicant) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(applicant)
    return client


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:weh:problem:")
    assert body["title"]
    assert body["detail"]
    return body


def test_malformed_json_is_400_with_the_parser_reason(api: Client) -> None:
    response = api.post(
        "/api/v1/subjects", data='{"kind": "jurisdiction",', content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert "not valid JSON" in body["detail"]
    assert Subject.objects.count() == 0


def test_wrong_types_name_the_fields(api: Client, organisation) -> None:  # type: ignore[no-untyped-def]
    response = post_json(
        api,
        "/api/v1/subjects",
        {"kind": "planet", "owner_id": "abc", "name": "X", "country": "KR", "population": "many"},
    )
    body = assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert {"kind", "owner_id", "population"} <= fields
    assert all(error["message"] for error in body["errors"])
    assert Subject.objects.count() == 0


def test_domain_validation_collects_every_field(api: Client, organisation) -> None:  # type: ignore[no-untyped-def]
    response = post_json(
        api,
        "/api/v1/subjects",
        {
            "kind": "jurisdiction",
            "owner_id": organisation.pk,
            "name": "",
            "country": "XX",
            "admin_level": 9,
            "iucn_category": "II",
        },
    )
    body = assert_problem(response, 422)
    by_field = {error["field"]: error["message"] for error in body["errors"]}
    assert by_field["name"] == "Enter the subject's name."
    assert "ISO 3166-1 alpha-2" in by_field["country"]
    assert by_field["admin_level"] == "Enter a number from 1 to 6."
    assert "applies only to subjects of kind" in by_field["iucn_category"]
    assert Subject.objects.count() == 0


def test_invalid_geojson_is_explained(api: Client, organisation) -> None:  # type: ignore[no-untyped-def]
    ring = [[126.5, 33.3], [126.6, 33.3], [126.6, 33.4], [126.5, 33.4]]
    response = post_json(
        api,
        "/api/v1/subjects",
        {
            "kind": "protected_area",
            "owner_id": organisation.pk,
            "name": "Hallasan",
            "country": "KR",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        },
    )
    body = assert_problem(response, 422)
    (error,) = body["errors"]
    assert error["field"] == "geometry"
    assert "coordinates[0]" in error["message"]
    assert "not closed" in error["message"]
    assert Subject.objects.count() == 0


def test_latitude_out_of_range_names_the_position(api: Client, organisation) -> None:  # type: ignore[no-untyped-def]
    ring = [[126.5, 33.3], [126.6, 95.0], [126.6, 33.4], [126.5, 33.3]]
    response = post_json(
        api,
        "/api/v1/subjects",
        {
            "kind": "protected_area",
            "owner_id": organisation.pk,
            "name": "H",
            "country": "KR",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        },
    )
    (error,) = assert_problem(response, 422)["errors"]
    assert "coordinates[0][1]" in error["message"]
    assert "95" in error["message"]


def test_unknown_ids_are_404(api: Client) -> None:
    assert_problem(api.get("/api/v1/subjects/999999"), 404)
    assert_problem(api.get("/api/v1/organisations/999999"), 404)
    body = assert_problem(
        api.patch("/api/v1/subjects/999999", data="{}", content_type="application/json"), 404
    )
    assert body["instance"] == "/api/v1/subjects/999999"


def test_non_numeric_id_in_path_is_a_4xx_problem(api: Client) -> None:
    response = api.get("/api/v1/subjects/abc")
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_oversize_body_is_413(api: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(
        "/api/v1/subjects",
        data=json.dumps({"name": "x" * 5000}),
        content_type="application/json",
    )
    body = assert_problem(response, 413)
    assert "larger than the limit" in body["detail"]


def test_unknown_route_and_wrong_method_are_problems(api: Client) -> None:
    body = assert_problem(api.get("/api/v1/no-such-thing"), 404)
    assert "/api/v1/docs" in body["detail"]
    response = api.put("/api/v1/subjects", data="{}", content_type="application/json")
    body = assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_bad_paging_window(api: Client) -> None:
    body = assert_problem(api.get("/api/v1/subjects?limit=100000"), 422)
    assert body["errors"] == [{"field": "limit", "message": "Use a limit from 1 to 200."}]
    body = assert_problem(api.get("/api/v1/subjects?offset=-1"), 422)
    assert body["errors"][0]["field"] == "offset"


def test_session_writes_need_the_csrf_token(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = post_json(
        client,
        "/api/v1/subjects",
        {"kind": "jurisdiction", "owner_id": organisation.pk, "name": "Jeju", "country": "KR"},
    )
    body = assert_problem(response, 403)
    assert "CSRF" in body["detail"]
    assert Subject.objects.count() == 0


def test_anonymous_writes_ask_for_authentication() -> None:
    response = post_json(Client(), "/api/v1/subjects", {})
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
