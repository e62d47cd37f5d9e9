"""Finance traceability over REST: commitments, disbursements, unit batches (split, allocate,
retire), activities, spending, the trace of a commitment and the public summary of a subject.

Mounted at ``/api/v1/funding``. Amounts are always strings with the currency's decimals
(``"250000.00"``), next to their ISO 4217 ``currency``: a JSON number is refused, because binary
floating point cannot hold most decimal amounts exactly. Refusals come from the services as
RFC 9457 problems: 422 with field errors, 403/404, and 409 when units were already allocated,
retired or split (the detail says by what, with its log entry, and what to do instead).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from weh.core.api_paging import Page, paginate
from weh.finance import selectors, services
from weh.finance.models import (
    Activity,
    Allocation,
    Commitment,
    Disbursement,
    Retirement,
    SpendingCategory,
    SpendingReport,
    UnitBatch,
)
from weh.finance.money import Money
from weh.ledger.models import LogEntry
from weh.ledger.services import content_sha256

router = Router(tags=["funding"])

AMOUNT = "A decimal number written as a string, with at most the currency's decimals."


# --- schemas ---------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class LogRef(Schema):
    log_index: int | None = Field(None, description="The entry in the transparency log.")
    log_url: str = Field("", description="Its public page, with the inclusion proof.")


class CommitmentIn(Schema):
    funder_id: int = Field(..., description="An organisation where you hold the funder role.")
    subject_id: int | None = Field(None, description="The funded subject (or give a programme).")
    programme: str = Field("", max_length=200)
    amount: str = Field(..., description=AMOUNT, examples=["250000.00"])
    currency: str = Field(..., description="ISO 4217 code.", examples=["EUR"])
    purpose: str
    conditions: str = ""
    starts_on: date
    ends_on: date


class CommitmentOut(LogRef):
    id: int
    funder: Ref
    subject: Ref | None
    programme: str
    amount: str
    currency: str
    purpose: str
    conditions: str
    starts_on: date
    ends_on: date
    recorded_at: datetime
    disbursed: str
    remaining: str


class DisbursementIn(Schema):
    amount: str = Field(..., description=AMOUNT, examples=["100000.00"])
    disbursed_on: date
    unit_value: str | None = Field(
        None, description="What one unit stands for (default: 1 of the currency). " + AMOUNT
    )
    reference: str = Field("", max_length=100)


class BatchOut(LogRef):
    """A batch; its log entry is the one that created it (its issue, or the split it came from)."""

    serial: str
    issuer: Ref
    commitment_id: int
    disbursement_id: int
    subject: Ref | None
    programme: str
    vintage: int
    first_serial: int
    last_serial: int
    units: int
    unit_value: str
    value: str
    currency: str
    state: str
    parent: str | None
    children: list[str]
    activity: Ref | None
    outcome: str | None = Field(None, description="What the units were retired against.")


class DisbursementOut(LogRef):
    id: int
    commitment_id: int
    amount: str
    currency: str
    unit_value: str
    disbursed_on: date
    reference: str
    batch: BatchOut


class SplitIn(Schema):
    at: int = Field(..., description="The first serial of the second part.")


class SplitOut(LogRef):
    parent: str
    at: int
    children: list[BatchOut]


class AllocateIn(Schema):
    activity_id: int


class AllocationOut(LogRef):
    batch: str
    units: int
    value: str
    currency: str
    activity: Ref
    subject_id: int
    allocated_at: datetime


class RetireIn(Schema):
    recognition: str | None = Field(
        None, description="Certificate number of an active recognition of the activity's subject."
    )
    baseline_id: int | None = Field(None, description="Earlier decided assessment.")
    improved_id: int | None = Field(None, description="Later decided assessment, scoring higher.")


class RetirementOut(LogRef):
    batch: str
    units: int
    value: str
    currency: str
    outcome_kind: str
    outcome: str
    recognition: str | None
    baseline_percent: str | None
    improved_percent: str | None
    retired_at: datetime


class ActivityIn(Schema):
    subject_id: int
    name: str = Field(..., max_length=200)
    description: str = ""


class ActivityOut(Schema):
    id: int
    subject_id: int
    name: str
    description: str
    organisation: Ref


class SpendingIn(Schema):
    amount: str = Field(..., description=AMOUNT)
    spent_on: date
    category: SpendingCategory
    description: str
    subject_id: int | None = Field(None, description="For programme money: which recipient.")
    activity_id: int | None = None


class SpendingOut(LogRef):
    id: int
    commitment_id: int
    subject_id: int
    activity_id: int | None
    amount: str
    currency: str
    spent_on: date
    category: str
    description: str


class TraceSplit(LogRef):
    at: int


class TraceAllocation(LogRef):
    activity: Ref


class TraceRetirement(LogRef):
    outcome_kind: str
    outcome: str
    recognition: str | None
    recognition_url: str | None
    baseline_percent: str | None
    improved_percent: str | None


class TraceBatch(LogRef):
    serial: str
    first_serial: int
    last_serial: int
    units: int
    value: str
    state: str
    split: TraceSplit | None
    allocation: TraceAllocation | None
    retirement: TraceRetirement | None
    children: list[TraceBatch]


class TraceDisbursement(LogRef):
    id: int
    amount: str
    unit_value: str
    disbursed_on: date
    batches: list[TraceBatch]


class TraceActivity(Schema):
    id: int
    name: str
    subject_id: int
    units: int
    retired_units: int
    value: str


class TraceTotals(Schema):
    currency: str
    committed: str
    disbursed: str
    remaining: str
    allocated: str
    retired: str
    spent: str
    units_issued: int
    units_allocated: int
    units_retired: int


class TraceOut(Schema):
    commitment: CommitmentOut
    totals: TraceTotals
    disbursements: list[TraceDisbursement]
    activities: list[TraceActivity]
    spending: list[SpendingOut]


TraceBatch.model_rebuild()


class SummaryCurrency(Schema):
    currency: str
    committed: str
    received: str
    allocated: str
    retired: str
    spent: str


class SummaryFunder(LogRef):
    funder: Ref
    commitment_id: int
    amount: str
    disbursed: str
    currency: str
    purpose: str


class SummaryAmount(Schema):
    amount: str
    currency: str


class SummaryActivity(Schema):
    name: str
    units: int
    retired_units: int
    values: list[SummaryAmount]


class SummaryOutcome(LogRef):
    outcome_kind: str
    outcome: str
    recognition: str | None
    recognition_url: str | None
    standard: str | None
    baseline_percent: str | None
    improved_percent: str | None
    batch: str
    units: int
    value: str
    currency: str
    funder: str
    activity: str
    retired_at: datetime


class RecordOut(LogRef):
    kind: str = Field(..., description="The entry's type, e.g. units.retired.")
    content_sha256: str = Field(..., description="SHA-256 of the record's canonical JSON.")
    record: dict[str, Any] = Field(..., description="The record the log entry commits to.")


class SummaryOut(Schema):
    subject: Ref
    currencies: list[SummaryCurrency]
    funders: list[SummaryFunder]
    activities: list[SummaryActivity]
    outcomes: list[SummaryOutcome]


# --- shaping ---------------------------------------------------------------------------------


def _log(record: Any) -> dict[str, Any]:
    index = getattr(record, "log_index", None)
    return {"log_index": index, "log_url": selectors.log_entry_url(index)}


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def commitment_data(c: Commitment) -> dict[str, Any]:
    disbursed = selectors.disbursed_minor(c)
    return {
        **_log(c),
        "id": c.pk,
        "funder": _ref(c.funder),
        "subject": _ref(c.subject),
        "programme": c.programme,
        "amount": c.amount.text,
        "currency": c.currency,
        "purpose": c.purpose,
        "conditions": c.conditions,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "recorded_at": c.recorded_at,
        "disbursed": c.money(disbursed).text,
        "remaining": c.money(c.amount_minor - disbursed).text,
    }


def _outcome_text(retirement: Retirement | None) -> str | None:
    return retirement.outcome_reference if retirement is not None else None


def batch_data(b: UnitBatch) -> dict[str, Any]:
    allocation = getattr(b, "allocation", None)
    retirement = getattr(b, "retirement", None)
    return {
        **_created(b),
        "serial": b.serial,
        "issuer": _ref(b.issuer),
        "commitment_id": b.commitment_id,
        "disbursement_id": b.disbursement_id,
        "subject": _ref(b.subject),
        "programme": b.programme,
        "vintage": b.vintage,
        "first_serial": b.first_serial,
        "last_serial": b.last_serial,
        "units": b.units,
        "unit_value": b.unit_value.text,
        "value": b.value.text,
        "currency": b.currency,
        "state": b.state,
        "parent": b.parent.serial if b.parent_id and b.parent else None,
        "children": [c.serial for c in selectors.batch_children(b)] if b.state == "split" else [],
        "activity": _ref(allocation.activity) if allocation else None,
        "outcome": _outcome_text(retirement),
    }


def _percent(value: Any) -> str | None:
    return None if value is None else str(value)


def _recognition_url(retirement: Retirement) -> str | None:
    if retirement.recognition_id is None:
        return None
    from django.urls import reverse

    return reverse("review:recognition", args=[retirement.recognition.serial])


def _created(b: UnitBatch, split: Any = None) -> dict[str, Any]:
    """The entry that created the batch: its issue, or for a split's child, the split."""
    if b.log_index is not None or b.parent_id is None:
        return _log(b)
    if split is None:
        split = getattr(b.parent, "split", None)
    return _log(split)


