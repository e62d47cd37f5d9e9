from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import OrganisationFactory
from weh.accounts.models import Membership, Organisation
from weh.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, path: str, body: object):  # type: ignore[no-untyped-def]
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def test_secretariat_registers_an_organisation_with_a_parent(secretary, organisation) -> None:  # type: ignore[no-untyped-def]
    response = send(
        signed_in(secretary),
        "post",
        "/api/v1/organisations",
        {
            "name": "Jeju City",
            "type": "subnational_government",
            "country": "kr",
            "parent_id": organisation.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["country"] == "KR"
    assert body["parent"] == {"id": organisation.pk, "name": organisation.name}
    entry = AuditEntry.objects.get(target_type="accounts.organisation", action="create")
    assert entry.actor == secretary
    assert entry.after["name"] == "Jeju City"


def test_applicants_cannot_register_organisations(applicant) -> None:  # type: ignore[no-untyped-def]
    count = Organisation.objects.count()
    response = send(
        signed_in(applicant),
        "post",
        "/api/v1/organisations",
        {"name": "Rogue", "type": "ngo", "country": "FR"},
    )
    assert response.status_code == 403
    assert Organisation.objects.count() == count


def test_parent_cycles_are_refused(secretary) -> None:  # type: ignore[no-untyped-def]
    top = OrganisationFactory()
    child = OrganisationFactory(parent=top)
    response = send(
        signed_in(secretary), "patch", f"/api/v1/organisations/{top.pk}", {"parent_id": child.pk}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "parent_id", "message": "An organisation cannot be its own ancestor."}
    ]
    top.refresh_from_db()
    assert top.parent_id is None


def test_invalid_country_is_refused(secretary) -> None:  # type: ignore[no-untyped-def]
    response = send(
        signed_in(secretary),
        "post",
        "/api/v1/organisations",
        {"name": "Nowhere", "type": "ngo", "country": "QQ"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "country"


def test_organisations_are_a_public_directory() -> None:
    OrganisationFactory(name="Barcelona City Council", country="ES")
    OrganisationFactory(name="Kenya Wildlife Service", country="KE")
    body = Client().get("/api/v1/organisations?country=es").json()
    assert [row["name"] for row in body["results"]] == ["Barcelona City Council"]
    assert body["count"] == 1


def test_memberships_visible_to_members_and_secretariat_only(
    applicant,
    viewer,
    outsider,
    secretary,
    organisation,  # type: ignore[no-untyped-def]
) -> None:
    path = f"/api/v1/organisations/{organisation.pk}/memberships"
    members = {m["username"] for m in signed_in(viewer).get(path).json()["results"]}
    assert members == {applicant.username, viewer.username}
    assert {m["username"] for m in signed_in(secretary).get(path).json()["results"]} == members
    assert signed_in(outsider).get(path).json()["results"] == []
    assert Client().get(path).json()["results"] == []


def test_secretariat_adds_and_removes_members(secretary, outsider, organisation) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(secretary)
    response = send(
        client,
        "post",
        f"/api/v1/organisations/{organisation.pk}/memberships",
        {"user_id": outsider.pk, "role": "reviewer"},
    )
    assert response.status_code == 201
    membership_id = response.json()["id"]
    again = send(
        client,
        "post",
        f"/api/v1/organisations/{organisation.pk}/memberships",
        {"user_id": outsider.pk, "role": "reviewer"},
    )
    assert again.status_code == 409
    assert client.delete(f"/api/v1/memberships/{membership_id}").status_code == 204
    assert not Membership.objects.filter(pk=membership_id).exists()
    assert AuditEntry.objects.filter(target_type="accounts.membership").count() == 2


def test_secretariat_role_only_in_the_secretariat(secretary, outsider, organisation) -> None:  # type: ignore[no-untyped-def]
    response = send(
        signed_in(secretary),
        "post",
        f"/api/v1/organisations/{organisation.pk}/memberships",
        {"user_id": outsider.pk, "role": "secretariat"},
    )
    assert response.status_code == 422
    assert "secretariat organisation" in response.json()["errors"][0]["message"]


def test_applicant_cannot_add_members(applicant, outsider, organisation) -> None:  # type: ignore[no-untyped-def]
    response = send(
        signed_in(applicant),
        "post",
        f"/api/v1/organisations/{organisation.pk}/memberships",
        {"user_id": outsider.pk, "role": "applicant"},
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider, organisation=organisation).exists()


def test_me_lists_my_memberships(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    body = signed_in(applicant).get("/api/v1/me").json()
    assert body["username"] == applicant.username
    assert [(m["organisation"]["name"], m["role"]) for m in body["memberships"]] == [
        (organisation.name, "applicant")
    ]
