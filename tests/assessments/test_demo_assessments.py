"""The demo assessments: every standard, several states, real evidence, computed outcomes."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from weh.accounts.models import Membership, Role
from weh.assessments import selectors
from weh.assessments.models import Assessment, Evidence, Response, SuggestionState
from weh.core.models import AuditEntry
from weh.demo import assessments as demo_assessments
from weh.demo.assessments import DEMOS, LETTERS, Chart, Document, Link, Sheet, evidence_file
from weh.demo.load import load_demo
from weh.standards.services import read_catalog

STANDARD_COUNTS = {"iucn-nbs": 6, "iucn-green-list": 4, "uea": 4, "weh-framework": 4}


def test_every_demo_rates_each_indicator_of_its_standard() -> None:
    """The rating strings match the catalog (checked without a database)."""
    standards = {d.key: d for d, _source in read_catalog()[0]}
    for demo in DEMOS:
        definition = standards[demo.standard]
        codes = [i.code for i in definition.indicators()]
        ratings = demo.ratings.replace(" ", "")
        assert not ratings or len(ratings) == len(codes), demo
        allowed = set(LETTERS[definition.id]) | {".", "n"}
        assert set(ratings) <= allowed, demo
        assert set(demo.answers) <= set(codes)
        assert set(demo.notes) <= set(codes)
        assert {e.indicator for e in demo.evidence} <= set(codes)
        for code, _reason in demo.not_applicable.items():
            assert ratings[codes.index(code)] == "n"


def test_evidence_files_are_reproducible() -> None:
    files = [e for demo in DEMOS for e in demo.evidence if not isinstance(e, Link)]
    for item in files:
        assert evidence_file(item) == evidence_file(item), item.name
    assert any(isinstance(e, Document) for e in files)
    assert any(isinstance(e, Sheet) for e in files)
    assert any(isinstance(e, Chart) for e in files)


@pytest.mark.django_db
def test_demo_assessments() -> None:
    counts = load_demo()
    assert counts["assessments"] == len(DEMOS) == 18
    assessments = list(
        Assessment.objects.select_related("subject", "standard_version", "coordinator", "owner")
    )
    assert len(assessments) == 18

    # Every standard, at least twice.
    per_standard = Counter(a.standard_version.standard_id for a in assessments)
    assert per_standard == STANDARD_COUNTS
    assert min(per_standard.values()) >= 2

    # States: drafts partly answered, complete drafts, and the submitted ones taken further
    # through review by the review demo (weh.demo.review).
    statuses = Counter(a.status for a in assessments)
    assert statuses == {
        "draft": 8,
        "submitted": 2,
        "in_review": 1,
        "returned": 1,
        "recognised": 5,
        "withdrawn": 1,
    }
    assert sum(d.submit for d in DEMOS) == 10
    drafts = [a for a in assessments if a.status == "draft"]
    assert sum(a.answered < a.applicable for a in drafts) == 5
    assert sum(a.answered == a.applicable for a in drafts) == 3
    for assessment in assessments:
        if assessment.status == "draft":
            assert assessment.submitted_at is None
        else:
            assert assessment.answered == assessment.applicable
            assert assessment.submitted_at is not None
    assert AuditEntry.objects.filter(action="start").count() == 18
    assert AuditEntry.objects.filter(action="workflow.submit").count() == 10

    # Outcomes were computed, and agree with a fresh scoring of the answers.
    for assessment in assessments:
        result = selectors.score_of(assessment)
        definition = assessment.standard_version.parsed()
        assert assessment.outcome == result.outcome
        assert assessment.outcome in {o.code for o in definition.outcomes}
        assert (assessment.answered, assessment.applicable) == (result.answered, result.applicable)
        if result.overall is not None:
            assert assessment.overall_percent == result.overall.value
        else:
            assert assessment.overall_count == result.overall_count
        assert len(assessment.criterion_scores) == len(definition.all_criteria())
    outcomes = Counter(a.outcome for a in assessments)
    assert outcomes["adherent"] == 4
    assert outcomes["candidate"] == 3
    assert {"one_star", "two_stars", "bronze", "gold", "not_yet", "not_adherent"} <= set(outcomes)

    # The coordinator is an applicant of the owner; the secretariat only where there is none.
    applicants = set(
        Membership.objects.filter(role=Role.APPLICANT).values_list("organisation_id", "user_id")
    )
    for assessment in assessments:
        if (assessment.owner_id, assessment.coordinator_id) not in applicants:
            assert assessment.coordinator.is_staff
            assert not any(org == assessment.owner_id for org, _user in applicants)
    assert sum(a.coordinator.is_staff for a in assessments) == 2

    # Every answer has a justification written out (no template left unfilled).
    answered = Response.objects.exclude(rating="", not_applicable=False)
    assert answered.count() == sum(a.answered for a in assessments) + (
        Response.objects.filter(not_applicable=True).count()
    )
    for response in answered:
        text = response.justification or response.not_applicable_reason
        assert len(text) > 40, response
        assert "{" not in text, text
        assert "}" not in text, text

    # A subject assessed twice against the same standard, a year apart, with progress.
    pairs = Counter((a.subject_id, a.standard_version_id) for a in assessments)
    repeated = [key for key, n in pairs.items() if n == 2]
    assert len(repeated) == 2
    for subject_id, version_id in repeated:
        earlier, later = sorted(
            (
                a
                for a in assessments
                if (a.subject_id, a.standard_version_id) == (subject_id, version_id)
            ),
            key=lambda a: a.created_at,
        )
        assert later.created_at - earlier.created_at > timedelta(days=360)
        assert earlier.status != "draft"
        changes = selectors.compare(earlier=earlier, later=later)
        assert any(c.change is not None and c.change > 0 for c in changes)
    barcelona = sorted(
        (a for a in assessments if a.subject.name == "Barcelona"), key=lambda a: a.created_at
    )
    assert [(a.outcome, a.overall_count) for a in barcelona] == [
        ("one_star", 10),
        ("two_stars", 14),
    ]

    # Jeju: IUCN NbS first, then the WEH framework with crosswalk suggestions confirmed.
    jeju = sorted(
        (a for a in assessments if a.subject.name == "Jeju Special Self-Governing Province"),
        key=lambda a: a.pk,
    )
    assert [a.standard_version.key for a in jeju] == ["iucn-nbs@1.0", "weh-framework@1.0"]
    assert [a.status for a in jeju] == ["submitted", "draft"]
    framework = Counter(jeju[1].responses.values_list("suggestion_state", flat=True))
    assert framework[SuggestionState.CONFIRMED] == 7
    assert framework[SuggestionState.SUGGESTED] > 0
    assert framework[SuggestionState.DISMISSED] > 0
    confirmed = jeju[1].responses.get(indicator__code="W4.4")
    assert confirmed.rating == "partial"
    assert "Carried over from iucn-nbs@1.0 4.1 (equivalent match)." in confirmed.justification
    source = Evidence.objects.get(response__assessment=jeju[0], response__indicator__code="4.1")
    copied = confirmed.evidence.get()
    assert (copied.sha256, copied.file.name) == (source.sha256, source.file.name)

    # Evidence: real files on disk with the recorded hash, and links.
    files = Evidence.objects.filter(kind="file")
    links = Evidence.objects.filter(kind="link")
    defined = Counter(type(e).__name__ for demo in DEMOS for e in demo.evidence)
    assert defined == {"Document": 10, "Sheet": 10, "Chart": 8, "Link": 12}
    # Confirming W2.2, W4.4 and W7.3 carried over two documents and a link from Jeju's NbS.
    assert Counter(files.values_list("content_type", flat=True)) == {
        "application/pdf": 10 + 2,
        "text/csv": 10,
        "image/png": 8,
    }
    assert links.count() == 12 + 1
    for evidence in files:
        path = evidence.file.path
        with open(path, "rb") as handle:  # noqa: PTH123
            content = handle.read()
        assert hashlib.sha256(content).hexdigest() == evidence.sha256
        assert len(content) == evidence.size
        head = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n"}.get(
            evidence.content_type
        )
        if head:
            assert content.startswith(head)
        else:
            content.decode("utf-8")
    # The same file attached twice is stored once.
    assert files.values("sha256").distinct().count() < files.count()
    for link in links:
        assert link.url.startswith("https://")
    assert {e.response.assessment_id for e in Evidence.objects.all()} >= {
        a.pk for a in assessments if a.status == "submitted"
    }
    # Example: Jeju's groundwater monitoring table.
    table = files.get(original_name="jeju-groundwater-monitoring.csv")
    with open(table.file.path, encoding="utf-8") as handle:  # noqa: PTH123
        lines = handle.read().splitlines()
    assert lines[0] == "well,year,nitrate_mg_per_l,water_level_m_asl"
    assert len(lines) == 1 + 8 * 7

    # Revisions: some answers were first saved lower, then corrected.
    assert Response.objects.filter(version=2).count() == sum(len(d.revised) for d in DEMOS)
    assert Decimal(0) < jeju[0].overall_percent < Decimal(100)


def test_compose_fills_every_sentence() -> None:
    """Each sentence of each standard can be composed with the facts of a place."""
    facts = {
        "iucn-nbs": "jeju",
        "weh-framework": "jeju",
        "iucn-green-list": "hallasan",
    }
    for standard, place in facts.items():
        for turn, code in enumerate(demo_assessments.SENTENCES[standard]):
            for letter in LETTERS[standard]:
                text = demo_assessments.compose(
                    standard, code, letter, demo_assessments.FACTS[place], turn
                )
                assert text[0].isupper()
                assert "{" not in text