def _trace_batch(node: selectors.BatchNode, parent_split: Any = None) -> dict[str, Any]:
    b = node.batch
    split, allocation, retirement = node.split, node.allocation, node.retirement
    return {
        **_created(b, parent_split),
        "serial": b.serial,
        "first_serial": b.first_serial,
        "last_serial": b.last_serial,
        "units": b.units,
        "value": b.value.text,
        "state": b.state,
        "split": {**_log(split), "at": split.at_serial} if split else None,
        "allocation": {**_log(allocation), "activity": _ref(allocation.activity)}
        if allocation
        else None,
        "retirement": {
            **_log(retirement),
            "outcome_kind": retirement.outcome_kind,
            "outcome": retirement.outcome_reference,
            "recognition": retirement.recognition.serial if retirement.recognition_id else None,
            "recognition_url": _recognition_url(retirement),
            "baseline_percent": _percent(retirement.baseline_percent),
            "improved_percent": _percent(retirement.improved_percent),
        }
        if retirement
        else None,
        "children": [_trace_batch(child, split) for child in node.children],
    }


def spending_data(s: SpendingReport) -> dict[str, Any]:
    return {
        **_log(s),
        "id": s.pk,
        "commitment_id": s.commitment_id,
        "subject_id": s.subject_id,
        "activity_id": s.activity_id,
        "amount": s.commitment.money(s.amount_minor).text,
        "currency": s.commitment.currency,
        "spent_on": s.spent_on,
        "category": s.category,
        "description": s.description,
    }


