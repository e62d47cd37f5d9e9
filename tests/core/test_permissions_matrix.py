"""Who may do what with subjects, through the API: the authorisation matrix.

Every refused write is checked to have changed nothing (row values and the audit trail).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import OrganisationFactory, SubjectFactory, member
from weh.accounts.models import OrganisationType, Role
from weh.core.audit import snapshot
from weh.core.models import AuditEntry
from weh.registry.models import Subject, SubjectStatus

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "outsider", "viewer", "applicant", "secretariat"]


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    owner = OrganisationFactory(name="Xianju County Government", country="CN")
    secretariat = OrganisationFactory(type=OrganisationType.SECRETARIAT, country="CH")
    users = {
        "anonymous": None,
        "outsider": member(Role.APPLICANT),
        "viewer": member(Role.VIEWER, owner),
        "applicant": member(Role.APPLICANT, owner),
        "secretariat": member(Role.SECRETARIAT, secretariat),
    }
    published = SubjectFactory(owner=owner, name="Xianju County", country="CN")
    draft = SubjectFactory(
        owner=owner, name="Shenxianju draft", country="CN", status=SubjectStatus.DRAFT
    )
    return {"owner": owner, "users": users, "published": published, "draft": draft}


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def state(subject: Subject) -> tuple[dict, int]:  # type: ignore[type-arg]
    """The row's values and the number of audit entries: what a refused write must not change."""
    subject.refresh_from_db()
    return snapshot(subject), AuditEntry.objects.count()


READ_EXPECTED = {
    # actor: (sees published, sees draft)
    "anonymous": (True, False),
    "outsider": (True, False),
    "viewer": (True, True),
    "applicant": (True, True),
    "secretariat": (True, True),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_reading(world, actor: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world["users"][actor])
    sees_published, sees_draft = READ_EXPECTED[actor]
    listing = client.get("/api/v1/subjects").json()
    names = {row["name"] for row in listing["results"]}
    assert names == {"Xianju County"} | ({"Shenxianju draft"} if sees_draft else set())
    assert listing["count"] == len(names)
    response = client.get(f"/api/v1/subjects/{world['draft'].pk}")
    if sees_draft:
        assert response.json()["name"] == "Shenxianju draft"
    else:
        # A draft of another organisation is not disclosed: not found, not "forbidden".
        assert response.status_code == 404
        assert response.json()["status"] == 404
    assert client.get(f"/api/v1/subjects/{world['published'].pk}").json()["status"] == (
        "published" if sees_published else None
    )


WRITE_EXPECTED = {
    # actor: status for PATCH on the published subject, PATCH on the draft
    "anonymous": (401, 401),
    "outsider": (403, 404),
    "viewer": (403, 403),
    "applicant": (200, 200),
    "secretariat": (200, 200),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("which", ["published", "draft"])
def test_updating(world, actor: str, which: str) -> None:  # type: ignore[no-untyped-def]
    subject = world[which]
    expected = WRITE_EXPECTED[actor][0 if which == "published" else 1]
    before = state(subject)
    response = client_for(world["users"][actor]).patch(
        f"/api/v1/subjects/{subject.pk}",
        data=json.dumps({"population": 456000}),
        content_type="application/json",
    )
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["population"] == 456000
        subject.refresh_from_db()
        assert subject.population == 456000
        entry = AuditEntry.objects.get(target_id=str(subject.pk), action="update")
        assert entry.before["population"] is None
        assert entry.after["population"] == 456000
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"]
        assert state(subject) == before


CREATE_EXPECTED = {
    "anonymous": 401,
    "outsider": 403,
    "viewer": 403,
    "applicant": 201,
    "secretariat": 201,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_creating_for_the_owner(world, actor: str) -> None:  # type: ignore[no-untyped-def]
    count, audits = Subject.objects.count(), AuditEntry.objects.count()
    response = client_for(world["users"][actor]).post(
        "/api/v1/subjects",
        data=json.dumps(
            {
                "kind": "jurisdiction",
                "owner_id": world["owner"].pk,
                "name": "Taizhou",
                "country": "CN",
                "subdivision_code": "CN-ZJ",
                "admin_level": 2,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == CREATE_EXPECTED[actor], response.content
    if response.status_code == 201:
        assert response.json()["status"] == "draft"
        assert Subject.objects.count() == count + 1
        assert AuditEntry.objects.count() == audits + 1
    else:
        assert Subject.objects.count() == count
        assert AuditEntry.objects.count() == audits


PUBLISH_EXPECTED = {
    "anonymous": 401,
    "outsider": 404,
    "viewer": 403,
    "applicant": 200,
    "secretariat": 200,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_publishing_a_draft(world, actor: str) -> None:  # type: ignore[no-untyped-def]
    draft = world["draft"]
    before = state(draft)
    response = client_for(world["users"][actor]).post(f"/api/v1/subjects/{draft.pk}/publish")
    assert response.status_code == PUBLISH_EXPECTED[actor], response.content
    draft.refresh_from_db()
    if response.status_code == 200:
        assert draft.status == SubjectStatus.PUBLISHED
        assert AuditEntry.objects.filter(action="publish", target_id=str(draft.pk)).count() == 1
    else:
        assert state(draft) == before


DELETE_EXPECTED = {
    # actor: (DELETE published, DELETE draft)
    "anonymous": (401, 401),
    "outsider": (403, 404),
    "viewer": (403, 403),
    # Published subjects are public record: the applicant must withdraw first.
    "applicant": (409, 204),
    "secretariat": (204, 204),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("which", ["published", "draft"])
def test_deleting(world, actor: str, which: str) -> None:  # type: ignore[no-untyped-def]
    subject = world[which]
    expected = DELETE_EXPECTED[actor][0 if which == "published" else 1]
    before = state(subject)
    response = client_for(world["users"][actor]).delete(f"/api/v1/subjects/{subject.pk}")
    assert response.status_code == expected, response.content
    if expected == 204:
        assert not Subject.objects.filter(pk=subject.pk).exists()
        entry = AuditEntry.objects.get(action="delete", target_id=str(subject.pk))
        assert entry.before["name"] == subject.name
    else:
        assert state(subject) == before
        if expected == 409:
            assert "withdraw" in response.json()["detail"]
