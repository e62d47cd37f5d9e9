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

Speed: a compiled ``ScoringModel`` memoises each criterion's partial result by that criterion's
responses (a pure function of them), and builds per-indicator and per-gap objects only when they
are read. Scoring many assessments of one standard is then a few dictionary look-ups each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    lift_numerator: int
    lift_denominator: int
    blocks: tuple[str, ...]
    """The failing gates this indicator is part of."""

    @property
    def lift(self) -> Fraction:
        """Exactly how much the overall value rises if this indicator goes up one rating."""
        return Fraction(self.lift_numerator, self.lift_denominator)


class Result:
    """The score of one assessment. Per-indicator scores and gaps are built when first read."""

    __slots__ = (
        "_gap_rows",
        "_gaps",
        "_indicators",
        "_model",
        "_ranks",
        "answered",
        "applicable",
        "components",
        "criteria",
        "gates",
        "outcome",
        "overall",
        "overall_band",
        "overall_count",
        "standard",
    )

    def __init__(
        self,
        model: ScoringModel,
        ranks: tuple[int, ...],
        criteria: tuple[GroupScore, ...],
        components: tuple[GroupScore, ...],
        overall: Percent | None,
        overall_count: int | None,
        overall_band: str | None,
        gates: tuple[GateResult, ...],
        outcome: str,
        gap_rows: list[_GapRow],
        answered: int,
        applicable: int,
    ) -> None:
        self._model = model
        self._ranks = ranks
        self._gap_rows = gap_rows
        self._indicators: tuple[IndicatorScore, ...] | None = None
        self._gaps: tuple[Gap, ...] | None = None
        self.standard = model.key
        self.criteria = criteria
        self.components = components
        self.overall = overall
        self.overall_count = overall_count
        self.overall_band = overall_band
        self.gates = gates
        self.outcome = outcome
        self.answered = answered
        self.applicable = applicable

    @property
    def complete(self) -> bool:
        return self.answered == self.applicable

    @property
    def indicators(self) -> tuple[IndicatorScore, ...]:
        if self._indicators is None:
            self._indicators = self._model.indicator_scores(self._ranks)
        return self._indicators

    @property
    def gaps(self) -> tuple[Gap, ...]:
        """Indicators below the top rating, the largest lift first."""
        if self._gaps is None:
            self._gaps = self._model.gaps(
                self._gap_rows, self.gates, self.criteria, self.components
            )
        return self._gaps

    def summary(self) -> tuple[object, ...]:
        """Everything the result says, as plain values (for comparisons and exports)."""
        return (
            self.standard,
            self.indicators,
            self.criteria,
            self.components,
            self.overall,
            self.overall_count,
            self.overall_band,
            self.gates,
            self.outcome,
            self.gaps,
            self.answered,
            self.applicable,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Result) and self.summary() == other.summary()

    def __hash__(self) -> int:
        return hash(self.summary())


class ResponseError(ValueError):
    """A response names an unknown indicator or rating, or marks N/A where it is not allowed."""

    def __init__(self, indicator: str, problem: str) -> None:
        self.indicator = indicator
        self.problem = problem
        super().__init__(f"{indicator}: {problem}")


def _fraction(value: float) -> tuple[int, int]:
    exact = Fraction(str(value))
    return exact.numerator, exact.denominator


# Rank codes inside the engine: 0..k-1 the ratings, NA_RANK not applicable, and k (the number of
# ratings) for unanswered, which scores as the lowest rating.
NA_RANK: Final = -1

# A criterion's memoised part: its GroupScore, band rank (None when not applicable), answered and
# applicable counts, and its gap rows (key, indicator index, from rank, to rank, weighted step).
_GapRow = tuple[float, int, int, int, int, "Gap | None"]
_Part = tuple[GroupScore, int | None, int, int, tuple[_GapRow, ...]]


