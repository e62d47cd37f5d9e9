"""Results: outcome, gates, charts with their tables, the action plan and its exports,
comparisons of two assessments over time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weh.assessments import exports, selectors
from weh.assessments.forms import (
    CompareForm,
)
from weh.assessments.models import (
    Assessment,
)
from weh.assessments.views._shared import (
    Labels,
    _get_assessment,
    _labels,
)
from weh.standards.models import in_language

# ---------------------------------------------------------------------------------------------
# Results, exports and comparisons

# Charts: each criterion's label on its own line, its bar below it, scaled 0 to 100 on the bar
# width, with the value at the bar's end and a 0-25-50-75-100 axis at the bottom.
CHART_WIDTH = 640
CHART_BAR_X = 10
CHART_BAR_WIDTH = 540
CHART_TOP = 4
CHART_ROW = 42
CHART_BAR_HEIGHT = 16
CHART_LABEL_CHARS = 80
CHART_TICKS = (0, 25, 50, 75, 100)


def _x(percent: Decimal | None) -> float:
    if percent is None:
        return 0.0
    return float(min(max(percent, Decimal(0)), Decimal(100))) * CHART_BAR_WIDTH / 100


def _axis(top: int) -> dict[str, Any]:
    return {
        "y": top,
        "label_y": top + 16,
        "ticks": [
            {"x": f"{CHART_BAR_X + _x(Decimal(t)):.1f}", "label": str(t)} for t in CHART_TICKS
        ],
        "x1": CHART_BAR_X,
        "x2": CHART_BAR_X + CHART_BAR_WIDTH,
    }


def _chart_label(row: dict[str, Any]) -> str:
    return Truncator(f"{row['code']} {row['title']}").chars(CHART_LABEL_CHARS)


def _bar_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    bars = []
    for index, row in enumerate(rows):
        y = CHART_TOP + index * CHART_ROW
        width = _x(row["percent"])
        bars.append(
            {
                **row,
                "label_y": y + 13,
                "y": y + 18,
                "value_y": y + 18 + CHART_BAR_HEIGHT - 4,
                "width": f"{width:.1f}",
                "value_x": f"{CHART_BAR_X + width + 6:.1f}",
                "short": _chart_label(row),
            }
        )
    bottom = CHART_TOP + len(rows) * CHART_ROW + 4
    return {
        "bars": bars,
        "axis": _axis(bottom),
        "grid_top": CHART_TOP + 16,
        "grid_bottom": bottom,
        "height": bottom + 22,
        "width": CHART_WIDTH,
        "bar_x": CHART_BAR_X,
        "bar_height": CHART_BAR_HEIGHT,
    }


def _percent_text(value: Decimal | None) -> str:
    return _("n/a") if value is None else f"{value} %"


@require_GET
def results(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    labels = _labels(assessment)
    result = selectors.score_of(assessment)
    plan = selectors.action_plan(assessment, result)
    criteria = []
    for group in result.criteria:
        criterion = labels.criteria[group.code]
        percent = group.percent.value if group.percent is not None else None
        band = labels.band(group.band)
        criteria.append(
            {
                "code": group.code,
                "title": in_language(criterion.title),
                "percent": percent,
                "value": _percent_text(percent),
                "band": band["label"],
                "colour": band["colour"],
            }
        )
    components = []
    for group in result.components:
        percent = group.percent.value if group.percent is not None else None
        band = labels.band(group.band)
        components.append(
            {
                "code": group.code,
                "title": in_language(labels.components[group.code].title),
                "value": _percent_text(percent),
                "band": band["label"],
                "colour": band["colour"],
            }
        )
    gates = []
    for gate in result.gates:
        definition = labels.gates[gate.code]
        if definition.every == "criterion":
            failing = [
                f"{code} {in_language(labels.criteria[code].title)}" for code in gate.failing
            ]
        else:
            failing = list(gate.failing)
        gates.append(
            {
                "code": gate.code,
                "label": in_language(definition.label),
                "passed": gate.passed,
                "failing": failing,
            }
        )
    is_count = labels.definition.scoring.overall == "count"
    if result.overall is not None:
        overall = f"{result.overall.value} %"
    else:
        overall = labels.overall(None, result.overall_count, result.applicable)
    comparable = list(selectors.comparable_assessments(user=request.user, assessment=assessment))
    return render(
        request,
        "assessments/results.html",
        {
            "assessment": assessment,
            "standard": assessment.standard_version,
            "result": result,
            "overall": overall,
            "overall_band": labels.band(result.overall_band) if result.overall_band else None,
            "outcome": labels.outcome(result.outcome),
            "is_count": is_count,
            "criteria": criteria,
            "chart": _bar_chart(criteria),
            "components": components,
            "gates": gates,
            "plan": [{"row": row, "blocks": ", ".join(row.blocks)} for row in plan],
            "comparable": comparable,
            "compare_form": CompareForm(),
        },
    )


def _download_name(prefix: str, assessment: Assessment, extension: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"{prefix}-{assessment.pk}-{assessment.standard_version.standard_id}-{stamp}.{extension}"


@require_GET
def action_plan_csv(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    rows = selectors.action_plan(assessment)
    body = exports.action_plan_csv(assessment, rows)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = _download_name("action-plan", assessment, "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def action_plan_pdf(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    result = selectors.score_of(assessment)
    rows = selectors.action_plan(assessment, result)
    body = exports.action_plan_pdf(assessment, result, rows)
    response = HttpResponse(body, content_type="application/pdf")
    name = _download_name("action-plan", assessment, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def compare_pick(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    form = CompareForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose an assessment to compare with."))
        return redirect("assessments:results", assessment_id=assessment.pk)
    return redirect(
        "assessments:compare", assessment_id=assessment.pk, other_id=form.cleaned_data["other"]
    )


COMPARE_ROW = 54
COMPARE_BAR = 14
EARLIER_COLOUR = "#90a4ae"
LATER_COLOUR = "#1b5e20"


def _paired_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = []
    top = CHART_TOP + 24  # room for the legend
    for index, row in enumerate(rows):
        y = top + index * COMPARE_ROW
        before, after = _x(row["before"]), _x(row["after"])
        pairs.append(
            {
                **row,
                "label_y": y + 13,
                "y1": y + 18,
                "y2": y + 18 + COMPARE_BAR + 2,
                "value1_y": y + 18 + COMPARE_BAR - 3,
                "value2_y": y + 18 + 2 * COMPARE_BAR - 1,
                "w1": f"{before:.1f}",
                "w2": f"{after:.1f}",
                "x1": f"{CHART_BAR_X + before + 6:.1f}",
                "x2": f"{CHART_BAR_X + after + 6:.1f}",
                "short": _chart_label(row),
            }
        )
    bottom = top + len(rows) * COMPARE_ROW + 4
    return {
        "pairs": pairs,
        "axis": _axis(bottom),
        "grid_top": top + 16,
        "grid_bottom": bottom,
        "height": bottom + 22,
        "width": CHART_WIDTH,
        "bar_x": CHART_BAR_X,
        "bar_height": COMPARE_BAR,
        "earlier_colour": EARLIER_COLOUR,
        "later_colour": LATER_COLOUR,
        "legend_later_x": CHART_BAR_X + 200,
    }


def _direction(delta: Decimal | None) -> str:
    if delta is None:
        return ""
    return "up" if delta > 0 else "down" if delta < 0 else "same"


def _band_label(labels: Labels, code: str | None) -> str:
    return labels.band(code)["label"] if code else "—"


@require_GET
def compare(request: HttpRequest, assessment_id: int, other_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    other = (
        selectors.comparable_assessments(user=request.user, assessment=assessment)
        .filter(pk=other_id)
        .first()
    )
    if other is None:
        raise Http404
    earlier, later = sorted((assessment, other), key=lambda a: (a.created_at, a.pk))
    labels = _labels(later)
    rows = []
    for change in selectors.compare(earlier=earlier, later=later):
        delta = change.change
        rows.append(
            {
                "code": change.code,
                "title": change.title,
                "before": change.before,
                "after": change.after,
                "before_text": _percent_text(change.before),
                "after_text": _percent_text(change.after),
                "change": "—" if delta is None else (f"{delta:+}" if delta else f"{delta}"),
                "direction": _direction(delta),
                "band_before": _band_label(labels, change.band_before),
                "band_after": _band_label(labels, change.band_after),
            }
        )
    overall = [
        {
            "assessment": a,
            "overall": _labels(a).overall(a.overall_percent, a.overall_count, a.applicable),
            "outcome": _labels(a).outcome(a.outcome),
        }
        for a in (earlier, later)
    ]
    return render(
        request,
        "assessments/compare.html",
        {
            "assessment": assessment,
            "earlier": earlier,
            "later": later,
            "rows": rows,
            "overall": overall,
            "chart": _paired_chart(rows),
        },
    )
