from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from weh.assessments import selectors, services
from weh.core.api_paging import Page, paginate
from weh.review import services as review_services

router = Router(tags=["assessments"])


class AssessmentIn(Schema):
    subject_id: int
    standard: str = Field(..., examples=["iucn-nbs@1.0"], description="id@version, or id")
    title: str = ""


class AssessmentSummary(Schema):
    id: int
    title: str
    status: str
    subject_id: int
    standard: str
    owner_id: int
    coordinator: str
    overall_percent: Decimal | None
    overall_count: int | None
    outcome: str
    answered: int
    applicable: int
    updated_at: datetime


class EvidenceOut(Schema):
    id: int
    kind: str
    title: str
    original_name: str
    content_type: str
    size: int | None
    sha256: str
    url: str
    download: str | None


class ResponseOut(Schema):
    indicator: str
    rating: str
    not_applicable: bool
    not_applicable_reason: str
    justification: str
    version: int
    suggestion: dict[str, Any] | None
    suggestion_state: str
    evidence: list[EvidenceOut]


class AssessmentDetail(AssessmentSummary):
    responses: list[ResponseOut]


class ResponseIn(Schema):
    indicator: str
    rating: str | None = None
    not_applicable: bool | None = None
    not_applicable_reason: str | None = None
    justification: str | None = None
    version: int | None = Field(
        None, description="The version you edited; a newer save is then reported as a conflict."
    )


class ResponsesIn(Schema):
    responses: list[ResponseIn] = Field(..., min_length=1, max_length=500)


class ScoreGroup(Schema):
    code: str
    points: int
    max_points: int
    percent: Decimal | None
    band: str | None


class ScoreGap(Schema):
    indicator: str
    criterion: str
    rating: str | None
    next_rating: str
    lift: Decimal
    blocks: list[str]


class ScoreOut(Schema):
    standard: str
    overall_percent: Decimal | None
    overall_count: int | None
    overall_band: str | None
    outcome: str
    answered: int
    applicable: int
    criteria: list[ScoreGroup]
    components: list[ScoreGroup]
    gates: list[dict[str, Any]]
    gaps: list[ScoreGap]


class EvidenceLinkIn(Schema):
    indicator: str
    url: str
    title: str = ""


def _summary(assessment: Any) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "title": str(assessment),
        "status": assessment.status,
        "subject_id": assessment.subject_id,
        "standard": assessment.standard_version.key,
        "owner_id": assessment.owner_id,
        "coordinator": assessment.coordinator.get_username(),
        "overall_percent": assessment.overall_percent,
        "overall_count": assessment.overall_count,
        "outcome": assessment.outcome,
        "answered": assessment.answered,
        "applicable": assessment.applicable,
        "updated_at": assessment.updated_at,
    }


def _evidence(item: Any) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "original_name": item.original_name,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "url": item.url,
        "download": f"/evidence/{item.pk}/download/" if item.file else None,
    }


def _detail(assessment: Any) -> dict[str, Any]:
    responses = selectors.responses_of(assessment)
    return {
        **_summary(assessment),
        "responses": [
            {
                "indicator": r.indicator.code,
                "rating": r.rating,
                "not_applicable": r.not_applicable,
                "not_applicable_reason": r.not_applicable_reason,
                "justification": r.justification,
                "version": r.version,
                "suggestion": r.suggestion,
                "suggestion_state": r.suggestion_state,
                "evidence": [_evidence(e) for e in r.evidence.all()],
            }
            for r in responses
        ],
    }


