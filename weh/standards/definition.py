"""What a standard version is, as data: the schema of the catalog files and its validation.

Pure: no Django import. ``parse_standard`` turns the mapping read from one YAML file into a frozen
``StandardDefinition`` or raises ``DefinitionError`` naming the file, the path inside it and
the problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
SUBJECT_KINDS = ("jurisdiction", "protected_area", "nbs_intervention")

Text = dict[str, str]
"""Text in several languages: ``{"en": "…", "fr": "…", "zh": "…"}``; English is required."""

Code = Annotated[str, Field(pattern=CODE)]


class DefinitionError(ValueError):
    """A catalog file is not a valid standard (or crosswalk) definition."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {path or '(top level)'}: {message}" for path, message in problems]
        super().__init__("\n".join(lines))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_text(value: Text, what: str) -> Text:
    if "en" not in value or not value["en"].strip():
        raise ValueError(f"{what} needs an English text under 'en'")
    return value


class Rating(_Strict):
    code: Code
    label: Text
    points: int = Field(ge=0, le=1000)
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")

    @model_validator(mode="after")
    def _label(self) -> Rating:
        _check_text(self.label, "label")
        return self


class RatingScale(_Strict):
    ratings: list[Rating] = Field(min_length=2)
    not_applicable: bool = Field(
        False, description="May an indicator be marked not applicable (with a reason)?"
    )
    justification_required_above: Code | None = Field(
        None, description="A justification is required for every rating above this one."
    )

    @model_validator(mode="after")
    def _ordered(self) -> RatingScale:
        codes = [r.code for r in self.ratings]
        if len(set(codes)) != len(codes):
            raise ValueError("rating codes must be unique")
        points = [r.points for r in self.ratings]
        if points != sorted(points) or len(set(points)) != len(points):
            raise ValueError("ratings must be listed from lowest to highest, with rising points")
        if self.justification_required_above not in (None, *codes):
            raise ValueError("justification_required_above must name a rating of the scale")
        return self


class Band(_Strict):
    code: Code
    label: Text
    min_percent: float = Field(ge=0, le=100)
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")


class Scoring(_Strict):
    criterion: Literal["percent_of_max"] = "percent_of_max"
    component: Literal["mean_of_criteria", "percent_of_max"] = "mean_of_criteria"
    overall: Literal["mean_of_criteria", "mean_of_components", "percent_of_max", "count"] = (
        "mean_of_criteria"
    )
    count_rating: Code | None = Field(
        None, description="With overall 'count': the rating whose indicators are counted."
    )
    decimals: int = Field(1, ge=0, le=4, description="Percentages are rounded half up to this.")
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands(self) -> Scoring:
        minimums = [b.min_percent for b in self.bands]
        if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums):
            raise ValueError("bands must be listed from highest to lowest min_percent")
        if minimums[-1] != 0:
            raise ValueError("the lowest band must start at min_percent 0")
        if (self.overall == "count") != (self.count_rating is not None):
            raise ValueError("count_rating is required with overall 'count', and only then")
        return self


class Gate(_Strict):
    """A condition every assessment is checked against, e.g. 'every criterion at least Partial'."""

    code: Code
    label: Text
    every: Literal["criterion", "indicator"]
    band_at_least: Code | None = None
    rating_at_least: Code | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Gate:
        if self.every == "criterion" and (self.band_at_least is None or self.rating_at_least):
            raise ValueError("a criterion gate needs band_at_least (and no rating_at_least)")
        if self.every == "indicator" and (self.rating_at_least is None or self.band_at_least):
            raise ValueError("an indicator gate needs rating_at_least (and no band_at_least)")
        return self


class Outcome(_Strict):
    """A level of the result. Levels are tried in order; the first whose conditions hold wins."""

    code: Code
    label: Text
    description: Text | None = None
    gates: list[Code] = Field(default_factory=list)
    overall_at_least: float = Field(0, ge=0)
    colour: str = Field("#607d8b", pattern=r"^#[0-9a-fA-F]{6}$")
    recognisable: bool = Field(
        True, description="Whether a decision may recognise a subject at this level."
    )


