"""Reads on assessments: lists, one assessment with its answers, results, action plans,
comparisons over time and an organisation's portfolio."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, QuerySet

from weh.accounts.models import User
from weh.assessments import workflow
from weh.assessments.models import Assessment, Contributor, Evidence, Response, ResponseRevision
from weh.core import policy
from weh.core.errors import NotFound
from weh.core.permissions import get_for, grants_for
from weh.standards.definition import StandardDefinition
from weh.standards.models import in_language
from weh.standards.scoring import NOT_APPLICABLE, Result

Viewer = User | AnonymousUser


def list_assessments(
    *,
    user: Viewer,
    subject_id: int | None = None,
    owner_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Assessment]:
    qs = Assessment.objects.restrict(user, policy.ASSESSMENT_VIEW).select_related(
        "subject", "standard_version", "owner", "coordinator"
    )
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-pk")


def get_assessment(*, user: Viewer, assessment_id: int) -> Assessment:
    return get_for(
        Assessment.objects.select_related("subject", "standard_version", "owner", "coordinator"),
        user,
        policy.ASSESSMENT_VIEW,
        view_permission=policy.ASSESSMENT_VIEW,
        pk=assessment_id,
    )


def assessment_actions(*, user: Viewer, assessment: Assessment) -> dict[str, bool]:
    grants = grants_for(user)
    personal = user.is_authenticated and (
        assessment.coordinator_id == user.pk
        or assessment.contributors.filter(user_id=user.pk).exists()
    )
    editable = workflow.is_editable(assessment.status)
    can_submit = grants.allows(policy.ASSESSMENT_SUBMIT, assessment.owner_id)
    return {
        "edit": editable
        and (grants.allows(policy.ASSESSMENT_CHANGE, assessment.owner_id) or bool(personal)),
        "submit": can_submit
        and workflow.Action.SUBMIT in workflow.allowed_actions(assessment.status),
        "manage": can_submit,
        # Once submitted, the review page holds the timeline, the questions and the decision.
        "review": workflow.Action.SUBMIT not in workflow.allowed_actions(assessment.status),
    }


def responses_of(assessment: Assessment) -> list[Response]:
    """Every response with its indicator and evidence, in the standard's order (3 queries)."""
    return list(
        assessment.responses.select_related("indicator", "updated_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        .order_by("indicator__position")
    )


def score_of(assessment: Assessment, responses: list[Response] | None = None) -> Result:
    """The full result, computed now from the responses."""
    if responses is None:
        rows = assessment.responses.values_list("indicator__code", "rating", "not_applicable")
        answers = {code: (NOT_APPLICABLE if na else (r or None)) for code, r, na in rows}
    else:
        answers = {r.indicator.code: r.score_value for r in responses}
    return assessment.standard_version.scoring_model().score(answers)


@dataclass(frozen=True)
class PlanRow:
    """One line of the action plan: what to do next on one indicator, and what it would bring."""

    indicator: str
    criterion: str
    criterion_title: str
    statement: str
    current: str
    target: str
    lift: Decimal
    blocks: tuple[str, ...]
    guidance: str


def action_plan(assessment: Assessment, result: Result | None = None) -> list[PlanRow]:
    """The gaps as an action plan, in the engine's order (largest lift first)."""
    definition = assessment.standard_version.parsed()
    result = result or score_of(assessment)
    labels = rating_labels(definition)
    indicators = {i.code: i for i in definition.indicators()}
    criteria = {c.code: c for c in definition.all_criteria()}
    gate_labels = {g.code: in_language(g.label) for g in definition.gates}
    decimals = definition.scoring.decimals
    quantum = Decimal(1).scaleb(-max(decimals, 1))
    rows = []
    for gap in result.gaps:
        indicator = indicators[gap.indicator]
        level = indicator.levels.get(gap.next_rating)
        rows.append(
            PlanRow(
                indicator=gap.indicator,
                criterion=gap.criterion,
                criterion_title=in_language(criteria[gap.criterion].title),
                statement=in_language(indicator.statement),
                current=labels.get(gap.rating or "", "—"),
                target=labels[gap.next_rating],
                lift=(Decimal(gap.lift.numerator) / Decimal(gap.lift.denominator)).quantize(
                    quantum
                ),
                blocks=tuple(gate_labels.get(code, code) for code in gap.blocks),
                guidance=" ".join(
                    text for text in (in_language(level), in_language(indicator.guidance)) if text
                ),
            )
        )
    return rows


def rating_labels(definition: StandardDefinition) -> dict[str, str]:
    labels = {r.code: in_language(r.label) for r in definition.rating_scale.ratings}
    labels[NOT_APPLICABLE] = str(_not_applicable_label())
    return labels


def _not_applicable_label() -> Any:
    from django.utils.translation import gettext

    return gettext("Not applicable")


@dataclass(frozen=True)
class CriterionChange:
    code: str
    title: str
    before: Decimal | None
    after: Decimal | None
    band_before: str | None
    band_after: str | None

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def compare(*, earlier: Assessment, later: Assessment) -> list[CriterionChange]:
    """Criterion by criterion, how a subject moved between two assessments of one standard."""
    definition = later.standard_version.parsed()
    before = {row["code"]: row for row in earlier.criterion_scores}
    after = {row["code"]: row for row in later.criterion_scores}
    changes = []
    for criterion in definition.all_criteria():
        old, new = before.get(criterion.code, {}), after.get(criterion.code, {})
        changes.append(
            CriterionChange(
                code=criterion.code,
                title=in_language(criterion.title),
                before=Decimal(old["percent"]) if old.get("percent") is not None else None,
                after=Decimal(new["percent"]) if new.get("percent") is not None else None,
                band_before=old.get("band"),
                band_after=new.get("band"),
            )
        )
    return changes


def comparable_assessments(*, user: Viewer, assessment: Assessment) -> QuerySet[Assessment]:
    """Other assessments of the same subject against the same standard."""
    return (
        list_assessments(user=user, subject_id=assessment.subject_id)
        .filter(standard_version__standard_id=assessment.standard_version.standard_id)
        .exclude(pk=assessment.pk)
    )


PORTFOLIO_SORTS = {
    "subject": ("subject__name", "pk"),
    "-subject": ("-subject__name", "-pk"),
    "score": ("overall_percent", "pk"),
    "-score": ("-overall_percent", "-pk"),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
}


def portfolio(
    *,
    user: Viewer,
    owner_id: int,
    standard_id: str | None = None,
    status: str | None = None,
    outcome: str | None = None,
    country: str | None = None,
    sort: str = "subject",
) -> list[dict[str, Any]]:
    """The latest assessment per subject and standard of one organisation, as rows.

    One query whatever the number of subjects.
    """
    qs = Assessment.objects.restrict(user, policy.ASSESSMENT_VIEW).filter(owner_id=owner_id)
    if standard_id:
        qs = qs.filter(standard_version__standard_id=standard_id)
    if status:
        qs = qs.filter(status=status)
    if country:
        qs = qs.filter(subject__country=country.upper())
    rows = qs.order_by("subject_id", "standard_version_id", "-created_at", "-pk").values(
        "pk",
        "title",
        "status",
        "overall_percent",
        "overall_count",
        "outcome",
        "answered",
        "applicable",
        "updated_at",
        "subject_id",
        "subject__name",
        "subject__country",
        "subject__kind",
        "standard_version_id",
        "standard_version__standard_id",
        "standard_version__version",
        "standard_version__title",
    )
    latest: dict[tuple[int, int], dict[str, Any]] = {}
    for row in rows:
        latest.setdefault((row["subject_id"], row["standard_version_id"]), row)
    result = [row for row in latest.values() if not outcome or row["outcome"] == outcome]
    field, *_rest = PORTFOLIO_SORTS.get(sort, PORTFOLIO_SORTS["subject"])
    reverse = field.startswith("-")
    key = {
        "subject__name": lambda r: (r["subject__name"].lower(), r["pk"]),
        "overall_percent": lambda r: (
            r["overall_percent"] if r["overall_percent"] is not None else Decimal(-1),
            r["pk"],
        ),
        "updated_at": lambda r: (r["updated_at"], r["pk"]),
    }[field.lstrip("-")]
    result.sort(key=key, reverse=reverse)
    return result


def portfolio_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes: dict[str, int] = {}
    for row in rows:
        outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + 1
    percents = [row["overall_percent"] for row in rows if row["overall_percent"] is not None]
    return {
        "assessments": len(rows),
        "subjects": len({row["subject_id"] for row in rows}),
        "outcomes": dict(sorted(outcomes.items())),
        "mean_percent": (sum(percents) / len(percents)).quantize(Decimal("0.1"))
        if percents
        else None,
    }


def evidence_for_download(*, user: Viewer, evidence_id: int) -> Evidence:
    """An evidence file that the user may see (its assessment is visible to them)."""
    evidence = (
        Evidence.objects.select_related("response__assessment").filter(pk=evidence_id).first()
    )
    if evidence is None:
        raise NotFound()
    get_assessment(user=user, assessment_id=evidence.response.assessment_id)
    return evidence


def subject_assessment_counts(subject_ids: list[int], user: Viewer) -> dict[int, int]:
    rows = (
        Assessment.objects.restrict(user, policy.ASSESSMENT_VIEW)
        .filter(subject_id__in=subject_ids)
        .values("subject_id")
        .annotate(n=Count("id"))
    )
    return {row["subject_id"]: row["n"] for row in rows}


def contributors_of(assessment: Assessment) -> QuerySet[Contributor]:
    return assessment.contributors.select_related("user").order_by("user__username")


def response_of(assessment: Assessment, code: str) -> Response | None:
    """One response with its indicator and evidence (for re-rendering one indicator)."""
    return (
        assessment.responses.select_related("indicator", "updated_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
        .filter(indicator__code=code)
        .first()
    )


def response_history(
    *, user: Viewer, assessment_id: int, indicator: str
) -> QuerySet[ResponseRevision]:
    """Every saved version of one answer, newest first (for those who may see the assessment)."""
    assessment = get_assessment(user=user, assessment_id=assessment_id)
    return (
        ResponseRevision.objects.filter(
            response__assessment=assessment, response__indicator__code=indicator
        )
        .select_related("changed_by")
        .order_by("-version")
    )
