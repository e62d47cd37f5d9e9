"""The funding side of the demo: two funders, their commitments, disbursements issued as units,
a split, allocations to activities, a retirement against a recognition and reported spending.

Everything goes through the services, as a person would do it, so every event is in the
transparency log with its index and the audit trail names who did it. It runs after the review
demo, which recognised the subjects funded here. Dates are counted back from today: the services
refuse disbursements and spending dated in the future.

- James Okafor (GEF) commits USD 2,000,000 to Building with Nature Demak and disburses
  USD 500,000 as units WEH-GEF-<year>-1-500000, split at 300,001; the first part goes to the
  mangrove planting named by Wetlands International and is retired against Demak's
  recognition, the second to the brushwood dams GEF named. A second disbursement of
  USD 250,000 waits, issued, for an activity. Wetlands International reports its spending.
- Anna Becker (KfW) commits EUR 1,200,000 to Nairobi National Park (recognised, certified),
  disburses EUR 400,000 in units of EUR 100 and allocates them to the dispersal-area leases.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from weh.accounts.models import Organisation, User
from weh.finance import services
from weh.review.models import Recognition, RecognitionStatus


def _ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def _recognition(subject_name: str) -> Recognition:
    return Recognition.objects.select_related("subject").get(
        subject_name=subject_name, status=RecognitionStatus.ACTIVE
    )


def load_demo_finance(users: dict[str, User]) -> int:
    """Create the funding demo; return the number of commitments recorded."""
    gef = Organisation.objects.get(acronym="GEF")
    kfw = Organisation.objects.get(acronym="KfW")
    james, anna = users["james.funder"], users["anna.funder"]
    thu, grace = users["thu.applicant"], users["grace.applicant"]

    demak = _recognition("Building with Nature Demak")
    commitment = services.record_commitment(
        actor=james,
        funder_id=gef.pk,
        subject_id=demak.subject_id,
        programme="GEF-8 Coastal Resilience",
        amount="2000000.00",
        currency="USD",
        purpose="Permeable brushwood structures to trap sediment, and mangrove restoration "
        "behind them, along the eroding Demak coast.",
        conditions="Annual monitoring report on sediment trapping and mangrove cover; "
        "benefit-sharing agreement with the fish-pond owners before the mid-term check.",
        starts_on=_ago(420),
        ends_on=_ago(-680),
    )
    first = services.disburse(
        actor=james,
        commitment_id=commitment.pk,
        amount="500000.00",
        disbursed_on=_ago(300),
        reference="GEF-8/CR/ID-014-T1",
    )
    services.disburse(
        actor=james,
        commitment_id=commitment.pk,
        amount="250000.00",
        disbursed_on=_ago(40),
        reference="GEF-8/CR/ID-014-T2",
    )
    batch = first.batches.get()
    planting_units, dam_units = services.split_batch(
        actor=james, serial=batch.serial, at=batch.first_serial + 300_000
    )
    planting = services.create_activity(
        actor=thu,
        subject_id=demak.subject_id,
        name="Mangrove planting 2026",
        description="Nursery-raised Rhizophora and Avicennia seedlings planted behind the "
        "sediment traps once the mudflat has risen enough.",
    )
    dams = services.create_activity(
        actor=james,
        subject_id=demak.subject_id,
        name="Brushwood dams and sediment trapping",
        description="Building and maintaining the permeable brushwood structures.",
    )
    services.allocate_batch(actor=james, serial=planting_units.serial, activity_id=planting.pk)
    services.allocate_batch(actor=james, serial=dam_units.serial, activity_id=dams.pk)
    services.retire_batch(actor=james, serial=planting_units.serial, recognition=demak.serial)
    for amount, days, category, description, activity in [
        ("180000.00", 200, "works", "Sediment-trap construction, first 2 km", dams),
        ("95000.00", 120, "community", "Planting crews from the fish-pond communities", planting),
        ("22500.00", 60, "monitoring", "Drone surveys of mudflat elevation", None),
    ]:
        services.report_spending(
            actor=thu,
            commitment_id=commitment.pk,
            amount=amount,
            spent_on=_ago(days),
            category=category,
            description=description,
            activity_id=activity.pk if activity else None,
        )

    nairobi = _recognition("Nairobi National Park")
    kfw_commitment = services.record_commitment(
        actor=anna,
        funder_id=kfw.pk,
        subject_id=nairobi.subject_id,
        amount="1200000.00",
        currency="EUR",
        purpose="Securing the wildlife dispersal area south of the park through conservation "
        "leases with landowners.",
        conditions="Lease register published yearly.",
        starts_on=_ago(200),
        ends_on=_ago(-900),
    )
    leases = services.disburse(
        actor=anna,
        commitment_id=kfw_commitment.pk,
        amount="400000.00",
        unit_value="100.00",
        disbursed_on=_ago(90),
        reference="KfW BMZ 2024.6612.3",
    ).batches.get()
    activity = services.create_activity(
        actor=grace,
        subject_id=nairobi.subject_id,
        name="Dispersal-area conservation leases",
        description="Yearly lease payments keeping the Athi-Kapiti plains open to wildlife.",
    )
    services.allocate_batch(actor=anna, serial=leases.serial, activity_id=activity.pk)
    return 2