class Indicator(_Strict):
    code: Code
    statement: Text
    guidance: Text | None = None
    levels: dict[str, Text] = Field(
        default_factory=dict, description="What each rating looks like, by rating code."
    )
    not_applicable: bool | None = Field(
        None, description="Overrides the scale's not_applicable for this indicator."
    )
    weight: int = Field(1, ge=1, le=100)


class Criterion(_Strict):
    code: Code
    title: Text
    description: Text | None = None
    indicators: list[Indicator] = Field(min_length=1)


class Component(_Strict):
    code: Code
    title: Text
    description: Text | None = None
    criteria: list[Criterion] = Field(min_length=1)


class TierRequirements(_Strict):
    """What a recognition at a tier needs before the secretariat may grant it."""

    pledge: bool = Field(False, description="The owner has signed the WEH principles.")
    reviews: int = Field(0, ge=0, le=5, description="Completed independent expert reviews.")
    field_verification: bool = Field(False, description="A reviewer verified evidence on site.")
    committee_decision: bool = Field(
        False, description="The decision names the recognition committee that took it."
    )


class AssuranceTier(_Strict):
    code: Code
    label: Text
    description: Text
    requires: TierRequirements = Field(default_factory=lambda: TierRequirements.model_validate({}))


class RecognitionRules(_Strict):
    """How long a recognition lasts and when it is checked."""

    validity_years: int = Field(5, ge=1, le=20)
    midterm_check_months: int | None = Field(30, ge=1, le=240)
    renewal_notice_days: int = Field(180, ge=0, le=730)

    @model_validator(mode="after")
    def _midterm_inside(self) -> RecognitionRules:
        if (
            self.midterm_check_months is not None
            and self.midterm_check_months >= self.validity_years * 12
        ):
            raise ValueError("midterm_check_months must fall inside the validity period")
        return self


class StandardDefinition(_Strict):
    id: Code
    version: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.-]{0,19}$")]
    title: Text
    short_title: Text | None = None
    publisher: Text
    published: date | None = None
    reference: str | None = None
    description: Text
    applies_to: list[Literal["jurisdiction", "protected_area", "nbs_intervention"]] = Field(
        min_length=1
    )
    rating_scale: RatingScale
    scoring: Scoring
    gates: list[Gate] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(min_length=1)
    assurance_tiers: list[AssuranceTier] = Field(default_factory=list)
    recognition: RecognitionRules = Field(
        default_factory=lambda: RecognitionRules.model_validate({})
    )
    components: list[Component] | None = None
    criteria: list[Criterion] | None = None

    @model_validator(mode="after")
    def _coherent(self) -> StandardDefinition:
        for name, text in (
            ("title", self.title),
            ("publisher", self.publisher),
            ("description", self.description),
        ):
            _check_text(text, name)
        if (self.components is None) == (self.criteria is None):
            raise ValueError("give either 'components' (three levels) or 'criteria' (two levels)")
        if self.components is not None and self.scoring.overall == "mean_of_components":
            pass
        elif self.scoring.overall == "mean_of_components":
            raise ValueError("overall 'mean_of_components' needs components")
        rating_codes = {r.code for r in self.rating_scale.ratings}
        band_codes = {b.code for b in self.scoring.bands}
        if self.scoring.count_rating is not None and self.scoring.count_rating not in rating_codes:
            raise ValueError(f"count_rating '{self.scoring.count_rating}' is not a rating")
        seen: set[str] = set()
        for kind, code in self._codes():
            if code in seen:
                raise ValueError(f"{kind} code '{code}' is used twice")
            seen.add(code)
        for indicator in self.indicators():
            unknown = set(indicator.levels) - rating_codes
            if unknown:
                raise ValueError(
                    f"indicator {indicator.code}: levels for unknown ratings {sorted(unknown)}"
                )
        gate_codes = set()
        for gate in self.gates:
            gate_codes.add(gate.code)
            if gate.band_at_least is not None and gate.band_at_least not in band_codes:
                raise ValueError(f"gate {gate.code}: '{gate.band_at_least}' is not a band")
            if gate.rating_at_least is not None and gate.rating_at_least not in rating_codes:
                raise ValueError(f"gate {gate.code}: '{gate.rating_at_least}' is not a rating")
        for outcome in self.outcomes:
            missing = set(outcome.gates) - gate_codes
            if missing:
                raise ValueError(f"outcome {outcome.code}: unknown gates {sorted(missing)}")
        tier_codes = [t.code for t in self.assurance_tiers]
        if len(set(tier_codes)) != len(tier_codes):
            raise ValueError("assurance tier codes must be unique")
        last = self.outcomes[-1]
        if last.gates or last.overall_at_least:
            raise ValueError("the last outcome must have no conditions, so that one always applies")
        return self

    def _codes(self) -> list[tuple[str, str]]:
        codes = [("component", c.code) for c in self.components or []]
        codes += [("criterion", c.code) for c in self.all_criteria()]
        codes += [("indicator", i.code) for i in self.indicators()]
        return codes

    def all_criteria(self) -> list[Criterion]:
        """Every criterion, in order, whatever the depth."""
        if self.components is not None:
            return [criterion for c in self.components for criterion in c.criteria]
        return list(self.criteria or [])

    def indicators(self) -> list[Indicator]:
        """Every indicator, in order."""
        return [i for criterion in self.all_criteria() for i in criterion.indicators]

    def allows_not_applicable(self, indicator: Indicator) -> bool:
        if indicator.not_applicable is not None:
            return indicator.not_applicable
        return self.rating_scale.not_applicable

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def tier(self, code: str) -> AssuranceTier | None:
        """The assurance tier with this code, or None."""
        return next((t for t in self.assurance_tiers if t.code == code), None)

    def outcome(self, code: str) -> Outcome | None:
        """The outcome (level) with this code, or None."""
        return next((o for o in self.outcomes if o.code == code), None)


