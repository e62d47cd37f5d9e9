"""The notices API: the caller's own notices and settings, problem documents for mistakes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from weh.notifications import selectors
from weh.notifications.models import Notice, NoticeKind

# The router is not registered in weh/core/api.py yet; this URLconf serves it under /api/v1/.
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def put(client: Client, body: object):  # type: ignore[no-untyped-def]
    return client.put(
        "/api/v1/notices/preferences", data=json.dumps(body), content_type="application/json"
    )


def make(user, count: int) -> list[Notice]:  # type: ignore[no-untyped-def]
    return [
        Notice.objects.create(user=user, kind=NoticeKind.SUBMISSION, title=f"Submitted {i}")
        for i in range(count)
    ]


def test_list_pages_through_ones_own_notices(applicant, outsider) -> None:  # type: ignore[no-untyped-def]
    notices = make(applicant, 5)
    make(outsider, 2)
    client = signed_in(applicant)
    first = client.get("/api/v1/notices?limit=2").json()
    assert first["count"] == 5
    assert [n["title"] for n in first["results"]] == ["Submitted 4", "Submitted 3"]
    assert first["results"][0]["kind_label"] == "Assessment submitted"
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [n["title"] for n in second["results"]] == ["Submitted 2", "Submitted 1"]

    client.post(f"/api/v1/notices/{notices[4].pk}/read")
    unread = client.get("/api/v1/notices?unread=true").json()
    assert unread["count"] == 4
    assert notices[4].pk not in [n["id"] for n in unread["results"]]


def test_list_refuses_a_bad_window(applicant) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(applicant).get("/api/v1/notices?limit=0")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_read_one_and_all(applicant, outsider) -> None:  # type: ignore[no-untyped-def]
    mine = make(applicant, 3)
    client = signed_in(applicant)
    body = client.post(f"/api/v1/notices/{mine[0].pk}/read").json()
    assert body["id"] == mine[0].pk
    assert body["read_at"] is not None
    assert client.post("/api/v1/notices/read-all").json() == {"marked": 2}
    assert selectors.unread_count(applicant) == 0


def test_reading_someone_elses_notice_is_404(applicant, outsider) -> None:  # type: ignore[no-untyped-def]
    (notice,) = make(applicant, 1)
    response = signed_in(outsider).post(f"/api/v1/notices/{notice.pk}/read")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert Notice.objects.get(pk=notice.pk).read_at is None


def test_preferences_read_and_change(applicant) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(applicant)
    before = client.get("/api/v1/notices/preferences").json()["preferences"]
    assert [p["kind"] for p in before] == NoticeKind.values
    assert all(p["in_app"] and p["email"] for p in before)
    assert before[0]["label"] == "Review assignment"
    assert before[0]["description"]

    response = put(client, {"preferences": [{"kind": "decision", "in_app": True, "email": False}]})
    assert response.status_code == 200
    after = {p["kind"]: p for p in response.json()["preferences"]}
    assert (after["decision"]["in_app"], after["decision"]["email"]) == (True, False)
    assert (after["alert"]["in_app"], after["alert"]["email"]) == (True, True)


def test_unknown_kind_is_a_422_problem(applicant) -> None:  # type: ignore[no-untyped-def]
    response = put(
        signed_in(applicant),
        {"preferences": [{"kind": "gossip", "in_app": False, "email": False}]},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:weh:problem:validation"
    assert problem["errors"][0]["field"] == "kind"
    assert "gossip" in problem["errors"][0]["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/notices"),
        ("post", "/api/v1/notices/1/read"),
        ("post", "/api/v1/notices/read-all"),
        ("get", "/api/v1/notices/preferences"),
        ("put", "/api/v1/notices/preferences"),
    ],
)
def test_anonymous_callers_get_401(method: str, path: str) -> None:
    response = getattr(Client(), method)(path, content_type="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