def trace_data(trace: selectors.Trace) -> dict[str, Any]:
    t = trace.totals
    return {
        "commitment": commitment_data(trace.commitment),
        "totals": {
            "currency": trace.commitment.currency,
            "committed": t.committed.text,
            "disbursed": t.disbursed.text,
            "remaining": t.remaining.text,
            "allocated": t.allocated.text,
            "retired": t.retired.text,
            "spent": t.spent.text,
            "units_issued": t.units_issued,
            "units_allocated": t.units_allocated,
            "units_retired": t.units_retired,
        },
        "disbursements": [
            {
                **_log(d.disbursement),
                "id": d.disbursement.pk,
                "amount": d.amount.text,
                "unit_value": d.unit_value.text,
                "disbursed_on": d.disbursement.disbursed_on,
                "batches": [_trace_batch(node) for node in d.batches],
            }
            for d in trace.disbursements
        ],
        "activities": [
            {
                "id": line.activity.pk,
                "name": line.activity.name,
                "subject_id": line.activity.subject_id,
                "units": line.units,
                "retired_units": line.retired_units,
                "value": line.values.get(trace.commitment.currency, Money(0, "", 0)).text,
            }
            for line in trace.activities
        ],
        "spending": [spending_data(s) for s in trace.spending],
    }


