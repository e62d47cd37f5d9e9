"""The review side of the demo: a reviewer pool, pledges, recognitions at each tier, a review in
progress with a question for the applicant, a withdrawn assessment and an alert to triage.

Everything goes through the services, as a person would do it, so the timeline, the audit trail,
the notices and the signed certificates are all real. Jeju's NbS self-assessment is left
submitted, for the walkthrough in docs/review.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from weh.accounts.models import User
from weh.assessments.models import Assessment
from weh.review import services

POOL = {
    "elena.reviewer": (["iucn-nbs", "iucn-green-list"], ["KE", "ID", "CN", "CO"], ["en", "es"]),
    "hiroshi.reviewer": (
        ["iucn-green-list", "weh-framework"],
        ["KR", "JP", "CN", "KE"],
        ["en", "zh"],
    ),
    "thabo.reviewer": (
        ["weh-framework", "uea", "iucn-nbs"],
        ["ZA", "KE", "CN", "ES"],
        ["en", "fr"],
    ),
    "mariafernanda.reviewer": (["iucn-nbs", "uea"], ["CO", "ES", "ID"], ["es", "en", "fr"]),
}

PLEDGES = [
    ("Jeju Special Self-Governing Province", "Oh Young-hun", "Governor", date(2024, 6, 5)),
    ("Xianju County People's Government", "Lin Hui", "County Head", date(2024, 9, 12)),
    ("Wetlands International", "Jane Madgwick", "Chief Executive Officer", date(2024, 3, 22)),
    ("Kenya Wildlife Service", "Erustus Kanga", "Director General", date(2025, 1, 15)),
    ("Barcelona City Council", "Janet Sanz", "Deputy Mayor for Ecology", date(2023, 10, 2)),
    (
        "Mayor's Office of Medellín",
        "Carolina Restrepo",
        "Secretary of Environment",
        date(2024, 11, 20),
    ),
]


@dataclass
class Plan:
    subject: str
    standard: str
    outcome: str
    reviewers: list[str] = field(default_factory=list)
    tier: str = ""
    reasons: str = ""
    question: tuple[str, str] | None = None  # indicator, question left open (returned state)
    field_visit: tuple[str, str] | None = None  # place, findings
    committee: str = ""
    withdraw: str = ""  # the applicant withdraws it
    stop_after_assignment: bool = False


PLANS = [
    Plan(
        "Building with Nature Demak",
        "iucn-nbs@1.0",
        "adherent",
        ["elena.reviewer", "mariafernanda.reviewer"],
        "reviewed",
        "Both reviewers confirm adherence; monitoring of sediment trapping is exemplary. "
        "Strengthen the benefit-sharing agreement with the fish-pond owners by the mid-term check.",
    ),
    Plan(
        "Yong'an River ecological corridor restoration",
        "iucn-nbs@1.0",
        "adherent",
        ["thabo.reviewer", "elena.reviewer"],
        "reviewed",
        "Adherent with a clear financing plan; the biodiversity baseline should be extended "
        "downstream before renewal.",
    ),
    Plan(
        "Barcelona",
        "uea@2005",
        "two_stars",
        ["mariafernanda.reviewer", "thabo.reviewer"],
        "reviewed",
        "Fourteen actions achieved and documented; the two reviewers concur on two stars.",
    ),
    Plan(
        "Nairobi National Park",
        "iucn-green-list@1.1",
        "candidate",
        ["elena.reviewer", "hiroshi.reviewer"],
        "certified",
        "Candidate status confirmed after the site visit; the expert review group will follow "
        "the management-effectiveness actions.",
        field_visit=(
            "Nairobi National Park, Langata gate and the southern boundary",
            "Fence-line monitoring records, ranger patrol logs and the wildlife dispersal area "
            "leases were checked against the evidence submitted.",
        ),
        committee="WEH recognition committee, session 2026-10 (A. Diallo, L. Meier, N. Keller)",
    ),
    Plan(
        "Xianju County",
        "weh-framework@1.0",
        "bronze",
        [],
        "self_assessed",
        "Published self-assessment with evidence for every indicator; bronze level.",
    ),
    Plan(
        "Medellín green corridors",
        "iucn-nbs@1.0",
        "adherent",
        ["mariafernanda.reviewer", "thabo.reviewer"],
        question=(
            "5.2",
            "The evidence gives the corridor budget for 2019 to 2023 only. How is maintenance "
            "financed from 2024, and who approved it?",
        ),
    ),
    Plan(
        "Hallasan National Park",
        "iucn-green-list@1.1",
        "candidate",
        ["hiroshi.reviewer", "elena.reviewer"],
        stop_after_assignment=True,
    ),
    Plan(
        "Barcelona",
        "uea@2005",
        "one_star",
        [],
        withdraw="Superseded by the council's later self-assessment against the same Accords.",
    ),
]


def _assessment(plan: Plan) -> Assessment:
    key_id, version = plan.standard.split("@")
    return Assessment.objects.get(
        subject__name=plan.subject,
        standard_version__standard_id=key_id,
        standard_version__version=version,
        outcome=plan.outcome,
        status="submitted",
    )


def _review(assessment: Assessment, secretary: User, reviewer: User, nudge: int) -> int:
    assignment = services.assign_reviewer(
        actor=secretary, assessment_id=assessment.pk, reviewer_id=reviewer.pk
    )
    services.declare_no_conflict(actor=reviewer, assignment_id=assignment.pk, confirm=True)
    scale = [r.code for r in assessment.standard_version.parsed().rating_scale.ratings]
    ratings = []
    for position, response in enumerate(
        assessment.responses.select_related("indicator").order_by("indicator__position")
    ):
        rating = response.rating
        # Each reviewer judges a few indicators one step lower than the applicant did.
        if rating and position % 7 == nudge and scale.index(rating) > 0:
            rating = scale[scale.index(rating) - 1]
        ratings.append(
            {
                "indicator": response.indicator.code,
                "rating": rating,
                "not_applicable": response.not_applicable,
                "comment": "" if rating == response.rating else "Evidence is thinner than stated.",
            }
        )
    services.save_review_ratings(actor=reviewer, assignment_id=assignment.pk, ratings=ratings)
    return assignment.pk


def load_demo_review(users: dict[str, User]) -> int:
    """Create the review demo; return the number of recognitions granted."""
    from weh.accounts.models import Organisation

    secretary = users["amina.secretariat"]
    for username, (standards, regions, languages) in POOL.items():
        services.save_reviewer(
            actor=secretary,
            user_id=users[username].pk,
            standards=standards,
            regions=regions,
            languages=languages,
            bio="Member of the WEH expert reviewer pool.",
        )
    for name, signatory, title, signed_on in PLEDGES:
        organisation = Organisation.objects.get(name__startswith=name)
        services.record_pledge(
            actor=secretary,
            organisation_id=organisation.pk,
            signatory_name=signatory,
            signatory_title=title,
            signed_on=signed_on,
        )
    granted = 0
    for plan in PLANS:
        assessment = _assessment(plan)
        if plan.withdraw:
            services.withdraw_assessment(
                actor=assessment.coordinator, assessment_id=assessment.pk, reason=plan.withdraw
            )
            continue
        services.start_review(actor=secretary, assessment_id=assessment.pk)
        if plan.stop_after_assignment:
            for username in plan.reviewers:
                services.assign_reviewer(
                    actor=secretary, assessment_id=assessment.pk, reviewer_id=users[username].pk
                )
            continue
        assignments = [
            _review(assessment, secretary, users[username], nudge)
            for nudge, username in enumerate(plan.reviewers)
        ]
        if plan.question:
            code, body = plan.question
            services.ask_clarification(
                actor=users[plan.reviewers[0]],
                assessment_id=assessment.pk,
                indicator=code,
                body=body,
            )
            services.return_assessment(actor=users[plan.reviewers[0]], assessment_id=assessment.pk)
            continue
        if plan.field_visit:
            place, findings = plan.field_visit
            services.record_field_visit(
                actor=users[plan.reviewers[0]],
                assignment_id=assignments[0],
                visited_on=date(2026, 9, 14),
                place=place,
                findings=findings,
            )
        for username, assignment_id in zip(plan.reviewers, assignments, strict=True):
            services.submit_review(
                actor=users[username],
                assignment_id=assignment_id,
                recommendation="recognise",
                tier=plan.tier,
                summary="The evidence supports the self-assessment; see my comments.",
            )
        recognition = services.recognise_assessment(
            actor=secretary,
            assessment_id=assessment.pk,
            tier=plan.tier,
            reasons=plan.reasons,
            committee=plan.committee,
        )
        granted += 1
        if plan.subject.startswith("Yong'an River"):
            services.file_alert(
                actor=None,
                serial=recognition.serial,
                body="Residents report that a stretch of the restored riverbank near the county "
                "seat was paved for a car park in October.",
                contact="",
            )
    return granted
