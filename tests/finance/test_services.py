"""The finance services: validation, permissions, balances, units and their log entries."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.finance.conftest import Cast, activity, commit, days_ago, disburse, issued_batch
from tests.review.factories import AssessmentFactory, DecisionFactory, RecognitionFactory
from weh.core.audit import AuditEntry
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.finance import services
from weh.finance.models import (
    BatchState,
    Commitment,
    Disbursement,
    OutcomeKind,
    SpendingReport,
    UnitBatch,
)
from weh.ledger.models import LogEntry
from weh.review.certificate import canonical_json
from weh.review.conflicts import conflicts_of

pytestmark = pytest.mark.django_db


def errors_of(excinfo: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    return excinfo.value.errors


def assert_logged(record: object, kind: str, subject: str) -> LogEntry:
    """The record's entry is in the log, and the record kept is the one the entry commits to."""
    index = record.log_index  # type: ignore[attr-defined]
    assert index is not None
    entry = LogEntry.objects.get(index=index)
    assert entry.kind == kind
    assert entry.subject == subject
    content = record.log_content  # type: ignore[attr-defined]
    assert hashlib.sha256(canonical_json(content)).hexdigest() == entry.content_sha256
    return entry


# --- commitments -----------------------------------------------------------------------------


def test_a_funder_records_a_commitment_in_the_log(cast: Cast) -> None:
    commitment = commit(cast)
    assert commitment.amount.amount == Decimal("250000.00")
    assert str(commitment.amount) == "250000.00 EUR"
    entry = assert_logged(commitment, "commitment.recorded", f"subject:{cast.subject.pk}")
    assert '"amount":"250000.00"' in entry.text
    assert '"currency":"EUR"' in entry.text
    # No people in the log: neither the entry nor the record it commits to.
    assert cast.funder.username not in entry.text
    assert cast.funder.username not in str(commitment.log_content)
    assert commitment.log_content["amount"] == "250000.00"
    assert AuditEntry.objects.filter(target_type="finance.commitment").count() == 1


def test_programme_commitments_need_no_subject(cast: Cast) -> None:
    commitment = commit(cast, subject_id=None, programme="GEF-8 Coastal Resilience")
    assert_logged(commitment, "commitment.recorded", f"commitment:{commitment.pk}")
    with pytest.raises(ValidationFailed) as excinfo:
        commit(cast, subject_id=None, programme="  ")
    assert errors_of(excinfo) == {
        "subject": ["Name the subject or the programme the money is committed to."]
    }


@pytest.mark.parametrize(
    ("currency", "amount", "field", "message"),
    [
        ("EUX", "10", "currency", "“EUX” is not an ISO 4217 currency code"),
        ("XAU", "10", "currency", "XAU is not a currency money is paid in"),
        ("", "10", "currency", "Give the currency as an ISO 4217 code."),
        ("EUR", "0", "amount", "The amount must be more than zero."),
        ("EUR", "-5", "amount", "The amount must be more than zero."),
        ("EUR", "12.345", "amount", "EUR amounts have at most 2 decimals."),
        ("JPY", "100.5", "amount", "JPY has no decimals; give a whole amount."),
        ("EUR", "ten", "amount", "“ten” is not a number"),
        ("EUR", "NaN", "amount", "“NaN” is not a number"),
        ("EUR", 12.5, "amount", "Give the amount as a decimal number written as text"),
        ("EUR", "", "amount", "Give an amount."),
        ("EUR", "10000000000000.01", "amount", "larger than WEH records"),
    ],
)
def test_amounts_and_currencies_are_validated(
    cast: Cast, currency: str, amount: object, field: str, message: str
) -> None:
    entries = LogEntry.objects.count()
    with pytest.raises(ValidationFailed) as excinfo:
        commit(cast, currency=currency, amount=amount)
    assert message in " ".join(errors_of(excinfo)[field])
    assert not Commitment.objects.exists()
    assert LogEntry.objects.count() == entries