class ScoringModel:
    """A standard version compiled for fast, repeated scoring (see ``compile_standard``)."""

    def __init__(self, definition: StandardDefinition) -> None:
        self.key = definition.key
        scale = definition.rating_scale
        scoring = definition.scoring
        self.decimals = scoring.decimals
        self.rating_codes = tuple(r.code for r in scale.ratings)
        self.rating_points = tuple(r.points for r in scale.ratings)
        self.rank = {r.code: i for i, r in enumerate(scale.ratings)}
        self.unanswered = len(self.rating_codes)
        self.max_points = self.rating_points[-1]
        self.component_method = scoring.component
        self.overall_method = scoring.overall
        self.count_rank = self.rank[scoring.count_rating] if scoring.count_rating else None
        self.bands = tuple((b.code, *_fraction(b.min_percent)) for b in scoring.bands)
        self.band_rank = {b.code: i for i, b in enumerate(reversed(scoring.bands))}
        # Response value -> rank code, for one dictionary look-up per indicator.
        self.lookup: dict[str | None, int] = {None: self.unanswered, NOT_APPLICABLE: NA_RANK}
        self.lookup.update(self.rank)

        criteria = definition.all_criteria()
        self.criterion_codes = tuple(c.code for c in criteria)
        rows = [
            (i.code, ci, i.weight, definition.allows_not_applicable(i))
            for ci, c in enumerate(criteria)
            for i in c.indicators
        ]
        self.indicator_codes = tuple(row[0] for row in rows)
        self.indicator_criterion = tuple(row[1] for row in rows)
        self.weights = tuple(row[2] for row in rows)
        self.na_allowed = frozenset(row[0] for row in rows if row[3])
        self.indicator_index = {code: i for i, code in enumerate(self.indicator_codes)}
        self.indicator_names = tuple(
            (code, self.criterion_codes[ci])
            for code, ci in zip(self.indicator_codes, self.indicator_criterion, strict=True)
        )
        bounds = []
        start = 0
        for criterion in criteria:
            bounds.append((start, start + len(criterion.indicators)))
            start += len(criterion.indicators)
        self.criterion_bounds = tuple(bounds)
        self._memo: list[dict[tuple[int, ...], _Part]] = [{} for _ in criteria]
        self._gap_memo: dict[tuple[object, ...], Gap] = {}

        self.component_codes: tuple[str, ...] = ()
        self.component_members: tuple[tuple[int, ...], ...] = ()
        self.criterion_component: tuple[int, ...] = ()
        if definition.components is not None:
            self.component_codes = tuple(c.code for c in definition.components)
            self.criterion_component = tuple(
                ki for ki, component in enumerate(definition.components) for _ in component.criteria
            )
            self.component_members = tuple(
                tuple(ci for ci, k in enumerate(self.criterion_component) if k == ki)
                for ki in range(len(self.component_codes))
            )

        self.gates = tuple(
            (
                g.code,
                g.every,
                self.band_rank[g.band_at_least] if g.band_at_least else -1,
                self.rank[g.rating_at_least] if g.rating_at_least else -1,
            )
            for g in definition.gates
        )
        self.outcomes = tuple(
            (o.code, frozenset(o.gates), *_fraction(o.overall_at_least))
            for o in definition.outcomes
        )

    def band_of(self, numerator: int, denominator: int) -> str:
        """The band of the exact percentage ``numerator / denominator``."""
        for code, num, den in self.bands:
            if numerator * den >= num * denominator:
                return code
        return self.bands[-1][0]  # unreachable: the lowest band starts at 0

    def check(self, responses: Mapping[str, str | None]) -> None:
        """Raise ResponseError for an unknown indicator or rating, or a forbidden N/A."""
        unknown = responses.keys() - self.indicator_index.keys()
        if unknown:
            raise ResponseError(min(unknown), "not an indicator of this standard")
        values = set(responses.values())
        if values <= self.lookup.keys() and NOT_APPLICABLE not in values:
            return
        for code, rating in responses.items():
            if rating not in self.lookup:
                raise ResponseError(code, f"'{rating}' is not a rating of this standard")
            if rating == NOT_APPLICABLE and code not in self.na_allowed:
                raise ResponseError(code, "this indicator cannot be marked not applicable")

    def score(self, responses: Mapping[str, str | None]) -> Result:
        """Score one assessment: ``responses`` maps indicator codes to rating codes,
        ``NOT_APPLICABLE``, or None (unanswered). Missing indicators are unanswered."""
        self.check(responses)
        get = responses.get
        lookup = self.lookup
        ranks = tuple([lookup[get(code)] for code in self.indicator_codes])

        parts = []
        for ci, (start, end) in enumerate(self.criterion_bounds):
            key = ranks[start:end]
            memo = self._memo[ci]
            part = memo.get(key)
            if part is None:
                part = memo[key] = self._criterion_part(ci, start, key)
            parts.append(part)
        criteria = tuple(part[0] for part in parts)
        answered = sum(part[2] for part in parts)
        applicable = sum(part[3] for part in parts)

        components = self._components(criteria)
        overall, overall_count = self._overall(criteria, components, ranks)
        overall_band = (
            self.band_of(overall.numerator, overall.denominator) if overall is not None else None
        )

        gates = []
        for code, every, band_floor, rating_floor in self.gates:
            if every == "criterion":
                failing = tuple(
                    self.criterion_codes[ci]
                    for ci, part in enumerate(parts)
                    if part[1] is not None and part[1] < band_floor
                )
            else:
                failing = tuple(
                    self.indicator_codes[ii]
                    for ii, rank in enumerate(ranks)
                    if rank != NA_RANK
                    and min(rank, 0 if rank == self.unanswered else rank) < rating_floor
                )
            gates.append(GateResult(code, not failing, failing))
        passed = {g.code for g in gates if g.passed}

        outcome = self.outcomes[-1][0]
        for code, needed, num, den in self.outcomes:
            if not needed <= passed:
                continue
            if overall is not None:
                if overall.numerator * den < num * overall.denominator:
                    continue
            elif overall_count is not None and overall_count * den < num:
                continue
            outcome = code
            break

        gap_rows = self._gap_rows(parts, criteria, components)
        return Result(
            self,
            ranks,
            criteria,
            components,
            overall,
            overall_count,
            overall_band,
            tuple(gates),
            outcome,
            gap_rows,
            answered,
            applicable,
        )

    def _criterion_part(self, ci: int, start: int, ranks: tuple[int, ...]) -> _Part:
        points = maximum = answered = applicable = 0
        top = self.unanswered - 1
        gaps = []
        for offset, rank in enumerate(ranks):
            if rank == NA_RANK:
                continue
            index = start + offset
            weight = self.weights[index]
            applicable += 1
            scored = 0 if rank == self.unanswered else rank
            if rank != self.unanswered:
                answered += 1
            points += weight * self.rating_points[scored]
            maximum += weight * self.max_points
            if scored < top:
                step = weight * (self.rating_points[scored + 1] - self.rating_points[scored])
                gaps.append((index, rank, scored + 1, step))
        code = self.criterion_codes[ci]
        if maximum == 0:
            return GroupScore(code, 0, 0, None, None), None, answered, applicable, ()
        band = self.band_of(100 * points, maximum)
        group = GroupScore(
            code, points, maximum, Percent(100 * points, maximum, self.decimals), band
        )
        # Within mean_of_criteria, a gap's lift is 100 * step / (maximum * n): n is common to all
        # gaps of one assessment, so step / maximum orders them (a correctly rounded division,
        # so equal fractions give equal keys).
        # Each row also carries its gap as it reads when every criterion applies and no gate
        # concerns it (the common case), built once here so that reading the gaps costs little.
        rows = tuple(
            (
                -step / maximum,
                index,
                rank,
                to,
                step,
                self._plain_gap(index, rank, to, 100 * step, maximum * len(self.criterion_codes))
                if self.overall_method == "mean_of_criteria"
                else None,
            )
            for index, rank, to, step in gaps
        )
        return group, self.band_rank[band], answered, applicable, rows

    def _plain_gap(self, index: int, rank: int, to: int, numerator: int, denominator: int) -> Gap:
        code, criterion = self.indicator_names[index]
        return Gap(
            code,
            criterion,
            self.rating_codes[rank] if rank != self.unanswered else None,
            self.rating_codes[to],
            numerator,
            denominator,
            (),
        )

    def _components(self, criteria: tuple[GroupScore, ...]) -> tuple[GroupScore, ...]:
        result = []
        for ki, members in enumerate(self.component_members):
            groups = [criteria[ci] for ci in members]
            points = sum(g.points for g in groups)
            maximum = sum(g.max_points for g in groups)
            percent = self._combine(groups, self.component_method)
            band = self.band_of(percent.numerator, percent.denominator) if percent else None
            result.append(GroupScore(self.component_codes[ki], points, maximum, percent, band))
        return tuple(result)

    def _combine(self, groups: Iterable[GroupScore], method: str) -> Percent | None:
        applicable = [g for g in groups if g.percent is not None]
        if not applicable:
            return None
        if method == "percent_of_max":
            return Percent(
                100 * sum(g.points for g in applicable),
                sum(g.max_points for g in applicable),
                self.decimals,
            )
        return _mean([g.percent for g in applicable if g.percent is not None], self.decimals)

    def _overall(
        self,
        criteria: tuple[GroupScore, ...],
        components: tuple[GroupScore, ...],
        ranks: tuple[int, ...],
    ) -> tuple[Percent | None, int | None]:
        method = self.overall_method
        if method == "count":
            floor = self.count_rank
            assert floor is not None
            return None, sum(1 for rank in ranks if floor <= rank < self.unanswered)
        if method == "mean_of_components":
            parts = [c.percent for c in components if c.percent is not None]
            return (_mean(parts, self.decimals) if parts else None), None
        return self._combine(criteria, method), None

    def _gap_rows(
        self,
        parts: list[_Part],
        criteria: tuple[GroupScore, ...],
        components: tuple[GroupScore, ...],
    ) -> list[_GapRow]:
        """Every gap as (order key, indicator index, from rank, to rank, weighted step), sorted
        by lift (largest first) then position in the standard."""
        if self.overall_method == "mean_of_criteria":
            rows = [row for part in parts for row in part[4]]
        else:
            rows = []
            for part in parts:
                for _key, index, rank, to, step, _plain in part[4]:
                    lift = self._lift(index, to, step, criteria, components)
                    rows.append((-float(lift), index, rank, to, step, None))
        rows.sort()
        return rows

    def _lift(
        self,
        index: int,
        to: int,
        step: int,
        criteria: tuple[GroupScore, ...],
        components: tuple[GroupScore, ...],
    ) -> Fraction:
        """Exactly how much the overall value rises when indicator ``index`` gains ``step``."""
        numerator, denominator = self._lift_terms(index, to, step, criteria, components)
        return Fraction(numerator, denominator)

    def _lift_terms(
        self,
        index: int,
        to: int,
        step: int,
        criteria: tuple[GroupScore, ...],
        components: tuple[GroupScore, ...],
        applicable_criteria: int | None = None,
    ) -> tuple[int, int]:
        method = self.overall_method
        if method == "count":
            return (1 if to == self.count_rank else 0), 1
        ci = self.indicator_criterion[index]
        if method == "mean_of_criteria":
            n = applicable_criteria
            if n is None:
                n = sum(1 for c in criteria if c.percent is not None)
            return 100 * step, criteria[ci].max_points * n
        if method == "percent_of_max":
            return 100 * step, sum(c.max_points for c in criteria)
        # mean_of_components
        members = [
            m
            for m in self.component_members[self.criterion_component[ci]]
            if criteria[m].percent is not None
        ]
        n_components = sum(1 for c in components if c.percent is not None)
        if self.component_method == "percent_of_max":
            inner = sum(criteria[m].max_points for m in members)
            return 100 * step, inner * n_components
        return 100 * step, criteria[ci].max_points * len(members) * n_components

    def indicator_scores(self, ranks: tuple[int, ...]) -> tuple[IndicatorScore, ...]:
        scores = []
        for index, rank in enumerate(ranks):
            code = self.indicator_codes[index]
            criterion = self.criterion_codes[self.indicator_criterion[index]]
            if rank == NA_RANK:
                scores.append(IndicatorScore(code, criterion, NOT_APPLICABLE, 0, 0, False, True))
                continue
            answered = rank != self.unanswered
            scored = rank if answered else 0
            scores.append(
                IndicatorScore(
                    code,
                    criterion,
                    self.rating_codes[rank] if answered else None,
                    self.rating_points[scored],
                    self.max_points,
                    True,
                    answered,
                )
            )
        return tuple(scores)

    def gaps(
        self,
        rows: list[_GapRow],
        gates: tuple[GateResult, ...],
        criteria: tuple[GroupScore, ...],
        components: tuple[GroupScore, ...],
    ) -> tuple[Gap, ...]:
        failing: dict[str, tuple[str, ...]] = {}
        for gate in gates:
            for code in gate.failing:
                failing[code] = (*failing.get(code, ()), gate.code)
        applicable = sum(1 for c in criteria if c.percent is not None)
        every_criterion = applicable == len(self.criterion_codes)
        names = self.indicator_names
        rating_codes = self.rating_codes
        unanswered = self.unanswered
        # Under mean_of_criteria a gap depends only on these values: reuse the same object.
        memo = self._gap_memo if self.overall_method == "mean_of_criteria" else None
        result = []
        for _key, index, rank, to, step, plain in rows:
            code, criterion = names[index]
            if (
                plain is not None
                and every_criterion
                and criterion not in failing
                and code not in failing
            ):
                result.append(plain)
                continue
            blocks = (failing.get(criterion, ()) + failing.get(code, ())) if failing else ()
            if memo is not None:
                memo_key = (
                    index,
                    rank,
                    criteria[self.indicator_criterion[index]].max_points,
                    applicable,
                    blocks,
                )
                gap = memo.get(memo_key)
                if gap is not None:
                    result.append(gap)
                    continue
            numerator, denominator = self._lift_terms(
                index, to, step, criteria, components, applicable
            )
            gap = Gap(
                code,
                criterion,
                rating_codes[rank] if rank != unanswered else None,
                rating_codes[to],
                numerator,
                denominator,
                blocks,
            )
            if memo is not None:
                memo[memo_key] = gap
            result.append(gap)
        return tuple(result)


def _mean(parts: list[Percent], decimals: int) -> Percent:
    """The exact mean of percentages, over a common denominator."""
    numerator, denominator = 0, 1
    for part in parts:
        numerator = numerator * part.denominator + part.numerator * denominator
        denominator *= part.denominator
    return Percent(numerator, denominator * len(parts), decimals)


def compile_standard(definition: StandardDefinition) -> ScoringModel:
    """Prepare a standard version for scoring (do it once; scoring is then fast)."""
    return ScoringModel(definition)


def score(definition: StandardDefinition, responses: Mapping[str, str | None]) -> Result:
    """Score one assessment (compiles the standard each time: use ScoringModel for many)."""
    return compile_standard(definition).score(responses)
