"""API tokens: created once, stored hashed, usable as Bearer, revocable, rate-limited."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from weh.accounts.models import ApiToken
from weh.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def create(client: Client, name: str = "ETL job"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/tokens", data=json.dumps({"name": name}), content_type="application/json"
    )


def test_token_is_shown_once_and_stored_only_as_a_hash(applicant) -> None:  # type: ignore[no-untyped-def]
    response = create(signed_in(applicant))
    assert response.status_code == 201
    body = response.json()
    token = body["token"]
    prefix, secret = token.split("_", 2)[1:]
    assert token.startswith("weh_")
    assert body["prefix"] == prefix
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    # The listing never repeats the secret.
    listing = signed_in(applicant).get("/api/v1/tokens").json()
    assert [t["name"] for t in listing] == ["ETL job"]
    assert "token" not in listing[0]
    # The audit entry does not carry the hash either.
    entry = AuditEntry.objects.get(target_type="accounts.apitoken", action="create")
    assert "secret_hash" not in entry.after


def test_bearer_token_acts_as_its_user_until_revoked(applicant) -> None:  # type: ignore[no-untyped-def]
    body = create(signed_in(applicant)).json()
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = bearer.get("/api/v1/me").json()
    assert me["username"] == applicant.username
    assert ApiToken.objects.get(pk=body["id"]).last_used_at is not None

    revoked = bearer.delete(f"/api/v1/tokens/{body['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    response = bearer.get("/api/v1/me")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer weh_abc_wrongsecret", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_bad_credentials_are_401_not_anonymous(header: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/subjects")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_expired_token_is_refused(applicant) -> None:  # type: ignore[no-untyped-def]
    body = create(signed_in(applicant)).json()
    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - timedelta(days=1))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}").get("/api/v1/me").status_code == 401


def test_token_of_a_deactivated_user_is_refused(applicant) -> None:  # type: ignore[no-untyped-def]
    body = create(signed_in(applicant)).json()
    applicant.is_active = False
    applicant.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}").get("/api/v1/me").status_code == 401


def test_one_cannot_revoke_someone_elses_token(applicant, outsider) -> None:  # type: ignore[no-untyped-def]
    body = create(signed_in(applicant)).json()
    response = signed_in(outsider).delete(f"/api/v1/tokens/{body['id']}")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=body["id"]).revoked_at is None


def test_token_creation_is_rate_limited(applicant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_TOKEN_RATE_LIMIT = "3/h"
    client = signed_in(applicant)
    assert [create(client, f"t{i}").status_code for i in range(3)] == [201, 201, 201]
    response = create(client, "one too many")
    assert response.status_code == 429
    assert "Try again in" in response.json()["detail"]
    assert ApiToken.objects.filter(user=applicant).count() == 3


def test_token_name_is_required(applicant) -> None:  # type: ignore[no-untyped-def]
    response = create(signed_in(applicant), "   ")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert ApiToken.objects.count() == 0


def test_anonymous_cannot_list_tokens() -> None:
    assert Client().get("/api/v1/tokens").status_code == 401


def test_tokens_page_creates_and_revokes(applicant) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(applicant)
    page = client.post("/me/tokens/", {"name": "Dashboard"})
    html = page.content.decode()
    token = ApiToken.objects.get(user=applicant)
    assert "It will not be shown again" in html
    assert f"weh_{token.prefix}_" in html
    client.post(f"/me/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
