"""Assessing a subject: answers, evidence, suggestions through crosswalks, history, submission."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import SubjectFactory, member
from weh.accounts.models import Role
from weh.assessments import services
from weh.assessments.models import Assessment, Evidence, Response, ResponseRevision
from weh.core.errors import Conflict, PermissionDenied, ValidationFailed
from weh.core.models import AuditEntry
from weh.registry.models import SubjectKind
from weh.review import services as review_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def start(actor, subject, standard="iucn-nbs@1.0"):  # type: ignore[no-untyped-def]
    return services.start_assessment(actor=actor, subject_id=subject.pk, standard=standard)


def answer(actor, assessment, code, rating, **extra):  # type: ignore[no-untyped-def]
    values = {"rating": rating, "justification": extra.pop("justification", f"Because {code}.")}
    return services.save_response(
        actor=actor, assessment_id=assessment.pk, indicator=code, values={**values, **extra}
    )


def test_start_creates_one_response_per_indicator(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    assert assessment.responses.count() == 28
    assert assessment.owner == jeju.owner
    assert assessment.coordinator == applicant
    assert assessment.status == "draft"
    assert (assessment.answered, assessment.applicable, assessment.outcome) == (
        0,
        28,
        "not_adherent",
    )
    assert AuditEntry.objects.filter(action="start").count() == 1


def test_standard_must_apply_to_the_kind_of_subject(applicant, catalog, organisation) -> None:  # type: ignore[no-untyped-def]
    park = SubjectFactory(owner=organisation, kind=SubjectKind.PROTECTED_AREA)
    with pytest.raises(ValidationFailed) as caught:
        start(applicant, park, "uea@2005")
    assert "does not apply to subjects of kind" in caught.value.errors["standard"][0]
    assert Assessment.objects.count() == 0


def test_only_applicants_of_the_owner_start(viewer, outsider, jeju) -> None:  # type: ignore[no-untyped-def]
    for user in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            start(user, jeju)
    assert Assessment.objects.count() == 0


def test_answers_rescore_and_keep_history(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    answer(applicant, assessment, "1.1", "strong")
    answer(applicant, assessment, "1.1", "adequate", justification="Revised after review.")
    assessment.refresh_from_db()
    # C1: 2 of 9 points = 22.2 %; the other criteria 0; overall = 22.2 / 8 = 2.8 %.
    assert assessment.criterion_scores[0] == {
        "code": "C1",
        "percent": "22.2",
        "band": "insufficient",
    }
    assert assessment.overall_percent == Decimal("2.800")
    response = Response.objects.get(assessment=assessment, indicator__code="1.1")
    assert response.version == 2
    history = list(
        ResponseRevision.objects.filter(response=response).values_list(
            "version", "rating", "justification"
        )
    )
    assert history == [(2, "adequate", "Revised after review."), (1, "strong", "Because 1.1.")]


def test_justification_required_above_the_lowest_rating(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    with pytest.raises(ValidationFailed) as caught:
        answer(applicant, assessment, "2.1", "partial", justification="  ")
    assert (
        "justification is required for any rating above Insufficient"
        in (caught.value.errors["justification"][0])
    )
    answer(applicant, assessment, "2.1", "insufficient", justification="")
    assert Response.objects.get(assessment=assessment, indicator__code="2.1").rating == (
        "insufficient"
    )


def test_not_applicable_needs_permission_and_a_reason(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    nbs = start(applicant, jeju)
    with pytest.raises(ValidationFailed) as caught:
        services.save_response(
            actor=applicant,
            assessment_id=nbs.pk,
            indicator="5.5",
            values={"not_applicable": True, "not_applicable_reason": "x"},
        )
    assert caught.value.errors == {
        "not_applicable": ["This indicator cannot be marked not applicable."]
    }
    framework = start(applicant, jeju, "weh-framework@1.0")
    with pytest.raises(ValidationFailed) as caught:
        services.save_response(
            actor=applicant,
            assessment_id=framework.pk,
            indicator="W1.1",
            values={"not_applicable": True},
        )
    assert "not_applicable_reason" in caught.value.errors
    services.save_response(
        actor=applicant,
        assessment_id=framework.pk,
        indicator="W1.1",
        values={"not_applicable": True, "not_applicable_reason": "No such plan at county level."},
    )
    framework.refresh_from_db()
    assert framework.applicable == 26


def test_concurrent_edit_is_a_conflict_never_a_silent_overwrite(
    applicant, jeju, organisation
) -> None:  # type: ignore[no-untyped-def]
    colleague = member(Role.APPLICANT, organisation)
    assessment = start(applicant, jeju)
    # Both open version 0; the colleague saves first.
    services.save_response(
        actor=colleague,
        assessment_id=assessment.pk,
        indicator="3.1",
        values={"rating": "strong", "justification": "Survey 2024."},
        expected_version=0,
    )
    with pytest.raises(Conflict) as caught:
        services.save_response(
            actor=applicant,
            assessment_id=assessment.pk,
            indicator="3.1",
            values={"rating": "partial", "justification": "Mine."},
            expected_version=0,
        )
    assert colleague.username in str(caught.value.detail)
    assert caught.value.extra["current"]["rating"] == "strong"
    assert caught.value.extra["current"]["version"] == 1
    response = Response.objects.get(assessment=assessment, indicator__code="3.1")
    assert (response.rating, response.justification) == ("strong", "Survey 2024.")


def test_bulk_save_is_all_or_nothing(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    with pytest.raises(ValidationFailed) as caught:
        services.save_responses(
            actor=applicant,
            assessment_id=assessment.pk,
            items=[
                {"indicator": "1.1", "rating": "strong", "justification": "ok"},
                {"indicator": "1.2", "rating": "stellar", "justification": "ok"},
                {"indicator": "9.9", "rating": "strong"},
            ],
        )
    assert set(caught.value.errors) == {"responses[1].rating", "responses[2].indicator"}
    assert not Response.objects.filter(assessment=assessment).exclude(rating="").exists()
    assert not ResponseRevision.objects.exists()


def test_evidence_file_is_hashed_typed_and_stored_once(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    first = services.add_evidence_file(
        actor=applicant,
        assessment_id=assessment.pk,
        indicator="1.1",
        upload=SimpleUploadedFile("survey.pdf", PDF, "application/pdf"),
        title="Survey",
    )
    second = services.add_evidence_file(
        actor=applicant,
        assessment_id=assessment.pk,
        indicator="1.2",
        upload=SimpleUploadedFile("copy.pdf", PDF, "application/pdf"),
    )
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()
    assert first.size == len(PDF)
    assert first.content_type == "application/pdf"
    assert first.file.name == second.file.name
    with first.file.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "not accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not match its .pdf name"),
        ("notes.txt", b"\x00\x01\x02binary", "not text"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_evidence_file_checks(applicant, jeju, name, content, message) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    with pytest.raises(ValidationFailed) as caught:
        services.add_evidence_file(
            actor=applicant,
            assessment_id=assessment.pk,
            indicator="1.1",
            upload=SimpleUploadedFile(name, content),
        )
    assert message in caught.value.errors["file"][0]
    assert Evidence.objects.count() == 0


def test_evidence_size_limit(applicant, jeju, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_MAX_EVIDENCE_BYTES = 1024 * 1024
    assessment = start(applicant, jeju)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationFailed) as caught:
        services.add_evidence_file(
            actor=applicant, assessment_id=assessment.pk, indicator="1.1", upload=big
        )
    assert caught.value.errors == {"file": ["The file is larger than 1 MB."]}


def test_evidence_links_must_be_web_addresses(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    with pytest.raises(ValidationFailed):
        services.add_evidence_link(
            actor=applicant, assessment_id=assessment.pk, indicator="1.1", url="javascript:alert(1)"
        )
    link = services.add_evidence_link(
        actor=applicant,
        assessment_id=assessment.pk,
        indicator="1.1",
        url="https://jeju.go.kr/plan.pdf",
    )
    assert link.kind == "link"


def test_crosswalk_suggestions_prefill_the_next_standard(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    nbs = start(applicant, jeju)
    answer(applicant, nbs, "1.2", "strong", justification="Challenge study, 2023.")
    services.add_evidence_file(
        actor=applicant,
        assessment_id=nbs.pk,
        indicator="1.2",
        upload=SimpleUploadedFile("study.pdf", PDF),
    )
    framework = start(applicant, jeju, "weh-framework@1.0")
    # The crosswalk maps W2.2 to NbS 1.2 as equivalent.
    response = Response.objects.get(assessment=framework, indicator__code="W2.2")
    assert response.suggestion_state == "suggested"
    assert response.suggestion["rating"] == "strong"
    assert response.suggestion["from_indicator"] == "1.2"
    assert response.rating == ""
    services.confirm_suggestion(actor=applicant, assessment_id=framework.pk, indicator="W2.2")
    response.refresh_from_db()
    assert response.rating == "strong"
    assert response.suggestion_state == "confirmed"
    assert "Challenge study, 2023." in response.justification
    assert "iucn-nbs@1.0 1.2" in response.justification
    (evidence,) = response.evidence.all()
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()


def test_ratings_map_across_scales_without_overstating(applicant, catalog, organisation) -> None:  # type: ignore[no-untyped-def]
    from weh.assessments.services import _mapped_rating
    from weh.standards.models import StandardVersion

    nbs = StandardVersion.objects.get(standard_id="iucn-nbs")
    uea = StandardVersion.objects.get(standard_id="uea")
    assert _mapped_rating(nbs, "strong", uea) == "achieved"
    assert _mapped_rating(nbs, "adequate", uea) == "in_progress"
    assert _mapped_rating(nbs, "partial", uea) == "not_started"
    assert _mapped_rating(uea, "in_progress", nbs) == "partial"


def test_submit_requires_every_indicator(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju, "uea@2005")
    with pytest.raises(ValidationFailed) as caught:
        review_services.submit_assessment(actor=applicant, assessment_id=assessment.pk)
    assert "Still open: A1, A2, A3" in caught.value.errors["responses"][0]
    services.save_responses(
        actor=applicant,
        assessment_id=assessment.pk,
        items=[
            {"indicator": f"A{i}", "rating": "achieved", "justification": "Done."}
            for i in range(1, 22)
        ],
    )
    submitted = review_services.submit_assessment(actor=applicant, assessment_id=assessment.pk)
    assert submitted.status == "submitted"
    assert submitted.outcome == "three_stars"
    with pytest.raises(Conflict, match="cannot submit"):
        review_services.submit_assessment(actor=applicant, assessment_id=assessment.pk)
    with pytest.raises(Conflict, match="only while it is a draft or returned"):
        answer(applicant, assessment, "A1", "in_progress")


def test_contributor_from_elsewhere_may_edit_but_not_submit(applicant, outsider, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju, "uea@2005")
    services.add_contributor(actor=applicant, assessment_id=assessment.pk, user_id=outsider.pk)
    answer(outsider, assessment, "A1", "achieved")
    with pytest.raises(PermissionDenied):
        review_services.submit_assessment(actor=outsider, assessment_id=assessment.pk)
