"""Writes of finance traceability: commitments, disbursements (issued as units), splits,
allocations, retirements, activities and reported spending.

Each service is one transaction that validates, authorises, writes, records the audit entry and
appends its event to the transparency log (``weh.ledger.services.append_entry``), so an event
never exists without its entry, nor an entry without its event. The entry's content is the full
record (amounts as strings, no people: who did it is in the audit trail, which is not public);
the record keeps its ``log_index`` and that exact content.

Units are guarded twice. The services lock the batch row (``select_for_update``) and move its
state with a compare-and-set update (``… WHERE state = 'issued'``), so concurrent requests queue
and the later ones see the new state and get a Conflict. Underneath, the database refuses a
second allocation, retirement or split of a batch (unique constraints), which the services turn
into the same Conflict should anything bypass the lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from weh.accounts.models import Organisation
from weh.assessments.models import Assessment
from weh.core import audit, policy
from weh.core.errors import Conflict, PermissionDenied, ValidationFailed
from weh.core.iso import is_currency
from weh.core.permissions import get_for, grants_for
from weh.finance import selectors, serials
from weh.finance.models import (
    Activity,
    Allocation,
    BatchState,
    Commitment,
    Disbursement,
    OutcomeKind,
    Retirement,
    SpendingCategory,
    SpendingReport,
    Split,
    UnitBatch,
    UnitIssuer,
)
from weh.finance.money import (
    MAX_MINOR,
    NOT_MONEY,
    AmountError,
    amount_text,
    minor_units,
    parse_amount,
    to_minor,
)
from weh.ledger.services import append_entry, entry_timestamp
from weh.registry.models import Subject
from weh.review.models import Recognition, RecognitionStatus

MAX_TEXT = 5000

Errors = dict[str, list[str]]


# --- validation helpers ----------------------------------------------------------------------


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(errors)


def _currency(value: str, errors: Errors) -> tuple[str, int]:
    code = (value or "").strip().upper()
    if not code:
        errors.setdefault("currency", []).append(_("Give the currency as an ISO 4217 code."))
        return "", 0
    if len(code) != 3 or not code.isalpha() or not is_currency(code):
        errors.setdefault("currency", []).append(
            _("“%(code)s” is not an ISO 4217 currency code; use one such as EUR, USD or KES.")
            % {"code": value}
        )
        return "", 0
    if code in NOT_MONEY:
        errors.setdefault("currency", []).append(
            _("%(code)s is not a currency money is paid in; use one such as EUR or USD.")
            % {"code": code}
        )
        return "", 0
    return code, minor_units(code)


def _minor(
    value: object, currency: str, decimals: int, field: str, errors: Errors, *, label: str = ""
) -> int | None:
    """``value`` as minor units of ``currency``: positive, with at most its decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, []).append(_("Give an amount."))
        return None
    try:
        number = parse_amount(value)
    except AmountError as error:
        message = (
            _("Give the amount as a decimal number written as text, such as “1250.50”.")
            if error.reason == "type"
            else _("“%(value)s” is not a number; write it like 1250.50.") % {"value": value}
        )
        errors.setdefault(field, []).append(message)
        return None
    if number <= 0:
        errors.setdefault(field, []).append(_("The amount must be more than zero."))
        return None
    if not currency:
        return None  # the currency's own error says what to fix first
    try:
        minor = to_minor(number, decimals)
    except AmountError:
        if decimals == 0:
            message = _("%(currency)s has no decimals; give a whole amount.") % {
                "currency": currency
            }
        else:
            message = _("%(currency)s amounts have at most %(decimals)d decimals.") % {
                "currency": currency,
                "decimals": decimals,
            }
        errors.setdefault(field, []).append(message)
        return None
    if minor > MAX_MINOR:
        errors.setdefault(field, []).append(
            _("The amount is larger than WEH records (at most %(max)s %(currency)s).")
            % {"max": amount_text(MAX_MINOR, decimals), "currency": currency}
        )
        return None
    return minor


