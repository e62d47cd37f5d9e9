"""Finance traceability: commitments, disbursements, unit batches with serial ranges, their
splits, allocations to activities and retirements against verified outcomes, and the spending
recipients report.

Money is stored as whole minor units (``amount_minor``, see :mod:`weh.finance.money`) with the
currency's code and number of decimals; it is shown and exchanged as Decimal strings.

The rules a unit must never break are held by the database, not only by the services:

- a batch's range is well formed (``1 <= first_serial <= last_serial``), and two batches issued
  by one organisation never start at the same serial (the issuer's counter only moves forward);
- a batch is allocated at most once (``Allocation.batch`` is unique), retired at most once
  (``Retirement.batch`` and ``Retirement.allocation`` are unique) and split at most once
  (``Split.parent`` is unique); the two children of a split start at distinct serials;
- every amount and unit value is positive; a retirement names exactly one kind of outcome.

Each record keeps ``log_index``, its entry in the transparency log, and ``log_content``, the
exact record whose SHA-256 that entry holds, so anyone given the record can check the entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weh.accounts.models import Membership, Organisation
from weh.assessments.models import Assessment
from weh.core import policy
from weh.core.permissions import RestrictedQuerySet
from weh.finance import serials
from weh.finance.money import Money
from weh.registry.models import Subject
from weh.review.models import Recognition

User = settings.AUTH_USER_MODEL


def member_organisations(user_id: int, permission: str) -> models.QuerySet[Membership]:
    """Subquery: the organisations where some role of the user carries ``permission``."""
    roles = [role.value for role in policy.Role if permission in policy.ROLE_PERMISSIONS[role]]
    return Membership.objects.filter(user_id=user_id, role__in=roles).values("organisation_id")


class Logged(models.Model):
    """The transparency-log reference every finance record carries."""

    # Set in the transaction that creates the record, right after its entry is appended (the
    # entry's content names the record's id, so the row comes first). Unique: one entry, one
    # record of a kind.
    log_index = models.PositiveBigIntegerField(_("log index"), null=True, unique=True)
    log_content = models.JSONField(_("logged record"), default=dict, editable=False)

    class Meta:
        abstract = True


class CommitmentQuerySet(RestrictedQuerySet):
    owner_field = "funder_id"

    def personal_q(self, user_id: int, permission: str) -> Q | None:
        if permission != policy.FUNDING_VIEW:
            return None
        # The recipients: the owner of the funded subject, and for programme money, the owners
        # of the subjects whose activities received its units.
        orgs = member_organisations(user_id, permission)
        reached = UnitBatch.objects.filter(allocation__activity__subject__owner_id__in=orgs).values(
            "commitment_id"
        )
        return Q(subject__owner_id__in=orgs) | Q(pk__in=reached)


class Commitment(Logged):
    """A funder's promise of money to a subject, or to a named programme."""

    funder = models.ForeignKey(
        Organisation,
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="funding_commitments",
    )
    subject = models.ForeignKey(
        Subject,
        verbose_name=_("subject"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funding_commitments",
    )
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    decimals = models.PositiveSmallIntegerField(_("decimals of the currency"))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    purpose = models.TextField(_("purpose"))
    conditions = models.TextField(_("conditions"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("funding commitment")
        verbose_name_plural = _("funding commitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="finance_commitment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="finance_commitment_period"
            ),
            models.CheckConstraint(
                condition=Q(subject__isnull=False) | ~Q(programme=""),
                name="finance_commitment_has_recipient",
            ),
            models.CheckConstraint(
                condition=Q(decimals__lte=4), name="finance_commitment_decimals"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} → {self.recipient_name}: {self.amount}"

    @property
    def recipient_name(self) -> str:
        return self.subject.name if self.subject_id else self.programme

    @property
    def amount(self) -> Money:
        return self.money(self.amount_minor)

    def money(self, minor: int) -> Money:
        """``minor`` minor units of this commitment's currency."""
        return Money(minor, self.currency, self.decimals)

    @property
    def log_subject(self) -> str:
        """The log reference its money events are filed under."""
        return f"subject:{self.subject_id}" if self.subject_id else f"commitment:{self.pk}"


class Disbursement(Logged):
    """Money paid out against a commitment; issued at once as one batch of units."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="disbursements"
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    unit_value_minor = models.BigIntegerField(_("value of one unit (minor units)"))
    disbursed_on = models.DateField(_("disbursed on"))
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["disbursed_on", "pk"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="finance_disbursement_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_value_minor__gt=0), name="finance_disbursement_unit_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disbursed_on}: {self.amount_minor}"

    @property
    def amount(self) -> Money:
        return self.commitment.money(self.amount_minor)

    @property
    def unit_value(self) -> Money:
        return self.commitment.money(self.unit_value_minor)


class UnitIssuer(models.Model):
    """An organisation's serial counter and code; its row is locked while units are issued."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="unit_issuer"
    )
    code = models.CharField(_("issuer code"), max_length=serials.MAX_ISSUER_CODE, unique=True)
    next_serial = models.BigIntegerField(_("next serial"), default=1)

    class Meta:
        verbose_name = _("unit issuer")
        verbose_name_plural = _("unit issuers")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_serial__gte=1), name="finance_issuer_serials_from_one"
            )
        ]

    def __str__(self) -> str:
        return self.code


