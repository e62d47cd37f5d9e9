"""The scoring engine: from a standard version and the responses to points, percentages, bands,
gates, the outcome level and the gaps. Pure: no Django import.

Arithmetic is exact. Every percentage is kept as a fraction of integers; bands, gates and outcome
thresholds compare those exact fractions, never rounded values. Percentages are rounded only for
display, half up, to the number of decimals the standard sets (``Percent.value``).

Rules:

- A response is a rating code, ``NOT_APPLICABLE``, or missing (unanswered). Unanswered indicators
  count as the lowest rating, so a partly filled draft scores what it has proven so far.
- A criterion's percentage is its weighted points over its weighted maximum, over its applicable
  indicators. A criterion whose indicators are all not applicable has no percentage and is left
  out of means and gates.
- A component's percentage is the mean of its criteria's percentages, or its points over its
  maximum (as the standard says); the overall percentage is the mean of the criteria, the mean of
  the components, the points over the maximum, or (``count``) the number of indicators at or above
  a rating.
- Gates check every applicable criterion (band at least …) or indicator (rating at least …).
- Outcomes are tried in the standard's order; the first whose gates pass and whose overall value
  reaches its threshold is the result.
- Gaps are the applicable indicators below the top rating. For each, the lift is exactly how much
  the overall value would rise if that indicator went up one rating; gaps are ordered by lift
  (largest first), then by their order in the standard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from weh.standards.definition import StandardDefinition

NOT_APPLICABLE: Final = "not_applicable"


@dataclass(frozen=True, slots=True)
class Percent:
    """An exact percentage ``numerator / denominator`` (already multiplied by 100)."""

    numerator: int
    denominator: int
    decimals: int

    @property
    def exact(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    @property
    def value(self) -> Decimal:
        """Rounded half up to the standard's decimals."""
        scale = 10**self.decimals
        rounded = (2 * self.numerator * scale + self.denominator) // (2 * self.denominator)
        return Decimal(rounded).scaleb(-self.decimals)

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class IndicatorScore:
    code: str
    criterion: str
    rating: str | None
    points: int
    max_points: int
    applicable: bool
    answered: bool


@dataclass(frozen=True, slots=True)
class GroupScore:
    """A criterion's or component's result; ``percent`` and ``band`` are None if not applicable."""

    code: str
    points: int
    max_points: int
    percent: Percent | None
    band: str | None


@dataclass(frozen=True, slots=True)
class GateResult:
    code: str
    passed: bool
    failing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    indicator: str
    criterion: str
    rating: str | None
    next_rating: str
    lift: Fraction
    blocks: tuple[str, ...]
    """The failing gates this indicator is part of."""


@dataclass(frozen=True, slots=True)
class Result:
    standard: str
    indicators: tuple[IndicatorScore, ...]
    criteria: tuple[GroupScore, ...]
    components: tuple[GroupScore, ...]
    overall: Percent | None
    overall_count: int | None
    overall_band: str | None
    gates: tuple[GateResult, ...]
    outcome: str
    gaps: tuple[Gap, ...]
    answered: int
    applicable: int

    @property
    def complete(self) -> bool:
        return self.answered == self.applicable


class ResponseError(ValueError):
    """A response names an unknown indicator or rating, or marks N/A where it is not allowed."""

    def __init__(self, indicator: str, problem: str) -> None:
        self.indicator = indicator
        self.problem = problem
        super().__init__(f"{indicator}: {problem}")


def _fraction(value: float) -> tuple[int, int]:
    exact = Fraction(str(value))
    return exact.numerator, exact.denominator