class CrosswalkLink(_Strict):
    source: Code
    target: Code
    strength: Literal["equivalent", "partial"]
    note: str | None = None


class CrosswalkDefinition(_Strict):
    id: Code
    source: str = Field(pattern=r"^[A-Za-z0-9._-]+@[0-9A-Za-z.-]+$")
    target: str = Field(pattern=r"^[A-Za-z0-9._-]+@[0-9A-Za-z.-]+$")
    description: Text
    links: list[CrosswalkLink] = Field(min_length=1)


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors():
        path = ""
        for part in item["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = re.sub(r"^Value error, ", "", item["msg"])
        problems.append((path, message))
    return problems


def parse_standard(data: Any, *, source: str) -> StandardDefinition:
    """Validate one catalog file's content; raise DefinitionError naming file, path and problem."""
    if not isinstance(data, Mapping):
        raise DefinitionError(source, [("", "the file must hold a mapping (key: value lines)")])
    try:
        return StandardDefinition.model_validate(data)
    except ValidationError as error:
        raise DefinitionError(source, _problems(error)) from None


def parse_crosswalk(
    data: Any, *, source: str, standards: Mapping[str, StandardDefinition]
) -> CrosswalkDefinition:
    """Validate a crosswalk file against the standards it maps between."""
    if not isinstance(data, Mapping):
        raise DefinitionError(source, [("", "the file must hold a mapping (key: value lines)")])
    try:
        crosswalk = CrosswalkDefinition.model_validate(data)
    except ValidationError as error:
        raise DefinitionError(source, _problems(error)) from None
    problems: list[tuple[str, str]] = []
    for field in ("source", "target"):
        if getattr(crosswalk, field) not in standards:
            problems.append((field, f"no standard version '{getattr(crosswalk, field)}' is loaded"))
    if problems:
        raise DefinitionError(source, problems)
    source_codes = {i.code for i in standards[crosswalk.source].indicators()}
    target_codes = {i.code for i in standards[crosswalk.target].indicators()}
    seen: set[tuple[str, str]] = set()
    for index, link in enumerate(crosswalk.links):
        if link.source not in source_codes:
            problems.append(
                (
                    f"links[{index}].source",
                    f"'{link.source}' is not an indicator of {crosswalk.source}",
                )
            )
        if link.target not in target_codes:
            problems.append(
                (
                    f"links[{index}].target",
                    f"'{link.target}' is not an indicator of {crosswalk.target}",
                )
            )
        if (link.source, link.target) in seen:
            problems.append((f"links[{index}]", "this pair is listed twice"))
        seen.add((link.source, link.target))
    if problems:
        raise DefinitionError(source, problems)
    return crosswalk
