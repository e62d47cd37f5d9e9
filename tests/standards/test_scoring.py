"""The pure scoring engine, on small standards built here (no Django, no catalog files)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weh.standards.definition import parse_standard
from weh.standards.scoring import NOT_APPLICABLE, Percent, ResponseError, compile_standard

SCALE = {
    "ratings": [
        {"code": "insufficient", "label": {"en": "Insufficient"}, "points": 0, "colour": "#c62828"},
        {"code": "partial", "label": {"en": "Partial"}, "points": 1, "colour": "#ef6c00"},
        {"code": "adequate", "label": {"en": "Adequate"}, "points": 2, "colour": "#f9a825"},
        {"code": "strong", "label": {"en": "Strong"}, "points": 3, "colour": "#2e7d32"},
    ],
    "not_applicable": True,
    "justification_required_above": "insufficient",
}
BANDS = [
    {"code": "strong", "label": {"en": "Strong"}, "min_percent": 75, "colour": "#2e7d32"},
    {"code": "adequate", "label": {"en": "Adequate"}, "min_percent": 50, "colour": "#f9a825"},
    {"code": "partial", "label": {"en": "Partial"}, "min_percent": 25, "colour": "#ef6c00"},
    {
        "code": "insufficient",
        "label": {"en": "Insufficient"},
        "min_percent": 0,
        "colour": "#c62828",
    },
]


def indicator(code: str, weight: int = 1) -> dict[str, Any]:
    return {"code": code, "statement": {"en": f"Indicator {code}"}, "weight": weight}


def standard(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "test-nbs",
        "version": "1.0",
        "title": {"en": "Test standard"},
        "publisher": {"en": "Tests"},
        "description": {"en": "A small standard for tests."},
        "applies_to": ["nbs_intervention"],
        "rating_scale": SCALE,
        "scoring": {"overall": "mean_of_criteria", "decimals": 1, "bands": BANDS},
        "gates": [
            {
                "code": "no_insufficient",
                "label": {"en": "No criterion insufficient"},
                "every": "criterion",
                "band_at_least": "partial",
            }
        ],
        "outcomes": [
            {"code": "adherent", "label": {"en": "Adherent"}, "gates": ["no_insufficient"]},
            {"code": "not_adherent", "label": {"en": "Not adherent"}},
        ],
        "criteria": [
            {
                "code": "C1",
                "title": {"en": "One"},
                "indicators": [indicator("1.1"), indicator("1.2"), indicator("1.3")],
            },
            {
                "code": "C2",
                "title": {"en": "Two"},
                "indicators": [indicator("2.1"), indicator("2.2")],
            },
        ],
    }
    data.update(overrides)
    return data


MODEL = compile_standard(parse_standard(standard(), source="test"))
CODES = MODEL.indicator_codes
RATINGS = MODEL.rating_codes


def test_percentages_bands_and_overall_are_exact() -> None:
    result = MODEL.score(
        {
            "1.1": "strong",
            "1.2": "adequate",
            "1.3": "partial",
            "2.1": "partial",
            "2.2": "insufficient",
        }
    )
    c1, c2 = result.criteria
    assert (c1.points, c1.max_points) == (6, 9)
    assert c1.percent is not None
    assert c1.percent.exact == Fraction(200, 3)
    assert c1.percent.value == Decimal("66.7")
    assert c1.band == "adequate"
    assert c2.percent is not None
    assert c2.percent.value == Decimal("16.7")
    assert c2.band == "insufficient"
    # overall = mean(66.67, 16.67) = 41.67
    assert result.overall is not None
    assert result.overall.exact == Fraction(125, 3)
    assert result.overall.value == Decimal("41.7")
    assert result.outcome == "not_adherent"
    assert [(g.code, g.passed, g.failing) for g in result.gates] == [
        ("no_insufficient", False, ("C2",))
    ]


def test_band_threshold_compares_the_exact_value_not_the_rounded_one() -> None:
    # 74.96 % rounds to 75.0 for display but is below the Strong threshold.
    assert MODEL.band_of(7496, 100) == "adequate"
    assert Percent(7496, 100, 1).value == Decimal("75.0")
    assert MODEL.band_of(75, 1) == "strong"


def test_rounding_is_half_up() -> None:
    assert Percent(125, 2, 0).value == Decimal("63")
    assert Percent(1, 8, 2).value == Decimal("0.13")
    assert Percent(2, 3, 1).value == Decimal("0.7")


def test_unanswered_counts_as_lowest_and_is_reported() -> None:
    result = MODEL.score({"1.1": "strong"})
    assert result.answered == 1
    assert result.applicable == 5
    assert not result.complete
    assert result.criteria[0].percent is not None
    assert result.criteria[0].percent.exact == Fraction(100, 3)


def test_not_applicable_leaves_the_denominator() -> None:
    result = MODEL.score(
        {
            "1.1": "strong",
            "1.2": NOT_APPLICABLE,
            "1.3": NOT_APPLICABLE,
            "2.1": NOT_APPLICABLE,
            "2.2": NOT_APPLICABLE,
        }
    )
    c1, c2 = result.criteria
    assert c1.percent is not None
    assert c1.percent.exact == 100
    assert c2.percent is None
    assert c2.band is None
    assert result.overall is not None
    assert result.overall.exact == 100
    assert result.outcome == "adherent"
    assert result.applicable == 1


def test_gaps_are_ordered_by_lift_with_next_rating_and_blocking_gate() -> None:
    result = MODEL.score(
        {
            "1.1": "strong",
            "1.2": "adequate",
            "1.3": "partial",
            "2.1": "partial",
            "2.2": "insufficient",
        }
    )
    gaps = [(g.indicator, g.rating, g.next_rating, g.lift, g.blocks) for g in result.gaps]
    # One step in C2 (max 6) lifts the mean of two criteria by 100/12; in C1 (max 9) by 100/18.
    assert gaps == [
        ("2.1", "partial", "adequate", Fraction(100, 12), ("no_insufficient",)),
        ("2.2", "insufficient", "partial", Fraction(100, 12), ("no_insufficient",)),
        ("1.2", "adequate", "strong", Fraction(100, 18), ()),
        ("1.3", "partial", "adequate", Fraction(100, 18), ()),
    ]


def test_weights_count() -> None:
    weighted = standard(
        criteria=[
            {
                "code": "C1",
                "title": {"en": "One"},
                "indicators": [indicator("1.1", weight=3), indicator("1.2")],
            }
        ]
    )
    model = compile_standard(parse_standard(weighted, source="t"))
    result = model.score({"1.1": "strong", "1.2": "insufficient"})
    assert result.criteria[0].percent is not None
    assert result.criteria[0].percent.exact == Fraction(900, 12)


def test_components_and_count_overall() -> None:
    three = standard(
        criteria=None,
        scoring={"overall": "mean_of_components", "component": "percent_of_max", "bands": BANDS},
        components=[
            {
                "code": "K1",
                "title": {"en": "K1"},
                "criteria": [
                    {"code": "C1", "title": {"en": "C1"}, "indicators": [indicator("1.1")]},
                    {
                        "code": "C2",
                        "title": {"en": "C2"},
                        "indicators": [indicator("2.1"), indicator("2.2")],
                    },
                ],
            },
            {
                "code": "K2",
                "title": {"en": "K2"},
                "criteria": [
                    {"code": "C3", "title": {"en": "C3"}, "indicators": [indicator("3.1")]}
                ],
            },
        ],
    )
    model = compile_standard(parse_standard(three, source="t"))
    result = model.score(
        {"1.1": "strong", "2.1": "strong", "2.2": "insufficient", "3.1": "partial"}
    )
    k1, k2 = result.components
    assert k1.percent is not None
    assert k1.percent.exact == Fraction(600, 9)
    assert k2.percent is not None
    assert k2.percent.exact == Fraction(100, 3)
    assert result.overall is not None
    assert result.overall.exact == Fraction(50)
    lifts = {g.indicator: g.lift for g in result.gaps}
    assert lifts["2.2"] == Fraction(100, 9) / 2
    assert lifts["3.1"] == Fraction(100, 3) / 2


def test_count_overall_and_star_levels() -> None:
    accords = standard(
        rating_scale={
            "ratings": [
                {
                    "code": "not_started",
                    "label": {"en": "Not started"},
                    "points": 0,
                    "colour": "#9e9e9e",
                },
                {
                    "code": "in_progress",
                    "label": {"en": "In progress"},
                    "points": 1,
                    "colour": "#f9a825",
                },
                {"code": "achieved", "label": {"en": "Achieved"}, "points": 2, "colour": "#2e7d32"},
            ]
        },
        scoring={"overall": "count", "count_rating": "achieved", "bands": BANDS},
        gates=[],
        outcomes=[
            {"code": "two_stars", "label": {"en": "2"}, "overall_at_least": 4},
            {"code": "one_star", "label": {"en": "1"}, "overall_at_least": 2},
            {"code": "participating", "label": {"en": "0"}},
        ],
    )
    model = compile_standard(parse_standard(accords, source="t"))
    assert model.score({"1.1": "achieved"}).outcome == "participating"
    result = model.score({"1.1": "achieved", "1.2": "achieved", "2.1": "in_progress"})
    assert result.overall_count == 2
    assert result.overall is None
    assert result.outcome == "one_star"
    assert {g.indicator: g.lift for g in result.gaps}["2.1"] == 1
    assert {g.indicator: g.lift for g in result.gaps}["1.3"] == 0
    assert model.score(dict.fromkeys(model.indicator_codes, "achieved")).outcome == "two_stars"


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        ({"9.9": "strong"}, "not an indicator"),
        ({"1.1": "excellent"}, "'excellent' is not a rating"),
    ],
)
def test_bad_responses_are_named(responses: dict[str, str], message: str) -> None:
    with pytest.raises(ResponseError, match=message):
        MODEL.score(responses)


def test_not_applicable_only_where_allowed() -> None:
    strict = standard(rating_scale={**SCALE, "not_applicable": False})
    model = compile_standard(parse_standard(strict, source="t"))
    with pytest.raises(ResponseError, match="cannot be marked not applicable"):
        model.score({"1.1": NOT_APPLICABLE})


responses = st.fixed_dictionaries(
    {}, optional={code: st.sampled_from([*RATINGS, NOT_APPLICABLE, None]) for code in CODES}
)


@given(responses)
def test_bounds_and_determinism(answers: dict[str, str | None]) -> None:
    first = MODEL.score(answers)
    assert first == MODEL.score(dict(reversed(list(answers.items()))))
    for group in first.criteria:
        if group.percent is not None:
            assert 0 <= group.percent.exact <= 100
    if first.overall is not None:
        assert 0 <= first.overall.exact <= 100
        assert Decimal(0) <= first.overall.value <= Decimal(100)


@given(responses, st.sampled_from(CODES))
@settings(max_examples=300)
def test_raising_a_rating_never_lowers_any_score(answers: dict[str, str | None], code: str) -> None:
    current = answers.get(code)
    if current == NOT_APPLICABLE or current == RATINGS[-1]:
        return
    raised = RATINGS[RATINGS.index(current) + 1] if current else RATINGS[1]
    before = MODEL.score(answers)
    after = MODEL.score({**answers, code: raised})
    for old, new in zip(before.criteria, after.criteria, strict=True):
        if old.percent is not None:
            assert new.percent is not None
            assert new.percent.exact >= old.percent.exact
    assert before.overall is not None
    assert after.overall is not None
    assert after.overall.exact >= before.overall.exact
    # The gap promised exactly this lift.
    gap = next(g for g in before.gaps if g.indicator == code)
    if current is not None:
        assert after.overall.exact - before.overall.exact == gap.lift
    outcomes = [o[0] for o in MODEL.outcomes]
    assert outcomes.index(after.outcome) <= outcomes.index(before.outcome)


@given(responses)
def test_gate_consistency(answers: dict[str, str | None]) -> None:
    result = MODEL.score(answers)
    (gate,) = result.gates
    insufficient = tuple(c.code for c in result.criteria if c.band == "insufficient")
    assert gate.failing == insufficient
    assert gate.passed == (not insufficient)
    assert (result.outcome == "adherent") == gate.passed
    for gap in result.gaps:
        assert ("no_insufficient" in gap.blocks) == (gap.criterion in insufficient)
    lifts = [g.lift for g in result.gaps]
    assert lifts == sorted(lifts, reverse=True)