class ScoringModel:
    """A standard version compiled for fast, repeated scoring (see ``compile_standard``)."""

    def __init__(self, definition: StandardDefinition) -> None:
        self.key = definition.key
        scale = definition.rating_scale
        scoring = definition.scoring
        self.decimals = scoring.decimals
        self.rating_codes = tuple(r.code for r in scale.ratings)
        self.points = {r.code: r.points for r in scale.ratings}
        self.rank = {r.code: i for i, r in enumerate(scale.ratings)}
        self.lowest = self.rating_codes[0]
        self.lowest_points = scale.ratings[0].points
        self.max_points = scale.ratings[-1].points
        self.next_rating = dict(zip(self.rating_codes, self.rating_codes[1:], strict=False))
        self.component_method = scoring.component
        self.overall_method = scoring.overall
        self.count_rank = self.rank[scoring.count_rating] if scoring.count_rating else None
        self.bands = tuple((b.code, *_fraction(b.min_percent)) for b in scoring.bands)
        self.band_rank = {b.code: i for i, b in enumerate(reversed(scoring.bands))}

        criteria = definition.all_criteria()
        self.criterion_codes = tuple(c.code for c in criteria)
        indicator_rows = [
            (i.code, ci, i.weight, definition.allows_not_applicable(i))
            for ci, c in enumerate(criteria)
            for i in c.indicators
        ]
        self.indicator_codes = tuple(row[0] for row in indicator_rows)
        self.indicator_criterion = tuple(row[1] for row in indicator_rows)
        self.weights = tuple(row[2] for row in indicator_rows)
        self.na_allowed = frozenset(row[0] for row in indicator_rows if row[3])
        self.indicator_index = {code: i for i, code in enumerate(self.indicator_codes)}

        self.component_codes: tuple[str, ...] = ()
        self.criterion_component: tuple[int, ...] = ()
        if definition.components is not None:
            self.component_codes = tuple(c.code for c in definition.components)
            self.criterion_component = tuple(
                ki for ki, component in enumerate(definition.components) for _ in component.criteria
            )

        self.gates = tuple(
            (
                g.code,
                g.every,
                self.band_rank[g.band_at_least] if g.band_at_least else None,
                self.rank[g.rating_at_least] if g.rating_at_least else None,
            )
            for g in definition.gates
        )
        self.outcomes = tuple(
            (o.code, frozenset(o.gates), *_fraction(o.overall_at_least))
            for o in definition.outcomes
        )

    def band_of(self, numerator: int, denominator: int) -> str:
        for code, num, den in self.bands:
            if numerator * den >= num * denominator:
                return code
        return self.bands[-1][0]  # unreachable: the lowest band starts at 0

    def score(self, responses: Mapping[str, str | None]) -> Result:
        """Score one assessment: ``responses`` maps indicator codes to rating codes,
        ``NOT_APPLICABLE``, or None (unanswered). Missing indicators are unanswered."""
        for code, rating in responses.items():
            if code not in self.indicator_index:
                raise ResponseError(code, "not an indicator of this standard")
            if rating is None or rating in self.rank:
                continue
            if rating == NOT_APPLICABLE:
                if code not in self.na_allowed:
                    raise ResponseError(code, "this indicator cannot be marked not applicable")
                continue
            raise ResponseError(code, f"'{rating}' is not a rating of this standard")
        return self._score(responses)

    def _score(self, responses: Mapping[str, str | None]) -> Result:
        n_criteria = len(self.criterion_codes)
        crit_points = [0] * n_criteria
        crit_max = [0] * n_criteria
        ranks: list[int | None] = []
        indicator_scores = []
        answered = applicable = 0
        points_of = self.points
        rank_of = self.rank
        max_points = self.max_points
        for index, code in enumerate(self.indicator_codes):
            rating = responses.get(code)
            criterion = self.indicator_criterion[index]
            weight = self.weights[index]
            if rating == NOT_APPLICABLE:
                ranks.append(None)
                indicator_scores.append(
                    IndicatorScore(code, self.criterion_codes[criterion], rating, 0, 0, False, True)
                )
                continue
            applicable += 1
            if rating is None:
                points = self.lowest_points
                ranks.append(0)
            else:
                answered += 1
                points = points_of[rating]
                ranks.append(rank_of[rating])
            crit_points[criterion] += weight * points
            crit_max[criterion] += weight * max_points
            indicator_scores.append(
                IndicatorScore(
                    code,
                    self.criterion_codes[criterion],
                    rating,
                    points,
                    max_points,
                    True,
                    rating is not None,
                )
            )

        decimals = self.decimals
        criteria = []
        crit_bands: list[int | None] = []
        for ci in range(n_criteria):
            if crit_max[ci] == 0:
                criteria.append(GroupScore(self.criterion_codes[ci], 0, 0, None, None))
                crit_bands.append(None)
                continue
            numerator, denominator = 100 * crit_points[ci], crit_max[ci]
            band = self.band_of(numerator, denominator)
            crit_bands.append(self.band_rank[band])
            criteria.append(
                GroupScore(
                    self.criterion_codes[ci],
                    crit_points[ci],
                    crit_max[ci],
                    Percent(numerator, denominator, decimals),
                    band,
                )
            )

        components = self._components(crit_points, crit_max)
        overall, overall_count = self._overall(crit_points, crit_max, components, ranks)
        overall_band = (
            self.band_of(overall.numerator, overall.denominator) if overall is not None else None
        )

        gate_results = []
        failing_by_criterion: dict[int, list[str]] = {}
        failing_by_indicator: dict[int, list[str]] = {}
        for code, every, band_rank, rating_rank in self.gates:
            failing: list[str] = []
            if every == "criterion":
                assert band_rank is not None
                for ci, rank in enumerate(crit_bands):
                    if rank is not None and rank < band_rank:
                        failing.append(self.criterion_codes[ci])
                        failing_by_criterion.setdefault(ci, []).append(code)
            else:
                assert rating_rank is not None
                for ii, rank in enumerate(ranks):
                    if rank is not None and rank < rating_rank:
                        failing.append(self.indicator_codes[ii])
                        failing_by_indicator.setdefault(ii, []).append(code)
            gate_results.append(GateResult(code, not failing, tuple(failing)))

        passed = {g.code for g in gate_results if g.passed}
        outcome = self.outcomes[-1][0]
        for code, needed_gates, num, den in self.outcomes:
            if not needed_gates <= passed:
                continue
            if overall is not None:
                if overall.numerator * den < num * overall.denominator:
                    continue
            elif overall_count is not None and overall_count * den < num:
                continue
            outcome = code
            break

        gaps = self._gaps(
            responses, ranks, crit_max, components, failing_by_criterion, failing_by_indicator
        )
        return Result(
            standard=self.key,
            indicators=tuple(indicator_scores),
            criteria=tuple(criteria),
            components=components,
            overall=overall,
            overall_count=overall_count,
            overall_band=overall_band,
            gates=tuple(gate_results),
            outcome=outcome,
            gaps=gaps,
            answered=answered,
            applicable=applicable,
        )

    def _components(self, crit_points: list[int], crit_max: list[int]) -> tuple[GroupScore, ...]:
        if not self.component_codes:
            return ()
        groups: list[list[int]] = [[] for _ in self.component_codes]
        for ci, ki in enumerate(self.criterion_component):
            groups[ki].append(ci)
        result = []
        for ki, members in enumerate(groups):
            points = sum(crit_points[ci] for ci in members)
            maximum = sum(crit_max[ci] for ci in members)
            percent = self._group_percent(members, crit_points, crit_max, self.component_method)
            band = self.band_of(percent.numerator, percent.denominator) if percent else None
            result.append(GroupScore(self.component_codes[ki], points, maximum, percent, band))
        return tuple(result)

    def _group_percent(
        self, members: list[int], crit_points: list[int], crit_max: list[int], method: str
    ) -> Percent | None:
        applicable = [ci for ci in members if crit_max[ci]]
        if not applicable:
            return None
        if method == "percent_of_max":
            return Percent(
                100 * sum(crit_points[ci] for ci in applicable),
                sum(crit_max[ci] for ci in applicable),
                self.decimals,
            )
        # Mean of fractions p_i / d_i, kept exact over a common denominator.
        numerator, denominator = 0, 1
        for ci in applicable:
            numerator = numerator * crit_max[ci] + crit_points[ci] * denominator
            denominator *= crit_max[ci]
        return Percent(100 * numerator, denominator * len(applicable), self.decimals)

    def _overall(
        self,
        crit_points: list[int],
        crit_max: list[int],
        components: tuple[GroupScore, ...],
        ranks: list[int | None],
    ) -> tuple[Percent | None, int | None]:
        method = self.overall_method
        everything = list(range(len(self.criterion_codes)))
        if method == "count":
            assert self.count_rank is not None
            floor = self.count_rank
            return None, sum(1 for rank in ranks if rank is not None and rank >= floor)
        if method == "mean_of_components":
            parts = [c.percent for c in components if c.percent is not None]
            if not parts:
                return None, None
            numerator, denominator = 0, 1
            for part in parts:
                numerator = numerator * part.denominator + part.numerator * denominator
                denominator *= part.denominator
            return Percent(numerator, denominator * len(parts), self.decimals), None
        return self._group_percent(everything, crit_points, crit_max, method), None

    def _lift(
        self, index: int, step: int, crit_max: list[int], components: tuple[GroupScore, ...]
    ) -> Fraction:
        """How much the overall value rises when indicator ``index`` gains ``step`` points."""
        method = self.overall_method
        criterion = self.indicator_criterion[index]
        gained = self.weights[index] * step
        if method == "percent_of_max":
            return Fraction(100 * gained, sum(crit_max))
        applicable = sum(1 for m in crit_max if m)
        if method == "mean_of_criteria":
            return Fraction(100 * gained, crit_max[criterion] * applicable)
        # mean_of_components
        component = self.criterion_component[criterion]
        members = [
            ci for ci, ki in enumerate(self.criterion_component) if ki == component and crit_max[ci]
        ]
        n_components = sum(1 for c in components if c.percent is not None)
        if self.component_method == "percent_of_max":
            inner = Fraction(100 * gained, sum(crit_max[ci] for ci in members))
        else:
            inner = Fraction(100 * gained, crit_max[criterion] * len(members))
        return inner / n_components

    def _gaps(
        self,
        responses: Mapping[str, str | None],
        ranks: list[int | None],
        crit_max: list[int],
        components: tuple[GroupScore, ...],
        failing_by_criterion: dict[int, list[str]],
        failing_by_indicator: dict[int, list[str]],
    ) -> tuple[Gap, ...]:
        top = len(self.rating_codes) - 1
        found = []
        for index, rank in enumerate(ranks):
            if rank is None or rank >= top:
                continue
            code = self.indicator_codes[index]
            current = responses.get(code)
            nxt = self.rating_codes[rank + 1]
            if self.overall_method == "count":
                assert self.count_rank is not None
                lift = Fraction(1 if rank + 1 == self.count_rank else 0)
            else:
                step = self.points[nxt] - self.points[self.rating_codes[rank]]
                lift = self._lift(index, step, crit_max, components)
            criterion = self.indicator_criterion[index]
            blocks = tuple(
                failing_by_criterion.get(criterion, []) + failing_by_indicator.get(index, [])
            )
            found.append(
                (
                    -lift,
                    index,
                    Gap(code, self.criterion_codes[criterion], current, nxt, lift, blocks),
                )
            )
        found.sort(key=lambda item: (item[0], item[1]))
        return tuple(item[2] for item in found)


def compile_standard(definition: StandardDefinition) -> ScoringModel:
    """Prepare a standard version for scoring (do it once; scoring is then fast)."""
    return ScoringModel(definition)


def score(definition: StandardDefinition, responses: Mapping[str, str | None]) -> Result:
    """Score one assessment (compiles the standard each time: use ScoringModel for many)."""
    return compile_standard(definition).score(responses)