class BatchState(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SPLIT = "split", _("Split")
    ALLOCATED = "allocated", _("Allocated")
    RETIRED = "retired", _("Retired")


class UnitBatchQuerySet(RestrictedQuerySet):
    owner_field = "issuer_id"

    def personal_q(self, user_id: int, permission: str) -> Q | None:
        if permission != policy.FUNDING_VIEW:
            return None
        orgs = member_organisations(user_id, permission)
        return Q(subject__owner_id__in=orgs) | Q(allocation__activity__subject__owner_id__in=orgs)


class UnitBatch(Logged):
    """Units ``first_serial … last_serial``, each worth ``unit_value_minor`` of the currency."""

    serial = models.CharField(_("serial"), max_length=80, unique=True)
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="issued_unit_batches",
    )
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="batches")
    disbursement = models.ForeignKey(Disbursement, on_delete=models.PROTECT, related_name="batches")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="unit_batches"
    )
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    vintage = models.PositiveSmallIntegerField(_("vintage"))
    first_serial = models.BigIntegerField(_("first serial"))
    last_serial = models.BigIntegerField(_("last serial"))
    currency = models.CharField(_("currency"), max_length=3)
    decimals = models.PositiveSmallIntegerField(_("decimals of the currency"))
    unit_value_minor = models.BigIntegerField(_("value of one unit (minor units)"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=BatchState.choices, default=BatchState.ISSUED
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = UnitBatchQuerySet.as_manager()

    class Meta:
        ordering = ["issuer", "first_serial", "last_serial"]
        verbose_name = _("unit batch")
        verbose_name_plural = _("unit batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_serial__gte=1) & Q(last_serial__gte=F("first_serial")),
                name="finance_batch_range",
            ),
            models.CheckConstraint(
                condition=Q(unit_value_minor__gt=0), name="finance_batch_unit_positive"
            ),
            models.CheckConstraint(
                condition=Q(vintage__gte=1000) & Q(vintage__lte=9999), name="finance_batch_vintage"
            ),
            models.CheckConstraint(
                condition=Q(state__in=BatchState.values), name="finance_batch_state"
            ),
            # Issued batches of one issuer never share a first serial (the counter moves on);
            # the two children of a split never do either.
            models.UniqueConstraint(
                fields=["issuer", "first_serial"],
                condition=Q(parent__isnull=True),
                name="finance_issued_batch_serials_once",
            ),
            models.UniqueConstraint(
                fields=["parent", "first_serial"],
                condition=Q(parent__isnull=False),
                name="finance_split_children_distinct",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def range(self) -> serials.SerialRange:
        return serials.SerialRange(self.first_serial, self.last_serial)

    @property
    def units(self) -> int:
        return self.last_serial - self.first_serial + 1

    @property
    def unit_value(self) -> Money:
        return Money(self.unit_value_minor, self.currency, self.decimals)

    @property
    def value(self) -> Money:
        return self.unit_value.times(self.units)

    @property
    def log_subject(self) -> str:
        return f"batch:{self.serial}"


class Split(Logged):
    """A batch cut in two at ``at_serial``; the parent is used up, its children carry on."""

    parent = models.OneToOneField(UnitBatch, on_delete=models.PROTECT, related_name="split")
    at_serial = models.BigIntegerField(_("second part starts at"))
    split_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    split_at = models.DateTimeField(_("split"), default=timezone.now)

    class Meta:
        verbose_name = _("split")
        verbose_name_plural = _("splits")
        constraints = [
            models.CheckConstraint(condition=Q(at_serial__gt=1), name="finance_split_point")
        ]

    def __str__(self) -> str:
        return f"{self.parent_id} at {self.at_serial}"


class Activity(models.Model):
    """A named piece of work of a subject that units are allocated to."""

    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="activities"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("named by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The funder or recipient organisation that named the activity."),
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["subject", "name"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["subject", "name"], name="finance_activity_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Allocation(Logged):
    """A whole batch given to an activity. One per batch: the database refuses a second."""

    batch = models.OneToOneField(UnitBatch, on_delete=models.PROTECT, related_name="allocation")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="allocations")
    allocated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField(_("allocated"), default=timezone.now)

    class Meta:
        ordering = ["allocated_at", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.batch_id} → {self.activity_id}"


class OutcomeKind(models.TextChoices):
    RECOGNITION = "recognition", _("Recognition")
    SCORE_IMPROVEMENT = "score_improvement", _("Improved assessed score")


class Retirement(Logged):
    """An allocated batch retired, for good, against a verified outcome of its subject.

    One per batch and per allocation: the database refuses a second.
    """

    batch = models.OneToOneField(UnitBatch, on_delete=models.PROTECT, related_name="retirement")
    allocation = models.OneToOneField(
        Allocation, on_delete=models.PROTECT, related_name="retirement"
    )
    outcome_kind = models.CharField(_("outcome"), max_length=20, choices=OutcomeKind.choices)
    recognition = models.ForeignKey(
        Recognition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    baseline = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    improved = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    baseline_percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    improved_percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    outcome_reference = models.CharField(_("outcome reference"), max_length=120)
    retired_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    retired_at = models.DateTimeField(_("retired"), default=timezone.now)

    class Meta:
        ordering = ["retired_at", "pk"]
        verbose_name = _("retirement")
        verbose_name_plural = _("retirements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        outcome_kind=OutcomeKind.RECOGNITION,
                        recognition__isnull=False,
                        baseline__isnull=True,
                        improved__isnull=True,
                    )
                    | Q(
                        outcome_kind=OutcomeKind.SCORE_IMPROVEMENT,
                        recognition__isnull=True,
                        baseline__isnull=False,
                        improved__isnull=False,
                        improved_percent__gt=F("baseline_percent"),
                    )
                ),
                name="finance_retirement_one_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.outcome_reference}"

    @property
    def outcome_label(self) -> str:
        """The outcome in words, as the pages show it."""
        if self.recognition_id is not None:
            return _("recognition %(serial)s") % {"serial": self.recognition.serial}
        before, after = (
            format(value.normalize(), "f") if value is not None else "?"
            for value in (self.baseline_percent, self.improved_percent)
        )
        return _("a score rising from %(before)s %% to %(after)s %% (%(standard)s)") % {
            "before": before,
            "after": after,
            "standard": self.improved.standard_version.standard_id if self.improved else "",
        }


class SpendingCategory(models.TextChoices):
    WORKS = "works", _("Works and restoration")
    EQUIPMENT = "equipment", _("Equipment and materials")
    STAFF = "staff", _("Staff and labour")
    SERVICES = "services", _("Services and consultancy")
    COMMUNITY = "community", _("Community payments and benefit sharing")
    MONITORING = "monitoring", _("Monitoring and evaluation")
    OTHER = "other", _("Other")


class SpendingReport(Logged):
    """What the recipient reports having spent of a commitment's money."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="spending_reports"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="spending"
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    spent_on = models.DateField(_("spent on"))
    category = models.CharField(_("category"), max_length=12, choices=SpendingCategory.choices)
    description = models.TextField(_("description"))
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        ordering = ["spent_on", "pk"]
        verbose_name = _("spending report")
        verbose_name_plural = _("spending reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="finance_spending_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(category__in=SpendingCategory.values),
                name="finance_spending_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on}: {self.amount_minor}"

    @property
    def amount(self) -> Money:
        return self.commitment.money(self.amount_minor)