def test_each_currency_keeps_its_own_decimals(cast: Cast) -> None:
    yen = commit(cast, currency="jpy", amount="1500000")
    assert (yen.currency, yen.decimals, yen.amount_minor) == ("JPY", 0, 1500000)
    assert yen.log_content["amount"] == "1500000"
    dinar = commit(cast, currency="BHD", amount="12.345")
    assert (dinar.decimals, dinar.amount_minor, str(dinar.amount)) == (3, 12345, "12.345 BHD")
    euro = commit(cast, amount="12.50")
    assert str(euro.amount) == "12.50 EUR"


def test_the_rest_of_a_commitment_is_checked(cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        commit(cast, purpose=" ", starts_on=days_ago(1), ends_on=days_ago(2))
    errors = errors_of(excinfo)
    assert errors["purpose"] == ["This is required."]
    assert errors["ends_on"] == ["The period ends before it starts."]
    with pytest.raises(ValidationFailed) as excinfo:
        commit(cast, starts_on="next week")
    assert errors_of(excinfo) == {"starts_on": ["Enter a date as YYYY-MM-DD."]}


def test_only_the_funder_role_commits_for_its_organisation(cast: Cast) -> None:
    with pytest.raises(PermissionDenied, match="funder role in Global Environment Facility"):
        commit(cast, actor=cast.applicant)
    with pytest.raises(PermissionDenied):
        commit(cast, actor=cast.other_funder)
    assert commit(cast, actor=cast.secretary).funder == cast.funder_org


def test_a_draft_subject_of_another_organisation_cannot_be_funded(cast: Cast) -> None:
    cast.subject.status = "draft"
    cast.subject.save()
    with pytest.raises(ValidationFailed) as excinfo:
        commit(cast)
    assert errors_of(excinfo) == {"subject": ["No published subject has this id."]}


# --- disbursements and units -----------------------------------------------------------------


def test_disbursements_issue_units_with_serial_ranges(cast: Cast) -> None:
    commitment = commit(cast, amount="1000.00")
    first = disburse(cast, commitment, "600.00")
    second = disburse(cast, commitment, "400.00")
    year = days_ago(30).year
    assert [b.serial for b in UnitBatch.objects.order_by("first_serial")] == [
        f"WEH-GEF-{year}-1-600",
        f"WEH-GEF-{year}-601-1000",
    ]
    batch = first.batches.get()
    assert (batch.units, str(batch.unit_value), str(batch.value)) == (600, "1.00 EUR", "600.00 EUR")
    assert batch.subject == cast.subject
    assert batch.state == BatchState.ISSUED
    assert_logged(first, "disbursement.made", f"subject:{cast.subject.pk}")
    entry = assert_logged(batch, "units.issued", f"batch:{batch.serial}")
    assert '"serials":"1-600"' in entry.text
    assert batch.log_index == first.log_index + 1
    assert second.batches.get().log_content["first"] == 601


def test_a_disbursement_cannot_exceed_what_remains(cast: Cast) -> None:
    commitment = commit(cast, amount="1000.00")
    disburse(cast, commitment, "600.00")
    with pytest.raises(ValidationFailed) as excinfo:
        disburse(cast, commitment, "400.01")
    assert errors_of(excinfo)["amount"] == [
        "Only 400.00 EUR of this commitment remains to be disbursed; give at most that amount, "
        "or record a new commitment for more."
    ]
    disburse(cast, commitment, "400.00")
    with pytest.raises(ValidationFailed, match="Please correct"):
        disburse(cast, commitment, "0.01")


def test_the_unit_value_divides_the_amount(cast: Cast) -> None:
    commitment = commit(cast, amount="1000.00")
    halves = disburse(cast, commitment, "300.00", unit_value="0.50").batches.get()
    assert (halves.units, str(halves.unit_value)) == (600, "0.50 EUR")
    with pytest.raises(ValidationFailed) as excinfo:
        disburse(cast, commitment, "100.00", unit_value="30.00")
    assert errors_of(excinfo) == {
        "unit_value": [
            "The amount must be a whole number of units: 100.00 is not a multiple of 30.00. "
            "Change the amount or the unit value."
        ]
    }


def test_disbursement_dates_fall_in_the_period_and_not_ahead(cast: Cast) -> None:
    commitment = commit(cast, starts_on=days_ago(100), ends_on=days_ago(-100))
    with pytest.raises(ValidationFailed) as excinfo:
        disburse(cast, commitment, disbursed_on=days_ago(-1))
    assert errors_of(excinfo)["disbursed_on"] == [
        "Record a disbursement once it is paid: the date cannot be in the future."
    ]
    with pytest.raises(ValidationFailed) as excinfo:
        disburse(cast, commitment, disbursed_on=days_ago(101))
    assert "the disbursement must fall within" in errors_of(excinfo)["disbursed_on"][0]


def test_who_may_disburse(cast: Cast) -> None:
    commitment = commit(cast)
    with pytest.raises(NotFound):  # another funder does not even see it
        disburse(cast, commitment, actor=cast.other_funder)
    with pytest.raises(PermissionDenied):  # the recipient sees it but does not pay
        disburse(cast, commitment, actor=cast.applicant)
    with pytest.raises(NotFound):
        disburse(cast, commitment, actor=cast.outsider)
    assert disburse(cast, commitment, actor=cast.secretary).amount_minor == 10_000_000


def test_issuer_codes_are_unique_per_organisation(cast: Cast) -> None:
    from tests.factories import OrganisationFactory, member

    twin = OrganisationFactory(name="Green Energy Fund", acronym="G.E.F.", type="funder")
    twin_funder = member("funder", twin)
    mine = issued_batch(cast)
    theirs = services.disburse(
        actor=twin_funder,
        commitment_id=commit(cast, actor=twin_funder, funder_id=twin.pk).pk,
        amount="10.00",
        disbursed_on=days_ago(3),
    ).batches.get()
    assert mine.serial.startswith("WEH-GEF-")
    assert theirs.serial.startswith(f"WEH-GEF{twin.pk}-")
    assert theirs.first_serial == 1  # each issuer counts from 1


# --- splits ----------------------------------------------------------------------------------


def test_a_split_cuts_a_batch_into_two_children(cast: Cast) -> None:
    batch = issued_batch(cast, "1000.00")
    left, right = services.split_batch(actor=cast.funder, serial=batch.serial, at=601)
    assert (left.first_serial, left.last_serial, right.first_serial, right.last_serial) == (
        1,
        600,
        601,
        1000,
    )
    assert left.parent == right.parent == batch
    assert left.serial.endswith("-1-600")
    assert right.serial.endswith("-601-1000")
    batch.refresh_from_db()
    assert batch.state == BatchState.SPLIT
    entry = assert_logged(batch.split, "units.split", f"batch:{batch.serial}")
    assert left.serial in entry.text
    assert right.serial in entry.text
    # The children split again; the parent cannot.
    a, b = services.split_batch(actor=cast.funder, serial=right.serial, at="1000")
    assert (a.units, b.units) == (399, 1)
    with pytest.raises(Conflict, match="was split into"):
        services.split_batch(actor=cast.funder, serial=batch.serial, at=500)


@pytest.mark.parametrize("at", [1, 1001, 0, -3, "x", None])
def test_a_split_point_must_leave_units_on_both_sides(cast: Cast, at: object) -> None:
    batch = issued_batch(cast, "1000.00")
    with pytest.raises(ValidationFailed) as excinfo:
        services.split_batch(actor=cast.funder, serial=batch.serial, at=at)
    assert errors_of(excinfo) == {
        "at": [
            "Give the first serial of the second part: a whole number from 2 to 1000 "
            "(the batch holds 1 to 1000)."
        ]
    }


def test_only_the_issuer_moves_units(cast: Cast) -> None:
    batch = issued_batch(cast)
    with pytest.raises(PermissionDenied):
        services.split_batch(actor=cast.applicant, serial=batch.serial, at=2)
    with pytest.raises(NotFound):
        services.split_batch(actor=cast.other_funder, serial=batch.serial, at=2)
    with pytest.raises(NotFound):
        services.split_batch(actor=cast.funder, serial="WEH-GEF-2026-1-7", at=2)


# --- activities and allocations --------------------------------------------------------------


def test_activities_are_named_by_the_recipient_or_a_funder(cast: Cast) -> None:
    planting = activity(cast)
    assert planting.organisation == cast.recipient_org
    with pytest.raises(PermissionDenied, match="owner's applicants or by an organisation"):
        services.create_activity(actor=cast.funder, subject_id=cast.subject.pk, name="Dams")
    commit(cast)
    dams = services.create_activity(actor=cast.funder, subject_id=cast.subject.pk, name="Dams")
    assert dams.organisation == cast.funder_org
    with pytest.raises(PermissionDenied):
        services.create_activity(actor=cast.viewer, subject_id=cast.subject.pk, name="Other")
    with pytest.raises(ValidationFailed) as excinfo:
        activity(cast, name="mangrove PLANTING 2026")
    assert errors_of(excinfo) == {
        "name": [
            "Building with Nature Demak already has an activity named “mangrove PLANTING 2026”."
        ]
    }


def test_allocation_goes_to_an_activity_of_the_batch_subject(cast: Cast) -> None:
    from tests.factories import SubjectFactory

    batch = issued_batch(cast)
    elsewhere = SubjectFactory(owner=cast.outsider.memberships.get().organisation)
    foreign = services.create_activity(actor=cast.outsider, subject_id=elsewhere.pk, name="X")
    with pytest.raises(ValidationFailed) as excinfo:
        services.allocate_batch(actor=cast.funder, serial=batch.serial, activity_id=foreign.pk)
    assert errors_of(excinfo) == {
        "activity": [
            "These units were issued for Building with Nature Demak; choose one of its activities."
        ]
    }
    planting = activity(cast)
    allocation = services.allocate_batch(
        actor=cast.funder, serial=batch.serial, activity_id=planting.pk
    )
    assert allocation.activity == planting
    batch.refresh_from_db()
    assert batch.state == BatchState.ALLOCATED
    entry = assert_logged(allocation, "units.allocated", f"batch:{batch.serial}")
    assert f'"activity":{planting.pk}' in entry.text


def test_a_batch_is_allocated_once(cast: Cast) -> None:
    batch = issued_batch(cast)
    planting, dams = activity(cast), activity(cast, "Brushwood dams")
    first = services.allocate_batch(actor=cast.funder, serial=batch.serial, activity_id=planting.pk)
    with pytest.raises(Conflict) as excinfo:
        services.allocate_batch(actor=cast.funder, serial=batch.serial, activity_id=dams.pk)
    assert str(excinfo.value.detail) == (
        f"Batch {batch.serial} is already allocated to “Mangrove planting 2026” (log entry "
        f"{first.log_index}). A batch is allocated once; choose a batch that is still issued, "
        "or split one first."
    )
    with pytest.raises(Conflict, match="split before they are allocated, never after"):
        services.split_batch(actor=cast.funder, serial=batch.serial, at=2)


def test_a_split_parent_cannot_be_allocated(cast: Cast) -> None:
    batch = issued_batch(cast)
    services.split_batch(actor=cast.funder, serial=batch.serial, at=10)
    with pytest.raises(Conflict, match="is no longer used; choose one of those instead"):
        services.allocate_batch(
            actor=cast.funder, serial=batch.serial, activity_id=activity(cast).pk
        )


# --- retirement ------------------------------------------------------------------------------


def allocated(cast: Cast, amount: str = "1000.00") -> UnitBatch:
    batch = issued_batch(cast, amount)
    services.allocate_batch(actor=cast.funder, serial=batch.serial, activity_id=activity(cast).pk)
    return batch


def test_retirement_against_an_active_recognition_is_final(cast: Cast) -> None:
    batch = allocated(cast)
    retirement = services.retire_batch(
        actor=cast.funder, serial=batch.serial, recognition=cast.recognition.serial
    )
    assert retirement.outcome_kind == OutcomeKind.RECOGNITION
    assert retirement.outcome_reference == "recognition:WEH-2026-0001"
    entry = assert_logged(retirement, "units.retired", f"batch:{batch.serial}")
    assert '"outcome":"recognition:WEH-2026-0001"' in entry.text
    batch.refresh_from_db()
    assert batch.state == BatchState.RETIRED
    with pytest.raises(Conflict) as excinfo:
        services.retire_batch(
            actor=cast.funder, serial=batch.serial, recognition=cast.recognition.serial
        )
    assert str(excinfo.value.detail) == (
        f"Batch {batch.serial} was already retired against recognition WEH-2026-0001 (log entry "
        f"{retirement.log_index}). Retirement is final: choose another batch."
    )
    for attempt in (
        lambda: services.split_batch(actor=cast.funder, serial=batch.serial, at=2),
        lambda: services.allocate_batch(
            actor=cast.funder, serial=batch.serial, activity_id=activity(cast, "Y").pk
        ),
    ):
        with pytest.raises(Conflict, match="Retirement is final"):
            attempt()


def test_units_are_allocated_before_they_are_retired(cast: Cast) -> None:
    batch = issued_batch(cast)
    with pytest.raises(Conflict, match="is not allocated yet"):
        services.retire_batch(
            actor=cast.funder, serial=batch.serial, recognition=cast.recognition.serial
        )


def test_retirement_needs_an_active_recognition_of_the_same_subject(cast: Cast) -> None:
    batch = allocated(cast)
    other = RecognitionFactory(serial="WEH-2026-0099")
    suspended = RecognitionFactory(subject=cast.subject, serial="WEH-2026-0002", status="suspended")
    cases = {
        "WEH-0000-NONE": "No recognition has the certificate number WEH-0000-NONE.",
        other.serial: f"Recognition WEH-2026-0099 is of {other.subject_name}, not of Building "
        "with Nature Demak, the subject these units were allocated to.",
        suspended.serial: "Recognition WEH-2026-0002 has the status “Suspended”; units are "
        "retired only against an active recognition.",
    }
    for serial, message in cases.items():
        with pytest.raises(ValidationFailed) as excinfo:
            services.retire_batch(actor=cast.funder, serial=batch.serial, recognition=serial)
        assert errors_of(excinfo) == {"recognition": [message]}
    with pytest.raises(ValidationFailed, match="Please correct") as excinfo:
        services.retire_batch(actor=cast.funder, serial=batch.serial)
    assert "Name one verified outcome" in errors_of(excinfo)["outcome"][0]
    batch.refresh_from_db()
    assert batch.state == BatchState.ALLOCATED


def decided(cast: Cast, percent: str, days: int, standard: str = "weh-framework@1.0") -> int:
    assessment = AssessmentFactory(
        subject=cast.subject, overall_percent=Decimal(percent), standard_key=standard
    )
    decision = DecisionFactory(assessment=assessment)
    type(decision).objects.filter(pk=decision.pk).update(
        decided_at=timezone.now() - timedelta(days=days)
    )
    return int(assessment.pk)


def test_retirement_against_a_real_score_improvement(cast: Cast) -> None:
    batch = allocated(cast)
    baseline = decided(cast, "55.000", days=400)
    lower = decided(cast, "50.000", days=200)
    other_standard = decided(cast, "90.000", days=100, standard="iucn-nbs@1.0")
    improved = decided(cast, "71.500", days=10)
    attempts = {
        (baseline, lower): "The later score (50.000 %) is not higher than the baseline "
        "(55.000 %): there is no improvement to retire units against.",
        (improved, baseline): "The improved assessment must be decided after the baseline.",
        (baseline, other_standard): "Scores compare only between assessments against one standard.",
        (baseline, baseline): "Compare two different assessments.",
    }
    for (before, after), message in attempts.items():
        with pytest.raises(ValidationFailed) as excinfo:
            services.retire_batch(
                actor=cast.funder, serial=batch.serial, baseline_id=before, improved_id=after
            )
        assert errors_of(excinfo) == {"improved": [message]}, (before, after)
    outsider_assessment = AssessmentFactory()
    DecisionFactory(assessment=outsider_assessment)
    with pytest.raises(ValidationFailed) as excinfo:
        services.retire_batch(
            actor=cast.funder,
            serial=batch.serial,
            baseline_id=outsider_assessment.pk,
            improved_id=improved,
        )
    assert list(errors_of(excinfo)) == ["baseline"]
    retirement = services.retire_batch(
        actor=cast.funder, serial=batch.serial, baseline_id=baseline, improved_id=improved
    )
    assert retirement.outcome_kind == OutcomeKind.SCORE_IMPROVEMENT
    assert (retirement.baseline_percent, retirement.improved_percent) == (
        Decimal("55.000"),
        Decimal("71.500"),
    )
    assert retirement.outcome_reference == f"score:{baseline}-{improved}"
    standard = retirement.improved.standard_version.standard_id
    assert retirement.outcome_label == f"a score rising from 55 % to 71.5 % ({standard})"
    assert retirement.log_content["outcome"]["improved"]["percent"] == "71.500"


def test_an_assessment_without_a_decision_is_no_outcome(cast: Cast) -> None:
    batch = allocated(cast)
    baseline = decided(cast, "55.000", days=400)
    pending = AssessmentFactory(subject=cast.subject, status="in_review")
    with pytest.raises(ValidationFailed) as excinfo:
        services.retire_batch(
            actor=cast.funder, serial=batch.serial, baseline_id=baseline, improved_id=pending.pk
        )
    assert errors_of(excinfo) == {
        "improved": [f"Assessment {pending.pk} has no decision with a score yet."]
    }


# --- spending --------------------------------------------------------------------------------


def test_the_recipient_reports_spending_up_to_what_it_received(cast: Cast) -> None:
    commitment = commit(cast, amount="1000.00")
    disburse(cast, commitment, "300.00")

    def report(amount: str, actor: object = None) -> SpendingReport:
        return services.report_spending(
            actor=actor or cast.applicant,
            commitment_id=commitment.pk,
            amount=amount,
            spent_on=days_ago(2),
            category="works",
            description="Brushwood dam materials",
        )

    first = report("250.00")
    entry = assert_logged(first, "spending.reported", f"subject:{cast.subject.pk}")
    assert '"category":"works"' in entry.text
    assert "Brushwood" not in entry.text  # free text stays in the record, out of the log
    with pytest.raises(ValidationFailed) as excinfo:
        report("50.01")
    assert errors_of(excinfo)["amount"] == [
        "Building with Nature Demak received 300.00 EUR from this commitment and has reported "
        "250.00 EUR; at most 50.00 EUR more can be reported."
    ]
    with pytest.raises(PermissionDenied, match="applicants of Building with Nature Demak"):
        report("1.00", actor=cast.viewer)
    with pytest.raises(PermissionDenied):
        report("1.00", actor=cast.funder)
    with pytest.raises(NotFound):
        report("1.00", actor=cast.outsider)


def test_spending_fields_are_checked(cast: Cast) -> None:
    commitment = commit(cast)
    disburse(cast, commitment)
    with pytest.raises(ValidationFailed) as excinfo:
        services.report_spending(
            actor=cast.applicant,
            commitment_id=commitment.pk,
            amount="1.001",
            spent_on=days_ago(-3),
            category="parties",
            description="",
            activity_id=999999,
        )
    assert errors_of(excinfo) == {
        "amount": ["EUR amounts have at most 2 decimals."],
        "spent_on": ["Report spending once it happened."],
        "category": ["Choose a category."],
        "description": ["This is required."],
        "activity": ["Choose an activity of Building with Nature Demak."],
    }


def test_programme_money_reaches_subjects_through_their_activities(cast: Cast) -> None:
    commitment = commit(cast, subject_id=None, programme="GEF-8 Coastal Resilience")
    batch = disburse(cast, commitment, "500.00").batches.get()
    assert batch.subject is None
    assert batch.programme == "GEF-8 Coastal Resilience"
    planting = services.create_activity(
        actor=cast.funder, subject_id=cast.subject.pk, name="Mangrove planting"
    )
    assert planting.organisation == cast.funder_org
    left, _right = services.split_batch(actor=cast.funder, serial=batch.serial, at=201)
    services.allocate_batch(actor=cast.funder, serial=left.serial, activity_id=planting.pk)
    # The recipient now sees the commitment and reports against what reached it (200.00).
    with pytest.raises(ValidationFailed, match="Please correct") as excinfo:
        services.report_spending(
            actor=cast.applicant,
            commitment_id=commitment.pk,
            amount="200.01",
            spent_on=days_ago(1),
            category="staff",
            description="Planting crews",
        )
    assert "at most 200.00 EUR more" in errors_of(excinfo)["amount"][0]
    report = services.report_spending(
        actor=cast.applicant,
        commitment_id=commitment.pk,
        amount="200.00",
        spent_on=days_ago(1),
        category="staff",
        description="Planting crews",
        activity_id=planting.pk,
    )
    assert report.subject == cast.subject


# --- the log and the transaction -------------------------------------------------------------


def test_a_failing_write_leaves_neither_record_nor_entry(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    commitment = commit(cast)
    entries = LogEntry.objects.count()
    real = services.append_entry

    def fail_on_units(**kwargs: object) -> LogEntry:
        if kwargs["kind"] == "units.issued":
            raise RuntimeError("the disk is full")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "append_entry", fail_on_units)
    with pytest.raises(RuntimeError, match="disk is full"):
        disburse(cast, commitment)
    # The disbursement's own entry was appended first, and went with the rest.
    assert LogEntry.objects.count() == entries
    assert not Disbursement.objects.exists()
    assert not UnitBatch.objects.exists()
    monkeypatch.setattr(services, "append_entry", real)
    disbursement = disburse(cast, commitment)
    assert disbursement.log_index == entries  # no gap in the log


def test_every_event_kind_is_logged_once(cast: Cast) -> None:
    batch = issued_batch(cast, "1000.00")
    left, right = services.split_batch(actor=cast.funder, serial=batch.serial, at=401)
    planting, dams = activity(cast), activity(cast, "Dams")
    services.allocate_batch(actor=cast.funder, serial=left.serial, activity_id=planting.pk)
    services.allocate_batch(actor=cast.funder, serial=right.serial, activity_id=dams.pk)
    services.retire_batch(actor=cast.funder, serial=left.serial, recognition="WEH-2026-0001")
    services.report_spending(
        actor=cast.applicant,
        commitment_id=batch.commitment_id,
        amount="10.00",
        spent_on=days_ago(1),
        category="other",
        description="Signs",
    )
    # From the commitment on (loading the standards and recognising logs entries of its own).
    first = Commitment.objects.get().log_index
    kinds = list(
        LogEntry.objects.filter(index__gte=first).order_by("index").values_list("kind", flat=True)
    )
    assert kinds == [
        "commitment.recorded",
        "disbursement.made",
        "units.issued",
        "units.split",
        "units.allocated",
        "units.allocated",
        "units.retired",
        "spending.reported",
    ]


# --- conflicts of interest -------------------------------------------------------------------


def test_a_funder_may_not_review_the_recipient(cast: Cast) -> None:
    assert conflicts_of(cast.funder.pk, cast.recipient_org.pk) == []
    commit(cast)
    reasons = conflicts_of(cast.funder.pk, cast.recipient_org.pk)
    assert [(r.organisation, r.why) for r in reasons] == [
        ("Global Environment Facility", "funds a subject of the owner")
    ]
    assert conflicts_of(cast.other_funder.pk, cast.recipient_org.pk) == []
