"""A recognisable assessment and the people around it, for the review tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.factories import OrganisationFactory, SubjectFactory, member
from weh.accounts.models import OrganisationType, User
from weh.assessments import services as assessment_services
from weh.assessments.models import Assessment
from weh.review import services
from weh.review.models import Recognition
from weh.standards.services import load_catalog

STANDARD = "weh-framework@1.0"


@dataclass
class Cast:
    assessment: Assessment
    applicant: User
    secretary: User
    reviewers: list[User]
    conflicted: User


def fill(applicant: User, assessment: Assessment, rating: str = "strong") -> None:
    """Answer every indicator with a rating and a justification."""
    codes = list(assessment.responses.values_list("indicator__code", flat=True))
    assessment_services.save_responses(
        actor=applicant,
        assessment_id=assessment.pk,
        items=[
            {"indicator": code, "rating": rating, "justification": f"Evidence for {code}."}
            for code in codes
        ],
    )


@pytest.fixture
def cast(db) -> Cast:  # type: ignore[no-untyped-def]
    load_catalog()
    owner = OrganisationFactory(name="Jeju Province", country="KR")
    applicant = member("applicant", owner)
    secretary = member(
        "secretariat",
        OrganisationFactory(name="WEH Secretariat", type=OrganisationType.SECRETARIAT),
    )
    reviewers = [
        member("reviewer", OrganisationFactory(name=f"Expert institute {i}", country="FR"))
        for i in (1, 2)
    ]
    conflicted = member("viewer", owner)
    for person in [*reviewers, conflicted]:
        services.save_reviewer(
            actor=secretary,
            user_id=person.pk,
            standards=["weh-framework"],
            regions=["KR"],
            languages=["en"],
        )
    subject = SubjectFactory(owner=owner, name="Jeju", country="KR")
    assessment = assessment_services.start_assessment(
        actor=applicant, subject_id=subject.pk, standard=STANDARD
    )
    fill(applicant, assessment)
    return Cast(assessment, applicant, secretary, reviewers, conflicted)


def rate_all(reviewer: User, assignment_id: int, assessment: Assessment, rating: str) -> None:
    codes = assessment.responses.values_list("indicator__code", flat=True)
    services.save_review_ratings(
        actor=reviewer,
        assignment_id=assignment_id,
        ratings=[{"indicator": c, "rating": rating, "comment": "Checked."} for c in codes],
    )


def to_review(cast: Cast) -> list[int]:
    """Submit, start the review, assign both reviewers and sign their declarations."""
    a = cast.assessment
    services.submit_assessment(actor=cast.applicant, assessment_id=a.pk)
    services.start_review(actor=cast.secretary, assessment_id=a.pk)
    ids = []
    for reviewer in cast.reviewers:
        assignment = services.assign_reviewer(
            actor=cast.secretary, assessment_id=a.pk, reviewer_id=reviewer.pk
        )
        services.declare_no_conflict(actor=reviewer, assignment_id=assignment.pk, confirm=True)
        ids.append(assignment.pk)
    return ids


def pledge(cast: Cast) -> None:
    services.record_pledge(
        actor=cast.applicant,
        organisation_id=cast.assessment.owner_id,
        signatory_name="Oh Young-hun",
        signatory_title="Governor",
        signed_on=date(2025, 6, 5),
    )


def submit_reviews(
    cast: Cast, ids: list[int], ratings: tuple[str, ...] = ("strong", "strong")
) -> None:
    """Both reviewers rate every indicator and submit, recommending the reviewed tier."""
    for reviewer, assignment_id, rating in zip(cast.reviewers, ids, ratings, strict=True):
        rate_all(reviewer, assignment_id, cast.assessment, rating)
        services.submit_review(
            actor=reviewer,
            assignment_id=assignment_id,
            recommendation="recognise",
            tier="reviewed",
            summary="Agreed.",
        )


def recognised(cast: Cast) -> Recognition:
    """The cast's assessment reviewed by both reviewers and recognised at the reviewed tier."""
    submit_reviews(cast, to_review(cast))
    pledge(cast)
    return services.recognise_assessment(
        actor=cast.secretary, assessment_id=cast.assessment.pk, tier="reviewed", reasons="Fine."
    )
