"""The public registry in the API: list (filters, paging), map, one recognition, alerts; open to
anyone, with validators and problem documents."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, SubjectFactory, UserFactory
from tests.review.factories import (  # noqa: F401 - fixtures
    RecognitionFactory,
    catalog,
    fresh_registry,
)
from weh.accounts.services import create_api_token
from weh.core.signing import certificate_public_keys
from weh.review.certificate import verify_certificate
from weh.review.models import Alert, Recognition

# Served once weh/core/api.py registers the router:
#     api.add_router("/recognitions", "weh.review.api_public.router")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog", "fresh_registry")]

API = "/api/v1/recognitions"


def recognition(
    name: str, *, country: str = "KR", valid_from: date, **values: object
) -> Recognition:
    subject = SubjectFactory(name=name, country=country, centroid_lat=37.5, centroid_lon=127.0)
    return RecognitionFactory(subject=subject, valid_from=valid_from, **values)


@pytest.fixture
def recognitions() -> dict[str, Recognition]:
    return {
        "jeju": recognition("Jeju", valid_from=date(2026, 6, 1), tier="reviewed"),
        "busan": recognition(
            "Busan Coastal Wetland",
            valid_from=date(2026, 5, 1),
            standard_key="iucn-nbs@1.0",
            tier="self_assessed",
            level="adherent",
            committee="NbS committee",
        ),
        "lyon": recognition("Lyon", country="FR", valid_from=date(2026, 4, 1), status="suspended"),
        "nice": recognition("Nice", country="FR", valid_from=date(2019, 1, 1), status="expired"),
    }


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [row["subject"]["name"] for row in response.json()["results"]]


def get(url: str, **headers: str):  # type: ignore[no-untyped-def]
    return Client().get(url, headers=headers)


# --- the list ---------------------------------------------------------------------------------


def test_list_is_public_active_and_newest_first(recognitions) -> None:  # type: ignore[no-untyped-def]
    assert names(get(API)) == ["Jeju", "Busan Coastal Wetland"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=all", ["Jeju", "Busan Coastal Wetland", "Lyon", "Nice"]),
        ("?status=suspended", ["Lyon"]),
        ("?status=expired", ["Nice"]),
        ("?standard=iucn-nbs", ["Busan Coastal Wetland"]),
        ("?tier=reviewed&status=all", ["Jeju", "Lyon", "Nice"]),
        ("?level=adherent", ["Busan Coastal Wetland"]),
        ("?country=fr&status=all", ["Lyon", "Nice"]),
        ("?kind=jurisdiction", ["Jeju", "Busan Coastal Wetland"]),
        ("?kind=protected_area", []),
        ("?q=coastal+BUSAN", ["Busan Coastal Wetland"]),
    ],
)
def test_list_filters(recognitions, query, expected) -> None:  # type: ignore[no-untyped-def]
    assert names(get(API + query)) == expected


def test_list_finds_a_certificate_number(recognitions) -> None:  # type: ignore[no-untyped-def]
    serial = recognitions["lyon"].serial
    assert names(get(f"{API}?status=all&q={serial}")) == ["Lyon"]


def test_list_rows(recognitions) -> None:  # type: ignore[no-untyped-def]
    busan = recognitions["busan"]
    row = get(API + "?standard=iucn-nbs").json()["results"][0]
    assert row == {
        "serial": busan.serial,
        "subject": {"name": "Busan Coastal Wetland", "kind": "jurisdiction", "country": "KR"},
        "standard": {"id": "iucn-nbs", "version": "1.0", "title": "IUCN NbS Standard"},
        "tier": {"code": "self_assessed", "label": "Self-assessed"},
        "level": {"code": "adherent", "label": "Adheres to the Standard"},
        "overall_percent": "82.500",
        "overall_count": None,
        "valid_from": "2026-05-01",
        "valid_until": "2031-05-01",
        "status": "active",
        "url": f"{settings.WEH_SITE_URL}/recognitions/{busan.serial}/",
    }


def test_list_labels_follow_the_language(recognitions) -> None:  # type: ignore[no-untyped-def]
    row = get(API + "?standard=iucn-nbs", **{"Accept-Language": "fr"}).json()["results"][0]
    assert row["tier"]["label"] == "Auto-évalué"
    assert row["level"]["label"] == "Conforme au Standard"


def test_list_pages_by_limit_and_offset(recognitions) -> None:  # type: ignore[no-untyped-def]
    body = get(API + "?status=all&limit=3").json()
    assert body["count"] == 4
    assert len(body["results"]) == 3
    assert body["next"] == f"{API}?limit=3&offset=3&status=all"
    assert body["previous"] is None
    rest = get(API + "?status=all&limit=3&offset=3").json()
    assert [r["subject"]["name"] for r in rest["results"]] == ["Nice"]
    assert rest["next"] is None


@pytest.mark.parametrize(
    "query", ["?limit=0", "?limit=201", "?offset=-1", "?status=bogus", "?kind=city"]
)
def test_list_refuses_bad_parameters(recognitions, query) -> None:  # type: ignore[no-untyped-def]
    response = get(API + query)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:weh:problem:validation"


def test_list_has_validators(recognitions) -> None:  # type: ignore[no-untyped-def]
    first = get(API)
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    assert get(API)["ETag"] == etag
    unchanged = get(API, **{"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert get(API + "?limit=1")["ETag"] != etag
    assert get(API, **{"Accept-Language": "fr"})["ETag"] != etag
    lyon = recognitions["lyon"]
    lyon.status = "active"
    lyon.save()
    changed = get(API, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert names(changed) == ["Jeju", "Busan Coastal Wetland", "Lyon"]


def test_list_with_a_token_is_the_same_list(recognitions) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    _token, secret = create_api_token(actor=user, name="test")
    response = get(API, Authorization=f"Bearer {secret}")
    assert names(response) == ["Jeju", "Busan Coastal Wetland"]
    assert get(API, Authorization="Bearer nonsense").status_code == 401


def test_list_reads_few_queries(recognitions, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(5):
        assert len(names(get(API + "?status=all"))) == 4


# --- the map ----------------------------------------------------------------------------------


def test_map_is_geojson_under_the_filters(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = get(API + "/map?status=all&country=FR")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    document = response.json()
    assert document["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in document["features"]] == ["Lyon", "Nice"]
    assert document["features"][0]["properties"]["status"] == "suspended"
    assert document["features"][0]["geometry"] == {"type": "Point", "coordinates": [127.0, 37.5]}
    packed = get(API + "/map", **{"Accept-Encoding": "gzip"})
    assert json.loads(gzip.decompress(packed.content))["type"] == "FeatureCollection"
    assert get(API + "/map", **{"If-None-Match": get(API + "/map")["ETag"]}).status_code == 304


# --- one recognition --------------------------------------------------------------------------


def test_detail_with_scores_decision_and_certificate(recognitions) -> None:  # type: ignore[no-untyped-def]
    busan = recognitions["busan"]
    response = get(f"{API}/{busan.serial}")
    assert response.status_code == 200
    body = response.json()
    assert body["serial"] == busan.serial
    assert body["subject"]["name"] == "Busan Coastal Wetland"
    assert body["subject"]["url"].endswith(f"/subjects/{busan.subject_id}/")
    assert body["tier"] == {"code": "self_assessed", "label": "Self-assessed"}
    assert body["tier_description"]
    assert body["level"]["label"] == "Adheres to the Standard"
    assert body["criteria"][0] == {
        "code": "C1",
        "title": "Addresses societal challenges effectively",
        "percent": "77.5",
        "band": body["criteria"][0]["band"],
    }
    assert len(body["criteria"]) == 8
    assert body["decision"] == {
        "decided_on": busan.decision.decided_at.date().isoformat(),
        "reasons": busan.decision.reasons,
        "committee": "NbS committee",
    }
    assert body["valid_until"] == "2031-05-01"
    assert body["midterm_check_on"] == "2028-05-01"
    statement = verify_certificate(body["certificate"], certificate_public_keys())
    assert statement["certificate_id"] == busan.serial
    # Nobody's identity: neither who decided nor who coordinated the assessment.
    text = response.content.decode()
    assert busan.decision.decided_by.username not in text
    assert busan.assessment.coordinator.username not in text
    assert get(f"{API}/{busan.serial}", **{"If-None-Match": response["ETag"]}).status_code == 304


def test_detail_of_an_unknown_serial_is_a_problem(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = get(f"{API}/WEH-NOSUCH")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:weh:problem:not-found"


# --- alerts -----------------------------------------------------------------------------------

CONCERN = {"body": "The mangrove belt was cleared for a marina last month.", "contact": ""}


def post_alert(serial: str, payload: dict, client: Client | None = None, **headers: str):  # type: ignore[no-untyped-def,type-arg]
    return (client or Client()).post(
        f"{API}/{serial}/alerts",
        json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )


def test_anyone_files_an_alert(recognitions) -> None:  # type: ignore[no-untyped-def]
    busan = recognitions["busan"]
    response = post_alert(busan.serial, {**CONCERN, "contact": "diver@example.org"})
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "open"
    alert = Alert.objects.get()
    assert alert.recognition == busan
    assert alert.filed_by is None
    assert alert.contact == "diver@example.org"


def test_a_token_holder_is_recorded(recognitions) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    _token, secret = create_api_token(actor=user, name="test")
    response = post_alert(recognitions["jeju"].serial, CONCERN, Authorization=f"Bearer {secret}")
    assert response.status_code == 201
    assert Alert.objects.get().filed_by == user
    refused = post_alert(recognitions["jeju"].serial, CONCERN, Authorization="Bearer nonsense")
    assert refused.status_code == 401


def test_a_session_needs_its_csrf_header(recognitions) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=PASSWORD)
    refused = post_alert(recognitions["jeju"].serial, CONCERN, client)
    assert refused.status_code == 403
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "Too short."}, "body"),
        ({"body": CONCERN["body"], "contact": "not an address"}, "contact"),
        # Missing: ninja's own validation names the field, even one called "body".
        ({"contact": "x@example.org"}, "body"),
    ],
)
def test_alert_validation_is_a_422_problem(recognitions, payload, field) -> None:  # type: ignore[no-untyped-def]
    response = post_alert(recognitions["jeju"].serial, payload)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:weh:problem:validation"
    assert field in {error["field"] for error in problem["errors"]}
    assert not Alert.objects.exists()


def test_alerts_are_rate_limited(recognitions, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_ALERT_RATE_LIMIT = "2/h"
    serial = recognitions["jeju"].serial
    assert post_alert(serial, CONCERN).status_code == 201
    assert post_alert(serial, CONCERN).status_code == 201
    refused = post_alert(serial, CONCERN)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:weh:problem:rate-limited"
    assert Alert.objects.count() == 2


def test_alert_about_an_unknown_serial_is_404(recognitions) -> None:  # type: ignore[no-untyped-def]
    assert post_alert("WEH-NOSUCH", CONCERN).status_code == 404
