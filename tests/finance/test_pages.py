"""The funding pages: the trace, the forms with their errors, and the public summary."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tests.finance.conftest import Cast, activity, commit, days_ago, disburse
from weh.finance import services
from weh.finance.models import Commitment, UnitBatch

pytestmark = pytest.mark.django_db


@dataclass
class Traced:
    commitment: Commitment
    batch: UnitBatch
    left: UnitBatch
    right: UnitBatch


@pytest.fixture
def traced(cast: Cast) -> Traced:
    """Money → a disbursement → a batch split in two → two activities → one part retired."""
    commitment = commit(cast, amount="250000.00")
    batch = disburse(cast, commitment, "1000.00").batches.get()
    left, right = services.split_batch(actor=cast.funder, serial=batch.serial, at=601)
    planting, dams = activity(cast), activity(cast, "Brushwood dams")
    services.allocate_batch(actor=cast.funder, serial=left.serial, activity_id=planting.pk)
    services.allocate_batch(actor=cast.funder, serial=right.serial, activity_id=dams.pk)
    services.retire_batch(actor=cast.funder, serial=left.serial, recognition="WEH-2026-0001")
    services.report_spending(
        actor=cast.applicant,
        commitment_id=commitment.pk,
        amount="400.00",
        spent_on=days_ago(1),
        category="works",
        description="Bamboo poles from a supplier in Sayung",
    )
    for record in (commitment, batch, left, right):
        record.refresh_from_db()
    return Traced(commitment, batch, left, right)


def as_user(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def text_of(response: object) -> str:
    return re.sub(r"\s+", " ", response.content.decode())  # type: ignore[attr-defined]


def test_the_trace_shows_each_step_with_its_log_entry(cast: Cast, traced: Traced) -> None:
    response = as_user(cast.funder).get(reverse("finance:commitment", args=[traced.commitment.pk]))
    assert response.status_code == 200
    page = text_of(response)
    for serial in (traced.batch.serial, traced.left.serial, traced.right.serial):
        assert serial in page
    assert "Mangrove planting 2026" in page
    assert "Brushwood dams" in page
    assert f'href="{reverse("review:recognition", args=["WEH-2026-0001"])}"' in page
    assert "Recognition WEH-2026-0001" in page
    # Every step links to its entry in the public log.
    indexes = [
        traced.commitment.log_index,
        traced.batch.log_index,
        traced.batch.split.log_index,
        traced.left.allocation.log_index,
        traced.left.retirement.log_index,
    ]
    for index in indexes:
        assert f'href="/log/entries/{index}/"' in page
    assert f"Recorded in the public log at index {traced.commitment.log_index}" in page
    # The totals.
    for label, amount in [
        ("Committed", "250,000.00 EUR"),
        ("Disbursed", "1,000.00 EUR"),
        ("Remaining to disburse", "249,000.00 EUR"),
        ("Allocated to activities", "1,000.00 EUR"),
        ("Retired against verified outcomes", "600.00 EUR"),
        ("Spending reported by the recipient", "400.00 EUR"),
    ]:
        assert re.search(rf"<th scope=\"row\">{label}</th><td>{amount}</td>", page), label
    assert '<a href="/funding/commitments/' in page  # disburse button for the funder
    assert "Bamboo poles" in page  # the funder sees the spending details


def test_who_sees_the_trace(cast: Cast, traced: Traced) -> None:
    url = reverse("finance:commitment", args=[traced.commitment.pk])
    recipient = as_user(cast.applicant).get(url)
    assert recipient.status_code == 200
    assert reverse("finance:spending", args=[traced.commitment.pk]) in text_of(recipient)
    assert reverse("finance:disburse", args=[traced.commitment.pk]) not in text_of(recipient)
    assert as_user(cast.viewer).get(url).status_code == 200
    assert as_user(cast.other_funder).get(url).status_code == 404
    assert as_user(cast.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page
    disburse_url = reverse("finance:disburse", args=[traced.commitment.pk])
    assert as_user(cast.applicant).get(disburse_url).status_code == 403
    assert as_user(cast.other_funder).get(disburse_url).status_code == 404


def test_the_funding_index_lists_given_and_received(cast: Cast, traced: Traced) -> None:
    page = text_of(as_user(cast.funder).get(reverse("finance:index")))
    assert "Commitments of your organisations" in page
    assert reverse("finance:commitment", args=[traced.commitment.pk]) in page
    assert reverse("finance:commitment_new") in page
    recipient = text_of(as_user(cast.applicant).get(reverse("finance:index")))
    assert reverse("finance:commitment", args=[traced.commitment.pk]) in recipient
    assert reverse("finance:commitment_new") not in recipient
    other = text_of(as_user(cast.other_funder).get(reverse("finance:index")))
    assert reverse("finance:commitment", args=[traced.commitment.pk]) not in other


def test_the_commitment_form_shows_field_errors(cast: Cast) -> None:
    client = as_user(cast.funder)
    url = reverse("finance:commitment_new")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "funder": cast.funder_org.pk,
            "subject": cast.subject.pk,
            "amount": "12.345",
            "currency": "EUX",
            "purpose": "Dams",
            "starts_on": "2026-01-01",
            "ends_on": "2025-01-01",
        },
    )
    assert response.status_code == 422
    page = text_of(response)
    assert 'class="error-summary"' in page
    assert "“EUX” is not an ISO 4217 currency code" in page
    assert "The period ends before it starts." in page
    assert 'href="#id_currency"' in page  # the summary links to the field
    response = client.post(
        url,
        {
            "funder": cast.funder_org.pk,
            "subject": cast.subject.pk,
            "amount": "5000.00",
            "currency": "eur",
            "purpose": "Dams",
            "starts_on": days_ago(10).isoformat(),
            "ends_on": days_ago(-10).isoformat(),
        },
    )
    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:commitment", args=[commitment.pk])
    assert as_user(cast.applicant).get(url).status_code == 403


def test_the_disbursement_form(cast: Cast) -> None:
    commitment = commit(cast, amount="1000.00")
    client = as_user(cast.funder)
    url = reverse("finance:disburse", args=[commitment.pk])
    assert "1,000.00 EUR of 1,000.00 EUR remains" in text_of(client.get(url))
    response = client.post(url, {"amount": "1000.01", "disbursed_on": days_ago(1).isoformat()})
    assert response.status_code == 422
    assert "Only 1000.00 EUR of this commitment remains" in text_of(response)
    response = client.post(url, {"amount": "100", "disbursed_on": "yesterday"})
    assert response.status_code == 422
    assert "Enter a valid date." in text_of(response)
    response = client.post(url, {"amount": "100", "disbursed_on": days_ago(1).isoformat()})
    assert response.status_code == 302
    assert UnitBatch.objects.get().units == 100


def test_batch_steps_and_their_errors(cast: Cast) -> None:
    commitment = commit(cast)
    batch = disburse(cast, commitment, "1000.00").batches.get()
    planting = activity(cast)
    client = as_user(cast.funder)
    page = text_of(client.get(reverse("finance:batch", args=[batch.serial])))
    assert "Split the batch" in page
    assert "Allocate the units" in page
    step = reverse("finance:batch_step", args=[batch.serial, "split"])
    response = client.post(step, {"split-at": "1000000"})
    assert response.status_code == 422
    page = text_of(response)
    assert 'class="error-summary"' in page
    assert "a whole number from 2 to 1000" in page
    response = client.post(step, {"split-at": "401"}, follow=True)
    assert "The batch was split into" in text_of(response)
    left = UnitBatch.objects.get(parent=batch, first_serial=1)
    allocate = reverse("finance:batch_step", args=[left.serial, "allocate"])
    response = client.post(allocate, {"allocate-activity": planting.pk}, follow=True)
    assert "The units were allocated to “Mangrove planting 2026”" in text_of(response)
    # Allocating again: the page explains, with the log entry of the first allocation.
    response = client.post(allocate, {"allocate-activity": planting.pk}, follow=True)
    assert "is already allocated to “Mangrove planting 2026” (log entry" in text_of(response)
    retire = reverse("finance:batch_step", args=[left.serial, "retire"])
    page = text_of(client.get(reverse("finance:batch", args=[left.serial])))
    assert "Recognition WEH-2026-0001" in page
    response = client.post(retire, {"retire-outcome": "recognition:WEH-2026-0001"}, follow=True)
    assert "The units were retired against recognition WEH-2026-0001" in text_of(response)
    assert "Retirement is final." in text_of(response)
    # The recipient sees the batch but cannot move it.
    assert (
        as_user(cast.applicant).get(reverse("finance:batch", args=[left.serial])).status_code == 200
    )
    assert as_user(cast.applicant).post(allocate, {}).status_code == 403
    assert as_user(cast.other_funder).post(allocate, {}).status_code == 404


def test_the_activity_form(cast: Cast) -> None:
    url = reverse("finance:activity_new", args=[cast.subject.pk])
    client = as_user(cast.applicant)
    response = client.post(url, {"name": ""})
    assert response.status_code == 422
    assert "This field is required." in text_of(response)
    response = client.post(url, {"name": "Mangrove nursery", "next": "https://evil.example/"})
    assert response["Location"] == reverse("finance:subject_summary", args=[cast.subject.pk])
    response = client.post(url, {"name": "Mangrove nursery"})
    assert response.status_code == 422
    assert "already has an activity named" in text_of(response)
    assert as_user(cast.other_funder).post(url, {"name": "X"}).status_code == 403


def test_the_spending_form(cast: Cast) -> None:
    commitment = commit(cast)
    disburse(cast, commitment, "100.00")
    url = reverse("finance:spending", args=[commitment.pk])
    client = as_user(cast.applicant)
    response = client.post(
        url,
        {
            "amount": "100.01",
            "spent_on": days_ago(1).isoformat(),
            "category": "works",
            "description": "Poles",
        },
    )
    assert response.status_code == 422
    assert "at most 100.00 EUR more can be reported" in text_of(response)
    response = client.post(
        url,
        {
            "amount": "99.99",
            "spent_on": days_ago(1).isoformat(),
            "category": "works",
            "description": "Poles",
        },
    )
    assert response.status_code == 302
    assert as_user(cast.funder).get(url).status_code == 403
    assert as_user(cast.viewer).get(url).status_code == 403


def test_the_public_summary_has_no_personal_data(cast: Cast, traced: Traced) -> None:
    response = Client().get(reverse("finance:subject_summary", args=[cast.subject.pk]))
    assert response.status_code == 200
    page = text_of(response)
    assert "Funding of Building with Nature Demak" in page
    assert re.search(
        r"<th scope=\"row\">EUR</th><td>250,000.00 EUR</td><td>1,000.00 EUR</td>"
        r"<td>1,000.00 EUR</td><td>600.00 EUR</td><td>400.00 EUR</td>",
        page,
    )
    assert "Global Environment Facility" in page
    assert "Mangrove planting 2026" in page
    assert f'href="{reverse("review:recognition", args=["WEH-2026-0001"])}"' in page
    assert f'href="/log/entries/{traced.left.retirement.log_index}/"' in page
    people = [cast.funder, cast.applicant, cast.viewer, cast.secretary]
    for person in people:
        assert person.username not in page
        assert person.email not in page
    assert "Bamboo poles" not in page  # the spending details stay with funder and recipient
    assert "Annual monitoring report" not in page  # so do the conditions


def test_the_summary_of_a_draft_subject_is_not_public(cast: Cast) -> None:
    cast.subject.status = "draft"
    cast.subject.save()
    url = reverse("finance:subject_summary", args=[cast.subject.pk])
    assert Client().get(url).status_code == 404
    assert as_user(cast.viewer).get(url).status_code == 200


def test_an_unfunded_subject_says_so(cast: Cast) -> None:
    page = text_of(Client().get(reverse("finance:subject_summary", args=[cast.subject.pk])))
    assert "No funding has been recorded for this subject." in page
