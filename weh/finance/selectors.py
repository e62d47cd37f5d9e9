"""Reads of the finance records: lists, the trace of a commitment, a batch with its history, the
public funding summary of a subject, and the funding ties used by the conflict-of-interest rule.

Every read that depends on who asks starts from ``restrict(user, FUNDING_VIEW)``: a funder sees
its own organisations' records, a recipient those reaching its subjects, the secretariat all.
The public summary shows only public facts (organisations, amounts, serials, outcomes, log
indexes), never people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from weh.accounts.models import Organisation
from weh.assessments.models import Assessment
from weh.core import policy
from weh.core.errors import NotFound
from weh.core.permissions import get_for, grants_for
from weh.finance.models import (
    Activity,
    Allocation,
    BatchState,
    Commitment,
    Disbursement,
    OutcomeKind,
    Retirement,
    SpendingReport,
    Split,
    UnitBatch,
)
from weh.finance.money import Money
from weh.registry.models import Subject
from weh.review.models import Recognition, RecognitionStatus

# --- the log ---------------------------------------------------------------------------------


def log_entry_url(index: int | None) -> str:
    """The public page of log entry ``index`` (the ledger's ``ledger:entry`` page).

    The page belongs to the ledger app; until it is installed, the path it will have is used.
    """
    if index is None:
        return ""
    try:
        return reverse("ledger:entry", args=[index])
    except NoReverseMatch:
        return f"/log/entries/{index}/"


# --- conflict of interest --------------------------------------------------------------------


def funding_ties(organisation_id: int) -> Iterator[tuple[int, str]]:
    """Organisations funding ``organisation_id``'s subjects (a tie provider for the review).

    Registered with ``weh.review.conflicts.register_tie`` in ``FinanceConfig.ready``: members
    of a funder may not review the assessments of an organisation it funds, whether by a
    commitment to one of its subjects or by units allocated to one of its activities.
    """
    direct = Commitment.objects.filter(subject__owner_id=organisation_id).values_list(
        "funder_id", flat=True
    )
    through_units = UnitBatch.objects.filter(
        allocation__activity__subject__owner_id=organisation_id
    ).values_list("issuer_id", flat=True)
    why = str(_("funds a subject of the owner"))
    for funder_id in sorted(set(direct) | set(through_units)):
        if funder_id != organisation_id:
            yield funder_id, why


# --- commitments -----------------------------------------------------------------------------


def visible_commitments(user: Any) -> QuerySet[Commitment]:
    return Commitment.objects.restrict(user, policy.FUNDING_VIEW)


def list_commitments(
    *, user: Any, subject_id: int | None = None, funder_id: int | None = None
) -> QuerySet[Commitment]:
    qs = visible_commitments(user).select_related("funder", "subject")
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    if funder_id is not None:
        qs = qs.filter(funder_id=funder_id)
    return qs.order_by("-recorded_at", "-pk")


def get_commitment(*, user: Any, commitment_id: int) -> Commitment:
    return get_for(
        Commitment.objects.select_related("funder", "subject", "subject__owner"),
        user,
        policy.FUNDING_VIEW,
        view_permission=policy.FUNDING_VIEW,
        pk=commitment_id,
    )


def funder_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations the user may record commitments for."""
    grants = grants_for(user)
    if grants.hub_wide:
        return Organisation.objects.filter(type="funder").order_by("name")
    ids = grants.organisations_granting(policy.COMMITMENT_ADD)
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def disbursed_minor(commitment: Commitment) -> int:
    return int(
        Disbursement.objects.filter(commitment=commitment).aggregate(total=Sum("amount_minor"))[
            "total"
        ]
        or 0
    )


def remaining(commitment: Commitment) -> Money:
    """What can still be disbursed of the commitment."""
    return commitment.money(commitment.amount_minor - disbursed_minor(commitment))


def received_minor(commitment: Commitment, subject_id: int) -> int:
    """What ``subject_id`` has received from the commitment, in minor units.

    Money committed to the subject counts once disbursed; programme money counts as the value of
    the units allocated to the subject's activities.
    """
    if commitment.subject_id == subject_id:
        return disbursed_minor(commitment)
    if commitment.subject_id is not None:
        return 0
    total = 0
    for batch in UnitBatch.objects.filter(
        commitment=commitment, allocation__activity__subject_id=subject_id
    ):
        total += batch.value.minor
    return total


def reported_minor(commitment: Commitment, subject_id: int) -> int:
    return int(
        SpendingReport.objects.filter(commitment=commitment, subject_id=subject_id).aggregate(
            total=Sum("amount_minor")
        )["total"]
        or 0
    )


def recipient_subjects(commitment: Commitment) -> list[Subject]:
    """The subjects that received money of the commitment (the one it names, or for programme
    money, those whose activities hold its units)."""
    if commitment.subject_id is not None:
        return [commitment.subject] if commitment.subject else []
    ids = UnitBatch.objects.filter(commitment=commitment, allocation__isnull=False).values_list(
        "allocation__activity__subject_id", flat=True
    )
    return list(Subject.objects.filter(pk__in=set(ids)).order_by("name"))


# --- the trace -------------------------------------------------------------------------------


@dataclass
class BatchNode:
    """A batch, with what became of it: split into children, or allocated and maybe retired."""

    batch: UnitBatch
    children: list[BatchNode] = field(default_factory=list)

    @property
    def split(self) -> Any:
        return getattr(self.batch, "split", None) if self.batch.state == BatchState.SPLIT else None

    @property
    def allocation(self) -> Allocation | None:
        return getattr(self.batch, "allocation", None)

    @property
    def retirement(self) -> Retirement | None:
        return getattr(self.batch, "retirement", None)

    def leaves(self) -> Iterator[UnitBatch]:
        """The batches in use: this one, or the leaves of its children."""
        if not self.children:
            yield self.batch
        for child in self.children:
            yield from child.leaves()


@dataclass
class DisbursementNode:
    disbursement: Disbursement
    amount: Money
    unit_value: Money
    batches: list[BatchNode]


@dataclass
class Totals:
    committed: Money
    disbursed: Money
    remaining: Money
    allocated: Money
    retired: Money
    spent: Money
    units_issued: int
    units_allocated: int
    units_retired: int


@dataclass
class ActivityLine:
    """Units allocated to one activity, their value per currency, and how many were retired."""

    activity: Activity
    units: int = 0
    retired_units: int = 0
    values: dict[str, Money] = field(default_factory=dict)

    def add(self, batch: UnitBatch) -> None:
        self.units += batch.units
        value = batch.value
        held = self.values.get(value.currency)
        self.values[value.currency] = value if held is None else held + value
        if getattr(batch, "retirement", None) is not None:
            self.retired_units += batch.units

    @property
    def value_list(self) -> list[Money]:
        return [self.values[code] for code in sorted(self.values)]


@dataclass
class Trace:
    commitment: Commitment
    disbursements: list[DisbursementNode]
    activities: list[ActivityLine]
    spending: list[SpendingReport]
    totals: Totals


def _batch_rows(filters: Q) -> list[UnitBatch]:
    return list(
        UnitBatch.objects.filter(filters)
        .select_related(
            "split",
            "allocation",
            "allocation__activity",
            "allocation__activity__subject",
            "retirement",
            "retirement__recognition",
            "retirement__baseline__standard_version",
            "retirement__improved__standard_version",
        )
        .order_by("first_serial", "last_serial", "pk")
    )


def _trees(rows: Iterable[UnitBatch]) -> list[BatchNode]:
    """The batches as trees: issued batches at the roots, split children below their parent."""
    nodes = {row.pk: BatchNode(row) for row in rows}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.batch.parent_id) if node.batch.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            node.batch.parent = parent.batch  # shown as "part of …" without another query
            parent.children.append(node)
    return roots