def summary_data(summary: selectors.SubjectSummary) -> dict[str, Any]:
    return {
        "subject": _ref(summary.subject),
        "currencies": [
            {
                "currency": line.currency,
                "committed": line.committed.text,
                "received": line.received.text,
                "allocated": line.allocated.text,
                "retired": line.retired.text,
                "spent": line.spent.text,
            }
            for line in summary.currencies
        ],
        "funders": [
            {
                **_log(f.commitment),
                "funder": _ref(f.commitment.funder),
                "commitment_id": f.commitment.pk,
                "amount": f.commitment.amount.text,
                "disbursed": f.disbursed.text,
                "currency": f.commitment.currency,
                "purpose": f.commitment.purpose,
            }
            for f in summary.funders
        ],
        "activities": [
            {
                "name": a.activity.name,
                "units": a.units,
                "retired_units": a.retired_units,
                "values": [{"amount": m.text, "currency": m.currency} for m in a.value_list],
            }
            for a in summary.activities
        ],
        "outcomes": [
            {
                **_log(o.retirement),
                "outcome_kind": o.retirement.outcome_kind,
                "outcome": o.retirement.outcome_reference,
                "recognition": o.retirement.recognition.serial
                if o.retirement.recognition_id
                else None,
                "recognition_url": _recognition_url(o.retirement),
                "standard": (
                    o.retirement.recognition.standard
                    if o.retirement.recognition_id
                    else o.retirement.improved.standard_version.standard_id
                    if o.retirement.improved_id
                    else None
                ),
                "baseline_percent": _percent(o.retirement.baseline_percent),
                "improved_percent": _percent(o.retirement.improved_percent),
                "batch": o.batch.serial,
                "units": o.batch.units,
                "value": o.value.text,
                "currency": o.value.currency,
                "funder": o.funder.name,
                "activity": o.activity.name,
                "retired_at": o.retirement.retired_at,
            }
            for o in summary.outcomes
        ],
    }


def _batch(serial: str) -> UnitBatch:
    return UnitBatch.objects.select_related(
        "issuer", "subject", "parent", "allocation__activity", "retirement"
    ).get(serial=serial)


def allocation_data(a: Allocation) -> dict[str, Any]:
    return {
        **_log(a),
        "batch": a.batch.serial,
        "units": a.batch.units,
        "value": a.batch.value.text,
        "currency": a.batch.currency,
        "activity": _ref(a.activity),
        "subject_id": a.activity.subject_id,
        "allocated_at": a.allocated_at,
    }


def retirement_data(r: Retirement) -> dict[str, Any]:
    return {
        **_log(r),
        "batch": r.batch.serial,
        "units": r.batch.units,
        "value": r.batch.value.text,
        "currency": r.batch.currency,
        "outcome_kind": r.outcome_kind,
        "outcome": r.outcome_reference,
        "recognition": r.recognition.serial if r.recognition_id else None,
        "baseline_percent": _percent(r.baseline_percent),
        "improved_percent": _percent(r.improved_percent),
        "retired_at": r.retired_at,
    }


def activity_data(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "subject_id": a.subject_id,
        "name": a.name,
        "description": a.description,
        "organisation": _ref(a.organisation),
    }


# --- commitments -----------------------------------------------------------------------------


@router.get(
    "/commitments",
    response=Page[CommitmentOut],
    summary="Commitments you gave or your subjects received",
)
def list_commitments(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    subject_id: int | None = None,
    funder_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
):
    qs = selectors.list_commitments(user=request.user, subject_id=subject_id, funder_id=funder_id)
    return paginate(
        request,
        qs,
        limit=limit,
        offset=offset,
        rows=lambda page: [commitment_data(c) for c in page],
    )


@router.post("/commitments", response={201: CommitmentOut}, summary="Record a commitment")
def create_commitment(request: HttpRequest, payload: CommitmentIn):  # type: ignore[no-untyped-def]
    commitment = services.record_commitment(actor=request.user, **payload.model_dump())
    return Status(201, commitment_data(commitment))


@router.get("/commitments/{commitment_id}", response=CommitmentOut)
def get_commitment(request: HttpRequest, commitment_id: int):  # type: ignore[no-untyped-def]
    return commitment_data(selectors.get_commitment(user=request.user, commitment_id=commitment_id))


@router.post(
    "/commitments/{commitment_id}/disbursements",
    response={201: DisbursementOut},
    summary="Disburse part of a commitment (issued at once as units)",
)
def create_disbursement(  # type: ignore[no-untyped-def]
    request: HttpRequest, commitment_id: int, payload: DisbursementIn
):
    d: Disbursement = services.disburse(
        actor=request.user, commitment_id=commitment_id, **payload.model_dump()
    )
    batch = _batch(d.batches.get().serial)
    return Status(
        201,
        {
            **_log(d),
            "id": d.pk,
            "commitment_id": d.commitment_id,
            "amount": d.commitment.money(d.amount_minor).text,
            "currency": d.commitment.currency,
            "unit_value": d.commitment.money(d.unit_value_minor).text,
            "disbursed_on": d.disbursed_on,
            "reference": d.reference,
            "batch": batch_data(batch),
        },
    )


