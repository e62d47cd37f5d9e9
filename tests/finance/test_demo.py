"""The funding demo: what a funder finds when signing in as james.funder or anna.funder."""

from __future__ import annotations

import hashlib

import pytest

from weh.demo.load import load_demo
from weh.finance.models import BatchState, Commitment, Retirement, SpendingReport, UnitBatch
from weh.ledger.models import LogEntry
from weh.review.certificate import canonical_json
from weh.review.conflicts import conflicts_of


@pytest.mark.django_db
def test_funding_demo() -> None:
    counts = load_demo()
    assert counts["commitments"] == 2
    gef, kfw = (
        Commitment.objects.get(funder__acronym="GEF"),
        Commitment.objects.get(funder__acronym="KfW"),
    )
    assert gef.subject.name == "Building with Nature Demak"
    assert str(gef.amount) == "2000000.00 USD"
    assert kfw.subject.name == "Nairobi National Park"

    year = gef.disbursements.first().disbursed_on.year
    states = dict(UnitBatch.objects.filter(commitment=gef).values_list("serial", "state"))
    assert states[f"WEH-GEF-{year}-1-500000"] == BatchState.SPLIT
    assert states[f"WEH-GEF-{year}-1-300000"] == BatchState.RETIRED
    assert states[f"WEH-GEF-{year}-300001-500000"] == BatchState.ALLOCATED
    assert BatchState.ISSUED in states.values()  # the second disbursement waits
    retirement = Retirement.objects.get()
    assert retirement.recognition.subject_id == gef.subject_id
    assert retirement.recognition.status == "active"
    assert SpendingReport.objects.filter(commitment=gef).count() == 3
    leases = UnitBatch.objects.get(commitment=kfw)
    assert (leases.units, str(leases.unit_value), leases.state) == (4000, "100.00 EUR", "allocated")

    # Every finance record stands behind a log entry that commits to it.
    for model in (Commitment, UnitBatch, Retirement, SpendingReport):
        for record in model.objects.exclude(log_index=None):
            entry = LogEntry.objects.get(index=record.log_index)
            digest = hashlib.sha256(canonical_json(record.log_content)).hexdigest()
            assert entry.content_sha256 == digest
    assert LogEntry.objects.filter(kind__in=["units.split", "units.retired"]).count() == 2

    # GEF's members could no longer review Wetlands International's assessments.
    from weh.accounts.models import User

    james = User.objects.get(username="james.funder")
    assert conflicts_of(james.pk, gef.subject.owner_id)
