"""The review workflow through its services: guards, conflicts of interest, blind review,
clarification rounds, decisions, recognitions, alerts, expiry and renewal."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest

from tests.factories import OrganisationFactory, member
from tests.review.conftest import (
    Cast,
    fill,
    pledge,
    rate_all,
    recognised,
    submit_reviews,
    to_review,
)
from weh.assessments import services as assessment_services
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.signing import certificate_public_keys
from weh.ledger.models import LogEntry
from weh.notifications.models import Notice, NoticeKind
from weh.review import conflicts, selectors, services
from weh.review.certificate import canonical_json, verify_certificate
from weh.review.models import AlertState, AssignmentState, Transition


def states(cast: Cast) -> list[tuple[str, str, str]]:
    return list(
        Transition.objects.filter(assessment=cast.assessment)
        .order_by("at", "pk")
        .values_list("action", "from_state", "to_state")
    )


def test_submit_needs_a_justification_for_every_rating(cast: Cast) -> None:
    a = cast.assessment
    response = a.responses.order_by("indicator__position").first()
    assessment_services.save_response(
        actor=cast.applicant,
        assessment_id=a.pk,
        indicator=response.indicator.code,
        values={"rating": "insufficient", "justification": ""},
    )
    with pytest.raises(ValidationFailed) as refused:
        services.submit_assessment(actor=cast.applicant, assessment_id=a.pk)
    assert response.indicator.code in refused.value.errors["responses"][0]
    a.refresh_from_db()
    assert a.status == "draft"
    assert not Transition.objects.filter(assessment=a).exists()


def test_illegal_transition_names_the_state_and_the_allowed_actions(cast: Cast) -> None:
    with pytest.raises(Conflict) as refused:
        services.start_review(actor=cast.secretary, assessment_id=cast.assessment.pk)
    assert refused.value.extra["current_state"] == "draft"
    assert refused.value.extra["allowed_from"] == ["submitted"]
    assert refused.value.extra["allowed_actions"] == ["withdraw"]
    assert "Draft" in str(refused.value.detail)


def test_only_the_secretariat_starts_the_review(cast: Cast) -> None:
    services.submit_assessment(actor=cast.applicant, assessment_id=cast.assessment.pk)
    with pytest.raises(PermissionDenied) as refused:
        services.start_review(actor=cast.applicant, assessment_id=cast.assessment.pk)
    assert refused.value.extra["allowed_actors"] == ["secretariat"]
    outsider = member("applicant")
    with pytest.raises(NotFound):
        services.start_review(actor=outsider, assessment_id=cast.assessment.pk)


def test_conflicted_reviewers_are_refused_with_the_reason(cast: Cast) -> None:
    services.submit_assessment(actor=cast.applicant, assessment_id=cast.assessment.pk)
    with pytest.raises(Conflict) as refused:
        services.assign_reviewer(
            actor=cast.secretary, assessment_id=cast.assessment.pk, reviewer_id=cast.conflicted.pk
        )
    assert refused.value.extra["conflicts"] == [
        {"organisation": "Jeju Province", "why": "owns the assessment"}
    ]
    assert not cast.assessment.review_assignments.exists()


def test_parent_organisation_and_registered_ties_conflict(cast: Cast) -> None:
    owner = cast.assessment.owner
    parent = OrganisationFactory(name="Republic of Korea ministry")
    owner.parent = parent
    owner.save()
    in_parent = member("reviewer", parent)
    assert [c.organisation for c in conflicts.conflicts_of(in_parent.pk, owner.pk)] == [
        "Republic of Korea ministry"
    ]
    funder_org = OrganisationFactory(name="Green fund")
    funder = member("funder", funder_org)
    assert conflicts.conflicts_of(funder.pk, owner.pk) == []

    def funding(organisation_id: int):  # type: ignore[no-untyped-def]
        if organisation_id == owner.pk:
            yield funder_org.pk, "funds the owner"

    conflicts.register_tie(funding)
    try:
        found = conflicts.conflicts_of(funder.pk, owner.pk)
        assert [(c.organisation, c.why) for c in found] == [("Green fund", "funds the owner")]
    finally:
        conflicts._PROVIDERS.remove(funding)


def test_declaration_is_sealed_and_reviewers_are_notified(cast: Cast) -> None:
    ids = to_review(cast)
    assignment = cast.assessment.review_assignments.get(pk=ids[0])
    assert assignment.state == AssignmentState.ACCEPTED
    assert assignment.declaration.startswith("I declare")
    assert assignment.declaration_sha256 == services.declaration_digest(
        assignment, assignment.declaration, assignment.declared_at
    )
    assert Notice.objects.filter(user=cast.reviewers[0], kind=NoticeKind.ASSIGNMENT).exists()


def test_review_is_blind_until_submitted(cast: Cast) -> None:
    first, second = to_review(cast)
    a = cast.assessment
    rate_all(cast.reviewers[0], first, a, "adequate")
    rate_all(cast.reviewers[1], second, a, "strong")
    seen = selectors.visible_reviews(cast.reviewers[0], a)
    assert [r.pk for r in seen] == [first]
    assert selectors.visible_reviews(cast.applicant, a) == []
    services.submit_review(
        actor=cast.reviewers[0],
        assignment_id=first,
        recommendation="recognise",
        tier="reviewed",
        summary="Solid.",
    )
    # The first reviewer sees only submitted reviews: the second is still working.
    assert [r.pk for r in selectors.visible_reviews(cast.reviewers[0], a)] == [first]
    assert [r.pk for r in selectors.visible_reviews(cast.reviewers[1], a)] == [second]
    services.submit_review(
        actor=cast.reviewers[1],
        assignment_id=second,
        recommendation="recognise",
        tier="reviewed",
        summary="Strong.",
    )
    assert {r.pk for r in selectors.visible_reviews(cast.reviewers[0], a)} == {first, second}
    rows = selectors.reconciliation(a, selectors.visible_reviews(cast.secretary, a))
    assert rows
    assert all(row.disagreement for row in rows)  # strong / adequate / strong
    assert rows[0].reviewers == ["adequate", "strong"]
    with pytest.raises(Conflict):
        services.save_review_rating(
            actor=cast.reviewers[0], assignment_id=first, indicator=rows[0].code, rating="strong"
        )


def test_ratings_are_all_or_nothing(cast: Cast) -> None:
    first, _second = to_review(cast)
    codes = list(cast.assessment.responses.values_list("indicator__code", flat=True))
    with pytest.raises(ValidationFailed) as refused:
        services.save_review_ratings(
            actor=cast.reviewers[0],
            assignment_id=first,
            ratings=[
                {"indicator": codes[0], "rating": "adequate"},
                {"indicator": codes[1], "rating": "excellent"},
            ],
        )
    assert list(refused.value.errors) == [codes[1]]
    assert not cast.assessment.review_assignments.get(pk=first).ratings.exists()


def test_clarification_round_returns_and_comes_back(cast: Cast) -> None:
    to_review(cast)
    a = cast.assessment
    code = a.responses.order_by("indicator__position").first().indicator.code
    with pytest.raises(ValidationFailed) as refused:
        services.return_assessment(actor=cast.reviewers[0], assessment_id=a.pk)
    assert "clarifications" in refused.value.errors
    services.ask_clarification(
        actor=cast.reviewers[0], assessment_id=a.pk, indicator=code, body="Which plan is this?"
    )
    services.return_assessment(actor=cast.reviewers[0], assessment_id=a.pk, reason="One question")
    a.refresh_from_db()
    assert a.status == "returned"
    with pytest.raises(ValidationFailed):
        services.resubmit_assessment(actor=cast.applicant, assessment_id=a.pk)
    services.answer_clarification(
        actor=cast.applicant, assessment_id=a.pk, indicator=code, body="The 2030 climate plan."
    )
    services.resubmit_assessment(actor=cast.applicant, assessment_id=a.pk)
    a.refresh_from_db()
    assert a.status == "in_review"
    thread = selectors.clarifications(a).get()
    assert [m.author_role for m in thread.messages.all()] == ["reviewer", "applicant"]
    assert [s[0] for s in states(cast)] == ["submit", "start_review", "return", "resubmit"]


def test_recognition_needs_pledge_reviews_and_reasons(cast: Cast) -> None:
    ids = to_review(cast)
    a = cast.assessment
    with pytest.raises(ValidationFailed) as refused:
        services.recognise_assessment(
            actor=cast.secretary, assessment_id=a.pk, tier="reviewed", reasons=""
        )
    assert set(refused.value.errors) == {"reviews", "tier", "reasons"}
    submit_reviews(cast, ids)
    with pytest.raises(ValidationFailed) as refused:
        services.recognise_assessment(
            actor=cast.secretary, assessment_id=a.pk, tier="certified", reasons="Good."
        )
    assert "field visit" in refused.value.errors["tier"][0]
    assert "committee" in refused.value.errors["tier"][0]
    pledge(cast)
    recognition = services.recognise_assessment(
        actor=cast.secretary, assessment_id=a.pk, tier="reviewed", reasons="Two concurring reviews."
    )
    a.refresh_from_db()
    assert a.status == "recognised"
    assert recognition.level == "gold"
    assert recognition.valid_until == recognition.valid_from.replace(
        year=recognition.valid_from.year + 5
    )
    assert recognition.midterm_check_on is not None
    statement = verify_certificate(recognition.certificate, certificate_public_keys())
    assert statement["certificate_id"] == recognition.serial
    # The decision is in the public log: the recognition's entry holds the statement's hash,
    # and every transition has its own entry.
    entry = LogEntry.objects.get(index=recognition.log_index)
    assert entry.subject == f"recognition:{recognition.serial}"
    assert entry.content_sha256 == hashlib.sha256(canonical_json(statement)).hexdigest()
    steps = Transition.objects.filter(assessment=a).order_by("at", "pk")
    logged = LogEntry.objects.filter(subject=f"assessment:{a.pk}").order_by("index")
    assert [e.kind for e in logged] == [f"assessment.{t.action}" for t in steps]
    assert [t.log_index for t in steps] == [e.index for e in logged]
    assert Notice.objects.filter(user=cast.applicant, kind=NoticeKind.DECISION).exists()


def test_certified_tier_with_field_visit_and_committee(cast: Cast, tmp_path) -> None:
    ids = to_review(cast)
    services.record_field_visit(
        actor=cast.reviewers[0],
        assignment_id=ids[0],
        visited_on=date(2026, 5, 1),
        place="Seogwipo",
        findings="Wetland restoration seen on site.",
    )
    submit_reviews(cast, ids)
    pledge(cast)
    recognition = services.recognise_assessment(
        actor=cast.secretary,
        assessment_id=cast.assessment.pk,
        tier="certified",
        reasons="Verified.",
        committee="Recognition committee, meeting 2026-11",
    )
    assert recognition.tier == "certified"


def test_an_undeclared_reviewer_is_an_open_conflict(cast: Cast) -> None:
    ids = to_review(cast)
    submit_reviews(cast, ids)
    pledge(cast)
    third = member("reviewer", OrganisationFactory(name="Third institute"))
    services.save_reviewer(actor=cast.secretary, user_id=third.pk)
    services.assign_reviewer(
        actor=cast.secretary, assessment_id=cast.assessment.pk, reviewer_id=third.pk
    )
    with pytest.raises(ValidationFailed) as refused:
        services.recognise_assessment(
            actor=cast.secretary, assessment_id=cast.assessment.pk, tier="reviewed", reasons="Fine."
        )
    assert list(refused.value.errors) == ["reviewers"]


def test_alert_suspension_and_reinstatement(cast: Cast) -> None:
    recognition = recognised(cast)
    with pytest.raises(ValidationFailed) as refused:
        services.suspend_recognition(
            actor=cast.secretary, serial=recognition.serial, reasons="Concern"
        )
    assert list(refused.value.errors) == ["alerts"]
    with pytest.raises(ValidationFailed):
        services.file_alert(actor=None, serial=recognition.serial, body="too short")
    alert = services.file_alert(
        actor=None,
        serial=recognition.serial,
        body="The wetland named in the evidence was drained last spring.",
        contact="a@b.org",
    )
    assert Notice.objects.filter(user=cast.secretary, kind=NoticeKind.ALERT).exists()
    with pytest.raises(PermissionDenied):
        services.triage_alert(
            actor=cast.applicant, alert_id=alert.pk, state="dismissed", note="No."
        )
    services.triage_alert(
        actor=cast.secretary,
        alert_id=alert.pk,
        state=AlertState.SUBSTANTIATED,
        note="Confirmed by satellite images.",
    )
    services.suspend_recognition(
        actor=cast.secretary, serial=recognition.serial, reasons="Drained wetland."
    )
    recognition.refresh_from_db()
    assert recognition.status == "suspended"
    services.reinstate_recognition(
        actor=cast.secretary, serial=recognition.serial, reasons="Restored."
    )
    recognition.refresh_from_db()
    assert recognition.status == "active"
    assert [s[0] for s in states(cast)][-2:] == ["suspend", "reinstate"]


def test_expiry_and_due_notices(cast: Cast) -> None:
    recognition = recognised(cast)
    assert services.expire_recognitions(today=recognition.valid_until) == []
    sent = services.send_due_notices(today=recognition.valid_until - timedelta(days=10))
    assert sent == 2  # mid-term check and renewal, to the applicant (the coordinator)
    assert services.send_due_notices(today=recognition.valid_until - timedelta(days=9)) == 0
    expired = services.expire_recognitions(today=recognition.valid_until + timedelta(days=1))
    assert expired == [recognition.serial]
    recognition.refresh_from_db()
    cast.assessment.refresh_from_db()
    assert (recognition.status, cast.assessment.status) == ("expired", "expired")
    last = Transition.objects.filter(assessment=cast.assessment).last()
    assert (last.action, last.actor, last.actor_role) == ("expire", None, "system")


def test_renewal_prefills_a_new_assessment(cast: Cast) -> None:
    recognition = recognised(cast)
    renewal = services.renew_recognition(actor=cast.applicant, serial=recognition.serial)
    assert renewal.pk != cast.assessment.pk
    assert renewal.status == "draft"
    before = dict(cast.assessment.responses.values_list("indicator__code", "justification"))
    after = dict(renewal.responses.values_list("indicator__code", "justification"))
    assert after == before
    assert renewal.answered == renewal.applicable
    with pytest.raises(Conflict):
        services.renew_recognition(actor=cast.applicant, serial=recognition.serial)


def test_withdraw_by_the_applicant(cast: Cast) -> None:
    services.submit_assessment(actor=cast.applicant, assessment_id=cast.assessment.pk)
    services.withdraw_assessment(
        actor=cast.applicant,
        assessment_id=cast.assessment.pk,
        reason="Merging with the provincial plan.",
    )
    cast.assessment.refresh_from_db()
    assert cast.assessment.status == "withdrawn"
    with pytest.raises(Conflict):
        fill(cast.applicant, cast.assessment, "adequate")
