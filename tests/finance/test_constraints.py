"""The database itself refuses what must never happen to units, whatever the Python does."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.finance.conftest import Cast, activity, commit, disburse, issued_batch
from weh.finance import services
from weh.finance.models import (
    Allocation,
    Commitment,
    OutcomeKind,
    Retirement,
    SpendingReport,
    Split,
    UnitBatch,
)

pytestmark = pytest.mark.django_db


def refused(create: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()  # type: ignore[operator]


def test_a_second_allocation_of_a_batch_is_refused(cast: Cast) -> None:
    batch = issued_batch(cast)
    first = services.allocate_batch(
        actor=cast.funder, serial=batch.serial, activity_id=activity(cast).pk
    )
    other = activity(cast, "Dams")
    refused(
        lambda: Allocation.objects.create(batch=batch, activity=other, allocated_by=cast.funder)
    )
    assert Allocation.objects.get(batch=batch) == first


def test_a_second_retirement_of_a_batch_is_refused(cast: Cast) -> None:
    batch = issued_batch(cast)
    allocation = services.allocate_batch(
        actor=cast.funder, serial=batch.serial, activity_id=activity(cast).pk
    )
    services.retire_batch(actor=cast.funder, serial=batch.serial, recognition="WEH-2026-0001")

    def again() -> None:
        Retirement.objects.create(
            batch=batch,
            allocation=allocation,
            outcome_kind=OutcomeKind.RECOGNITION,
            recognition=cast.recognition,
            outcome_reference="recognition:WEH-2026-0001",
            retired_by=cast.funder,
        )

    refused(again)


def test_a_retirement_names_exactly_one_kind_of_outcome(cast: Cast) -> None:
    batch = issued_batch(cast)
    allocation = services.allocate_batch(
        actor=cast.funder, serial=batch.serial, activity_id=activity(cast).pk
    )
    base = {
        "batch": batch,
        "allocation": allocation,
        "outcome_reference": "x",
        "retired_by": cast.funder,
    }
    refused(lambda: Retirement.objects.create(outcome_kind=OutcomeKind.RECOGNITION, **base))
    refused(
        lambda: Retirement.objects.create(
            outcome_kind=OutcomeKind.SCORE_IMPROVEMENT,
            recognition=cast.recognition,
            baseline=cast.recognition.assessment,
            improved=cast.recognition.assessment,
            baseline_percent=Decimal(50),
            improved_percent=Decimal(60),
            **base,
        )
    )
    # An "improvement" that is none.
    refused(
        lambda: Retirement.objects.create(
            outcome_kind=OutcomeKind.SCORE_IMPROVEMENT,
            baseline=cast.recognition.assessment,
            improved=cast.recognition.assessment,
            baseline_percent=Decimal(60),
            improved_percent=Decimal(60),
            **base,
        )
    )


def test_a_second_split_of_a_batch_is_refused(cast: Cast) -> None:
    batch = issued_batch(cast)
    services.split_batch(actor=cast.funder, serial=batch.serial, at=5)
    refused(lambda: Split.objects.create(parent=batch, at_serial=7, split_by=cast.funder))


def copy_of(batch: UnitBatch, **changes: object) -> UnitBatch:
    values = {
        "serial": f"{batch.serial}-copy",
        "issuer_id": batch.issuer_id,
        "commitment_id": batch.commitment_id,
        "disbursement_id": batch.disbursement_id,
        "vintage": batch.vintage,
        "first_serial": batch.first_serial,
        "last_serial": batch.last_serial,
        "currency": batch.currency,
        "decimals": batch.decimals,
        "unit_value_minor": batch.unit_value_minor,
    }
    values.update(changes)
    return UnitBatch(**values)


def test_batch_ranges_are_well_formed_and_issued_once(cast: Cast) -> None:
    batch = issued_batch(cast)
    # Another issued batch from the same first serial: the same units issued twice.
    refused(lambda: copy_of(batch, first_serial=1, last_serial=3).save())
    refused(lambda: copy_of(batch, first_serial=5000, last_serial=4999).save())
    refused(lambda: copy_of(batch, first_serial=0, last_serial=4).save())
    refused(lambda: copy_of(batch, first_serial=5000, last_serial=5001, unit_value_minor=0).save())
    refused(lambda: copy_of(batch, first_serial=5000, last_serial=5001, state="lost").save())
    refused(lambda: copy_of(batch, first_serial=5000, last_serial=5001, vintage=26).save())
    # The serial text is unique too.
    refused(lambda: copy_of(batch, serial=batch.serial, first_serial=5000, last_serial=5001).save())


def test_split_children_start_at_distinct_serials(cast: Cast) -> None:
    batch = issued_batch(cast)
    left, _right = services.split_batch(actor=cast.funder, serial=batch.serial, at=5)
    refused(lambda: copy_of(left, parent=batch, last_serial=2).save())


def test_amounts_are_positive(cast: Cast) -> None:
    commitment = commit(cast)
    disbursement = disburse(cast, commitment)
    refused(lambda: Commitment.objects.filter(pk=commitment.pk).update(amount_minor=0))
    refused(lambda: type(disbursement).objects.filter(pk=disbursement.pk).update(amount_minor=-1))
    refused(
        lambda: SpendingReport.objects.create(
            commitment=commitment,
            subject=cast.subject,
            amount_minor=0,
            spent_on=commitment.starts_on,
            category="works",
            description="x",
            reported_by=cast.applicant,
        )
    )
    refused(lambda: Commitment.objects.filter(pk=commitment.pk).update(subject=None, programme=""))
    refused(
        lambda: Commitment.objects.filter(pk=commitment.pk).update(
            ends_on=commitment.starts_on.replace(year=1999)
        )
    )