def trace(*, user: Any, commitment_id: int) -> Trace:
    """The path of a commitment's money: disbursements → batches (with their splits) →
    activities → verified outcomes, with every step's log index and the totals."""
    commitment = get_commitment(user=user, commitment_id=commitment_id)
    money = commitment.money
    disbursements = list(commitment.disbursements.order_by("disbursed_on", "pk"))
    trees = _trees(_batch_rows(Q(commitment=commitment)))
    by_disbursement: dict[int, list[BatchNode]] = defaultdict(list)
    for tree in trees:
        by_disbursement[tree.batch.disbursement_id].append(tree)
    nodes = [
        DisbursementNode(
            d, money(d.amount_minor), money(d.unit_value_minor), by_disbursement.get(d.pk, [])
        )
        for d in disbursements
    ]
    leaves = [leaf for tree in trees for leaf in tree.leaves()]
    allocated = [b for b in leaves if getattr(b, "allocation", None) is not None]
    retired = [b for b in allocated if getattr(b, "retirement", None) is not None]
    spending = list(
        commitment.spending_reports.select_related("subject", "activity").order_by("spent_on", "pk")
    )
    activities: dict[int, ActivityLine] = {}
    for batch in allocated:
        activity = batch.allocation.activity
        activities.setdefault(activity.pk, ActivityLine(activity)).add(batch)
    disbursed = sum(d.amount_minor for d in disbursements)
    totals = Totals(
        committed=commitment.amount,
        disbursed=money(disbursed),
        remaining=money(commitment.amount_minor - disbursed),
        allocated=money(sum(b.value.minor for b in allocated)),
        retired=money(sum(b.value.minor for b in retired)),
        spent=money(sum(s.amount_minor for s in spending)),
        units_issued=sum(tree.batch.units for tree in trees),
        units_allocated=sum(b.units for b in allocated),
        units_retired=sum(b.units for b in retired),
    )
    return Trace(
        commitment=commitment,
        disbursements=nodes,
        activities=sorted(activities.values(), key=lambda line: line.activity.name),
        spending=spending,
        totals=totals,
    )