@router.get("", response=Page[AssessmentSummary], summary="Assessments you may see")
def list_assessments(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    subject: int | None = None,
    owner: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    qs = selectors.list_assessments(
        user=request.user, subject_id=subject, owner_id=owner, status=status
    )
    return paginate(
        request, qs, limit=limit, offset=offset, rows=lambda page: [_summary(a) for a in page]
    )


@router.post("", response={201: AssessmentDetail}, summary="Start an assessment")
def start_assessment(request: HttpRequest, payload: AssessmentIn):  # type: ignore[no-untyped-def]
    assessment = services.start_assessment(
        actor=request.user,
        subject_id=payload.subject_id,
        standard=payload.standard,
        title=payload.title,
    )
    return Status(201, _detail(assessment))


@router.get("/{assessment_id}", response=AssessmentDetail, summary="One assessment, all answers")
def get_assessment(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    return _detail(selectors.get_assessment(user=request.user, assessment_id=assessment_id))


@router.patch(
    "/{assessment_id}/responses",
    response=AssessmentDetail,
    summary="Save several answers at once (all or none)",
)
def save_responses(  # type: ignore[no-untyped-def]
    request: HttpRequest, assessment_id: int, payload: ResponsesIn
):
    services.save_responses(
        actor=request.user,
        assessment_id=assessment_id,
        items=[item.model_dump(exclude_unset=True) for item in payload.responses],
    )
    return _detail(selectors.get_assessment(user=request.user, assessment_id=assessment_id))


@router.get("/{assessment_id}/score", response=ScoreOut, summary="Scores, outcome and gaps")
def get_score(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    assessment = selectors.get_assessment(user=request.user, assessment_id=assessment_id)
    result = selectors.score_of(assessment)

    def group(g: Any) -> dict[str, Any]:
        return {
            "code": g.code,
            "points": g.points,
            "max_points": g.max_points,
            "percent": g.percent.value if g.percent else None,
            "band": g.band,
        }

    return {
        "standard": result.standard,
        "overall_percent": result.overall.value if result.overall else None,
        "overall_count": result.overall_count,
        "overall_band": result.overall_band,
        "outcome": result.outcome,
        "answered": result.answered,
        "applicable": result.applicable,
        "criteria": [group(g) for g in result.criteria],
        "components": [group(g) for g in result.components],
        "gates": [
            {"code": g.code, "passed": g.passed, "failing": list(g.failing)} for g in result.gates
        ],
        "gaps": [
            {
                "indicator": row.indicator,
                "criterion": row.criterion,
                "rating": gap.rating,
                "next_rating": gap.next_rating,
                "lift": row.lift,
                "blocks": list(gap.blocks),
            }
            for row, gap in zip(selectors.action_plan(assessment, result), result.gaps, strict=True)
        ],
    }


@router.post(
    "/{assessment_id}/evidence/file",
    response={201: EvidenceOut},
    summary="Attach a file to an indicator (multipart: indicator, title, file)",
)
def add_evidence_file(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    assessment_id: int,
    indicator: Form[str],
    file: File[UploadedFile],
    title: Form[str] = "",
):
    evidence = services.add_evidence_file(
        actor=request.user,
        assessment_id=assessment_id,
        indicator=indicator,
        upload=file,
        title=title,
    )
    return Status(201, _evidence(evidence))


@router.post("/{assessment_id}/evidence/link", response={201: EvidenceOut}, summary="Attach a link")
def add_evidence_link(  # type: ignore[no-untyped-def]
    request: HttpRequest, assessment_id: int, payload: EvidenceLinkIn
):
    evidence = services.add_evidence_link(
        actor=request.user,
        assessment_id=assessment_id,
        indicator=payload.indicator,
        url=payload.url,
        title=payload.title,
    )
    return Status(201, _evidence(evidence))


@router.delete("/evidence/{evidence_id}", response={204: None}, summary="Remove evidence")
def remove_evidence(request: HttpRequest, evidence_id: int):  # type: ignore[no-untyped-def]
    services.remove_evidence(actor=request.user, evidence_id=evidence_id)
    return Status(204, None)


@router.post(
    "/{assessment_id}/suggestions/{indicator}/confirm",
    response=ResponseOut,
    summary="Take over a crosswalk suggestion",
)
def confirm_suggestion(  # type: ignore[no-untyped-def]
    request: HttpRequest, assessment_id: int, indicator: str
):
    services.confirm_suggestion(
        actor=request.user, assessment_id=assessment_id, indicator=indicator
    )
    detail = _detail(selectors.get_assessment(user=request.user, assessment_id=assessment_id))
    return next(r for r in detail["responses"] if r["indicator"] == indicator)


@router.post("/{assessment_id}/submit", response=AssessmentSummary, summary="Submit")
def submit(request: HttpRequest, assessment_id: int):  # type: ignore[no-untyped-def]
    return _summary(
        review_services.submit_assessment(actor=request.user, assessment_id=assessment_id)
    )
