"""Many requests on one batch at once: exactly one allocation or retirement wins.

Each thread has its own connection and commits its own transaction, as web workers do. On
PostgreSQL the services' ``SELECT … FOR UPDATE`` queues them on the batch row; on SQLite the
database takes one writer at a time. The SQLite test database lives in memory in shared-cache
mode, where a second writer is refused at once ("database table is locked") instead of waiting
out the busy timeout as it does on WEH's file database: there, and only there, the call is
retried, which is what the busy timeout does (as in tests/ledger/test_concurrency.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection

from tests.finance.conftest import Cast, activity, commit, days_ago, issued_batch
from weh.core.errors import Conflict, ValidationFailed
from weh.finance import serials, services
from weh.finance.models import Allocation, Disbursement, Retirement, UnitBatch
from weh.ledger.models import LogEntry

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def retried(call: Callable[[], Any]) -> Any:
    while True:
        try:
            return call()
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.002)


def race(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run the calls in threads released together; return what they returned and raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(retried(call))
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_one_of_many_concurrent_allocations_wins(cast: Cast) -> None:
    batch = issued_batch(cast)
    activities = [activity(cast, f"Activity {i}") for i in range(THREADS)]
    results, errors = race(
        [
            lambda a=a: services.allocate_batch(
                actor=cast.funder, serial=batch.serial, activity_id=a.pk
            )
            for a in activities
        ]
    )
    assert len(results) == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, Conflict) for e in errors), errors
    winner = Allocation.objects.get(batch=batch)
    assert all(f"already allocated to “{winner.activity.name}”" in str(e) for e in errors)
    assert LogEntry.objects.filter(kind="units.allocated").count() == 1


def test_one_of_many_concurrent_retirements_wins(cast: Cast) -> None:
    batch = issued_batch(cast)
    services.allocate_batch(actor=cast.funder, serial=batch.serial, activity_id=activity(cast).pk)
    results, errors = race(
        [
            lambda: services.retire_batch(
                actor=cast.funder, serial=batch.serial, recognition="WEH-2026-0001"
            )
        ]
        * THREADS
    )
    assert len(results) == 1
    assert [type(e) for e in errors] == [Conflict] * (THREADS - 1)
    assert all("Retirement is final" in str(e) for e in errors)
    assert Retirement.objects.count() == 1
    assert LogEntry.objects.filter(kind="units.retired").count() == 1


def test_concurrent_split_and_allocation_leave_one_outcome(cast: Cast) -> None:
    batch = issued_batch(cast)
    planting = activity(cast)
    calls: list[Callable[[], Any]] = [
        lambda: services.split_batch(actor=cast.funder, serial=batch.serial, at=500),
        lambda: services.allocate_batch(
            actor=cast.funder, serial=batch.serial, activity_id=planting.pk
        ),
    ] * 3
    results, errors = race(calls)
    assert len(results) == 1
    assert all(isinstance(e, Conflict) for e in errors), errors
    batch.refresh_from_db()
    assert (batch.state == "split") == (not Allocation.objects.exists())


def test_concurrent_disbursements_never_exceed_the_commitment(cast: Cast) -> None:
    commitment = commit(cast, amount="1000.00")
    results, errors = race(
        [
            lambda: services.disburse(
                actor=cast.funder,
                commitment_id=commitment.pk,
                amount="300.00",
                disbursed_on=days_ago(1),
            )
        ]
        * THREADS
    )
    assert len(results) == 3
    assert [type(e) for e in errors] == [ValidationFailed] * (THREADS - 3)
    assert sum(Disbursement.objects.values_list("amount_minor", flat=True)) == 90000
    ranges = [b.range for b in UnitBatch.objects.all()]
    assert serials.disjoint(ranges)
    assert sorted(r.first for r in ranges) == [1, 301, 601]