# --- batches ---------------------------------------------------------------------------------


def list_batches(
    *,
    user: Any,
    commitment_id: int | None = None,
    subject_id: int | None = None,
    state: str | None = None,
) -> QuerySet[UnitBatch]:
    qs = UnitBatch.objects.restrict(user, policy.FUNDING_VIEW).select_related(
        "issuer", "subject", "allocation__activity", "retirement"
    )
    if commitment_id is not None:
        qs = qs.filter(commitment_id=commitment_id)
    if subject_id is not None:
        qs = qs.filter(Q(subject_id=subject_id) | Q(allocation__activity__subject_id=subject_id))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("issuer_id", "first_serial", "last_serial")


def get_batch(*, user: Any, serial: str) -> UnitBatch:
    return get_for(
        UnitBatch.objects.select_related(
            "issuer",
            "subject",
            "commitment",
            "commitment__funder",
            "disbursement",
            "parent",
            "split",
            "allocation__activity__subject",
            "retirement__recognition",
            "retirement__baseline__standard_version",
            "retirement__improved__standard_version",
        ),
        user,
        policy.FUNDING_VIEW,
        view_permission=policy.FUNDING_VIEW,
        serial=serial,
    )


def batch_children(batch: UnitBatch) -> list[UnitBatch]:
    return list(batch.children.order_by("first_serial"))


def batch_history(batch: UnitBatch) -> list[UnitBatch]:
    """The batch's ancestors, from the issued batch down to its parent."""
    chain = []
    current = batch.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def can_change_units(user: Any, batch: UnitBatch) -> bool:
    return grants_for(user).allows(policy.UNITS_CHANGE, batch.issuer_id)


def activities_for(batch: UnitBatch) -> QuerySet[Activity]:
    """Activities the batch may be allocated to: those of its subject; for programme units,
    those named by the issuer or of subjects the issuer funds directly."""
    qs = Activity.objects.select_related("subject")
    if batch.subject_id is not None:
        return qs.filter(subject_id=batch.subject_id).order_by("name")
    funded = Commitment.objects.filter(funder_id=batch.issuer_id, subject__isnull=False)
    return qs.filter(
        Q(organisation_id=batch.issuer_id) | Q(subject_id__in=funded.values("subject_id"))
    ).order_by("subject__name", "name")


@dataclass(frozen=True)
class Improvement:
    """Two decided assessments of one subject and standard, the later scoring higher."""

    baseline: Assessment
    improved: Assessment

    @property
    def standard(self) -> str:
        return self.improved.standard_version.standard_id

    @property
    def before(self) -> Any:
        return self.baseline.decision.overall_percent

    @property
    def after(self) -> Any:
        return self.improved.decision.overall_percent

    @property
    def reference(self) -> str:
        return f"score:{self.baseline.pk}-{self.improved.pk}"


def decided_assessments(subject_id: int) -> list[Assessment]:
    """The subject's assessments with a decision and a score, oldest decision first."""
    return list(
        Assessment.objects.filter(subject_id=subject_id, decision__isnull=False)
        .filter(decision__overall_percent__isnull=False)
        .select_related("decision", "standard_version")
        .order_by("decision__decided_at", "pk")
    )


def improvements(subject_id: int) -> list[Improvement]:
    """Every pair of decided assessments of the subject showing a higher later score."""
    found = []
    decided = decided_assessments(subject_id)
    for i, earlier in enumerate(decided):
        for later in decided[i + 1 :]:
            same_standard = (
                later.standard_version.standard_id == earlier.standard_version.standard_id
            )
            if (
                same_standard
                and later.decision.decided_at > earlier.decision.decided_at
                and later.decision.overall_percent > earlier.decision.overall_percent
            ):
                found.append(Improvement(earlier, later))
    return found


def active_recognitions(subject_id: int) -> QuerySet[Recognition]:
    return Recognition.objects.filter(
        subject_id=subject_id, status=RecognitionStatus.ACTIVE
    ).order_by("-valid_from", "serial")


# --- the public summary of a subject ---------------------------------------------------------


@dataclass
class CurrencyLine:
    currency: str
    committed: Money
    received: Money
    allocated: Money
    retired: Money
    spent: Money


