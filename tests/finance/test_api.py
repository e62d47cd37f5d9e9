"""Finance over REST: every step end to end, amounts as strings, and problem documents (422 with
field errors, 403/404, 409 when units were already used) — never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.finance.conftest import Cast, activity, commit, days_ago, disburse
from weh.accounts.services import create_api_token

pytestmark = pytest.mark.django_db

API = "/api/v1/funding"


class Api:
    def __init__(self, user: Any = None) -> None:
        headers = {}
        if user is not None:
            _token, secret = create_api_token(actor=user, name="tests")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        self.client = Client(**headers)

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}")

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(f"{API}{path}", json.dumps(body), content_type="application/json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_from_commitment_to_retirement(cast: Cast) -> None:
    funder = Api(cast.funder)
    response = funder.post(
        "/commitments",
        {
            "funder_id": cast.funder_org.pk,
            "subject_id": cast.subject.pk,
            "amount": "250000.00",
            "currency": "EUR",
            "purpose": "Dams and mangroves",
            "starts_on": days_ago(100).isoformat(),
            "ends_on": days_ago(-100).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    commitment = response.json()
    assert commitment["amount"] == "250000.00"
    assert commitment["remaining"] == "250000.00"
    assert commitment["log_url"] == f"/log/entries/{commitment['log_index']}/"
    response = funder.post(
        f"/commitments/{commitment['id']}/disbursements",
        {"amount": "1000.00", "disbursed_on": days_ago(1).isoformat()},
    )
    assert response.status_code == 201, response.content
    batch = response.json()["batch"]
    assert (batch["first_serial"], batch["last_serial"], batch["value"]) == (1, 1000, "1000.00")
    serial = batch["serial"]
    response = funder.post(f"/batches/{serial}/split", {"at": 601})
    assert response.status_code == 201, response.content
    left, right = response.json()["children"]
    assert (left["units"], right["units"]) == (600, 400)
    assert left["parent"] == serial
    # The recipient names the activity.
    response = Api(cast.applicant).post(
        "/activities", {"subject_id": cast.subject.pk, "name": "Mangrove planting 2026"}
    )
    assert response.status_code == 201, response.content
    activity_id = response.json()["id"]
    response = funder.post(f"/batches/{left['serial']}/allocate", {"activity_id": activity_id})
    assert response.status_code == 201, response.content
    assert response.json()["activity"]["name"] == "Mangrove planting 2026"
    response = funder.post(f"/batches/{left['serial']}/retire", {"recognition": "WEH-2026-0001"})
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "recognition:WEH-2026-0001"
    response = Api(cast.applicant).post(
        f"/commitments/{commitment['id']}/spending",
        {
            "amount": "400.00",
            "spent_on": days_ago(1).isoformat(),
            "category": "works",
            "description": "Poles",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "400.00"

    trace = funder.get(f"/commitments/{commitment['id']}/trace").json()
    assert trace["totals"] == {
        "currency": "EUR",
        "committed": "250000.00",
        "disbursed": "1000.00",
        "remaining": "249000.00",
        "allocated": "600.00",
        "retired": "600.00",
        "spent": "400.00",
        "units_issued": 1000,
        "units_allocated": 600,
        "units_retired": 600,
    }
    [disbursement] = trace["disbursements"]
    [root] = disbursement["batches"]
    assert root["serial"] == serial
    assert root["split"]["at"] == 601
    first, second = root["children"]
    assert first["allocation"]["activity"]["name"] == "Mangrove planting 2026"
    assert first["retirement"]["recognition_url"] == "/recognitions/WEH-2026-0001/"
    assert second["state"] == "issued"
    assert all(isinstance(step["log_index"], int) for step in (root, first, disbursement))

    summary = Api().get(f"/subjects/{cast.subject.pk}/summary").json()
    assert summary["currencies"] == [
        {
            "currency": "EUR",
            "committed": "250000.00",
            "received": "1000.00",
            "allocated": "600.00",
            "retired": "600.00",
            "spent": "400.00",
        }
    ]
    [outcome] = summary["outcomes"]
    assert outcome["recognition"] == "WEH-2026-0001"
    assert outcome["funder"] == "Global Environment Facility"
    text = json.dumps(summary)
    for person in (cast.funder, cast.applicant):
        assert person.username not in text
        assert person.email not in text
    assert "Poles" not in text

    batches = funder.get("/batches").json()
    assert batches["count"] == 3
    assert funder.get(f"/batches/{left['serial']}").json()["outcome"] == (
        "recognition:WEH-2026-0001"
    )


def test_double_allocation_and_retirement_are_409(cast: Cast) -> None:
    batch = disburse(cast, commit(cast)).batches.get()
    planting = activity(cast)
    funder = Api(cast.funder)
    assert (
        funder.post(f"/batches/{batch.serial}/allocate", {"activity_id": planting.pk}).status_code
        == 201
    )
    body = problem(
        funder.post(f"/batches/{batch.serial}/allocate", {"activity_id": planting.pk}), 409
    )
    assert body["type"] == "urn:weh:problem:conflict"
    assert "is already allocated to “Mangrove planting 2026” (log entry" in body["detail"]
    assert "choose a batch that is still issued, or split one first" in body["detail"]
    retire = {"recognition": "WEH-2026-0001"}
    assert funder.post(f"/batches/{batch.serial}/retire", retire).status_code == 201
    body = problem(funder.post(f"/batches/{batch.serial}/retire", retire), 409)
    assert "Retirement is final" in body["detail"]


def test_field_errors_are_422(cast: Cast) -> None:
    funder = Api(cast.funder)
    body = problem(
        funder.post(
            "/commitments",
            {
                "funder_id": cast.funder_org.pk,
                "amount": "1.001",
                "currency": "EUX",
                "purpose": "",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
        ),
        422,
    )
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"currency", "subject", "purpose"}
    # A JSON number is not an amount: binary floating point cannot hold it exactly.
    body = problem(
        funder.post(
            "/commitments",
            {
                "funder_id": cast.funder_org.pk,
                "subject_id": cast.subject.pk,
                "amount": 1250.5,
                "currency": "EUR",
                "purpose": "x",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
        ),
        422,
    )
    assert [e["field"] for e in body["errors"]] == ["amount"]
    batch = disburse(cast, commit(cast)).batches.get()
    body = problem(funder.post(f"/batches/{batch.serial}/split", {"at": 1}), 422)
    assert body["errors"][0]["field"] == "at"
    body = problem(funder.post(f"/batches/{batch.serial}/allocate", {"activity_id": 0}), 422)
    assert body["errors"] == [
        {"field": "activity", "message": "Choose an activity for these units."}
    ]


def test_permissions(cast: Cast) -> None:
    commitment = commit(cast)
    batch = disburse(cast, commitment).batches.get()
    path = f"/commitments/{commitment.pk}"
    assert Api(cast.other_funder).get(path).status_code == 404
    assert Api(cast.applicant).get(path).status_code == 200
    problem(
        Api(cast.applicant).post(
            f"{path}/disbursements", {"amount": "1", "disbursed_on": "2026-01-01"}
        ),
        403,
    )
    problem(Api(cast.other_funder).post(f"/batches/{batch.serial}/split", {"at": 2}), 404)
    problem(Api().post(f"/batches/{batch.serial}/split", {"at": 2}), 401)
    problem(Api().get(path), 404)
    assert Api().get("/commitments").json()["count"] == 0
    assert Api(cast.funder).get("/commitments").json()["count"] == 1
    assert Api(cast.applicant).get(f"/batches/{batch.serial}").status_code == 200
    assert Api(cast.outsider).get(f"/batches/{batch.serial}").status_code == 404
    assert Api().get(f"/subjects/{cast.subject.pk}/summary").status_code == 200
    problem(Api().get("/subjects/999999/summary"), 404)


def test_the_record_behind_a_log_entry_can_be_checked(cast: Cast) -> None:
    from weh.ledger.models import LogEntry

    batch = disburse(cast, commit(cast)).batches.get()
    response = Api(cast.applicant).get(f"/records/{batch.log_index}")
    assert response.status_code == 200, response.content
    body = response.json()
    entry = LogEntry.objects.get(index=batch.log_index)
    assert body["kind"] == "units.issued"
    assert body["content_sha256"] == entry.content_sha256
    assert body["record"]["serial"] == batch.serial
    assert body["record"]["unit_value"] == "1.00"
    problem(Api(cast.other_funder).get(f"/records/{batch.log_index}"), 404)
    problem(Api().get(f"/records/{batch.log_index}"), 404)
    problem(Api(cast.funder).get("/records/999999"), 404)
