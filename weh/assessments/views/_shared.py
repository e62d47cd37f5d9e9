"""What the assessment pages share: labels from the standard, progress, lookups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from weh.assessments import selectors
from weh.assessments.models import (
    Assessment,
)
from weh.core.errors import NotFound
from weh.standards.definition import StandardDefinition
from weh.standards.models import in_language

LIST_PAGE_SIZE = 50

PORTFOLIO_PAGE_SIZE = 100
NEUTRAL = "#607d8b"
# The fields a card shows errors beside; errors for anything else are shown at its top.
CARD_FIELDS = frozenset(
    {"rating", "justification", "not_applicable", "not_applicable_reason", "file", "url"}
)


# ---------------------------------------------------------------------------------------------
# Small helpers


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _forbidden(request: HttpRequest, reason: Any) -> HttpResponse:
    return render(request, "web/forbidden.html", {"reason": str(reason)}, status=403)


def _get_assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    try:
        return selectors.get_assessment(user=request.user, assessment_id=assessment_id)
    except NotFound:
        raise Http404 from None


def _card_url(assessment_id: int, code: str) -> str:
    return reverse("assessments:workspace", args=[assessment_id]) + f"#indicator-{code}"


def _percent(value: Decimal | None, decimals: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals))


class Labels:
    """What the codes of one standard version read as, in the active language, with colours."""

    def __init__(self, definition: StandardDefinition) -> None:
        self.definition = definition
        self.decimals = definition.scoring.decimals
        self.ratings = [
            {"code": r.code, "label": in_language(r.label), "colour": r.colour}
            for r in definition.rating_scale.ratings
        ]
        self.rating = {r["code"]: r for r in self.ratings}
        self.bands = {
            b.code: {"code": b.code, "label": in_language(b.label), "colour": b.colour}
            for b in definition.scoring.bands
        }
        self.outcomes = {
            o.code: {
                "code": o.code,
                "label": in_language(o.label),
                "colour": o.colour,
                "description": in_language(o.description),
            }
            for o in definition.outcomes
        }
        self.gates = {g.code: g for g in definition.gates}
        self.criteria = {c.code: c for c in definition.all_criteria()}
        self.components = {c.code: c for c in definition.components or []}
        self.indicators = {i.code: i for i in definition.indicators()}
        count_rating = definition.scoring.count_rating
        self.count_label = self.rating[count_rating]["label"] if count_rating else ""
        threshold = definition.rating_scale.justification_required_above
        codes = [r["code"] for r in self.ratings]
        self.needs_justification = (
            set(codes[codes.index(threshold) + 1 :]) if threshold is not None else set()
        )

    def rating_label(self, code: str | None) -> str:
        if not code:
            return ""
        return self.rating[code]["label"] if code in self.rating else code

    def band(self, code: str | None) -> dict[str, str]:
        if code and code in self.bands:
            return self.bands[code]
        return {"code": "", "label": _("Not applicable"), "colour": NEUTRAL}

    def outcome(self, code: str) -> dict[str, str]:
        return self.outcomes.get(
            code, {"code": code, "label": code or "—", "colour": NEUTRAL, "description": ""}
        )

    def overall(self, percent: Decimal | None, count: int | None, applicable: int) -> str:
        if self.definition.scoring.overall == "count":
            if count is None:
                return "—"
            return _("%(count)d of %(total)d rated %(rating)s") % {
                "count": count,
                "total": applicable,
                "rating": self.count_label,
            }
        value = _percent(percent, self.decimals)
        return "—" if value is None else f"{value} %"


def _labels(assessment: Assessment) -> Labels:
    return Labels(assessment.standard_version.parsed())


def _progress(assessment: Assessment, labels: Labels) -> dict[str, Any]:
    applicable = assessment.applicable
    return {
        "answered": assessment.answered,
        "applicable": applicable,
        "max": applicable or 1,
        "percent": round(100 * assessment.answered / applicable) if applicable else 100,
        "overall": labels.overall(assessment.overall_percent, assessment.overall_count, applicable),
        "outcome": labels.outcome(assessment.outcome),
    }