@dataclass
class OutcomeLine:
    retirement: Retirement
    batch: UnitBatch
    funder: Organisation
    activity: Activity
    value: Money

    @property
    def is_recognition(self) -> bool:
        return self.retirement.outcome_kind == OutcomeKind.RECOGNITION


@dataclass
class FunderLine:
    commitment: Commitment
    disbursed: Money


@dataclass
class SubjectSummary:
    subject: Subject
    currencies: list[CurrencyLine]
    funders: list[FunderLine]
    activities: list[ActivityLine]
    outcomes: list[OutcomeLine]

    @property
    def is_empty(self) -> bool:
        return not (self.funders or self.activities or self.outcomes)


def subject_summary(*, user: Any, subject_id: int) -> SubjectSummary:
    """What a subject received, per currency, and the outcomes its units were retired against.

    Public: whoever may see the subject (anyone, once it is published) sees its summary. It
    names organisations and activities, never people.
    """
    subject = get_for(
        Subject.objects.all(),
        user,
        policy.SUBJECT_VIEW,
        view_permission=policy.SUBJECT_VIEW,
        pk=subject_id,
    )
    commitments = list(
        Commitment.objects.filter(subject=subject).select_related("funder").order_by("pk")
    )
    lines: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    disbursed = {
        row["commitment_id"]: row["total"]
        for row in Disbursement.objects.filter(commitment__subject=subject)
        .values("commitment_id")
        .annotate(total=Sum("amount_minor"))
    }
    funders = []
    for commitment in commitments:
        key = (commitment.currency, commitment.decimals)
        lines[key]["committed"] += commitment.amount_minor
        lines[key]["received"] += int(disbursed.get(commitment.pk, 0) or 0)
        funders.append(FunderLine(commitment, commitment.money(disbursed.get(commitment.pk, 0))))
    # Units on the subject's activities: from its own commitments and from programmes.
    batches = _batch_rows(Q(allocation__activity__subject=subject))
    activities: dict[int, ActivityLine] = {}
    outcomes = []
    issuers = Organisation.objects.in_bulk({b.issuer_id for b in batches})
    own = {c.pk for c in commitments}
    for batch in batches:
        key = (batch.currency, batch.decimals)
        value = batch.value
        lines[key]["allocated"] += value.minor
        if batch.commitment_id not in own:
            lines[key]["received"] += value.minor  # programme money reaches it through units
        activity = batch.allocation.activity
        activities.setdefault(activity.pk, ActivityLine(activity)).add(batch)
        retirement = getattr(batch, "retirement", None)
        if retirement is not None:
            lines[key]["retired"] += value.minor
            outcomes.append(
                OutcomeLine(retirement, batch, issuers[batch.issuer_id], activity, value)
            )
    for row in (
        SpendingReport.objects.filter(subject=subject)
        .values("commitment__currency", "commitment__decimals")
        .annotate(total=Sum("amount_minor"))
    ):
        lines[(row["commitment__currency"], row["commitment__decimals"])]["spent"] += int(
            row["total"]
        )
    currencies = [
        CurrencyLine(
            currency=currency,
            committed=Money(values["committed"], currency, decimals),
            received=Money(values["received"], currency, decimals),
            allocated=Money(values["allocated"], currency, decimals),
            retired=Money(values["retired"], currency, decimals),
            spent=Money(values["spent"], currency, decimals),
        )
        for (currency, decimals), values in sorted(lines.items())
    ]
    outcomes.sort(key=lambda o: (o.retirement.retired_at, o.retirement.pk))
    return SubjectSummary(
        subject=subject,
        currencies=currencies,
        funders=funders,
        activities=sorted(activities.values(), key=lambda a: a.activity.name),
        outcomes=outcomes,
    )


# --- the logged records ----------------------------------------------------------------------


def _commitment_id_of(record: Any) -> int:
    if isinstance(record, Commitment):
        return int(record.pk)
    if isinstance(record, Split):
        return int(record.parent.commitment_id)
    if isinstance(record, Allocation | Retirement):
        return int(record.batch.commitment_id)
    return int(record.commitment_id)


def logged_record(*, user: Any, index: int) -> Any:
    """The finance record behind log entry ``index``, for whoever may see its commitment.

    Its ``log_content`` is the exact record whose SHA-256 the entry holds: with it and the
    entry's inclusion proof, a funder or recipient can check the log without trusting the hub.
    """
    for model in (
        Commitment,
        Disbursement,
        UnitBatch,
        Split,
        Allocation,
        Retirement,
        SpendingReport,
    ):
        record = model.objects.filter(log_index=index).first()  # type: ignore[attr-defined]
        if record is not None:
            get_commitment(user=user, commitment_id=_commitment_id_of(record))
            return record
    raise NotFound()
