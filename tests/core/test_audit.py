"""The audit trail: recorded by services, append-only, browsable by staff and the secretariat."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import SubjectFactory, UserFactory
from weh.core.models import AuditEntry
from weh.registry import services

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_rewritten(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = SubjectFactory(owner=organisation)
    services.update_subject(actor=applicant, subject_id=subject.pk, values={"population": 1})
    entry = AuditEntry.objects.get()
    entry.action = "nothing happened"
    with pytest.raises(ValueError, match="cannot be changed"):
        entry.save()
    assert AuditEntry.objects.get().action == "update"


def test_admin_offers_no_way_to_change_entries(organisation) -> None:  # type: ignore[no-untyped-def]
    staff = UserFactory(is_staff=True, is_superuser=True)
    SubjectFactory(owner=organisation)
    client = Client()
    client.force_login(staff)
    client.post("/admin/registry/subject/1/change/", {})  # not a valid form; no entry either
    entry = AuditEntry.objects.create(action="x", target_type="t", target_id="1")
    assert client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    page = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_secretariat_browses_and_filters_the_trail(secretary, applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = SubjectFactory(owner=organisation, name="Xianju")
    services.update_subject(actor=applicant, subject_id=subject.pk, values={"population": 456000})
    client = Client()
    client.force_login(secretary)
    html = client.get("/audit/?action=update").content.decode()
    assert applicant.username in html
    assert "Xianju" in html
    assert "population" in html
    assert "456000" in html


@pytest.mark.parametrize("who", ["applicant", "viewer", "outsider"])
def test_others_cannot_read_the_trail(request, who: str) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(request.getfixturevalue(who))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "Only staff and the secretariat" in response.content.decode()


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