@router.get(
    "/commitments/{commitment_id}/trace",
    response=TraceOut,
    summary="From money to outcomes: disbursements, units, activities, outcomes, with log indexes",
)
def get_trace(request: HttpRequest, commitment_id: int):  # type: ignore[no-untyped-def]
    return trace_data(selectors.trace(user=request.user, commitment_id=commitment_id))


@router.post(
    "/commitments/{commitment_id}/spending",
    response={201: SpendingOut},
    summary="Report spending (applicants of the recipient)",
)
def create_spending(  # type: ignore[no-untyped-def]
    request: HttpRequest, commitment_id: int, payload: SpendingIn
):
    report = services.report_spending(
        actor=request.user, commitment_id=commitment_id, **payload.model_dump()
    )
    return Status(201, spending_data(report))


# --- batches ---------------------------------------------------------------------------------


@router.get("/batches", response=Page[BatchOut], summary="Unit batches you may see")
def list_batches(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    commitment_id: int | None = None,
    subject_id: int | None = None,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    qs = selectors.list_batches(
        user=request.user, commitment_id=commitment_id, subject_id=subject_id, state=state
    ).select_related("parent")
    return paginate(
        request, qs, limit=limit, offset=offset, rows=lambda page: [batch_data(b) for b in page]
    )


@router.get("/batches/{serial}", response=BatchOut)
def get_batch(request: HttpRequest, serial: str):  # type: ignore[no-untyped-def]
    return batch_data(selectors.get_batch(user=request.user, serial=serial))


@router.post("/batches/{serial}/split", response={201: SplitOut}, summary="Split a batch in two")
def split_batch(request: HttpRequest, serial: str, payload: SplitIn):  # type: ignore[no-untyped-def]
    left, right = services.split_batch(actor=request.user, serial=serial, at=payload.at)
    split = _batch(serial).split
    return Status(
        201,
        {
            **_log(split),
            "parent": serial,
            "at": payload.at,
            "children": [batch_data(_batch(left.serial)), batch_data(_batch(right.serial))],
        },
    )


@router.post(
    "/batches/{serial}/allocate",
    response={201: AllocationOut},
    summary="Allocate a whole batch to an activity (once)",
)
def allocate_batch(request: HttpRequest, serial: str, payload: AllocateIn):  # type: ignore[no-untyped-def]
    allocation = services.allocate_batch(
        actor=request.user, serial=serial, activity_id=payload.activity_id
    )
    return Status(201, allocation_data(allocation))


@router.post(
    "/batches/{serial}/retire",
    response={201: RetirementOut},
    summary="Retire an allocated batch against a verified outcome (final)",
)
def retire_batch(request: HttpRequest, serial: str, payload: RetireIn):  # type: ignore[no-untyped-def]
    retirement = services.retire_batch(actor=request.user, serial=serial, **payload.model_dump())
    return Status(201, retirement_data(retirement))


# --- activities and the public summary -------------------------------------------------------


@router.post("/activities", response={201: ActivityOut}, summary="Name an activity of a subject")
def create_activity(request: HttpRequest, payload: ActivityIn):  # type: ignore[no-untyped-def]
    activity = services.create_activity(actor=request.user, **payload.model_dump())
    return Status(201, activity_data(activity))


@router.get(
    "/subjects/{subject_id}/summary",
    response=SummaryOut,
    summary="Public: what a subject received and the outcomes its units were retired against",
)
def subject_summary(request: HttpRequest, subject_id: int):  # type: ignore[no-untyped-def]
    return summary_data(selectors.subject_summary(user=request.user, subject_id=subject_id))


@router.get(
    "/records/{index}",
    response=RecordOut,
    summary="The finance record behind a log entry (to check its content_sha256)",
)
def logged_record(request: HttpRequest, index: int):  # type: ignore[no-untyped-def]
    record = selectors.logged_record(user=request.user, index=index)
    return {
        **_log(record),
        "kind": LogEntry.objects.values_list("kind", flat=True).get(index=index),
        "content_sha256": content_sha256(record.log_content),
        "record": record.log_content,
    }