def _text(value: str, field: str, errors: Errors, *, required: bool, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append(_("This is required."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            _("Keep it to %(limit)d characters (it has %(length)d).")
            % {"limit": limit, "length": len(text)}
        )
    return text


def _date(value: object, field: str, errors: Errors) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
    return None


def _not_future(day: date | None, field: str, errors: Errors, message: str) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(field, []).append(message)


# --- the log ---------------------------------------------------------------------------------


def _log(
    record: Any,
    *,
    kind: str,
    subject: str,
    content: Mapping[str, Any],
    facts: Mapping[str, Any],
    at: datetime,
) -> None:
    """Append the record's entry and keep its index and content on the record.

    Called last in each service (the log's sequencer row stays locked until the commit).
    """
    entry = append_entry(kind=kind, subject=subject, content=content, facts=facts, at=at)
    type(record).objects.filter(pk=record.pk).update(
        log_index=entry.index, log_content=dict(content)
    )
    record.log_index = entry.index
    record.log_content = dict(content)


def _when(at: datetime) -> str:
    # The log's own time format: UTC, whole seconds.
    return entry_timestamp(at)


def commitment_record(c: Commitment) -> dict[str, Any]:
    return {
        "type": "commitment",
        "id": c.pk,
        "funder": {"id": c.funder_id, "name": c.funder.name},
        "subject": c.subject_id,
        "programme": c.programme,
        "amount": amount_text(c.amount_minor, c.decimals),
        "currency": c.currency,
        "purpose": c.purpose,
        "conditions": c.conditions,
        "starts_on": c.starts_on.isoformat(),
        "ends_on": c.ends_on.isoformat(),
        "recorded_at": _when(c.recorded_at),
    }


def disbursement_record(d: Disbursement) -> dict[str, Any]:
    c = d.commitment
    return {
        "type": "disbursement",
        "id": d.pk,
        "commitment": c.pk,
        "commitment_log_index": c.log_index,
        "amount": amount_text(d.amount_minor, c.decimals),
        "currency": c.currency,
        "unit_value": amount_text(d.unit_value_minor, c.decimals),
        "disbursed_on": d.disbursed_on.isoformat(),
        "reference": d.reference,
        "recorded_at": _when(d.recorded_at),
    }


def batch_record(b: UnitBatch) -> dict[str, Any]:
    return {
        "type": "unit_batch",
        "serial": b.serial,
        "issuer": {"id": b.issuer_id, "name": b.issuer.name},
        "commitment": b.commitment_id,
        "disbursement": b.disbursement_id,
        "subject": b.subject_id,
        "programme": b.programme,
        "vintage": b.vintage,
        "first": b.first_serial,
        "last": b.last_serial,
        "units": b.units,
        "unit_value": amount_text(b.unit_value_minor, b.decimals),
        "currency": b.currency,
        "parent": b.parent.serial if b.parent_id and b.parent else None,
        "created_at": _when(b.created_at),
    }


# --- commitments -----------------------------------------------------------------------------


@transaction.atomic
def record_commitment(
    *,
    actor: Any,
    funder_id: int,
    amount: object,
    currency: str,
    purpose: str,
    starts_on: object,
    ends_on: object,
    subject_id: int | None = None,
    programme: str = "",
    conditions: str = "",
) -> Commitment:
    """A funder commits money to a subject or a programme (funder role in ``funder_id``)."""
    grants = grants_for(actor)
    funder = Organisation.objects.filter(pk=funder_id).first()
    if funder is None:
        raise ValidationFailed({"funder": [_("Choose one of your organisations.")]})
    if not grants.allows(policy.COMMITMENT_ADD, funder.pk):
        raise PermissionDenied(
            _("Commitments are recorded by members with the funder role in %(organisation)s.")
            % {"organisation": funder.name}
        )
    errors: Errors = {}
    code, decimals = _currency(currency, errors)
    minor = _minor(amount, code, decimals, "amount", errors)
    subject = None
    if subject_id is not None:
        subject = Subject.objects.restrict(actor, policy.SUBJECT_VIEW).filter(pk=subject_id).first()
        if subject is None:
            errors["subject"] = [_("No published subject has this id.")]
    programme = _text(programme, "programme", errors, required=False, limit=200)
    if subject_id is None and not programme:
        errors["subject"] = [_("Name the subject or the programme the money is committed to.")]
    purpose = _text(purpose, "purpose", errors, required=True)
    conditions = _text(conditions, "conditions", errors, required=False)
    start = _date(starts_on, "starts_on", errors)
    end = _date(ends_on, "ends_on", errors)
    if start and end and end < start:
        errors["ends_on"] = [_("The period ends before it starts.")]
    _raise(errors)
    assert minor is not None
    assert start is not None
    assert end is not None
    commitment = Commitment.objects.create(
        funder=funder,
        subject=subject,
        programme=programme,
        currency=code,
        decimals=decimals,
        amount_minor=minor,
        purpose=purpose,
        conditions=conditions,
        starts_on=start,
        ends_on=end,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="create", target=commitment, after=audit.snapshot(commitment))
    _log(
        commitment,
        kind="commitment.recorded",
        subject=commitment.log_subject,
        content=commitment_record(commitment),
        facts={
            "amount": amount_text(minor, decimals),
            "currency": code,
            "commitment": commitment.pk,
        },
        at=commitment.recorded_at,
    )
    return commitment


def _commitment_for(actor: Any, commitment_id: int, permission: str) -> Commitment:
    """The commitment, locked, if the actor may act on it as its funder (404/403 otherwise)."""
    found = get_for(
        Commitment.objects.all(),
        actor,
        permission,
        view_permission=policy.FUNDING_VIEW,
        pk=commitment_id,
    )
    # Locked: disbursements of one commitment check its balance in turn. Only its own row: the
    # funder's organisation row must stay free for everything else.
    return (
        Commitment.objects.select_for_update(of=("self",)).select_related("funder").get(pk=found.pk)
    )


# --- disbursements and issuing ---------------------------------------------------------------


def _lock_issuer(organisation: Organisation) -> UnitIssuer:
    """The organisation's issuer row, locked (created on first use).

    INSERT … ON CONFLICT DO NOTHING lets two first issuances race safely: the loser waits for
    the winner's row, then locks it. A code another organisation holds gets the id appended.
    """
    locked = UnitIssuer.objects.select_for_update().filter(organisation=organisation)
    issuer = locked.first()
    if issuer is not None:
        return issuer
    base = serials.issuer_code(organisation.acronym, organisation.name)
    for code in (
        base,
        serials.unique_code(base, organisation.pk),
        serials.unique_code("ORG", organisation.pk),
    ):
        UnitIssuer.objects.bulk_create(
            [UnitIssuer(organisation=organisation, code=code)], ignore_conflicts=True
        )
        issuer = locked.first()
        if issuer is not None:
            return issuer
    raise Conflict(_("No issuer code could be given to %(name)s.") % {"name": organisation.name})


@transaction.atomic
def disburse(
    *,
    actor: Any,
    commitment_id: int,
    amount: object,
    disbursed_on: object,
    unit_value: object = None,
    reference: str = "",
) -> Disbursement:
    """Pay out part of a commitment, and issue it at once as one batch of serial-numbered units.

    ``unit_value`` is what one unit stands for (default: one major unit of the currency, e.g.
    1.00 EUR); the amount must be a whole number of units.
    """
    commitment = _commitment_for(actor, commitment_id, policy.DISBURSEMENT_ADD)
    code, decimals = commitment.currency, commitment.decimals
    errors: Errors = {}
    minor = _minor(amount, code, decimals, "amount", errors)
    if unit_value is None or (isinstance(unit_value, str) and not unit_value.strip()):
        unit_minor: int | None = 10**decimals
    else:
        unit_minor = _minor(unit_value, code, decimals, "unit_value", errors)
    day = _date(disbursed_on, "disbursed_on", errors)
    _not_future(
        day,
        "disbursed_on",
        errors,
        _("Record a disbursement once it is paid: the date cannot be in the future."),
    )
    if day and not commitment.starts_on <= day <= commitment.ends_on:
        errors.setdefault("disbursed_on", []).append(
            _("The commitment runs from %(start)s to %(end)s; the disbursement must fall within.")
            % {"start": commitment.starts_on, "end": commitment.ends_on}
        )
    reference = _text(reference, "reference", errors, required=False, limit=100)
    if minor is not None:
        left = selectors.remaining(commitment)
        if minor > left.minor:
            errors.setdefault("amount", []).append(
                _(
                    "Only %(left)s of this commitment remains to be disbursed; give at most "
                    "that amount, or record a new commitment for more."
                )
                % {"left": left}
            )
    count = 0
    if minor is not None and unit_minor is not None and "amount" not in errors:
        try:
            count = serials.units_for(minor, unit_minor)
        except ValueError:
            errors.setdefault("unit_value", []).append(
                _(
                    "The amount must be a whole number of units: %(amount)s is not a multiple "
                    "of %(unit)s. Change the amount or the unit value."
                )
                % {
                    "amount": amount_text(minor, decimals),
                    "unit": amount_text(unit_minor, decimals),
                }
            )
    _raise(errors)
    assert minor is not None
    assert unit_minor is not None
    assert day is not None
    disbursement = Disbursement.objects.create(
        commitment=commitment,
        amount_minor=minor,
        unit_value_minor=unit_minor,
        disbursed_on=day,
        reference=reference,
        recorded_by=actor,
    )
    issuer = _lock_issuer(commitment.funder)
    issued, next_serial = serials.issue(issuer.next_serial, count)
    UnitIssuer.objects.filter(pk=issuer.pk).update(next_serial=next_serial)
    batch = UnitBatch.objects.create(
        serial=serials.render(issuer.code, day.year, issued),
        issuer=commitment.funder,
        commitment=commitment,
        disbursement=disbursement,
        subject_id=commitment.subject_id,
        programme=commitment.programme,
        vintage=day.year,
        first_serial=issued.first,
        last_serial=issued.last,
        currency=code,
        decimals=decimals,
        unit_value_minor=unit_minor,
    )
    audit.record(
        actor=actor, action="create", target=disbursement, after=audit.snapshot(disbursement)
    )
    audit.record(actor=actor, action="issue", target=batch, after=audit.snapshot(batch))
    _log(
        disbursement,
        kind="disbursement.made",
        subject=commitment.log_subject,
        content=disbursement_record(disbursement),
        facts={
            "amount": amount_text(minor, decimals),
            "currency": code,
            "commitment": commitment.pk,
        },
        at=disbursement.recorded_at,
    )
    _log(
        batch,
        kind="units.issued",
        subject=batch.log_subject,
        content={**batch_record(batch), "disbursement_log_index": disbursement.log_index},
        facts={
            "serials": str(issued),
            "units": count,
            "unit_value": amount_text(unit_minor, decimals),
            "currency": code,
        },
        at=batch.created_at,
    )
    return disbursement


# --- units: split, allocate, retire ----------------------------------------------------------


def _batch_for(actor: Any, serial: str) -> UnitBatch:
    """The batch, locked, if the actor may move its units (404/403 otherwise)."""
    found = get_for(
        UnitBatch.objects.all(),
        actor,
        policy.UNITS_CHANGE,
        view_permission=policy.FUNDING_VIEW,
        serial=serial,
    )
    return (
        UnitBatch.objects.select_for_update(of=("self",))
        .select_related("issuer", "parent")
        .get(pk=found.pk)
    )


def state_conflict(batch: UnitBatch, step: str) -> Conflict:
    """Why ``step`` (split, allocate or retire) cannot be done to the batch, and what instead."""
    if batch.state == BatchState.SPLIT:
        parts = batch.children.order_by("first_serial").values_list("serial", flat=True)
        return Conflict(
            _(
                "Batch %(serial)s was split into %(children)s and is no longer used; choose one "
                "of those instead."
            )
            % {"serial": batch.serial, "children": ", ".join(parts)}
        )
    if batch.state == BatchState.RETIRED:
        retirement = Retirement.objects.filter(batch=batch).first()
        return Conflict(
            _(
                "Batch %(serial)s was already retired against %(outcome)s (log entry %(index)s). "
                "Retirement is final: choose another batch."
            )
            % {
                "serial": batch.serial,
                "outcome": retirement.outcome_label if retirement else "?",
                "index": retirement.log_index if retirement else "?",
            }
        )
    if batch.state == BatchState.ISSUED:
        return Conflict(
            _(
                "Batch %(serial)s is not allocated yet: allocate it to an activity, then retire "
                "it against that activity's outcome."
            )
            % {"serial": batch.serial}
        )
    allocation = Allocation.objects.filter(batch=batch).select_related("activity").first()
    values = {
        "serial": batch.serial,
        "activity": allocation.activity.name if allocation else "?",
        "index": allocation.log_index if allocation else "?",
    }
    if step == "split":
        return Conflict(
            _(
                "Batch %(serial)s is allocated to “%(activity)s” (log entry %(index)s); units are "
                "split before they are allocated, never after."
            )
            % values
        )
    return Conflict(
        _(
            "Batch %(serial)s is already allocated to “%(activity)s” (log entry %(index)s). "
            "A batch is allocated once; choose a batch that is still issued, or split one first."
        )
        % values
    )


def _move(batch: UnitBatch, source: str, target: str, step: str) -> None:
    """Compare-and-set the batch's state, so a stale read can never move it twice."""
    moved = UnitBatch.objects.filter(pk=batch.pk, state=source).update(state=target)
    if moved != 1:
        batch.refresh_from_db(fields=["state"])
        raise state_conflict(batch, step)
    batch.state = target


@transaction.atomic
def split_batch(*, actor: Any, serial: str, at: object) -> tuple[UnitBatch, UnitBatch]:
    """Cut an issued batch in two before serial ``at``; the parent is then used up for good."""
    batch = _batch_for(actor, serial)
    if batch.state != BatchState.ISSUED:
        raise state_conflict(batch, "split")
    try:
        point = int(str(at).strip())
    except (TypeError, ValueError):
        point = 0
    if not batch.range.can_split_at(point):
        raise ValidationFailed(
            {
                "at": [
                    _(
                        "Give the first serial of the second part: a whole number from "
                        "%(low)d to %(high)d (the batch holds %(first)d to %(last)d)."
                    )
                    % {
                        "low": batch.first_serial + 1,
                        "high": batch.last_serial,
                        "first": batch.first_serial,
                        "last": batch.last_serial,
                    }
                ]
            }
        )
    _move(batch, BatchState.ISSUED, BatchState.SPLIT, "split")
    try:
        with transaction.atomic():
            split = Split.objects.create(parent=batch, at_serial=point, split_by=actor)
    except IntegrityError:
        raise state_conflict(batch, "split") from None
    issuer_code, vintage, _whole = serials.parse(batch.serial)
    children = []
    for part in batch.range.split_at(point):
        children.append(
            UnitBatch.objects.create(
                serial=serials.render(issuer_code, vintage, part),
                issuer_id=batch.issuer_id,
                commitment_id=batch.commitment_id,
                disbursement_id=batch.disbursement_id,
                subject_id=batch.subject_id,
                programme=batch.programme,
                vintage=vintage,
                first_serial=part.first,
                last_serial=part.last,
                currency=batch.currency,
                decimals=batch.decimals,
                unit_value_minor=batch.unit_value_minor,
                parent=batch,
                created_at=split.split_at,
            )
        )
    left, right = children
    audit.record(actor=actor, action="split", target=batch, after={"at": point})
    _log(
        split,
        kind="units.split",
        subject=batch.log_subject,
        content={
            "type": "unit_split",
            "parent": batch.serial,
            "parent_log_index": batch.log_index,
            "at": point,
            "children": [batch_record(child) for child in children],
            "split_at": _when(split.split_at),
        },
        facts={"parent": batch.serial, "children": [left.serial, right.serial]},
        at=split.split_at,
    )
    return left, right


@transaction.atomic
def create_activity(*, actor: Any, subject_id: int, name: str, description: str = "") -> Activity:
    """Name an activity of a subject (its owner's applicants, or an organisation funding it)."""
    subject = get_for(
        Subject.objects.select_related("owner"),
        actor,
        policy.SUBJECT_VIEW,
        view_permission=policy.SUBJECT_VIEW,
        pk=subject_id,
    )
    grants = grants_for(actor)
    if grants.allows(policy.ACTIVITY_ADD, subject.owner_id):
        organisation_id = subject.owner_id
    else:
        # A funder names activities of the subjects it funds, or for its programme money.
        funders = sorted(grants.organisations_granting(policy.ACTIVITY_ADD))
        funding = Commitment.objects.filter(funder_id__in=funders).filter(
            Q(subject=subject) | Q(subject__isnull=True)
        )
        organisation_id = funding.order_by("funder_id").values_list("funder_id", flat=True).first()
        if organisation_id is None:
            raise PermissionDenied(
                _(
                    "Activities of %(subject)s are named by its owner's applicants or by an "
                    "organisation funding it."
                )
                % {"subject": subject.name}
            )
    errors: Errors = {}
    name = _text(name, "name", errors, required=True, limit=200)
    description = _text(description, "description", errors, required=False)
    if name and Activity.objects.filter(subject=subject, name__iexact=name).exists():
        errors["name"] = [
            _("%(subject)s already has an activity named “%(name)s”.")
            % {"subject": subject.name, "name": name}
        ]
    _raise(errors)
    try:
        with transaction.atomic():
            activity = Activity.objects.create(
                subject=subject,
                name=name,
                description=description,
                organisation_id=organisation_id,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationFailed(
            {
                "name": [
                    _("%(subject)s already has an activity named “%(name)s”.")
                    % {"subject": subject.name, "name": name}
                ]
            }
        ) from None
    audit.record(actor=actor, action="create", target=activity, after=audit.snapshot(activity))
    return activity


@transaction.atomic
def allocate_batch(*, actor: Any, serial: str, activity_id: int) -> Allocation:
    """Give a whole issued batch to an activity of its subject. A batch is allocated once."""
    batch = _batch_for(actor, serial)
    if batch.state != BatchState.ISSUED:
        raise state_conflict(batch, "allocate")
    activity = Activity.objects.select_related("subject").filter(pk=activity_id).first()
    if activity is None or not selectors.activities_for(batch).filter(pk=activity.pk).exists():
        if activity is not None and batch.subject_id is not None:
            raise ValidationFailed(
                {
                    "activity": [
                        _("These units were issued for %(subject)s; choose one of its activities.")
                        % {"subject": batch.subject.name if batch.subject else ""}
                    ]
                }
            )
        raise ValidationFailed({"activity": [_("Choose an activity for these units.")]})
    _move(batch, BatchState.ISSUED, BatchState.ALLOCATED, "allocate")
    try:
        with transaction.atomic():
            allocation = Allocation.objects.create(
                batch=batch, activity=activity, allocated_by=actor
            )
    except IntegrityError:
        raise state_conflict(batch, "allocate") from None
    audit.record(actor=actor, action="allocate", target=batch, after={"activity": activity.pk})
    _log(
        allocation,
        kind="units.allocated",
        subject=batch.log_subject,
        content={
            "type": "unit_allocation",
            "id": allocation.pk,
            "batch": batch.serial,
            "batch_log_index": batch.log_index,
            "units": batch.units,
            "value": batch.value.text,
            "currency": batch.currency,
            "activity": {
                "id": activity.pk,
                "name": activity.name,
                "subject": activity.subject_id,
            },
            "allocated_at": _when(allocation.allocated_at),
        },
        facts={
            "serials": str(batch.range),
            "units": batch.units,
            "activity": activity.pk,
            "subject": activity.subject_id,
        },
        at=allocation.allocated_at,
    )
    return allocation


def _recognition_outcome(serial: str, subject: Subject) -> Recognition:
    recognition = Recognition.objects.filter(serial=serial.strip()).first()
    if recognition is None:
        raise ValidationFailed(
            {
                "recognition": [
                    _("No recognition has the certificate number %(serial)s.") % {"serial": serial}
                ]
            }
        )
    if recognition.subject_id != subject.pk:
        raise ValidationFailed(
            {
                "recognition": [
                    _(
                        "Recognition %(serial)s is of %(other)s, not of %(subject)s, the subject "
                        "these units were allocated to."
                    )
                    % {
                        "serial": recognition.serial,
                        "other": recognition.subject_name,
                        "subject": subject.name,
                    }
                ]
            }
        )
    if recognition.status != RecognitionStatus.ACTIVE:
        raise ValidationFailed(
            {
                "recognition": [
                    _(
                        "Recognition %(serial)s has the status “%(status)s”; units are retired "
                        "only against an active recognition."
                    )
                    % {"serial": recognition.serial, "status": recognition.get_status_display()}
                ]
            }
        )
    return recognition


def _improvement_outcome(
    baseline_id: int, improved_id: int, subject: Subject
) -> tuple[Assessment, Assessment]:
    pair = {
        a.pk: a
        for a in Assessment.objects.filter(pk__in=[baseline_id, improved_id]).select_related(
            "decision", "standard_version"
        )
    }
    errors: Errors = {}
    for field, pk in (("baseline", baseline_id), ("improved", improved_id)):
        found = pair.get(pk)
        if found is None or found.subject_id != subject.pk:
            errors[field] = [
                _("Choose a decided assessment of %(subject)s.") % {"subject": subject.name}
            ]
        elif getattr(found, "decision", None) is None or found.decision.overall_percent is None:
            errors[field] = [_("Assessment %(id)d has no decision with a score yet.") % {"id": pk}]
    _raise(errors)
    baseline, improved = pair[baseline_id], pair[improved_id]
    if baseline.pk == improved.pk:
        raise ValidationFailed({"improved": [_("Compare two different assessments.")]})
    if baseline.standard_version.standard_id != improved.standard_version.standard_id:
        raise ValidationFailed(
            {"improved": [_("Scores compare only between assessments against one standard.")]}
        )
    before, after = baseline.decision, improved.decision
    if after.decided_at <= before.decided_at:
        raise ValidationFailed(
            {"improved": [_("The improved assessment must be decided after the baseline.")]}
        )
    if after.overall_percent <= before.overall_percent:
        raise ValidationFailed(
            {
                "improved": [
                    _(
                        "The later score (%(after)s %%) is not higher than the baseline "
                        "(%(before)s %%): there is no improvement to retire units against."
                    )
                    % {"after": after.overall_percent, "before": before.overall_percent}
                ]
            }
        )
    return baseline, improved


@transaction.atomic
def retire_batch(
    *,
    actor: Any,
    serial: str,
    recognition: str | None = None,
    baseline_id: int | None = None,
    improved_id: int | None = None,
) -> Retirement:
    """Retire an allocated batch, for good, against a verified outcome of its activity's subject:
    an active recognition (``recognition``: its certificate number), or a score improvement
    between two decided assessments of one standard (``baseline_id`` → ``improved_id``)."""
    batch = _batch_for(actor, serial)
    if batch.state != BatchState.ALLOCATED:
        raise state_conflict(batch, "retire")
    allocation = Allocation.objects.select_related("activity__subject").get(batch=batch)
    subject = allocation.activity.subject
    by_recognition = bool(recognition and recognition.strip())
    by_score = baseline_id is not None or improved_id is not None
    if by_recognition == by_score:
        raise ValidationFailed(
            {
                "outcome": [
                    _(
                        "Name one verified outcome: a recognition's certificate number, or the "
                        "baseline and improved assessments."
                    )
                ]
            }
        )
    values: dict[str, Any]
    if by_recognition:
        assert recognition is not None
        found = _recognition_outcome(recognition, subject)
        reference = f"recognition:{found.serial}"
        values = {"outcome_kind": OutcomeKind.RECOGNITION, "recognition": found}
        outcome: dict[str, Any] = {
            "kind": "recognition",
            "recognition": found.serial,
            "standard": found.standard,
            "level": found.level,
            "tier": found.tier,
        }
    else:
        if baseline_id is None or improved_id is None:
            raise ValidationFailed(
                {
                    "baseline" if baseline_id is None else "improved": [
                        _("Give both the baseline and the improved assessment.")
                    ]
                }
            )
        baseline, improved = _improvement_outcome(baseline_id, improved_id, subject)
        reference = f"score:{baseline.pk}-{improved.pk}"
        before = baseline.decision.overall_percent
        after = improved.decision.overall_percent
        values = {
            "outcome_kind": OutcomeKind.SCORE_IMPROVEMENT,
            "baseline": baseline,
            "improved": improved,
            "baseline_percent": before,
            "improved_percent": after,
        }
        outcome = {
            "kind": "score_improvement",
            "standard": improved.standard_version.standard_id,
            "baseline": {"assessment": baseline.pk, "percent": str(before)},
            "improved": {"assessment": improved.pk, "percent": str(after)},
        }
    _move(batch, BatchState.ALLOCATED, BatchState.RETIRED, "retire")
    try:
        with transaction.atomic():
            retirement = Retirement.objects.create(
                batch=batch,
                allocation=allocation,
                outcome_reference=reference,
                retired_by=actor,
                **values,
            )
    except IntegrityError:
        raise state_conflict(batch, "retire") from None
    audit.record(actor=actor, action="retire", target=batch, after={"outcome": reference})
    _log(
        retirement,
        kind="units.retired",
        subject=batch.log_subject,
        content={
            "type": "unit_retirement",
            "id": retirement.pk,
            "batch": batch.serial,
            "allocation_log_index": allocation.log_index,
            "units": batch.units,
            "value": batch.value.text,
            "currency": batch.currency,
            "subject": subject.pk,
            "activity": allocation.activity_id,
            "outcome": outcome,
            "retired_at": _when(retirement.retired_at),
        },
        facts={"serials": str(batch.range), "units": batch.units, "outcome": reference},
        at=retirement.retired_at,
    )
    return retirement


# --- spending --------------------------------------------------------------------------------


@transaction.atomic
def report_spending(
    *,
    actor: Any,
    commitment_id: int,
    amount: object,
    spent_on: object,
    category: str,
    description: str,
    subject_id: int | None = None,
    activity_id: int | None = None,
) -> SpendingReport:
    """The recipient (applicants of the funded subject's owner) reports what it spent.

    For programme money, ``subject_id`` names the recipient subject among those whose activities
    received its units. At most what the subject received and has not yet reported is accepted.
    """
    found = get_for(
        Commitment.objects.all(),
        actor,
        policy.FUNDING_VIEW,
        view_permission=policy.FUNDING_VIEW,
        pk=commitment_id,
    )
    # Locked (only its own row: the subject is an outer join): reports check the balance in turn.
    commitment = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("subject")
        .get(pk=found.pk)
    )
    recipients = {s.pk: s for s in selectors.recipient_subjects(commitment)}
    if commitment.subject_id is not None:
        subject = commitment.subject
    elif subject_id in recipients:
        subject = recipients[subject_id]
    elif subject_id is None and len(recipients) == 1:
        subject = next(iter(recipients.values()))
    else:
        raise ValidationFailed(
            {"subject": [_("Choose the subject that received units of this programme.")]}
        )
    assert subject is not None
    if not grants_for(actor).allows(policy.SPENDING_ADD, subject.owner_id):
        raise PermissionDenied(
            _("Spending is reported by the applicants of %(subject)s's owner.")
            % {"subject": subject.name}
        )
    code, decimals = commitment.currency, commitment.decimals
    errors: Errors = {}
    minor = _minor(amount, code, decimals, "amount", errors)
    day = _date(spent_on, "spent_on", errors)
    _not_future(day, "spent_on", errors, _("Report spending once it happened."))
    if category not in SpendingCategory.values:
        errors["category"] = [_("Choose a category.")]
    description = _text(description, "description", errors, required=True)
    activity = None
    if activity_id is not None:
        activity = Activity.objects.filter(pk=activity_id, subject=subject).first()
        if activity is None:
            errors["activity"] = [
                _("Choose an activity of %(subject)s.") % {"subject": subject.name}
            ]
    if minor is not None:
        received = selectors.received_minor(commitment, subject.pk)
        reported = selectors.reported_minor(commitment, subject.pk)
        if minor > received - reported:
            errors.setdefault("amount", []).append(
                _(
                    "%(subject)s received %(received)s from this commitment and has reported "
                    "%(reported)s; at most %(left)s more can be reported."
                )
                % {
                    "subject": subject.name,
                    "received": commitment.money(received),
                    "reported": commitment.money(reported),
                    "left": commitment.money(max(received - reported, 0)),
                }
            )
    _raise(errors)
    assert minor is not None
    assert day is not None
    report = SpendingReport.objects.create(
        commitment=commitment,
        subject=subject,
        activity=activity,
        amount_minor=minor,
        spent_on=day,
        category=category,
        description=description,
        reported_by=actor,
    )
    audit.record(actor=actor, action="create", target=report, after=audit.snapshot(report))
    _log(
        report,
        kind="spending.reported",
        subject=f"subject:{subject.pk}",
        content={
            "type": "spending",
            "id": report.pk,
            "commitment": commitment.pk,
            "commitment_log_index": commitment.log_index,
            "subject": subject.pk,
            "activity": activity.pk if activity else None,
            "amount": amount_text(minor, decimals),
            "currency": code,
            "spent_on": day.isoformat(),
            "category": category,
            "description": description,
            "reported_at": _when(report.reported_at),
        },
        facts={
            "amount": amount_text(minor, decimals),
            "currency": code,
            "category": category,
            "commitment": commitment.pk,
        },
        at=report.reported_at,
    )
    return report
